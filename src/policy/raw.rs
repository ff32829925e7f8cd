//! The policy file as written, and its validation into [`Policy`].
//!
//! The text is parsed into a TOML document that keeps the place of every
//! key and value ([`DeTable`]), then read key by key. Each value is judged
//! on its own, so one bad value never hides the next: every problem is
//! collected with its position and dotted key, in the operator's words
//! ("a whole number", "a number of bytes"), never Rust's (`u64`).

use toml::Spanned;
use toml::de::{DeInteger, DeString, DeTable, DeValue};

use super::validate;
use super::{
    BodyPolicy, BuiltinRoutes, ByteSize, ClassPolicy, CorsPolicy, Engine, Expressions, JsonPolicy,
    Mode, Network, OnExcess, Policy, PolicyError, PolicyErrorKind, PolicyErrors, QueryPolicy,
    RequestPolicy, Route, SchemaLocations, UnknownTypes, UpstreamPolicy, XmlPolicy,
};
use crate::classes::{BuiltinValueTypes, ClassPattern};
use crate::violation::Code;

type Value<'i> = Spanned<DeValue<'i>>;

/// A string of a list, and its index there (for the key, `allow[3]`).
type Entry = (usize, Spanned<String>);

/// What a byte-size key expects, for messages.
const BYTES: &str = "expected a number of bytes (e.g. 1048576 or \"10MiB\")";

/// Parses and validates `text`, reporting every problem found.
pub(super) fn parse(text: &str) -> Result<Policy, PolicyErrors> {
    // Text that is not TOML has no keys to judge; the parser's first error
    // is the one to fix.
    let document = DeTable::parse(text).map_err(|e| {
        let offset = e.span().map_or(0, |span| span.start);
        PolicyError::new(PolicyErrorKind::Syntax(e.message().trim().to_owned()), "")
            .at(text, offset)
    })?;
    let mut errors = Errors {
        text,
        found: Vec::new(),
    };
    let start = document.span().start;
    let mut top = Table::new(String::new(), start, document.into_inner());
    let policy = policy(&mut errors, &mut top);
    top.finish(&mut errors);
    match PolicyErrors::new(errors.found) {
        Some(errors) => Err(errors),
        None => Ok(policy),
    }
}

fn policy(e: &mut Errors<'_>, top: &mut Table<'_>) -> Policy {
    let mut policy = Policy::default();
    if let Some(engine) = e.choice(top, "engine", &[("camunda7", Engine::Camunda7)]) {
        policy.engine = engine;
    }
    let modes = [("enforce", Mode::Enforce), ("report", Mode::Report)];
    if let Some(mode) = e.choice(top, "mode", &modes) {
        policy.mode = mode;
    }
    if let Some(request) = e.section(top, "request", request) {
        policy.request = request;
    }
    if let Some(body) = e.section(top, "body", body) {
        policy.body = body;
    }
    if let Some(classes) = e.section(top, "classes", classes) {
        policy.classes = classes;
    }
    if let Some(xml) = e.section(top, "xml", xml) {
        policy.xml = xml;
    }
    if let Some(json) = e.section(top, "json", json) {
        policy.json = json;
    }
    if let Some(query) = e.section(top, "query", query) {
        policy.query = query;
    }
    for mut table in e.tables(top, "routes") {
        let route = route(e, &mut table, &policy.xml);
        table.finish(e);
        policy.routes.extend(route);
    }
    let builtin = [
        ("camunda7", BuiltinRoutes::Camunda7),
        ("none", BuiltinRoutes::None),
    ];
    if let Some(builtin) = e.choice(top, "builtin_routes", &builtin) {
        policy.builtin_routes = builtin;
    }
    if let Some(upstream) = e.section(top, "upstream", upstream) {
        policy.upstream = upstream;
    }
    policy.cors = e.section(top, "cors", cors);
    policy
}

fn upstream(e: &mut Errors<'_>, t: &mut Table<'_>) -> UpstreamPolicy {
    let mut upstream = UpstreamPolicy::default();
    if let Some(mask) = e.flag(t, "mask_errors") {
        upstream.mask_errors = mask;
    }
    if let Some(bytes) = e.limit(t, "max_error_bytes", Unit::Bytes) {
        upstream.max_error_bytes = bytes;
    }
    upstream
}

