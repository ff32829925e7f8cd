// Test code: unwraps here are test failures, not request paths.
//! The public gadget lists the built-in denylist answers for, entry by entry.
//!
//! `tests/data/gadget-lists/` vendors one file per public list (jackson-databind's
//! `SubTypeValidator`, fastjson's decoded `denyHashCodes` families, ysoserial's and marshalsec's
//! chain classes); each file's header gives its exact source. Every entry must be denied by the
//! gadget list itself (not by a policy rule, not as a malformed name) under an allow broad enough
//! to admit it: `<segment>.**` for the first segment of every name checked. The same names go
//! through `input-guard check-class` in one run per list.
//!
//! What a name checks:
//! * `com.acme.` (a family) and `com.acme.sub` (a package written without its dot, as fastjson
//!   does): a class inside it, `com.acme.Anything` and `com.acme.sub.Anything`;
//! * `com.acme.Evil`: the class and a nested class of it;
//! * `ENTRY ... = NAME...`: the expansion instead, for fastjson's partial-segment prefixes
//!   (`java.io.Buffered`, `java.awt.i`), which a segment-wise list spells out.
//!
//! Near misses: fastjson's expected-type guards and ordinary value types stay allowed under the
//! same broad allow, and no entry reaches past a segment boundary (`org.dom4jx.Foo`,
//! `java.io.FileInputStreamX`). That last point is a decision, not an accident: fastjson matches
//! raw string prefixes, input-guard whole segments. Inside `java.*` nothing is lost (only the
//! JDK may define classes there, so `java.io.FileInputStreamX` cannot exist), and a sibling
//! package such as `org.dom4jx` is a different library.

mod common;

use std::collections::BTreeSet;

use input_guard::classes::{ClassDecision, ClassFilter, ClassPattern, RuleSource, TypeDecision};

const LISTS: [&str; 4] = [
    "jackson-databind-subtypevalidator.txt",
    "fastjson-families.txt",
    "ysoserial.txt",
    "marshalsec.txt",
];

/// Top-level segments allowed whatever the lists hold (the brief's broad allow).
const BROAD: [&str; 20] = [
    "java", "javax", "com", "org", "net", "kotlin", "ch", "br", "oracle", "jodd", "flex", "oadd",
    "bsh", "clojure", "groovy", "jdk", "sun", "de", "io", "junit",
];

/// fastjson 1.2.69+ exempts these expected types in `checkAutoType`; LeadroyaL's table lists
/// their hashes beside the denylist. They are not gadgets.
const EXPECTED_TYPE_GUARDS: [&str; 10] = [
    "java.lang.Object",
    "java.io.Serializable",
    "java.lang.Runnable",
    "java.lang.Cloneable",
    "java.lang.AutoCloseable",
    "java.util.EventListener",
    "java.lang.Iterable",
    "java.util.Collection",
    "java.io.Closeable",
    "java.lang.Readable",
];

/// Ordinary variable values, and names that merely share a prefix with an entry.
const STAY_ALLOWED: [&str; 40] = [
    "java.lang.String",
    "java.lang.Integer",
    "java.lang.Long",
    "java.lang.Boolean",
    "java.lang.Double",
    "java.lang.Short",
    "java.lang.Character",
    "java.util.HashMap",
    "java.util.ArrayList",
    "java.util.LinkedHashMap",
    "java.util.TreeMap",
    "java.util.HashSet",
    "java.util.LinkedList",
    "java.util.Date",
    "java.util.UUID",
    "java.math.BigDecimal",
    "java.math.BigInteger",
    "java.time.LocalDate",
    "java.time.LocalDateTime",
    "java.time.Instant",
    "java.time.OffsetDateTime",
    "java.time.ZonedDateTime",
    "java.time.Duration",
    "java.util.HashMap<java.lang.String,java.util.List<java.math.BigDecimal>>",
    // fastjson's own accept list keeps these java.awt value types beside java.awt.i / java.awt.p.
    "java.awt.Point",
    "java.awt.Rectangle",
    // Prefix sharers: fastjson's raw prefixes would catch these, whole segments do not.
    "java.io.FileInputStreamX",
    "java.io.File",
    "java.lang.ThreadLocal",
    "java.net.URI",
    "java.net.URLDecoder",
    "org.dom4jx.Foo",
    "kotlin.reflectx.Foo",
    "kotlin.Pair",
    "org.apache.commons.iox.Foo",
    "org.apache.commons.lang3.StringUtils",
    "org.apache.tomcatx.Foo",
    "com.google.common.collect.ImmutableList",
    "org.eclipse.jettyx.Server",
    "org.thymeleafx.Foo",
];

