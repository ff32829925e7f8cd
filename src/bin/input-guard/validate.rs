//! `input-guard validate --policy FILE`: a policy checked as `nginx -t`
//! checks a configuration, before a deployment or a reload.
//!
//! Every error goes to standard error, one a line, as
//! `FILE:LINE:COLUMN: key `KEY`: message`, then a count; the exit code is 2.
//! A valid policy gets a one-screen summary on standard output (what an
//! operator wants to see confirmed: mode, routes, classes, limits), exit 0.

use std::fmt::Write as _;
use std::path::Path;

use input_guard::classes::BuiltinValueTypes;
use input_guard::policy::{
    BuiltinRoutes, ByteSize, Engine, Expressions, Mode, OnExcess, Route, SchemaLocations,
    UnknownTypes,
};
use input_guard::{Guard, Policy};

use crate::{EXIT_ALLOW, EXIT_ERROR};

/// Own routes listed one a line; past this many, a count.
const ROUTES_SHOWN: usize = 5;
/// Route paths are cut to this many characters, to keep a line a line.
const PATH_SHOWN: usize = 46;

pub(crate) fn run(path: &Path) -> Result<u8, String> {
    let errors: Vec<String> = match Policy::load_all(path) {
        // The gateway builds a guard from what it loads; so does the check,
        // so that "valid" means "`serve` would run it".
        Ok(policy) => match Guard::new(policy) {
            Ok(guard) => {
                print(&summary(path, guard.policy()))?;
                return Ok(EXIT_ALLOW);
            }
            Err(e) => vec![e.in_file(path).to_string()],
        },
        Err(errors) => errors.iter().map(ToString::to_string).collect(),
    };
    let mut report = String::new();
    for error in &errors {
        let _ = writeln!(report, "{error}");
    }
    let plural = if errors.len() == 1 { "" } else { "s" };
    let _ = writeln!(
        report,
        "input-guard: {} error{plural} in {}",
        errors.len(),
        path.display()
    );
    eprint!("{report}");
    Ok(EXIT_ERROR)
}

fn print(text: &str) -> Result<(), String> {
    use std::io::Write;
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| format!("cannot write output: {e}"))
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

fn allowed(allow: bool) -> &'static str {
    if allow { "allowed" } else { "refused" }
}