fn cors(e: &mut Errors<'_>, t: &mut Table<'_>) -> CorsPolicy {
    let mut cors = CorsPolicy::default();
    if let Some(origins) = e.strings(t, "allow_origins") {
        cors.allow_origins = e.each(&t.key("allow_origins"), origins, |origin| {
            super::cors::origin(origin).map_err(PolicyErrorKind::Invalid)
        });
    }
    if let Some(methods) = e.strings(t, "allow_methods") {
        cors.allow_methods = e.each(&t.key("allow_methods"), methods, parse_method);
    }
    if let Some(headers) = e.strings(t, "allow_headers") {
        cors.allow_headers = e.each(&t.key("allow_headers"), headers, |header| {
            http::HeaderName::from_bytes(header.as_bytes())
                .map(|name| name.as_str().to_owned())
                .map_err(|_| PolicyErrorKind::Invalid(format!("`{header}` is not a header name")))
        });
    }
    if let Some(credentials) = e.flag(t, "allow_credentials") {
        cors.allow_credentials = credentials;
    }
    if let Some(age) = e.limit(t, "max_age_secs", Unit::Count) {
        cors.max_age_secs = u32::try_from(age).unwrap_or(u32::MAX);
    }
    cors
}

fn request(e: &mut Errors<'_>, t: &mut Table<'_>) -> RequestPolicy {
    let mut request = RequestPolicy::default();
    let methods = e.nonempty_strings(
        t,
        "methods",
        "list at least one method; an empty list would refuse every request",
    );
    if let Some(methods) = methods {
        request.methods = e.each(&t.key("methods"), methods, |method| {
            let method = parse_method(method)?;
            validate::allowed_method(&method).map_err(PolicyErrorKind::Invalid)?;
            Ok(method)
        });
    }
    for (name, unit, slot) in [
        ("max_url_bytes", Unit::Bytes, &mut request.max_url_bytes),
        ("max_query_bytes", Unit::Bytes, &mut request.max_query_bytes),
        ("max_headers", Unit::Count, &mut request.max_headers),
        (
            "max_header_bytes",
            Unit::Bytes,
            &mut request.max_header_bytes,
        ),
    ] {
        if let Some(value) = e.limit(t, name, unit) {
            *slot = value;
        }
    }
    if let Some(allow) = e.flag(t, "allow_double_encoded_paths") {
        request.allow_double_encoded_paths = allow;
    }
    if let Some(require) = e.flag(t, "require_host") {
        request.require_host = require;
    }
    request
}

/// An HTTP method as a policy names it, in any letter case.
fn parse_method(method: &str) -> Result<http::Method, PolicyErrorKind> {
    http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| PolicyErrorKind::Invalid(format!("`{method}` is not an HTTP method")))
}

fn body(e: &mut Errors<'_>, t: &mut Table<'_>) -> BodyPolicy {
    let mut body = BodyPolicy::default();
    if let Some(max) = e.bytes(t, "max_bytes") {
        body.max_bytes = max.into_inner();
    }
    if let Some(max) = e.bytes(t, "max_inflated_bytes") {
        body.max_inflated_bytes = max.into_inner();
    }
    if let Some(ratio) = e.limit(t, "max_inflate_ratio", Unit::Count) {
        body.max_inflate_ratio = ratio;
    }
    if let Some(parts) = e.limit(t, "max_parts", Unit::Count) {
        body.max_parts = to_usize(parts);
    }
    let unknown = [
        ("reject", UnknownTypes::Reject),
        ("sniff", UnknownTypes::Sniff),
    ];
    if let Some(unknown) = e.choice(t, "unknown_types", &unknown) {
        body.unknown_types = unknown;
    }
    body
}

fn classes(e: &mut Errors<'_>, t: &mut Table<'_>) -> ClassPolicy {
    let mut classes = ClassPolicy::default();
    if let Some(allow) = e.strings(t, "allow") {
        classes.allow = e.each(&t.key("allow"), allow, |p| {
            p.parse::<ClassPattern>().map_err(PolicyErrorKind::Pattern)
        });
    }
    if let Some(deny) = e.strings(t, "deny") {
        classes.deny = e.each(&t.key("deny"), deny, |p| {
            p.parse::<ClassPattern>().map_err(PolicyErrorKind::Pattern)
        });
    }
    if let Some(allow) = e.flag(t, "allow_java_serialization") {
        classes.allow_java_serialization = allow;
    }
    let value_types = [
        ("camunda7", BuiltinValueTypes::Camunda7),
        ("none", BuiltinValueTypes::None),
    ];
    if let Some(value_types) = e.choice(t, "builtin_value_types", &value_types) {
        classes.builtin_value_types = value_types;
    }
    classes
}

fn xml(e: &mut Errors<'_>, t: &mut Table<'_>) -> XmlPolicy {
    xml_over(e, t, XmlPolicy::default())
}

