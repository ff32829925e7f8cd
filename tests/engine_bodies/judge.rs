//! What the oracle's facts mean for a case: what the engine would act on
//! that the policy forbids (`*_dangers`), and whether the body is plainly
//! benign (`*_benign`).

use input_guard::classes::ClassDecision;
use input_guard::inspect::xml::LegacyEncoding;
use input_guard::policy::SchemaLocations;

use super::*;

/// Classes a component may be even when the policy does not list it:
/// Camunda's `DefaultDeserializationTypeValidator` always admits these
/// (its hard-coded collection classes, and the value classes of its
/// `java.lang` prefix, named one by one; camunda7.md 1.1). A body is
/// "plainly benign" with them; never in the danger check. Written out from
/// the engine's source rather than taken from the guard's own list
/// (`engine::camunda7::VALUE_TYPES`), so that the judge does not lean on the code it
/// judges.
const ENGINE_BASE: &[&str] = &[
    "java.util.ArrayList",
    "java.util.Arrays$ArrayList",
    "java.util.HashMap",
    "java.util.HashSet",
    "java.util.LinkedHashMap",
    "java.util.LinkedHashSet",
    "java.util.LinkedList",
    "java.util.Properties",
    "java.util.TreeMap",
    "java.util.TreeSet",
    "java.lang.String",
    "java.lang.Boolean",
    "java.lang.Byte",
    "java.lang.Short",
    "java.lang.Integer",
    "java.lang.Long",
    "java.lang.Float",
    "java.lang.Double",
    "java.lang.Character",
    "java.lang.Number",
];

/// A class name as Jackson looked it up, reduced to the class itself
/// (`[Lx.Y;` -> `x.Y`); `None` for primitive arrays.
fn component(name: &str) -> Option<&str> {
    let inner = name.trim_start_matches('[');
    if inner.len() == name.len() {
        return Some(name);
    }
    match inner.strip_prefix('L').and_then(|s| s.strip_suffix(';')) {
        Some(class) => Some(class),
        None if inner.len() == 1 => None,
        None => Some(inner),
    }
}

pub(crate) struct Judge<'g> {
    pub(crate) guard: &'g Guard,
}

