//! The body: decoded as the engine will read it, then handed to the
//! inspector its type (and, for deployment resources, its file name)
//! calls for; multipart bodies part by part.

use super::Guard;
use super::head::Framing;
use super::query::BodyRules;
use crate::classes::{ClassFilter, TypeDecision};
use crate::engine::ResourceKind;
use crate::inspect::compression::{self, Coding};
use crate::inspect::json::{JsonInspector, PagingMember};
use crate::inspect::multipart;
use crate::media_type::{self, BodyKind};
use crate::policy::UnknownTypes;
use crate::violation::{Code, Violation};

/// Inspects a complete body under the head's `framing`; for a list query,
/// returns the paging members of a JSON body.
pub(super) fn inspect(
    guard: &Guard,
    framing: &Framing<'_>,
    body: &[u8],
    rules: BodyRules<'_>,
) -> Result<Vec<PagingMember>, Violation> {
    if body.is_empty() {
        return Ok(Vec::new());
    }
    // A compressed body is inspected as the engine would read it.
    let inflated;
    let body = match framing.coding {
        Coding::Identity => body,
        coding @ (Coding::Gzip | Coding::Deflate) => {
            let limits = &guard.policy.body;
            inflated = compression::inflate(
                body,
                coding,
                limits.max_inflated_bytes,
                limits.max_inflate_ratio,
            )?;
            &inflated[..]
        }
    };
    let media = framing.media.as_ref().map_err(Clone::clone)?.as_ref();
    let charset = media.and_then(|m| m.charset);
    match media.map_or(BodyKind::Other, |m| m.kind()) {
        BodyKind::Multipart => {
            let boundary = media.and_then(|m| m.boundary).unwrap_or_default();
            let parts = multipart::parse(body, boundary, guard.policy.body.max_parts)?;
            for part in &parts {
                inspect_part(guard, part, rules)?;
            }
            Ok(Vec::new())
        }
        // A type the route passes uninspected (gRPC beside the engine's
        // API): only ever a kind the guard has no inspector for.
        BodyKind::Other if media.is_some_and(|m| rules.passes_uninspected(m.essence)) => {
            Ok(Vec::new())
        }
        BodyKind::Other => match (guard.policy.body.unknown_types, sniff(body)) {
            (UnknownTypes::Sniff, Some(kind)) => document(guard, kind, body, None, rules),
            (UnknownTypes::Sniff, None) | (UnknownTypes::Reject, _) => Err(Violation::new(
                Code::UnsupportedMediaType,
                "header:content-type",
                match media {
                    Some(media) => format!("content type {} is not accepted", media.essence),
                    None => "a request body needs a Content-Type".to_owned(),
                },
            )),
        },
        BodyKind::Json => document(guard, Document::Json, body, charset, rules),
        BodyKind::Xml => document(guard, Document::Xml, body, charset, rules),
    }
}

/// A body kind with an inspector of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Document {
    Json,
    Xml,
}

/// Inspects one document; for a list query's JSON, returns its paging
/// members.
fn document(
    guard: &Guard,
    kind: Document,
    body: &[u8],
    charset: Option<&str>,
    rules: BodyRules<'_>,
) -> Result<Vec<PagingMember>, Violation> {
    match kind {
        Document::Xml => rules.xml.inspect(body, charset).map(|()| Vec::new()),
        Document::Json => {
            let inspector = JsonInspector::new(&guard.policy, rules.classes, rules.xml)
                .forbid_expressions(rules.forbid_expressions);
            if rules.list_query {
                inspector.inspect_list_query(body, charset)
            } else {
                inspector.inspect(body, charset).map(|()| Vec::new())
            }
        }
    }
}