struct Entry {
    raw: String,
    /// Class names that must be denied for this entry to hold.
    probes: Vec<String>,
    family: bool,
}

fn load(file: &str) -> Vec<Entry> {
    let path = format!(
        "{}/tests/data/gadget-lists/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("# "),
        "{file} must start with its source comment"
    );
    let header: String = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    for needle in ["Source", "github.com/", "commit", "Fetched: "] {
        assert!(header.contains(needle), "{file}: header lacks {needle:?}");
    }
    let mut entries = Vec::new();
    for line in text.lines() {
        let line = line.split(" #").next().unwrap().trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut tokens = line.split_whitespace();
        let raw = tokens.next().unwrap().to_owned();
        let expansion: Vec<&str> = tokens.skip_while(|t| *t != "=").skip(1).collect();
        let probes = if expansion.is_empty() {
            probes_of(&raw)
        } else {
            expansion.iter().flat_map(|e| probes_of(e)).collect()
        };
        let family = is_family(&raw);
        entries.push(Entry {
            raw,
            probes,
            family,
        });
    }
    let distinct: BTreeSet<&str> = entries.iter().map(|e| e.raw.as_str()).collect();
    assert_eq!(distinct.len(), entries.len(), "{file} repeats an entry");
    entries
}

/// A package family: `com.acme.` or, fastjson-style, `com.acme` (last segment lower-case).
fn is_family(entry: &str) -> bool {
    if entry.ends_with('.') {
        return true;
    }
    !entry.contains('$')
        && entry
            .rsplit('.')
            .next()
            .and_then(|s| s.chars().next())
            .is_some_and(|c| c.is_ascii_lowercase())
}

fn probes_of(entry: &str) -> Vec<String> {
    if is_family(entry) {
        let package = entry.trim_end_matches('.');
        vec![
            format!("{package}.Anything"),
            format!("{package}.sub.Anything"),
        ]
    } else {
        vec![entry.to_owned(), format!("{entry}$Inner")]
    }
}

fn top_segment(name: &str) -> &str {
    name.split(['.', '$', '<']).next().unwrap()
}

/// `seg.**` for the brief's segments and the first segment of every probe of every list, also
/// upper-cased: allow rules are case-sensitive, and the upper-cased probes must reach the
/// gadget list rather than fall to "not allowed".
fn broad_allow(lists: &[(&str, Vec<Entry>)]) -> Vec<ClassPattern> {
    let mut segments: BTreeSet<String> = BROAD.iter().map(|s| (*s).to_owned()).collect();
    for (_, entries) in lists {
        for probe in entries.iter().flat_map(|e| &e.probes) {
            segments.insert(top_segment(probe).to_owned());
        }
    }
    segments
        .iter()
        .flat_map(|s| [s.clone(), s.to_ascii_uppercase()])
        .collect::<BTreeSet<_>>()
        .iter()
        .map(|s| format!("{s}.**").parse().unwrap())
        .collect()
}

fn all_lists() -> Vec<(&'static str, Vec<Entry>)> {
    LISTS.iter().map(|f| (*f, load(f))).collect()
}

fn gadget_denied(filter: &ClassFilter, name: &str) -> Result<(), String> {
    match filter.check_class(name) {
        ClassDecision::Denied(rule) if matches!(rule.source(), RuleSource::Gadget { .. }) => {}
        other => return Err(format!("check_class({name}) = {other:?}")),
    }
    match filter.check(name) {
        TypeDecision::Denied {
            decision: ClassDecision::Denied(rule),
            ..
        } if matches!(rule.source(), RuleSource::Gadget { .. }) => Ok(()),
        other => Err(format!("check({name}) = {other:?}")),
    }
}