pub(crate) fn strs(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

pub(crate) fn flag(v: &Value, key: &str) -> bool {
    v[key].as_bool().unwrap_or(false)
}

pub(crate) fn num(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or(0)
}

/// Lower-case, without `-`/`_`: `UTF-16LE` and `utf_16le` meet.
fn norm_encoding(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    match s.as_str() {
        "latin1" | "iso88591" | "l1" => "iso88591".into(),
        "cp1252" | "windows1252" => "windows1252".into(),
        "ascii" | "usascii" => "usascii".into(),
        _ => s,
    }
}

/// The `charset` parameter of a content type.
pub(crate) fn charset(content_type: Option<&str>) -> Option<String> {
    content_type?.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Whether a schema location is one `schema_locations = "public-http"`
/// must refuse: another scheme than http(s) (`file:`, `jar:`...), a
/// loopback, private or link-local host, or a path.
fn location_forbidden(loc: &str) -> bool {
    let lower = loc.to_ascii_lowercase();
    let Some((scheme, rest)) = lower.split_once(':') else {
        return loc.contains(['/', '\\']);
    };
    if scheme != "http" && scheme != "https" {
        return true;
    }
    let host = rest
        .trim_start_matches('/')
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    if host == "localhost" || host.ends_with(".localhost") || host.is_empty() {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

/// A location a reader plainly would not worry about: an http(s) URL on a
/// DNS name, or a bare file name.
fn location_plain(loc: &str) -> bool {
    match loc.split_once("://") {
        Some((scheme, rest)) => {
            matches!(scheme, "http" | "https")
                && rest.split('/').next().is_some_and(|h| {
                    h.contains('.')
                        && h.chars().any(|c| c.is_ascii_alphabetic())
                        && h.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
                        && h.parse::<std::net::Ipv4Addr>().is_err()
                })
        }
        None => {
            !loc.is_empty()
                && loc
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        }
    }
}

/// The schema locations of an XML facts record: (location, is-a-location),
/// namespace names of `xsi:schemaLocation` pairs marked `false`.
fn locations(x: &Value) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for entry in strs(&x["schema_locations"]) {
        let (kind, value) = entry.split_once('\t').unwrap_or(("single", entry));
        if kind == "pairs" {
            for (i, token) in value.split_whitespace().enumerate() {
                out.push((token.to_owned(), i % 2 == 1));
            }
        } else {
            out.push((value.trim().to_owned(), true));
        }
    }
    out
}

fn href(data: &str) -> Option<&str> {
    let at = data.find("href")?;
    let rest = data[at + 4..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next()?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(quote)?])
}

impl Judge<'_> {
    fn policy(&self) -> &Policy {
        self.guard.policy()
    }

    fn class_denied(&self, name: &str) -> bool {
        !self.guard.class_filter().check(name).is_allowed()
    }

    /// A class the engine plainly may use: the filter allows it, or
    /// Camunda's validator always admits it and no deny rule covers it.
    fn component_benign(&self, name: &str) -> bool {
        let Some(class) = component(name) else {
            return true;
        };
        match self.guard.class_filter().check_class(class) {
            ClassDecision::Allowed(_) => true,
            ClassDecision::Denied(_) => false,
            ClassDecision::NotAllowed => ENGINE_BASE.contains(&class),
        }
    }

    /// A component the guard must not let through: denied by a deny rule,
    /// or by no allow rule and not one of the engine's base classes.
    fn component_denied(&self, name: &str) -> bool {
        !self.component_benign(name)
    }

    // ---- dangers: what the engine would act on and the policy forbids

    pub(crate) fn xml_dangers(&self, x: &Value, out: &mut Vec<String>, at: &str) {
        let p = &self.policy().xml;
        if flag(x, "doctype") && !p.allow_doctype {
            out.push(format!("{at}DOCTYPE"));
        }
        for load in strs(&x["external_loads"]) {
            out.push(format!("{at}external load {load}"));
        }
        if num(x, "entity_expansions") > 0 {
            out.push(format!("{at}entity expansion {}", x["expanded"]));
        }
        if flag(x, "xinclude") {
            out.push(format!("{at}XInclude"));
        }
        for element in strs(&x["elements"]) {
            if !p.allow_xslt && element.starts_with("{http://www.w3.org/1999/XSL/Transform}") {
                out.push(format!("{at}XSLT element {element}"));
            }
            if p.forbid_elements.iter().any(|f| f.to_string() == element) {
                out.push(format!("{at}forbidden element {element}"));
            }
        }
        for pair in strs(&x["attributes"]) {
            let (element, attribute) = pair.split_once('\t').unwrap_or(("", pair));
            let hit = p.forbid_attributes.iter().any(|f| {
                f.attribute().to_string() == attribute
                    && f.element().is_none_or(|e| e.to_string() == element)
            });
            if hit {
                out.push(format!("{at}forbidden attribute {element}@{attribute}"));
            }
        }
        for (loc, is_location) in locations(x) {
            let bad = match p.schema_locations {
                SchemaLocations::Any => false,
                SchemaLocations::None => is_location,
                _ => is_location && location_forbidden(&loc),
            };
            if bad {
                out.push(format!("{at}schema location {loc}"));
            }
        }
        if !p.allow_absolute_stylesheets {
            for data in strs(&x["stylesheets"]) {
                if href(data).is_none_or(|h| h.contains(':') || h.starts_with(['/', '\\'])) {
                    out.push(format!("{at}stylesheet {data}"));
                }
            }
        }
    }

    pub(crate) fn json_dangers(&self, f: &Value, out: &mut Vec<String>, at: &str) {
        if !flag(f, "ok") {
            // Jackson refuses the body: the engine binds nothing.
            return;
        }
        for class in strs(&f["classes"]) {
            if !class.trim().is_empty() && self.class_denied(class) {
                out.push(format!("{at}class {class:?}"));
            }
        }
        for entry in f["class_parts"].as_array().into_iter().flatten() {
            for part in strs(&entry[2]) {
                if self.component_denied(part) {
                    out.push(format!(
                        "{at}class {:?} holds {part:?}",
                        entry[0].as_str().unwrap_or("")
                    ));
                }
            }
        }
        for pair in f["type_ids"].as_array().into_iter().flatten() {
            let key = pair[0].as_str().unwrap_or("");
            let value = pair[1].as_str().unwrap_or("");
            let filter = self.guard.class_filter();
            let allowed = if key.starts_with('$') {
                filter.check_dotnet(value).is_allowed()
            } else {
                filter.check(value).is_allowed()
            };
            if !allowed {
                out.push(format!("{at}type id {key}={value:?}"));
            }
        }
        if !self.policy().classes.allow_java_serialization && flag(f, "java_serialization") {
            out.push(format!("{at}Java serialization"));
        }
        for c in f["carried_json"].as_array().into_iter().flatten() {
            self.json_dangers(c, out, &format!("{at}carried JSON: "));
        }
        for c in f["carried_xml"].as_array().into_iter().flatten() {
            self.xml_dangers(c, out, &format!("{at}carried XML: "));
        }
    }

    pub(crate) fn multipart_dangers(&self, m: &Value, route: &str, out: &mut Vec<String>) {
        if !flag(m, "ok") {
            // commons-fileupload refuses the body: 400, no part is used.
            return;
        }
        let parts = m["parts"].as_array().cloned().unwrap_or_default();
        if route == "deploy" && flag(&m["deploy"], "ok") {
            for r in m["deploy"]["resources"].as_array().into_iter().flatten() {
                let models: Vec<&str> = strs(&r["deployers"]).filter(|d| *d != "form").collect();
                if models.is_empty() {
                    continue;
                }
                let part = &parts[usize::try_from(num(r, "part")).unwrap()];
                let at = format!(
                    "resource {:?} (engine parses as {}): ",
                    r["name"].as_str().unwrap_or(""),
                    models.join("+")
                );
                self.xml_dangers(&part["xml"], out, &at);
            }
        }
        if route == "upload" {
            let u = &m["upload"];
            for class in strs(&u["type_classes"]) {
                if self.component_denied(class) {
                    out.push(format!("type part names {class:?}"));
                }
            }
            if let Some(text) = u["type_text"].as_str()
                && !text.trim().is_empty()
                && self.class_denied(text.trim())
            {
                out.push(format!("type part text {text:?}"));
            }
            if flag(u, "data_json") {
                self.json_dangers(&u["data_facts"], out, "data part: ");
            }
            if flag(u, "java_serialization") && !self.policy().classes.allow_java_serialization {
                out.push("data part is Java serialization".into());
            }
        }
    }

    // ---- plainly benign: the narrow set the guard must let through

    /// Plainly benign XML: parses under Camunda's settings (and the
    /// recording parse) as XML 1.0; no DOCTYPE, entity, external load,
    /// XInclude, XSLT, processing instruction for a stylesheet, forbidden
    /// element or attribute; schema locations only http(s) URLs on DNS
    /// names or bare file names (and none at all where the policy refuses
    /// them); within every `[xml]` limit (text counted at 3 bytes a char);
    /// read by Xerces as UTF-8, UTF-16, ISO-8859-1, windows-1252 or
    /// US-ASCII (for bytes), with the declared encoding and any `charset`
    /// naming that same encoding.
    pub(crate) fn xml_benign(
        &self,
        x: &Value,
        charset: Option<&str>,
        bytes: bool,
    ) -> Result<(), String> {
        let p = &self.policy().xml;
        let mut dangers = Vec::new();
        self.xml_dangers(x, &mut dangers, "");
        if let Some(d) = dangers.first() {
            return Err(d.clone());
        }
        if !flag(x, "camunda_ok") || !flag(x, "xxe_ok") {
            return Err(format!("not parsed: {}", x["camunda_error"]));
        }
        if flag(x, "doctype") || x["version"].as_str().is_some_and(|v| v != "1.0") {
            return Err("DOCTYPE or XML 1.1".into());
        }
        if !x["stylesheets"].as_array().is_none_or(Vec::is_empty) {
            return Err("stylesheet PI".into());
        }
        if p.schema_locations == SchemaLocations::None && !locations(x).is_empty()
            || locations(x).iter().any(|(l, _)| !location_plain(l))
        {
            return Err("schema location not plain".into());
        }
        let within = |key: &str, limit: usize, factor: u64| num(x, key) * factor < limit as u64;
        if !(within("max_depth", p.max_depth, 1)
            && within("max_attributes", p.max_attributes, 1)
            && within("max_name_length", p.max_name_length, 1)
            && within("max_value_bytes", p.max_value_bytes, 3)
            && within("elements_count", p.max_elements, 1)
            && within("namespace_decls", p.max_namespace_declarations, 1))
        {
            return Err("beyond an [xml] limit".into());
        }
        if bytes {
            let enc = norm_encoding(x["encoding"].as_str().unwrap_or(""));
            let family = |e: &str| {
                if e.starts_with("utf16") {
                    "utf16".to_owned()
                } else {
                    e.to_owned()
                }
            };
            // The legacy single-byte encodings only where the policy lists
            // them (`[xml] encodings`): elsewhere refusing them is the
            // policy's choice.
            let listed = |label: &str| {
                LegacyEncoding::for_label(label).is_some_and(|e| p.encodings.contains(&e))
            };
            let readable = match enc.as_str() {
                "utf8" | "utf16" | "utf16le" | "utf16be" | "usascii" => true,
                "iso88591" => listed("ISO-8859-1"),
                "windows1252" => listed("windows-1252"),
                _ => false,
            };
            if !readable {
                return Err(format!("Xerces read it as {enc}"));
            }
            // A byte order mark names the encoding the declaration must
            // name too (Xerces lets a declaration override a UTF-8 BOM).
            if let Some(bom) = x["bom"].as_str()
                && (family(&norm_encoding(bom)) != family(&enc)
                    || x["declared_encoding"]
                        .as_str()
                        .is_some_and(|d| family(&norm_encoding(d)) != family(&enc)))
            {
                return Err("byte order mark and declaration disagree".into());
            }
            if let Some(declared) = x["declared_encoding"].as_str()
                && family(&norm_encoding(declared)) != family(&enc)
            {
                return Err("declared encoding differs".into());
            }
            if let Some(cs) = charset
                && family(&norm_encoding(cs)) != family(&enc)
            {
                return Err("charset differs from the encoding".into());
            }
        }
        Ok(())
    }

    /// Plainly benign JSON: Jackson reads it whole (no trailing data), plain
    /// UTF-8 without BOM with no other charset, no duplicate keys, no lone
    /// surrogates, within every `[json]` limit; every `objectTypeName` and
    /// type id names only classes the policy allows or Camunda always
    /// admits ([`ENGINE_BASE`]); formats only `application/json` and
    /// `application/xml`; typed variables the engine accepts
    /// (`VariableValueDto.toTypedValue`), no `valueInfo` format on an
    /// untyped value, non-numeric `objectTypeName`s; documents carried in
    /// strings plainly benign too, nested less deep than the policy's cap.
    pub(crate) fn json_benign(
        &self,
        f: &Value,
        raw: Option<(&[u8], Option<&str>)>,
        level: usize,
    ) -> Result<(), String> {
        let p = &self.policy().json;
        if !flag(f, "ok") || flag(f, "trailing") {
            return Err(format!("Jackson: {}", f["error"]));
        }
        if let Some((bytes, cs)) = raw {
            if std::str::from_utf8(bytes).is_err()
                || bytes.starts_with(b"\xef\xbb\xbf")
                || bytes.contains(&0)
            {
                return Err("not plain UTF-8".into());
            }
            if cs.is_some_and(|c| norm_encoding(c) != "utf8") {
                return Err("charset not UTF-8".into());
            }
        }
        if flag(f, "duplicates")
            || flag(f, "lone_surrogates")
            || flag(f, "odd_class")
            || flag(f, "untyped_format")
        {
            return Err("duplicates, lone surrogates or odd typed values".into());
        }
        if let Some(r) = strs(&f["engine_refusals"]).next() {
            return Err(format!("the engine refuses: {r}"));
        }
        let within = |key: &str, limit: usize| (num(f, key) as usize) < limit;
        if !(within("max_depth", p.max_depth)
            && within("max_string_bytes", p.max_string_bytes)
            && within("max_number_length", p.max_number_length)
            && within("max_members", p.max_members))
        {
            return Err("beyond a [json] limit".into());
        }
        for class in strs(&f["classes"]) {
            // Names as the engine writes them: no padding, no control
            // characters (Java's trim() and Jackson's tokenizer would strip
            // some, Class.forName would not).
            if class.is_empty()
                || class.starts_with(' ')
                || class.ends_with(' ')
                || class
                    .chars()
                    .any(|c| c < ' ' || c == '\u{7f}' || !c.is_ascii())
            {
                return Err(format!("class name {class:?} padded or odd"));
            }
        }
        for entry in f["class_parts"].as_array().into_iter().flatten() {
            if !entry[1].as_bool().unwrap_or(false) {
                return Err(format!("class name {} does not parse", entry[0]));
            }
            if let Some(bad) = strs(&entry[2]).find(|c| !self.component_benign(c)) {
                return Err(format!("class {bad} not allowed"));
            }
        }
        let mut dangers = Vec::new();
        self.json_dangers(f, &mut dangers, "");
        // Class names are judged by component above (the engine's base
        // classes are benign even where the filter lists them not).
        if let Some(d) = dangers.iter().find(|d| !d.starts_with("class ")) {
            return Err(d.clone());
        }
        if !strs(&f["formats"]).all(|s| s == "application/json" || s == "application/xml") {
            return Err("format".into());
        }
        let carried: Vec<&Value> = f["carried_json"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(f["carried_xml"].as_array().into_iter().flatten())
            .collect();
        if !carried.is_empty() && level + 1 >= p.max_embedded_depth {
            return Err("carried documents nested deeply".into());
        }
        for c in f["carried_json"].as_array().into_iter().flatten() {
            self.json_benign(c, None, level + 1)?;
        }
        for c in f["carried_xml"].as_array().into_iter().flatten() {
            self.xml_benign(c, None, false)?;
        }
        Ok(())
    }

    /// Plainly benign multipart: commons-fileupload reads it; every part's
    /// Content-Disposition is exactly `form-data; name="N"` with an optional
    /// `; filename="F"`, N and F made of ASCII letters, digits, `.`, `_`,
    /// `-`; part content types absent or one of a few plain types (with at
    /// most a charset); no name or resource name given twice; no more parts
    /// than `max_parts`. Deployments: the engine accepts the form (every
    /// non-reserved part a file, no reserved part a file), and every part
    /// the engine parses as a model, or the guard reads as XML or JSON by
    /// its content type or by its file name (`.bpmn`, `.dmn`, `.cmmn`,
    /// `.xml`, `.json`, any letter case; `.form` is not required to be
    /// JSON, issue 12), is plainly benign XML or JSON. Variable uploads:
    /// the `type` text names only benign classes, a JSON `data` part is
    /// plainly benign JSON, no Java serialization.
    pub(crate) fn multipart_benign(
        &self,
        m: &Value,
        route: &str,
        request_type: &str,
        body: &[u8],
    ) -> Result<(), String> {
        if !flag(m, "ok") {
            return Err(format!("fileupload: {}", m["error"]));
        }
        // The request's type: `multipart/form-data` with one boundary and at
        // most a charset, nothing a reader could take two ways.
        let mut params = request_type.split(';');
        let essence = params.next().unwrap_or("").trim();
        let mut boundary = None;
        for param in params {
            let (k, v) = param.split_once('=').ok_or("request type")?;
            match k.trim().to_ascii_lowercase().as_str() {
                "boundary" if boundary.is_none() => boundary = Some(v.trim().trim_matches('"')),
                "charset" => {}
                _ => return Err("request type not plain".into()),
            }
        }
        let boundary = boundary.ok_or("no boundary")?;
        if !essence.eq_ignore_ascii_case("multipart/form-data") || boundary.contains([',', ' ']) {
            return Err("request type not plain".into());
        }
        // Part header names are plain tokens: a name with a control char or
        // DEL is a header the engine reads as another name (and the guard
        // refuses on purpose), never plainly benign.
        let header_block_ok = body
            .split(|&b| b == b'\n')
            .filter_map(|line| {
                let colon = line.iter().position(|&b| b == b':')?;
                Some(&line[..colon])
            })
            .all(|name| !name.iter().any(|&b| b < 0x20 || b == 0x7f));
        if !header_block_ok {
            return Err("a control char in a part header name".into());
        }
        // Every part of the body reached the engine (commons-fileupload
        // silently skips parts without a form-data name).
        let delimiter = format!("--{boundary}\r\n");
        let delimiters = body.starts_with(delimiter.as_bytes()) as usize
            + body
                .windows(delimiter.len() + 2)
                .filter(|w| w.starts_with(b"\r\n") && w.ends_with(delimiter.as_bytes()))
                .count();
        if delimiters != m["parts"].as_array().map_or(0, Vec::len) {
            return Err("a part the engine does not see".into());
        }
        let parts = m["parts"].as_array().cloned().unwrap_or_default();
        if parts.len() > self.policy().body.max_parts {
            return Err("too many parts".into());
        }
        let token = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        };
        for part in &parts {
            let d = part["disposition"].as_str().unwrap_or("");
            let rest = d.strip_prefix("form-data; name=\"").ok_or("disposition")?;
            let (name, rest) = rest.split_once('"').ok_or("disposition")?;
            let plain = token(name)
                && (rest.is_empty()
                    || rest
                        .strip_prefix("; filename=\"")
                        .and_then(|r| r.strip_suffix('"'))
                        .is_some_and(token));
            if !plain {
                return Err(format!("disposition {d:?} not plain"));
            }
            if let Some(ct) = part["content_type"].as_str() {
                let essence = ct.split(';').next().unwrap_or("").trim();
                let params_ok = ct
                    .split(';')
                    .skip(1)
                    .all(|p| p.trim().to_ascii_lowercase().starts_with("charset="));
                if !([
                    "application/octet-stream",
                    "text/plain",
                    "application/json",
                    "text/xml",
                    "application/xml",
                ]
                .contains(&essence)
                    && params_ok)
                {
                    return Err(format!("part content type {ct:?}"));
                }
            }
        }
        if m["map"].as_object().map_or(0, serde_json::Map::len) != parts.len() {
            return Err("a name given twice".into());
        }
        let reserved = [
            "deployment-name",
            "deployment-activation-time",
            "enable-duplicate-filtering",
            "deploy-changed-only",
            "deployment-source",
            "tenant-id",
        ];
        if route == "deploy" {
            let deploy = &m["deploy"];
            if !flag(deploy, "ok") {
                return Err(format!(
                    "the engine refuses the deployment: {}",
                    deploy["error"]
                ));
            }
            let files = parts.iter().filter(|p| !p["filename"].is_null()).count();
            if files != deploy["resources"].as_array().map_or(0, Vec::len) {
                return Err(
                    "a resource name given twice, or a reserved part with a file name".into(),
                );
            }
            for part in &parts {
                let name = part["name"].as_str().unwrap_or("");
                if reserved.contains(&name) {
                    continue;
                }
                self.part_benign(part, deploy)?;
            }
        }
        if route == "upload" {
            let u = &m["upload"];
            if u["type_part"].as_i64().unwrap_or(-1) >= 0 {
                if !flag(u, "type_parses") {
                    return Err("type text does not parse".into());
                }
                if let Some(bad) = strs(&u["type_classes"]).find(|c| !self.component_benign(c)) {
                    return Err(format!("type names {bad}"));
                }
            }
            if flag(u, "java_serialization") {
                return Err("Java serialization".into());
            }
            if flag(u, "data_json") {
                let i = usize::try_from(u["data_part"].as_i64().unwrap_or(0)).unwrap_or(0);
                let cs = charset(parts[i]["content_type"].as_str());
                self.json_benign(&u["data_facts"], None, 0)?;
                if cs.is_some_and(|c| norm_encoding(&c) != "utf8") {
                    return Err("data charset".into());
                }
            }
        }
        Ok(())
    }

    fn part_benign(&self, part: &Value, deploy: &Value) -> Result<(), String> {
        let filename = part["filename"].as_str().unwrap_or("");
        let ct = part["content_type"].as_str();
        let essence = ct.map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
        let lower = filename.to_ascii_lowercase();
        let model = deploy["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| {
                r["name"].as_str() == Some(filename) && strs(&r["deployers"]).any(|d| d != "form")
            });
        let xml_by_type = matches!(essence.as_deref(), Some("text/xml" | "application/xml"));
        let json_by_type = essence.as_deref() == Some("application/json");
        let xml_by_name = [".bpmn", ".dmn", ".cmmn", ".xml"]
            .iter()
            .any(|s| lower.ends_with(s));
        let json_by_name = lower.ends_with(".json");
        let cs = charset(ct);
        if model || xml_by_type || (xml_by_name && !json_by_type) {
            self.xml_benign(&part["xml"], cs.as_deref(), true)
                .map_err(|e| format!("part {filename:?}: {e}"))?;
        }
        if json_by_type || (json_by_name && !xml_by_type) {
            self.json_benign(&part["json"], None, 0)
                .map_err(|e| format!("part {filename:?}: {e}"))?;
            if cs.is_some_and(|c| norm_encoding(&c) != "utf8") {
                return Err("JSON part charset".into());
            }
        }
        Ok(())
    }
}