/// `[xml]` keys read over `base`: the policy's defaults, or for a route's
/// `[routes.xml]` the policy's own `[xml]`, so a route changes only what
/// it names.
fn xml_over(e: &mut Errors<'_>, t: &mut Table<'_>, base: XmlPolicy) -> XmlPolicy {
    let mut xml = base;
    for (name, unit, slot) in [
        ("max_depth", Unit::Count, &mut xml.max_depth),
        ("max_attributes", Unit::Count, &mut xml.max_attributes),
        ("max_name_length", Unit::Count, &mut xml.max_name_length),
        ("max_value_bytes", Unit::Bytes, &mut xml.max_value_bytes),
        ("max_elements", Unit::Count, &mut xml.max_elements),
        (
            "max_namespace_declarations",
            Unit::Count,
            &mut xml.max_namespace_declarations,
        ),
    ] {
        if let Some(value) = e.limit(t, name, unit) {
            *slot = to_usize(value);
        }
    }
    if let Some(allow) = e.flag(t, "allow_xslt") {
        xml.allow_xslt = allow;
    }
    if let Some(allow) = e.flag(t, "allow_doctype") {
        xml.allow_doctype = allow;
    }
    let locations = [
        ("public-http", SchemaLocations::PublicHttp),
        ("any", SchemaLocations::Any),
        ("none", SchemaLocations::None),
    ];
    if let Some(locations) = e.choice(t, "schema_locations", &locations) {
        xml.schema_locations = locations;
    }
    if let Some(allow) = e.flag(t, "allow_absolute_stylesheets") {
        xml.allow_absolute_stylesheets = allow;
    }
    if let Some(names) = e.strings(t, "forbid_elements") {
        xml.forbid_elements = e.each(&t.key("forbid_elements"), names, |n| {
            n.parse().map_err(PolicyErrorKind::Invalid)
        });
    }
    if let Some(names) = e.strings(t, "forbid_attributes") {
        xml.forbid_attributes = e.each(&t.key("forbid_attributes"), names, |n| {
            n.parse().map_err(PolicyErrorKind::Invalid)
        });
    }
    if let Some(labels) = e.strings(t, "encodings") {
        xml.encodings = e.each(&t.key("encodings"), labels, |label| {
            super::LegacyEncoding::for_label(label.trim()).ok_or_else(|| {
                PolicyErrorKind::Invalid(format!(
                    "`{label}` is not a label of ISO-8859-1 or windows-1252, the legacy encodings the guard decodes (UTF-8, US-ASCII and UTF-16 need no entry)"
                ))
            })
        });
    }
    xml
}

fn json(e: &mut Errors<'_>, t: &mut Table<'_>) -> JsonPolicy {
    let mut json = JsonPolicy::default();
    for (name, unit, slot) in [
        ("max_depth", Unit::Count, &mut json.max_depth),
        ("max_string_bytes", Unit::Bytes, &mut json.max_string_bytes),
        (
            "max_number_length",
            Unit::Count,
            &mut json.max_number_length,
        ),
        ("max_members", Unit::Count, &mut json.max_members),
        (
            "max_embedded_depth",
            Unit::Count,
            &mut json.max_embedded_depth,
        ),
    ] {
        if let Some(value) = e.limit(t, name, unit) {
            *slot = to_usize(value);
        }
    }
    if let Some(keys) = e.strings(t, "type_id_keys") {
        json.type_id_keys = e.each(&t.key("type_id_keys"), keys, |key| {
            if key.is_empty() {
                Err(PolicyErrorKind::Invalid("empty key".into()))
            } else {
                Ok(key.to_owned())
            }
        });
    }
    if let Some(on) = e.flag(t, "wrapper_arrays") {
        json.wrapper_arrays = on;
    }
    json
}

const EXPRESSIONS: [(&str, Expressions); 2] = [
    ("forbid", Expressions::Forbid),
    ("allow", Expressions::Allow),
];

fn query(e: &mut Errors<'_>, t: &mut Table<'_>) -> QueryPolicy {
    let mut query = QueryPolicy::default();
    if let Some(cap) = e.max_results(t, "max_results") {
        query.max_results = cap;
    }
    let on_excess = [("reject", OnExcess::Reject), ("clamp", OnExcess::Clamp)];
    if let Some(on_excess) = e.choice(t, "on_excess", &on_excess) {
        query.on_excess = on_excess;
    }
    if let Some(require) = e.flag(t, "require_max_results") {
        query.require_max_results = require;
    }
    if let Some(expressions) = e.choice(t, "expressions", &EXPRESSIONS) {
        query.expressions = expressions;
    }
    query
}