/// One part of a `multipart/form-data` body: by its content type, or by
/// its file name (deployment resources), or, for the engine's type field
/// (Camunda's deprecated variable upload), as a Java type name. Other parts (form fields,
/// binary files) carry nothing an engine parses as code or XML.
fn inspect_part(
    guard: &Guard,
    part: &multipart::Part<'_>,
    rules: BodyRules<'_>,
) -> Result<(), Violation> {
    let label = part.filename.as_deref().unwrap_or(&part.name);
    let at_part = |v: Violation| v.relocated(&format!("part:{label}"), part.offset);
    let media = match part.content_type {
        Some(value) => Some(media_type::parse(value).ok_or_else(|| {
            Violation::new(
                Code::MultipartMalformed,
                format!("part:{label}"),
                "an unreadable part Content-Type",
            )
        })?),
        None => None,
    };
    // Camunda matches part content types as lower-cased text, not as
    // parsed media types; these rules do the same, on one copy.
    let lower_type = part.content_type.map(str::to_ascii_lowercase);
    let lower_type = lower_type.as_deref().unwrap_or("");
    // The deprecated `type` field names the class that part is read
    // into. Camunda takes the field by name alone, file name or not.
    let engine = guard.policy.engine.profile();
    if engine.type_field.is_some_and(|field| part.name == field) {
        check_type_part(rules.classes, part.body).map_err(at_part)?;
    }
    // Camunda refuses serialized Java in a variable upload itself today;
    // the guard refuses it wherever a part declares it, as it does for
    // typed variables, so that an engine configured otherwise is covered.
    if !guard.policy.classes.allow_java_serialization
        && lower_type.contains("application/x-java-serialized-object")
    {
        return Err(Violation::new(
            Code::JavaSerializationNotAllowed,
            format!("part:{label}"),
            "a part declared as serialized Java",
        )
        .at_offset(part.offset));
    }
    let by_type = match media.as_ref().map_or(BodyKind::Other, |m| m.kind()) {
        // commons-fileupload reads a part of type `multipart/mixed` as a
        // nested body whose files it hands on under the outer name; the
        // guard refuses every nested multipart type rather than split it
        // too.
        BodyKind::Multipart => return Err(nested(label)),
        _ if lower_type.starts_with("multipart") => return Err(nested(label)),
        BodyKind::Json => Some(Document::Json),
        BodyKind::Xml => Some(Document::Xml),
        // Camunda's variable upload deserializes a `data` part with Jackson
        // when its content type merely *contains* `application/json`
        // (`AbstractVariablesResource`: `toLowerCase().contains(...)`), so
        // `application/json-seq` or `text/plain; x=application/json` is
        // JSON too.
        BodyKind::Other if lower_type.contains("application/json") => Some(Document::Json),
        BodyKind::Other => None,
    };
    // A resource the engine parses by its name is inspected as what the
    // engine parses it as, whatever its content type says; a content type
    // that announces something else is inspected as that too (a body cannot
    // pass both unless it is both). The engine profile says which names are
    // parsed as what (and why that matching is a superset).
    let by_name = part
        .filename
        .as_deref()
        .and_then(|name| engine.resource_kind(name))
        .map(|kind| match kind {
            ResourceKind::Xml => Document::Xml,
            ResourceKind::Json => Document::Json,
        });
    // The engine reads a part's bytes without its `charset`: Xerces settles
    // a model's encoding from its byte order mark and declaration, Jackson a
    // JSON part's from its first bytes. So does the guard.
    let charset = None;
    let second = by_name.filter(|kind| Some(*kind) != by_type);
    for kind in [by_type, second].into_iter().flatten() {
        let no_paging = BodyRules {
            list_query: false,
            ..rules
        };
        document(guard, kind, part.body, charset, no_paging).map_err(at_part)?;
    }
    Ok(())
}

fn nested(label: &str) -> Violation {
    Violation::new(
        Code::MultipartMalformed,
        format!("part:{label}"),
        "nested multipart bodies are not accepted",
    )
}