#[test]
fn every_public_list_entry_is_denied_under_a_broad_allow() {
    let lists = all_lists();
    let filter = ClassFilter::new(broad_allow(&lists), []);
    let mut failures = Vec::new();
    for (file, entries) in &lists {
        let families = entries.iter().filter(|e| e.family).count();
        let probes: usize = entries.iter().map(|e| e.probes.len()).sum();
        eprintln!(
            "{file}: {} entries ({families} package families, {} classes), {probes} names checked",
            entries.len(),
            entries.len() - families
        );
        assert!(
            entries.len() >= 20,
            "{file}: only {} entries",
            entries.len()
        );
        for entry in entries {
            for probe in &entry.probes {
                // The denylist folds ASCII case; a consumer that folds case must not slip past.
                for name in [probe.clone(), probe.to_ascii_uppercase()] {
                    if let Err(e) = gadget_denied(&filter, &name) {
                        failures.push(format!("{file}: {} -> {e}", entry.raw));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} not denied:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_broad_allow_is_what_admits_the_near_misses() {
    let lists = all_lists();
    let filter = ClassFilter::new(broad_allow(&lists), []);
    let mut failures = Vec::new();
    for name in EXPECTED_TYPE_GUARDS.iter().chain(&STAY_ALLOWED) {
        let decision = filter.check(name);
        if !decision.is_allowed() {
            failures.push(format!("{name}: {decision:?}"));
        }
    }
    // The fastjson file names the guards it leaves out, so a future refresh keeps them out.
    let fastjson = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/gadget-lists/fastjson-families.txt"
    ))
    .unwrap();
    for guard in EXPECTED_TYPE_GUARDS {
        assert!(
            fastjson.contains(guard),
            "fastjson file does not mention {guard}"
        );
    }
    // No entry reaches past a segment boundary: `<family>x.Foo` and `<Class>X` are not denied
    // by the entry's own rule (another entry may still cover them).
    for (file, entries) in &lists {
        for entry in entries {
            let base = entry.raw.trim_end_matches('.');
            let near = if entry.family {
                format!("{base}x.Foo")
            } else {
                format!("{base}X")
            };
            if let ClassDecision::Denied(rule) = filter.check_class(&near)
                && rule.pattern().name().eq_ignore_ascii_case(base)
            {
                failures.push(format!("{file}: {near} denied by its own entry {rule}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[cfg(feature = "cli")]
#[test]
fn check_class_denies_every_vendored_entry() {
    use common::bin::{run, write_temp};
    use std::ffi::OsStr;

    let lists = all_lists();
    let allow: Vec<String> = broad_allow(&lists)
        .iter()
        .map(|p| format!("\"{p}\""))
        .collect();
    let policy = write_temp(
        "broad.toml",
        &format!("[classes]\nallow = [{}]\n", allow.join(", ")),
    );
    let run = |names: &[&str]| {
        let mut args: Vec<&OsStr> =
            vec!["check-class".as_ref(), "--policy".as_ref(), policy.as_ref()];
        args.extend(names.iter().map(OsStr::new));
        let run = run(&args, b"");
        (run.code, run.lines)
    };

    for (file, entries) in &lists {
        let names: Vec<&str> = entries
            .iter()
            .flat_map(|e| &e.probes)
            .map(String::as_str)
            .collect();
        let (code, lines) = run(&names);
        assert_eq!(code, 1, "{file}");
        assert_eq!(lines.len(), names.len(), "{file}");
        let mut denied = 0;
        for (name, line) in names.iter().zip(&lines) {
            assert_eq!(line["name"], *name, "{file}");
            assert_eq!(line["verdict"], "deny", "{file}: {line}");
            let reason = line["reason"].as_str().unwrap();
            assert!(reason.contains("gadget denylist"), "{file}: {line}");
            denied += 1;
        }
        eprintln!(
            "check-class {file}: {denied} of {} names denied (exit {code})",
            names.len()
        );
    }

    let near: Vec<&str> = EXPECTED_TYPE_GUARDS
        .iter()
        .chain(&STAY_ALLOWED)
        .copied()
        .collect();
    let (code, lines) = run(&near);
    assert_eq!(code, 0, "{lines:?}");
    assert!(lines.iter().all(|l| l["verdict"] == "allow"), "{lines:?}");
    std::fs::remove_file(&policy).unwrap();
}