/// One `[[routes]]` table; `None` when it has errors (reported). Every key
/// is read whatever the others hold, so that all their errors are found.
fn route(e: &mut Errors<'_>, t: &mut Table<'_>, policy_xml: &XmlPolicy) -> Option<Route> {
    let before = e.found.len();
    let name = e.string(t, "name");
    let methods = e
        .strings(t, "methods")
        .map(|methods| e.each(&t.key("methods"), methods, parse_method));
    let path = match t.take("path") {
        Some(value) => e.check(&t.key("path"), value, |value| {
            let glob = string(value).map_err(PolicyErrorKind::Syntax)?;
            validate::route_glob(&glob).map_err(PolicyErrorKind::Invalid)?;
            Ok(glob)
        }),
        None => {
            e.push(
                PolicyErrorKind::Invalid(
                    "missing: every route needs the `path` glob it covers".to_owned(),
                ),
                t.key("path"),
                t.offset,
            );
            None
        }
    };
    let list_query = e.flag(t, "list_query");
    let max_results = e.max_results(t, "max_results");
    let task_query = e.flag(t, "task_query");
    let expressions = e.choice(t, "expressions", &EXPRESSIONS);
    let max_bytes = e.bytes(t, "max_bytes").map(Spanned::into_inner);
    let uninspected_types = e.strings(t, "uninspected_types").map(|types| {
        e.each(&t.key("uninspected_types"), types, |essence| {
            validate::uninspected_type(essence).map_err(PolicyErrorKind::Invalid)?;
            Ok(essence.to_owned())
        })
    });
    let allow_networks = e
        .nonempty_strings(
            t,
            "allow_networks",
            // An empty allowlist reads as "nobody" to some and "everybody"
            // to others: neither is left to a guess.
            "list at least one network; remove the key to let every client use the route",
        )
        .map(|entries| {
            e.each(&t.key("allow_networks"), entries, |entry| {
                entry
                    .parse::<Network>()
                    .map_err(|err| PolicyErrorKind::Invalid(err.to_string()))
            })
        });
    let modes = [("enforce", Mode::Enforce), ("report", Mode::Report)];
    let mode = e.choice(t, "mode", &modes);
    let skip = e.strings(t, "skip").map(|codes| {
        e.each(&t.key("skip"), codes, |code| {
            let code = code
                .parse::<Code>()
                .map_err(|err| PolicyErrorKind::Invalid(err.to_string()))?;
            validate::skippable(code).map_err(PolicyErrorKind::Invalid)?;
            Ok(code)
        })
    });
    let xml = e.section(t, "xml", |e, t| xml_over(e, t, policy_xml.clone()));
    let classes_allow = e.strings(t, "classes_allow").map(|patterns| {
        e.each(&t.key("classes_allow"), patterns, |p| {
            p.parse::<ClassPattern>().map_err(PolicyErrorKind::Pattern)
        })
    });
    let path = path?;
    if e.found.len() > before {
        return None;
    }
    Some(Route {
        name: name.unwrap_or_else(|| path.clone()),
        methods: methods.unwrap_or_default(),
        path,
        list_query: list_query.unwrap_or(false),
        max_results,
        task_query: task_query.unwrap_or(false),
        expressions,
        max_bytes,
        uninspected_types: uninspected_types.unwrap_or_default(),
        allow_networks: allow_networks.unwrap_or_default(),
        mode,
        skip: skip.unwrap_or_default(),
        classes_allow: classes_allow.unwrap_or_default(),
        xml,
    })
}

/// A limit's value as `usize`; limits stay far below `usize::MAX` on
/// 64-bit targets, and saturate on smaller ones.
fn to_usize(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

/// Whether a limit counts things or bytes (which may carry a unit).
#[derive(Clone, Copy)]
enum Unit {
    Count,
    Bytes,
}

/// The problems found in one text.
struct Errors<'t> {
    text: &'t str,
    found: Vec<PolicyError>,
}

/// One table of the file: the entries not read yet, and the names read so
/// far (which are the keys the table may hold, for the unknown-key message).
struct Table<'i> {
    /// Dotted path of the table (`body`, `routes[2]`); empty at the top.
    path: String,
    /// Where the table starts, for problems of the table as a whole.
    offset: usize,
    entries: Vec<(Spanned<DeString<'i>>, Value<'i>)>,
    known: Vec<&'static str>,
}

impl<'i> Table<'i> {
    fn new(path: String, offset: usize, table: DeTable<'i>) -> Self {
        Table {
            path,
            offset,
            entries: table.into_iter().collect(),
            known: Vec::new(),
        }
    }

