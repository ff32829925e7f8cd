//! Compiles the built-in Camunda 7 route table (`src/engine/camunda7_routes.toml`) into a Rust
//! table, so that no process parses TOML for it at start-up: through the policy loader it was a
//! third of a small `input-guard check` (1.6M of 4.8M instructions), paid on every CI run.
//!
//! The TOML stays the source: it is what `policies/README.md` sends readers to, and a unit test
//! (`builtin_routes_parse_and_can_be_turned_off`) holds the generated routes equal to what the
//! policy loader reads from the same file. This generator reads only the subset the file uses
//! (`[[routes]]` tables of `name`, `path`, `methods`, `list_query`, `task_query`; basic strings
//! without escapes, string arrays, booleans, comments) and fails the build on anything else,
//! so a key added to the file without teaching it here cannot be dropped silently.

use std::fmt::Write as _;
use std::path::PathBuf;

const SOURCE: &str = "src/engine/camunda7_routes.toml";

#[derive(Default)]
struct Route {
    name: Option<String>,
    path: Option<String>,
    methods: Option<Vec<String>>,
    list_query: bool,
    task_query: bool,
}

fn main() {
    println!("cargo::rerun-if-changed={SOURCE}");
    let text = std::fs::read_to_string(SOURCE).unwrap_or_else(|e| panic!("{SOURCE}: {e}"));
    let mut routes: Vec<Route> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let fail = |why: &str| -> ! { panic!("{SOURCE}:{}: {why}: {line}", n + 1) };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[routes]]" {
            routes.push(Route::default());
            continue;
        }
        let Some(route) = routes.last_mut() else {
            fail("a key outside [[routes]]");
        };
        let Some((key, value)) = line.split_once('=') else {
            fail("not `key = value`");
        };
        let value = value.trim();
        match key.trim() {
            "name" => route.name = Some(string(value).unwrap_or_else(|| fail("not a string"))),
            "path" => route.path = Some(string(value).unwrap_or_else(|| fail("not a string"))),
            "methods" => {
                let inner = value
                    .strip_prefix('[')
                    .and_then(|v| v.strip_suffix(']'))
                    .unwrap_or_else(|| fail("not an array"));
                let methods = inner
                    .split(',')
                    .map(|m| string(m.trim()).unwrap_or_else(|| fail("not a string array")))
                    .collect();
                route.methods = Some(methods);
            }
            "list_query" => route.list_query = boolean(value).unwrap_or_else(|| fail("not a bool")),
            "task_query" => route.task_query = boolean(value).unwrap_or_else(|| fail("not a bool")),
            _ => fail("a key this generator does not know (teach it, or the route is misread)"),
        }
    }
    let mut out = String::from("&[\n");
    for (i, route) in routes.iter().enumerate() {
        let path = route
            .path
            .as_ref()
            .unwrap_or_else(|| panic!("{SOURCE}: route {i} has no path"));
        let name = route.name.as_ref().unwrap_or(path);
        let methods = route.methods.clone().unwrap_or_default();
        let _ = writeln!(
            out,
            "    BuiltinRoute {{ name: {name:?}, methods: &{methods:?}, path: {path:?}, \
             list_query: {}, task_query: {} }},",
            route.list_query, route.task_query
        );
    }
    out.push_str("]\n");
    let dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(dir.join("camunda7_routes.rs"), out).expect("write the generated route table");
}

/// A basic TOML string without escapes (the file needs none).
fn string(value: &str) -> Option<String> {
    let inner = value.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains(['"', '\\'])).then(|| inner.to_owned())
}

fn boolean(value: &str) -> Option<bool> {
    match value {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}
