//! The policy file as written, and its validation into [`Policy`].

use serde::Deserialize;
use toml::Spanned;

use super::validate;
use super::{
    BuiltinRoutes, ClassPolicy, Expressions, JsonPolicy, Mode, OnExcess, Policy, PolicyError,
    PolicyErrorKind, Route, SchemaLocations, UnknownTypes, XmlPolicy,
};
use crate::classes::{BuiltinValueTypes, ClassPattern};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    engine: Option<RawEngine>,
    mode: Option<Spanned<RawMode>>,
    #[serde(default)]
    body: RawBody,
    #[serde(default)]
    classes: RawClasses,
    #[serde(default)]
    xml: RawXml,
    #[serde(default)]
    json: RawJson,
    #[serde(default)]
    query: RawQuery,
    #[serde(default)]
    routes: Vec<RawRoute>,
    builtin_routes: Option<RawBuiltin>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RawEngine {
    Camunda7,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RawBuiltin {
    Camunda7,
    None,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawJson {
    max_depth: Option<Spanned<u64>>,
    max_string_bytes: Option<Spanned<u64>>,
    max_number_length: Option<Spanned<u64>>,
    max_members: Option<Spanned<u64>>,
    max_embedded_depth: Option<Spanned<u64>>,
    type_id_keys: Option<Vec<Spanned<String>>>,
    wrapper_arrays: Option<bool>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RawMode {
    Enforce,
    Report,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBody {
    max_bytes: Option<Spanned<u64>>,
    max_inflated_bytes: Option<u64>,
    max_inflate_ratio: Option<Spanned<u64>>,
    max_parts: Option<Spanned<u64>>,
    unknown_types: Option<RawUnknownTypes>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RawUnknownTypes {
    Reject,
    Sniff,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawClasses {
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
    allow_java_serialization: Option<bool>,
    builtin_value_types: Option<RawBuiltin>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawXml {
    max_depth: Option<Spanned<u64>>,
    max_attributes: Option<Spanned<u64>>,
    max_name_length: Option<Spanned<u64>>,
    max_value_bytes: Option<Spanned<u64>>,
    max_elements: Option<Spanned<u64>>,
    max_namespace_declarations: Option<Spanned<u64>>,
    allow_xslt: Option<bool>,
    allow_doctype: Option<bool>,
    schema_locations: Option<RawSchemaLocations>,
    allow_absolute_stylesheets: Option<bool>,
    #[serde(default)]
    forbid_elements: Vec<Spanned<String>>,
    #[serde(default)]
    forbid_attributes: Vec<Spanned<String>>,
    #[serde(default)]
    encodings: Vec<Spanned<String>>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "kebab-case")]
enum RawSchemaLocations {
    PublicHttp,
    Any,
    None,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawQuery {
    max_results: Option<Spanned<u64>>,
    on_excess: Option<RawOnExcess>,
    require_max_results: Option<bool>,
    expressions: Option<RawExpressions>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RawOnExcess {
    Reject,
    Clamp,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RawExpressions {
    Forbid,
    Allow,
}

impl From<RawExpressions> for Expressions {
    fn from(raw: RawExpressions) -> Self {
        match raw {
            RawExpressions::Forbid => Expressions::Forbid,
            RawExpressions::Allow => Expressions::Allow,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    name: Option<String>,
    #[serde(default)]
    methods: Vec<Spanned<String>>,
    path: Spanned<String>,
    #[serde(default)]
    list_query: bool,
    max_results: Option<Spanned<u64>>,
    #[serde(default)]
    task_query: bool,
    expressions: Option<RawExpressions>,
    max_bytes: Option<u64>,
    #[serde(default)]
    uninspected_types: Vec<Spanned<String>>,
}

pub(super) fn parse(text: &str) -> Result<Policy, PolicyError> {
    let raw = deserialize(text)?;

    let mut policy = Policy::default();
    if let Some(engine) = raw.engine {
        policy.engine = match engine {
            RawEngine::Camunda7 => super::Engine::Camunda7,
        };
    }
    if let Some(mode) = raw.mode {
        policy.mode = match *mode.get_ref() {
            RawMode::Enforce => Mode::Enforce,
            RawMode::Report => Mode::Report,
        };
    }
    if let Some(max_bytes) = raw.body.max_bytes {
        policy.body.max_bytes = *max_bytes.get_ref();
    }
    if let Some(max) = raw.body.max_inflated_bytes {
        policy.body.max_inflated_bytes = max;
    }
    let mut ratio = usize::try_from(policy.body.max_inflate_ratio).unwrap_or(usize::MAX);
    limits(
        text,
        vec![
            (
                "body.max_inflate_ratio",
                raw.body.max_inflate_ratio,
                &mut ratio,
            ),
            (
                "body.max_parts",
                raw.body.max_parts,
                &mut policy.body.max_parts,
            ),
        ],
    )?;
    policy.body.max_inflate_ratio = ratio as u64;
    if let Some(unknown) = raw.body.unknown_types {
        policy.body.unknown_types = match unknown {
            RawUnknownTypes::Reject => UnknownTypes::Reject,
            RawUnknownTypes::Sniff => UnknownTypes::Sniff,
        };
    }
    policy.classes = ClassPolicy {
        allow: patterns(text, "classes.allow", raw.classes.allow)?,
        deny: patterns(text, "classes.deny", raw.classes.deny)?,
        allow_java_serialization: raw.classes.allow_java_serialization.unwrap_or(false),
        builtin_value_types: match raw.classes.builtin_value_types {
            Some(RawBuiltin::Camunda7) | None => BuiltinValueTypes::Camunda7,
            Some(RawBuiltin::None) => BuiltinValueTypes::None,
        },
    };
    policy.json = json(text, raw.json)?;
    policy.xml = xml(text, raw.xml)?;
    if let Some(cap) = raw.query.max_results {
        policy.query.max_results = max_results(text, "query.max_results", &cap)?;
    }
    if let Some(on_excess) = raw.query.on_excess {
        policy.query.on_excess = match on_excess {
            RawOnExcess::Reject => OnExcess::Reject,
            RawOnExcess::Clamp => OnExcess::Clamp,
        };
    }
    if let Some(require) = raw.query.require_max_results {
        policy.query.require_max_results = require;
    }
    if let Some(expressions) = raw.query.expressions {
        policy.query.expressions = expressions.into();
    }
    for (i, route) in raw.routes.into_iter().enumerate() {
        policy.routes.push(self::route(text, i, route)?);
    }
    if let Some(builtin) = raw.builtin_routes {
        policy.builtin_routes = match builtin {
            RawBuiltin::Camunda7 => BuiltinRoutes::Camunda7,
            RawBuiltin::None => BuiltinRoutes::None,
        };
    }
    Ok(policy)
}

type Limit<'k, 's> = (&'k str, Option<Spanned<u64>>, &'s mut usize);

/// Applies `(key, value, slot)` limits, each held to its range in
/// [`validate::LIMITS`].
fn limits(text: &str, limits: Vec<Limit<'_, '_>>) -> Result<(), PolicyError> {
    for (key, value, slot) in limits {
        if let Some(value) = value {
            let v = *value.get_ref();
            validate::check_limit(v, validate::max_of(key)).map_err(|message| {
                PolicyError::new(PolicyErrorKind::Invalid(message), key)
                    .at(text, value.span().start)
            })?;
            *slot = usize::try_from(v).unwrap_or(usize::MAX);
        }
    }
    Ok(())
}

fn json(text: &str, raw: RawJson) -> Result<JsonPolicy, PolicyError> {
    let mut json = JsonPolicy::default();
    limits(
        text,
        vec![
            ("json.max_depth", raw.max_depth, &mut json.max_depth),
            (
                "json.max_string_bytes",
                raw.max_string_bytes,
                &mut json.max_string_bytes,
            ),
            (
                "json.max_number_length",
                raw.max_number_length,
                &mut json.max_number_length,
            ),
            ("json.max_members", raw.max_members, &mut json.max_members),
            (
                "json.max_embedded_depth",
                raw.max_embedded_depth,
                &mut json.max_embedded_depth,
            ),
        ],
    )?;
    if let Some(keys) = raw.type_id_keys {
        json.type_id_keys = Vec::with_capacity(keys.len());
        for (i, key) in keys.into_iter().enumerate() {
            if key.get_ref().is_empty() {
                return Err(PolicyError::new(
                    PolicyErrorKind::Invalid("empty key".into()),
                    format!("json.type_id_keys[{i}]"),
                )
                .at(text, key.span().start));
            }
            json.type_id_keys.push(key.into_inner());
        }
    }
    if let Some(on) = raw.wrapper_arrays {
        json.wrapper_arrays = on;
    }
    Ok(json)
}

fn xml(text: &str, raw: RawXml) -> Result<XmlPolicy, PolicyError> {
    let mut xml = XmlPolicy::default();
    let xml_limits: Vec<Limit<'_, '_>> = vec![
        ("xml.max_depth", raw.max_depth, &mut xml.max_depth),
        (
            "xml.max_attributes",
            raw.max_attributes,
            &mut xml.max_attributes,
        ),
        (
            "xml.max_name_length",
            raw.max_name_length,
            &mut xml.max_name_length,
        ),
        (
            "xml.max_value_bytes",
            raw.max_value_bytes,
            &mut xml.max_value_bytes,
        ),
        ("xml.max_elements", raw.max_elements, &mut xml.max_elements),
        (
            "xml.max_namespace_declarations",
            raw.max_namespace_declarations,
            &mut xml.max_namespace_declarations,
        ),
    ];
    limits(text, xml_limits)?;
    if let Some(allow) = raw.allow_xslt {
        xml.allow_xslt = allow;
    }
    if let Some(allow) = raw.allow_doctype {
        xml.allow_doctype = allow;
    }
    if let Some(allow) = raw.allow_absolute_stylesheets {
        xml.allow_absolute_stylesheets = allow;
    }
    if let Some(locations) = raw.schema_locations {
        xml.schema_locations = match locations {
            RawSchemaLocations::PublicHttp => SchemaLocations::PublicHttp,
            RawSchemaLocations::Any => SchemaLocations::Any,
            RawSchemaLocations::None => SchemaLocations::None,
        };
    }
    xml.forbid_elements = xml_names(text, "xml.forbid_elements", raw.forbid_elements)?;
    xml.forbid_attributes = xml_names(text, "xml.forbid_attributes", raw.forbid_attributes)?;
    for (i, label) in raw.encodings.into_iter().enumerate() {
        match super::LegacyEncoding::for_label(label.get_ref().trim()) {
            Some(e) => xml.encodings.push(e),
            None => {
                return Err(PolicyError::new(
                    PolicyErrorKind::Invalid(format!(
                        "`{}` is not a label of ISO-8859-1 or windows-1252, the legacy encodings the guard decodes (UTF-8, US-ASCII and UTF-16 need no entry)",
                        label.get_ref()
                    )),
                    format!("xml.encodings[{i}]"),
                )
                .at(text, label.span().start));
            }
        }
    }
    Ok(xml)
}

fn xml_names<T: std::str::FromStr<Err = String>>(
    text: &str,
    key: &str,
    raw: Vec<Spanned<String>>,
) -> Result<Vec<T>, PolicyError> {
    raw.into_iter()
        .enumerate()
        .map(|(i, name)| {
            name.get_ref().parse::<T>().map_err(|e| {
                PolicyError::new(PolicyErrorKind::Invalid(e), format!("{key}[{i}]"))
                    .at(text, name.span().start)
            })
        })
        .collect()
}

/// A `maxResults` cap: 0 (no cap) up to Java's `int` range.
fn max_results(text: &str, key: &str, cap: &Spanned<u64>) -> Result<u32, PolicyError> {
    validate::max_results(*cap.get_ref()).map_err(|message| {
        PolicyError::new(PolicyErrorKind::Invalid(message), key).at(text, cap.span().start)
    })
}

fn route(text: &str, i: usize, raw: RawRoute) -> Result<Route, PolicyError> {
    let key = |field: &str| format!("routes[{i}].{field}");
    let glob = raw.path.get_ref();
    let bad_path = |message: String| {
        PolicyError::new(PolicyErrorKind::Invalid(message), key("path"))
            .at(text, raw.path.span().start)
    };
    validate::route_glob(glob).map_err(bad_path)?;
    let mut methods = Vec::with_capacity(raw.methods.len());
    for (m, method) in raw.methods.iter().enumerate() {
        let parsed = http::Method::from_bytes(method.get_ref().to_ascii_uppercase().as_bytes())
            .map_err(|_| {
                PolicyError::new(
                    PolicyErrorKind::Invalid(format!(
                        "`{}` is not an HTTP method",
                        method.get_ref()
                    )),
                    format!("routes[{i}].methods[{m}]"),
                )
                .at(text, method.span().start)
            })?;
        methods.push(parsed);
    }
    let max_results = match &raw.max_results {
        Some(cap) => Some(max_results(text, &key("max_results"), cap)?),
        None => None,
    };
    Ok(Route {
        name: raw.name.unwrap_or_else(|| glob.clone()),
        methods,
        path: glob.clone(),
        list_query: raw.list_query,
        max_results,
        task_query: raw.task_query,
        expressions: raw.expressions.map(Into::into),
        max_bytes: raw.max_bytes,
        uninspected_types: raw
            .uninspected_types
            .into_iter()
            .enumerate()
            .map(|(t, essence)| {
                validate::uninspected_type(essence.get_ref()).map_err(|message| {
                    PolicyError::new(
                        PolicyErrorKind::Invalid(message),
                        format!("routes[{i}].uninspected_types[{t}]"),
                    )
                    .at(text, essence.span().start)
                })?;
                Ok(essence.into_inner())
            })
            .collect::<Result<_, PolicyError>>()?,
    })
}

fn patterns(
    text: &str,
    key: &str,
    raw: Vec<Spanned<String>>,
) -> Result<Vec<ClassPattern>, PolicyError> {
    raw.into_iter()
        .enumerate()
        .map(|(i, pattern)| {
            pattern.get_ref().parse::<ClassPattern>().map_err(|e| {
                PolicyError::new(PolicyErrorKind::Pattern(e), format!("{key}[{i}]"))
                    .at(text, pattern.span().start)
            })
        })
        .collect()
}

/// Runs serde over the TOML and turns its errors into [`PolicyError`]s with
/// a key path and a position.
fn deserialize(text: &str) -> Result<RawPolicy, PolicyError> {
    let deserializer = toml::Deserializer::parse(text).map_err(|e| toml_error(text, "", &e))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        // `toml::Spanned` shows up as an inner field; it is not a key.
        let path = path.replace(".$__serde_spanned_private_value", "");
        let path = if path == "." { String::new() } else { path };
        toml_error(text, &path, e.inner())
    })
}

fn toml_error(text: &str, path: &str, error: &toml::de::Error) -> PolicyError {
    let message = error.message().trim();
    let offset = error.span().map_or(0, |span| span.start);
    // serde reports unknown keys as "unknown field `x`, expected one of `a`, `b`".
    let error = match message.strip_prefix("unknown field `") {
        Some(rest) => {
            let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
            // serde_path_to_error already ends the path with the unknown key.
            let key = if path.is_empty() {
                name.to_owned()
            } else {
                path.to_owned()
            };
            let expected = expected
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            PolicyError::new(PolicyErrorKind::UnknownKey { expected }, key)
        }
        None => PolicyError::new(PolicyErrorKind::Syntax(message.to_owned()), path),
    };
    error.at(text, offset)
}

#[cfg(test)]
mod tests {
    //! Unit tests only (never compiled into the library): an `unwrap` or
    //! `expect` here is a test assertion on fixed inputs, not a path a
    //! request can reach.
    use super::*;

    fn err(text: &str) -> (Option<usize>, String, String) {
        let e = parse(text).unwrap_err();
        (e.line(), e.key().to_owned(), e.to_string())
    }

    #[test]
    fn unknown_keys_name_the_key_and_line() {
        let (line, key, msg) = err("mode = \"enforce\"\n\n[body]\nmax_byte = 3\n");
        assert_eq!((line, key.as_str()), (Some(4), "body.max_byte"));
        assert!(msg.contains("expected one of: max_bytes"), "{msg}");
        let (line, key, _) = err("[classes]\nallow = []\n[bogus]\n");
        assert_eq!((line, key.as_str()), (Some(3), "bogus"));
        let (line, key, _) = err("colour = 1\n");
        assert_eq!((line, key.as_str()), (Some(1), "colour"));
    }

    #[test]
    fn type_errors_name_the_key_and_line() {
        let (line, key, _) = err("[body]\nmax_bytes = \"big\"\n");
        assert_eq!((line, key.as_str()), (Some(2), "body.max_bytes"));
        let (line, key, _) = err("[body]\nmax_bytes = -1\n");
        assert_eq!((line, key.as_str()), (Some(2), "body.max_bytes"));
        let (line, key, msg) = err("mode = \"loud\"\n");
        assert_eq!((line, key.as_str()), (Some(1), "mode"));
        assert!(msg.contains("enforce"), "{msg}");
        let (line, _, _) = err("[classes]\nallow = [\"a\"\n");
        assert_eq!(line, Some(2));
    }

    #[test]
    fn bad_patterns_name_the_index() {
        let (line, key, msg) = err("[classes]\nallow = [\n  \"java.util.*\",\n  \"com.*.x\",\n]\n");
        assert_eq!((line, key.as_str()), (Some(4), "classes.allow[1]"));
        assert!(msg.contains("`*`"), "{msg}");
        let (_, key, _) = err("[classes]\ndeny = [\"*\"]\n");
        assert_eq!(key, "classes.deny[0]");
    }

    #[test]
    fn builtin_routes_parse_and_can_be_turned_off() {
        let text = crate::engine::camunda7::ROUTES_TOML;
        let builtin = parse(text).unwrap();
        assert_eq!(
            builtin.routes.len(),
            text.lines().filter(|l| *l == "[[routes]]").count()
        );
        assert!(builtin.routes.len() > 40);
        assert_eq!(BuiltinRoutes::Camunda7.routes(), builtin.routes.as_slice());
        assert!(BuiltinRoutes::None.routes().is_empty());
        assert_eq!(parse("").unwrap().builtin_routes, BuiltinRoutes::Camunda7);
        let off = parse("builtin_routes = \"none\"\n").unwrap();
        assert_eq!(off.builtin_routes, BuiltinRoutes::None);
        assert_eq!(err("builtin_routes = \"camunda8\"\n").1, "builtin_routes");
        let named = parse("engine = \"camunda7\"\n").unwrap();
        assert_eq!(named.engine, crate::policy::Engine::Camunda7);
        assert_eq!(named, parse("").unwrap());
        assert_eq!(err("engine = \"flowable\"\n").1, "engine");
    }

    #[test]
    fn ranges() {
        assert_eq!(err("[xml]\nmax_depth = 0\n").1, "xml.max_depth");
        assert_eq!(parse("[xml]\nmax_depth = 1\n").unwrap().xml.max_depth, 1);
        assert_eq!(err("[xml]\nmax_attributes = 0\n").1, "xml.max_attributes");
        assert_eq!(
            err("[xml]\nencodings = [\"utf-8\", \"shift_jis\"]\n").1,
            "xml.encodings[0]"
        );
        assert_eq!(
            err("[xml]\nforbid_elements = [\"{x}\"]\n").1,
            "xml.forbid_elements[0]"
        );
        assert_eq!(
            err("[xml]\nschema_locations = \"some\"\n").1,
            "xml.schema_locations"
        );
        let p =
            parse("[xml]\nencodings = [\"ISO-8859-1\"]\nschema_locations = \"none\"\n").unwrap();
        assert_eq!(p.xml.encodings, [crate::policy::LegacyEncoding::Latin1]);
        assert_eq!(p.xml.schema_locations, SchemaLocations::None);
        assert_eq!(
            err("[query]\nmax_results = 2147483648\n").1,
            "query.max_results"
        );
        let p = parse("[query]\nmax_results = 2147483647\n").unwrap();
        assert_eq!(p.query.max_results, i32::MAX as u32);
        assert_eq!(
            parse("[query]\nmax_results = 0\n")
                .unwrap()
                .query
                .max_results,
            0
        );
    }

    #[test]
    fn empty_is_the_safe_default() {
        assert_eq!(parse("").unwrap(), Policy::default());
        let p = parse("[classes]\nallow = [\"com.acme.**\"]\n").unwrap();
        assert_eq!(p.classes.allow[0].to_string(), "com.acme.**");
        assert_eq!(p.body.max_bytes, 10 * 1024 * 1024);
    }
}