    /// The dotted key of `name` in this table.
    fn key(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    /// Takes the value of `name` out of the table, and records `name` as a
    /// key the table may hold.
    fn take(&mut self, name: &'static str) -> Option<Value<'i>> {
        self.known.push(name);
        let at = self
            .entries
            .iter()
            .position(|(key, _)| key.get_ref().as_ref() == name)?;
        Some(self.entries.swap_remove(at).1)
    }

    /// Reports every key not taken: unknown keys, most often typos, which
    /// must never fall back to a default silently.
    fn finish(self, e: &mut Errors<'_>) {
        for (key, _) in &self.entries {
            e.push(
                PolicyErrorKind::UnknownKey {
                    expected: self.known.iter().map(|&k| k.to_owned()).collect(),
                },
                self.key(key.get_ref()),
                key.span().start,
            );
        }
    }
}

impl Errors<'_> {
    fn push(&mut self, kind: PolicyErrorKind, key: String, offset: usize) {
        self.found
            .push(PolicyError::new(kind, key).at(self.text, offset));
    }

    /// Reads `value` with `read`; a refusal is reported at the value.
    fn check<T>(
        &mut self,
        key: &str,
        value: Value<'_>,
        read: impl FnOnce(&DeValue<'_>) -> Result<T, PolicyErrorKind>,
    ) -> Option<T> {
        read(value.get_ref())
            .map_err(|kind| self.push(kind, key.to_owned(), value.span().start))
            .ok()
    }

    /// Reads key `name` of `t`, if present, with `read`, keeping its place.
    fn read<T>(
        &mut self,
        t: &mut Table<'_>,
        name: &'static str,
        read: impl FnOnce(&DeValue<'_>) -> Result<T, String>,
    ) -> Option<Spanned<T>> {
        let value = t.take(name)?;
        let span = value.span();
        self.check(&t.key(name), value, |v| {
            read(v).map_err(PolicyErrorKind::Syntax)
        })
        .map(|v| Spanned::new(span, v))
    }

    fn flag(&mut self, t: &mut Table<'_>, name: &'static str) -> Option<bool> {
        self.read(t, name, flag).map(Spanned::into_inner)
    }

    fn string(&mut self, t: &mut Table<'_>, name: &'static str) -> Option<String> {
        self.read(t, name, string).map(Spanned::into_inner)
    }

    fn bytes(&mut self, t: &mut Table<'_>, name: &'static str) -> Option<Spanned<u64>> {
        self.read(t, name, bytes)
    }

    fn choice<T: Copy>(
        &mut self,
        t: &mut Table<'_>,
        name: &'static str,
        choices: &[(&str, T)],
    ) -> Option<T> {
        self.read(t, name, |v| choice(v, choices))
            .map(Spanned::into_inner)
    }

    /// A limit of [`validate::LIMITS`], held to its range there.
    fn limit(&mut self, t: &mut Table<'_>, name: &'static str, unit: Unit) -> Option<u64> {
        let value = match unit {
            Unit::Count => self.read(t, name, whole)?,
            Unit::Bytes => self.bytes(t, name)?,
        };
        let key = t.key(name);
        let max = validate::max_of(&key);
        let v = *value.get_ref();
        match (validate::check_limit(v, max), unit) {
            (Ok(()), _) => Some(v),
            (Err(message), Unit::Count) => {
                self.push(PolicyErrorKind::Invalid(message), key, value.span().start);
                None
            }
            (Err(_), Unit::Bytes) => {
                let message = format!(
                    "must be between 1B and {}, not {}",
                    ByteSize(max),
                    ByteSize(v)
                );
                self.push(PolicyErrorKind::Invalid(message), key, value.span().start);
                None
            }
        }
    }

    /// A `maxResults` cap: 0 (no cap) up to Java's `int` range.
    fn max_results(&mut self, t: &mut Table<'_>, name: &'static str) -> Option<u32> {
        let cap = self.read(t, name, whole)?;
        validate::max_results(*cap.get_ref())
            .map_err(|message| {
                self.push(
                    PolicyErrorKind::Invalid(message),
                    t.key(name),
                    cap.span().start,
                );
            })
            .ok()
    }

    /// A list of strings, each with its index in the list; entries that
    /// are not strings are reported, and left out.
    fn strings(&mut self, t: &mut Table<'_>, name: &'static str) -> Option<Vec<Entry>> {
        let value = t.take(name)?;
        let key = t.key(name);
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => Some(
                items
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, item)| {
                        let span = item.span();
                        self.check(&format!("{key}[{i}]"), item, |v| {
                            string(v).map_err(PolicyErrorKind::Syntax)
                        })
                        .map(|s| (i, Spanned::new(span, s)))
                    })
                    .collect(),
            ),
            other => {
                let message = format!(
                    "expected a list of texts in quotes, such as [\"a\", \"b\"]; found {}",
                    found(&other)
                );
                self.push(PolicyErrorKind::Syntax(message), key, span.start);
                None
            }
        }
    }

    /// [`Errors::strings`], where an empty list is an error (`empty` says
    /// why) rather than a value.
    fn nonempty_strings(
        &mut self,
        t: &mut Table<'_>,
        name: &'static str,
        empty: &str,
    ) -> Option<Vec<Entry>> {
        // Only a list written empty: entries that are not strings are
        // reported by `strings` themselves.
        let written_empty = t
            .entries
            .iter()
            .find(|(key, _)| key.get_ref().as_ref() == name)
            .and_then(|(_, value)| match value.get_ref() {
                DeValue::Array(items) if items.is_empty() => Some(value.span().start),
                _ => None,
            });
        let entries = self.strings(t, name)?;
        if let Some(offset) = written_empty {
            self.push(
                PolicyErrorKind::Invalid(empty.to_owned()),
                t.key(name),
                offset,
            );
            return None;
        }
        Some(entries)
    }