/// The summary of a valid policy, about twenty lines.
fn summary(path: &Path, p: &Policy) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let mut line = |label: &str, text: String| {
        let _ = writeln!(out, "  {label:<9} {text}");
    };
    let mode = match p.mode {
        Mode::Enforce => "enforce (violations are rejected)",
        Mode::Report => "report (violations are logged, requests go through)",
    };
    line("mode", mode.to_owned());
    let engine = match p.engine {
        Engine::Camunda7 => "camunda7 (Camunda 7 REST API)",
        // A newer library's engine, which this summary does not know yet.
        _ => "another engine",
    };
    line("engine", engine.to_owned());

    let builtin = match p.builtin_routes {
        BuiltinRoutes::Camunda7 => "camunda7",
        BuiltinRoutes::None => "none",
    };
    line(
        "routes",
        format!(
            "{} own, then {} built-in ({builtin}); first match wins",
            p.routes.len(),
            p.builtin_routes.routes().len()
        ),
    );
    for route in p.routes.iter().take(ROUTES_SHOWN) {
        line("", format!("- {}", describe(route)));
    }
    if p.routes.len() > ROUTES_SHOWN {
        line("", format!("- and {} more", p.routes.len() - ROUTES_SHOWN));
    }

    let c = &p.classes;
    line(
        "classes",
        format!(
            "{} allow and {} deny patterns; gadget denylist: always on",
            c.allow.len(),
            c.deny.len(),
        ),
    );
    line(
        "",
        format!(
            "engine value types: {}; Java serialization: {}",
            match c.builtin_value_types {
                BuiltinValueTypes::Camunda7 => "camunda7",
                BuiltinValueTypes::None => "none",
            },
            allowed(c.allow_java_serialization),
        ),
    );

    let b = &p.body;
    let unknown = match b.unknown_types {
        UnknownTypes::Reject => "reject",
        UnknownTypes::Sniff => "sniff",
    };
    line(
        "body",
        format!(
            "at most {} (inflated {}, {}x); {} multipart parts; unknown types: {unknown}",
            ByteSize(b.max_bytes),
            ByteSize(b.max_inflated_bytes),
            b.max_inflate_ratio,
            b.max_parts,
        ),
    );

    let j = &p.json;
    line(
        "json",
        format!(
            "depth {}, strings {}, numbers {} chars, {} members, embedded depth {}",
            j.max_depth,
            ByteSize(j.max_string_bytes as u64),
            j.max_number_length,
            j.max_members,
            j.max_embedded_depth,
        ),
    );
    line(
        "",
        format!(
            "type-id keys: {}; wrapper arrays: {}",
            j.type_id_keys.join(" "),
            on_off(j.wrapper_arrays)
        ),
    );

    let x = &p.xml;
    line(
        "xml",
        format!(
            "depth {}, {} attributes, {} elements, {} namespace declarations",
            x.max_depth, x.max_attributes, x.max_elements, x.max_namespace_declarations,
        ),
    );
    line(
        "",
        format!(
            "names {} bytes, values {}; DOCTYPE: {}; XSLT: {}",
            x.max_name_length,
            ByteSize(x.max_value_bytes as u64),
            allowed(x.allow_doctype),
            allowed(x.allow_xslt),
        ),
    );
    let locations = match x.schema_locations {
        SchemaLocations::PublicHttp => "public-http",
        SchemaLocations::Any => "any",
        SchemaLocations::None => "none",
    };
    line(
        "",
        format!(
            "schema locations: {locations}; absolute stylesheets: {}",
            allowed(x.allow_absolute_stylesheets),
        ),
    );
    let encodings: Vec<&str> = x.encodings.iter().map(|e| e.name()).collect();
    line(
        "",
        format!(
            "forbidden: {} elements, {} attributes; legacy encodings: {}",
            x.forbid_elements.len(),
            x.forbid_attributes.len(),
            if encodings.is_empty() {
                "none".to_owned()
            } else {
                encodings.join(", ")
            },
        ),
    );

    let q = &p.query;
    let cap = match q.max_results {
        0 => "no cap".to_owned(),
        n => format!(
            "maxResults at most {n} ({} above)",
            match q.on_excess {
                OnExcess::Reject => "rejected",
                OnExcess::Clamp => "clamped",
            }
        ),
    };
    line(
        "query",
        format!(
            "{cap}; required: {}; expressions: {}",
            if q.require_max_results { "yes" } else { "no" },
            expressions(q.expressions),
        ),
    );
    format!("policy {} is valid\n{out}", path.display())
}

fn expressions(e: Expressions) -> &'static str {
    match e {
        Expressions::Forbid => "forbid",
        Expressions::Allow => "allow",
    }
}

/// One route in a line: name, methods, path (cut), and what it sets.
fn describe(route: &Route) -> String {
    let methods = if route.methods.is_empty() {
        "any method".to_owned()
    } else {
        let names: Vec<&str> = route.methods.iter().map(|m| m.as_str()).collect();
        names.join(",")
    };
    // Cut in the middle: a path's end says what it is (the start is
    // often the same engine prefix).
    let chars: Vec<char> = route.path.chars().collect();
    let path: String = if chars.len() > PATH_SHOWN {
        let head: String = chars[..PATH_SHOWN / 3].iter().collect();
        let tail: String = chars[chars.len() - (PATH_SHOWN - PATH_SHOWN / 3 - 3)..]
            .iter()
            .collect();
        format!("{head}...{tail}")
    } else {
        route.path.clone()
    };
    let mut text = if route.name == route.path {
        format!("{methods} {path}")
    } else {
        format!("{}: {methods} {path}", route.name)
    };
    let mut rules = Vec::new();
    if route.list_query {
        rules.push("paging".to_owned());
    }
    if let Some(cap) = route.max_results {
        rules.push(format!("maxResults {cap}"));
    }
    if route.task_query {
        rules.push("task query".to_owned());
    }
    if let Some(e) = route.expressions {
        rules.push(format!("expressions {}", expressions(e)));
    }
    if let Some(max) = route.max_bytes {
        rules.push(format!("body {}", ByteSize(max)));
    }
    if !route.uninspected_types.is_empty() {
        rules.push(format!("uninspected {}", route.uninspected_types.join(",")));
    }
    if !rules.is_empty() {
        let _ = write!(text, " ({})", rules.join(", "));
    }
    text
}