/// Camunda's deprecated variable upload sends the Java type to deserialize
/// the `data` part into as a `type` form field.
fn check_type_part(classes: &ClassFilter, body: &[u8]) -> Result<(), Violation> {
    let name = std::str::from_utf8(body)
        .map(str::trim)
        .unwrap_or("\u{fffd}");
    let refused = || {
        Violation::new(
            Code::ClassNotAllowed,
            "",
            "the type part names a class that is not allowed",
        )
    };
    match classes.check(name) {
        TypeDecision::Allowed => Ok(()),
        TypeDecision::Denied { class, decision } => {
            Err(refused().decided_by(class, decision.rule_text()))
        }
        TypeDecision::Malformed(_) => Err(refused().decided_by(name, "not a type name".to_owned())),
    }
}

/// What a body without a usable content type looks like: JSON by `{` or
/// `[`, XML by `<`, after white space (and a UTF-8 BOM).
fn sniff(body: &[u8]) -> Option<Document> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => Some(Document::Json),
        Some(b'<') => Some(Document::Xml),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    // Unwraps here are test failures, not request paths.
    use crate::{Guard, Policy, Verdict};

    const GRPC: &str = r#"
        [body]
        max_bytes = 64
        [[routes]]
        path = "/grpc/**"
        uninspected_types = ["application/grpc"]
    "#;

    fn check(guard: &Guard, path: &str, content_type: &str, body: &[u8]) -> Verdict {
        let (head, ()) = http::Request::post(path)
            .header("content-type", content_type)
            .body(())
            .unwrap()
            .into_parts();
        guard.check(&head, body)
    }

    fn code(verdict: &Verdict) -> Option<&str> {
        verdict.violation().map(|v| v.code().as_str())
    }

    #[test]
    fn routes_pass_listed_types_uninspected_and_nothing_else() {
        let guard = Guard::new(Policy::from_toml(GRPC).unwrap()).unwrap();
        let frame = b"\x00\x00\x00\x00\x05\x0a\x03abc";
        assert_eq!(
            check(&guard, "/grpc/svc/Call", "application/grpc", frame),
            Verdict::Allow
        );
        assert_eq!(
            check(&guard, "/grpc/svc/Call", "application/GRPC+proto", frame),
            Verdict::Allow
        );
        // Near misses: another route, another type, a `+json` form (always
        // inspected), and the body limit, which still applies.
        let other_route = check(&guard, "/engine-rest/x", "application/grpc", frame);
        assert_eq!(code(&other_route), Some("unsupported-media-type"));
        let other_type = check(&guard, "/grpc/svc/Call", "application/grpc-web", frame);
        assert_eq!(code(&other_type), Some("unsupported-media-type"));
        let json = check(
            &guard,
            "/grpc/svc/Call",
            "application/grpc+json",
            b"{\"a\":1,\"a\":2}",
        );
        assert_eq!(code(&json), Some("json-duplicate-key"));
        let large = check(&guard, "/grpc/svc/Call", "application/grpc", &[0; 65]);
        assert_eq!(code(&large), Some("body-too-large"));
    }

    #[test]
    fn inspected_types_cannot_be_listed() {
        let route = |types: &str| {
            Policy::from_toml(&format!(
                "[[routes]]\npath = \"/x\"\nuninspected_types = [{types}]"
            ))
        };
        assert!(route("\"application/grpc\"").is_ok());
        for refused in [
            "\"application/json\"",
            "\"application/vnd.acme+json\"",
            "\"text/xml\"",
            "\"application/soap+xml\"",
            "\"multipart/form-data\"",
            "\"application/*\"",
            "\"*/*\"",
            "\"application/grpc; charset=utf-8\"",
            "\"grpc\"",
        ] {
            let err = route(refused).unwrap_err();
            assert_eq!(err.key(), "routes[0].uninspected_types[0]", "{refused}");
        }
        // Edited in code, the same rule holds when the guard is built.
        let mut policy = route("\"application/grpc\"").unwrap();
        policy.routes[0]
            .uninspected_types
            .push("application/json".into());
        assert_eq!(
            Guard::new(policy).unwrap_err().key(),
            "routes[0].uninspected_types[1]"
        );
    }
}