    /// Parses each entry of a list (`key[i]`); entries that do not parse are
    /// reported, and left out.
    fn each<T>(
        &mut self,
        key: &str,
        entries: Vec<Entry>,
        parse: impl Fn(&str) -> Result<T, PolicyErrorKind>,
    ) -> Vec<T> {
        entries
            .into_iter()
            .filter_map(|(i, entry)| {
                parse(entry.get_ref())
                    .map_err(|kind| self.push(kind, format!("{key}[{i}]"), entry.span().start))
                    .ok()
            })
            .collect()
    }

    /// Reads the table `name` of `top` with `read`, then reports its unknown
    /// keys.
    fn section<T>(
        &mut self,
        top: &mut Table<'_>,
        name: &'static str,
        read: impl FnOnce(&mut Self, &mut Table<'_>) -> T,
    ) -> Option<T> {
        let value = top.take(name)?;
        let span = value.span();
        match value.into_inner() {
            DeValue::Table(table) => {
                let mut table = Table::new(top.key(name), span.start, table);
                let section = read(self, &mut table);
                table.finish(self);
                Some(section)
            }
            other => {
                let message = format!("expected a table ([{name}]); found {}", found(&other));
                self.push(PolicyErrorKind::Syntax(message), top.key(name), span.start);
                None
            }
        }
    }

    /// The tables of the array `name` (`[[routes]]`).
    fn tables<'i>(&mut self, top: &mut Table<'i>, name: &'static str) -> Vec<Table<'i>> {
        let Some(value) = top.take(name) else {
            return Vec::new();
        };
        let key = top.key(name);
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(items) => items
                .into_iter()
                .enumerate()
                .filter_map(|(i, item)| {
                    let span = item.span();
                    match item.into_inner() {
                        DeValue::Table(table) => {
                            Some(Table::new(format!("{key}[{i}]"), span.start, table))
                        }
                        other => {
                            let message = format!("expected a table; found {}", found(&other));
                            self.push(
                                PolicyErrorKind::Syntax(message),
                                format!("{key}[{i}]"),
                                span.start,
                            );
                            None
                        }
                    }
                })
                .collect(),
            other => {
                let message = format!("expected [[{name}]] tables; found {}", found(&other));
                self.push(PolicyErrorKind::Syntax(message), key, span.start);
                Vec::new()
            }
        }
    }
}

/// How a value the reader refused looks to the operator.
fn found(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => {
            // Long strings are cut: the message names the key already.
            let shown: String = s.chars().take(40).collect();
            let more = if shown.len() < s.len() { "..." } else { "" };
            format!("the text {shown:?}{more}")
        }
        DeValue::Integer(i) => format!("the number {i}"),
        DeValue::Float(f) => format!("the number {f}"),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "a list".to_owned(),
        DeValue::Table(_) => "a table".to_owned(),
    }
}

fn flag(value: &DeValue<'_>) -> Result<bool, String> {
    match value {
        DeValue::Boolean(b) => Ok(*b),
        DeValue::String(s) if matches!(s.as_ref(), "true" | "false") => Err(format!(
            "expected true or false, without quotes; found {}",
            found(value)
        )),
        _ => Err(format!("expected true or false; found {}", found(value))),
    }
}

fn string(value: &DeValue<'_>) -> Result<String, String> {
    match value {
        DeValue::String(s) => Ok(s.as_ref().to_owned()),
        _ => Err(format!("expected text in quotes; found {}", found(value))),
    }
}

fn choice<T: Copy>(value: &DeValue<'_>, choices: &[(&str, T)]) -> Result<T, String> {
    if let DeValue::String(s) = value
        && let Some(&(_, choice)) = choices.iter().find(|(name, _)| *name == s.as_ref())
    {
        return Ok(choice);
    }
    let names: Vec<&str> = choices.iter().map(|&(name, _)| name).collect();
    Err(format!(
        "expected one of: {}; found {}",
        names.join(", "),
        found(value)
    ))
}

/// A count: a TOML integer, 0 or more.
fn whole(value: &DeValue<'_>) -> Result<u64, String> {
    match value {
        DeValue::Integer(i) => integer(i),
        DeValue::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Err(format!(
                "expected a whole number, without quotes; found {}",
                found(value)
            ))
        }
        _ => Err(format!("expected a whole number; found {}", found(value))),
    }
}

/// A byte size: a TOML integer, or a string with a unit ([`ByteSize`]).
fn bytes(value: &DeValue<'_>) -> Result<u64, String> {
    match value {
        DeValue::Integer(i) => integer(i),
        DeValue::String(s) => s
            .parse::<ByteSize>()
            .map(u64::from)
            .map_err(|e| e.to_string()),
        _ => Err(format!("{BYTES}; found {}", found(value))),
    }
}

fn integer(i: &DeInteger<'_>) -> Result<u64, String> {
    let digits = i.as_str();
    if let Some(magnitude) = digits.strip_prefix('-') {
        // TOML has `-0`, which is no negative number.
        if magnitude.bytes().all(|b| b == b'0') {
            return Ok(0);
        }
        return Err(format!("cannot be negative; found {i}"));
    }
    u64::from_str_radix(digits, i.radix())
        .map_err(|_| format!("{i} is too large: at most {}", u64::MAX))
}

#[cfg(test)]
mod tests {
    //! Unit tests only (never compiled into the library): an `unwrap` or
    //! `expect` here is a test assertion on fixed inputs, not a path a
    //! request can reach.
    // Unwraps here are test failures, not request paths.
    use super::*;

    fn err(text: &str) -> (Option<usize>, String, String) {
        let e = parse(text).unwrap_err().into_first();
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

    /// Every error of a text, as `(line, column, key, message)`.
    fn all(text: &str) -> Vec<(usize, usize, String, String)> {
        parse(text)
            .unwrap_err()
            .iter()
            .map(|e| {
                (
                    e.line().unwrap(),
                    e.column().unwrap(),
                    e.key().to_owned(),
                    e.kind().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn every_error_is_reported_in_file_order() {
        let text = "\
mode = \"loud\"
colour = 1
[body]
max_byte = 3
max_parts = \"many\"
[classes]
allow = [\"com.*.x\", \"com.acme.**\", 3, \"*\"]
[xml]
max_depth = 0
forbid_elements = [\"{x}\"]
[[routes]]
path = \"no-slash\"
methods = [\"GET\", \"GE T\"]
[[routes]]
methods = [\"GET\"]
[[routes]]
path = \"/ok\"
max_results = 2147483648
";
        let keys: Vec<(usize, usize, String)> = all(text)
            .into_iter()
            .map(|(l, c, k, _)| (l, c, k))
            .collect();
        let expected = [
            (1, 8, "mode"),
            (2, 1, "colour"),
            (4, 1, "body.max_byte"),
            (5, 13, "body.max_parts"),
            (7, 10, "classes.allow[0]"),
            (7, 36, "classes.allow[2]"),
            (7, 39, "classes.allow[3]"),
            (9, 13, "xml.max_depth"),
            (10, 20, "xml.forbid_elements[0]"),
            (12, 8, "routes[0].path"),
            (13, 19, "routes[0].methods[1]"),
            (14, 1, "routes[1].path"),
            (18, 15, "routes[2].max_results"),
        ];
        let expected: Vec<(usize, usize, String)> = expected
            .iter()
            .map(|&(l, c, k)| (l, c, k.to_owned()))
            .collect();
        assert_eq!(keys, expected);
        // The first error is what `from_toml` returns.
        assert_eq!(Policy::from_toml(text).unwrap_err().key(), "mode");
        // Near miss: the same file with each error fixed loads.
        let fixed = "\
mode = \"report\"
[body]
max_bytes = 3
max_parts = 7
[classes]
allow = [\"com.x.*\", \"com.acme.**\", \"a.B\"]
[xml]
max_depth = 1
forbid_elements = [\"{x}y\"]
[[routes]]
path = \"/slash\"
methods = [\"GET\", \"get\"]
[[routes]]
path = \"/b\"
methods = [\"GET\"]
[[routes]]
path = \"/ok\"
max_results = 2147483647
";
        let p = parse(fixed).unwrap();
        assert_eq!(p.routes.len(), 3);
        assert_eq!(p.classes.allow.len(), 3);
        assert_eq!(p.body.max_parts, 7);
    }

    #[test]
    fn messages_speak_the_operators_words() {
        let messages: Vec<(String, String)> = all("\
[body]
max_bytes = \"big\"
max_inflated_bytes = 1.5
max_parts = \"10\"
max_inflate_ratio = -2
unknown_types = \"Sniff\"
[xml]
allow_xslt = \"false\"
allow_doctype = 1
max_value_bytes = \"8GiB\"
max_depth = 99999999999999999999
[classes]
allow = \"com.acme.**\"
[json]
max_depth = true
max_string_bytes = \"1.5MiB\"
type_id_keys = [\"\"]
[query]
max_results = \"1000\"
")
        .into_iter()
        .map(|(_, _, k, m)| (k, m))
        .collect();
        let expect = |key: &str, message: &str| {
            assert!(
                messages.iter().any(|(k, m)| k == key && m == message),
                "{key}: {message}\n{messages:#?}"
            );
        };
        expect(
            "body.max_bytes",
            "`big` is not a size: write digits, at most one space and a unit, such as \"10MiB\" or \"512 KiB\"",
        );
        expect(
            "body.max_inflated_bytes",
            "expected a number of bytes (e.g. 1048576 or \"10MiB\"); found the number 1.5",
        );
        expect(
            "body.max_parts",
            "expected a whole number, without quotes; found the text \"10\"",
        );
        expect("body.max_inflate_ratio", "cannot be negative; found -2");
        expect(
            "body.unknown_types",
            "expected one of: reject, sniff; found the text \"Sniff\"",
        );
        expect(
            "xml.allow_xslt",
            "expected true or false, without quotes; found the text \"false\"",
        );
        expect(
            "xml.allow_doctype",
            "expected true or false; found the number 1",
        );
        expect(
            "xml.max_value_bytes",
            "must be between 1B and 4GiB, not 8GiB",
        );
        expect(
            "xml.max_depth",
            "99999999999999999999 is too large: at most 18446744073709551615",
        );
        expect(
            "classes.allow",
            "expected a list of texts in quotes, such as [\"a\", \"b\"]; found the text \"com.acme.**\"",
        );
        expect("json.max_depth", "expected a whole number; found true");
        expect(
            "json.max_string_bytes",
            "`1.5MiB`: sizes are whole numbers; use a smaller unit (\"1536KiB\", not \"1.5MiB\")",
        );
        expect("json.type_id_keys[0]", "empty key");
        expect(
            "query.max_results",
            "expected a whole number, without quotes; found the text \"1000\"",
        );
        assert_eq!(messages.len(), 14, "{messages:#?}");
        // No Rust in any of them.
        for (_, m) in &messages {
            for word in [
                "u64",
                "usize",
                "u32",
                "i64",
                "variant",
                "invalid type",
                "struct",
            ] {
                assert!(!m.contains(word), "{m}");
            }
        }
    }

    #[test]
    fn wrong_shapes_of_tables() {
        let found = all("body = 3\nroutes = [1, {path = \"/x\", bogus = 1}]\n[classes.allow]\n");
        let keys: Vec<&str> = found.iter().map(|(_, _, k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["body", "routes[0]", "routes[1].bogus", "classes.allow"]
        );
        assert_eq!(found[0].3, "expected a table ([body]); found the number 3");
        let found = all("routes = \"/x\"\n");
        assert_eq!(
            found[0].3,
            "expected [[routes]] tables; found the text \"/x\""
        );
        // Near misses: inline and dotted forms are the same tables.
        let p = parse("body = { max_bytes = 3 }\nroutes = [{path = \"/x\"}]\nclasses.allow = []\n")
            .unwrap();
        assert_eq!((p.body.max_bytes, p.routes.len()), (3, 1));
    }

    #[test]
    fn byte_sizes_take_units_and_counts_do_not() {
        let units = parse(
            "[body]\nmax_bytes = \"10MiB\"\nmax_inflated_bytes = \"50 MiB\"\n\
             [json]\nmax_string_bytes = \"5MiB\"\n[xml]\nmax_value_bytes = \"1MiB\"\n\
             [[routes]]\npath = \"/d\"\nmax_bytes = \"100kB\"\n",
        )
        .unwrap();
        let numbers = parse(
            "[body]\nmax_bytes = 10485760\nmax_inflated_bytes = 52428800\n\
             [json]\nmax_string_bytes = 5242880\n[xml]\nmax_value_bytes = 1048576\n\
             [[routes]]\npath = \"/d\"\nmax_bytes = 100000\n",
        )
        .unwrap();
        assert_eq!(units, numbers);
        assert_eq!(units.routes[0].max_bytes, Some(100_000));
        assert_eq!(
            parse("[body]\nmax_bytes = \"0\"\n").unwrap().body.max_bytes,
            0
        );
        for count in [
            "[xml]\nmax_depth = \"1KiB\"\n",
            "[xml]\nmax_name_length = \"1KiB\"\n",
            "[json]\nmax_members = \"1KiB\"\n",
            "[body]\nmax_parts = \"1KiB\"\n",
            "[query]\nmax_results = \"1kB\"\n",
        ] {
            let e = parse(count).unwrap_err().into_first();
            assert!(e.to_string().contains("expected a whole number"), "{e}");
        }
        // Near misses: sizes a guess would read wrongly.
        for bad in [
            "\"10mb\"",
            "\"10 M\"",
            "\"1.5MiB\"",
            "\"-1MiB\"",
            "-1",
            "\" 10MiB\"",
        ] {
            let text = format!("[body]\nmax_bytes = {bad}\n");
            let e = parse(&text).unwrap_err().into_first();
            assert_eq!((e.key(), e.line()), ("body.max_bytes", Some(2)), "{bad}");
        }
    }

    #[test]
    fn shipped_policies_load_without_errors() {
        for file in ["camunda.toml", "strict.toml"] {
            let path = format!("{}/policies/{file}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(path).unwrap();
            assert!(parse(&text).is_ok(), "{file}");
        }
    }
}
