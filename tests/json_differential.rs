//! Differential tests of the JSON inspector against serde_json (issue 4).
//!
//! (a) The inspector never accepts bytes that serde_json rejects as JSON:
//!     arbitrary bytes, token soup and mutated valid documents. serde_json
//!     gets the bytes without a leading UTF-8 BOM (the inspector accepts
//!     one, as Jackson does); inputs that start like UTF-16 are skipped,
//!     because the inspector transcodes those and serde_json does not.
//! (b) The inspector accepts every document serde_json writes (compact and
//!     pretty) for arbitrary values that carry no typed content and stay
//!     within the limits.
//!
//! The policy checks no type-id keys, and the generated keys avoid every
//! key with a meaning (`type`, `valueInfo`, `objectTypeName`, ...), so any
//! rejection in (b) is a scanner bug.

use std::cell::Cell;
use std::fmt::Debug;

use input_guard::Guard;
use input_guard::policy::Policy;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde::de::IgnoredAny;
use serde_json::Value;

// ---------------------------------------------------------------- helpers

/// Cases per property.
const CASES: u32 = 2000;

/// Keys the inspector gives a meaning to; generated keys avoid them.
const RESERVED: &[&str] = &[
    "type",
    "value",
    "valueInfo",
    "objectTypeName",
    "serializationDataFormat",
    "@class",
    "@type",
    "@c",
    "$type",
];

/// Fragments for token soup and for mutations.
const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b" ",
    b"\n",
    b"\t",
    b"\r",
    b"0",
    b"1",
    b"9",
    b"-",
    b".",
    b"e",
    b"E",
    b"+",
    b"true",
    b"false",
    b"null",
    b"\\",
    b"\\u",
    b"d800",
    b"dc00",
    b"00",
    b"41",
    b"\\n",
    b"\\\"",
    b"\"a\"",
    b"\"b\"",
    b"/",
    b"*",
    b"'",
    b"\x00",
    b"\x1f",
    b"\x7f",
    b"\xc3\xa9",
    b"\xff",
    b"\xef\xbb\xbf",
    b"\xed\xa0\x80",
    b"NaN",
    b"x",
];

/// A guard whose JSON inspector checks no type-id keys.
fn guard() -> Guard {
    Guard::new(Policy::from_toml("[json]\ntype_id_keys = []\n").expect("the test policy parses"))
        .expect("a valid policy")
}

/// Whether the inspector would read `bytes` as UTF-16 (a BOM, or a zero
/// byte among the first two).
fn starts_like_utf16(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        [0xFE, 0xFF, ..] | [0xFF, 0xFE, ..] | [0, _, ..] | [_, 0, ..]
    )
}

fn show(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => format!("{text:?}"),
        Err(_) => format!("{bytes:?} (lossy {:?})", String::from_utf8_lossy(bytes)),
    }
}

/// serde_json's verdict on `bytes`, a leading UTF-8 BOM removed.
fn serde_json_accepts(bytes: &[u8]) -> Result<(), serde_json::Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice::<IgnoredAny>(bytes).map(|_| ())
}

/// Property (a) for one input. Returns whether the inspector accepted it.
fn accepts_only_json(guard: &Guard, bytes: &[u8]) -> Result<bool, TestCaseError> {
    if starts_like_utf16(bytes) || guard.json().inspect(bytes, None).is_err() {
        return Ok(false);
    }
    match serde_json_accepts(bytes) {
        Ok(()) => Ok(true),
        Err(e) => Err(TestCaseError::fail(format!(
            "the inspector accepted what serde_json rejects ({e}): {}",
            show(bytes)
        ))),
    }
}

/// Property (b) for one value: both serializations are accepted.
fn accepts_serialized(guard: &Guard, value: &Value) -> Result<(), TestCaseError> {
    let compact = serde_json::to_vec(value).expect("a Value serializes");
    let pretty = serde_json::to_vec_pretty(value).expect("a Value serializes");
    for (form, bytes) in [("compact", compact), ("pretty", pretty)] {
        if let Err(v) = guard.json().inspect(&bytes, None) {
            return Err(TestCaseError::fail(format!(
                "the inspector rejected serde_json's {form} output: {v}\n  input {}",
                show(&bytes)
            )));
        }
    }
    Ok(())
}

/// Runs `test` on `CASES` inputs from `strategy`; the failure message holds
/// the shrunk input.
#[track_caller]
fn run<S>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
}

// ------------------------------------------------------------- strategies

/// Strings rich in what JSON must escape, non-ASCII and surrogate-pair
/// characters.
fn text() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec![
        '"',
        '\\',
        '/',
        '\n',
        '\r',
        '\t',
        '\u{0}',
        '\u{8}',
        '\u{c}',
        '\u{1f}',
        '\u{7f}',
        '\u{80}',
        '\u{a0}',
        '\u{2028}',
        '\u{2029}',
        '\u{feff}',
        '\u{fffd}',
        '\u{ffff}',
        'é',
        'ß',
        '€',
        '😀',
        '\u{10ffff}',
        '{',
        '}',
        '[',
        ']',
        ':',
        ',',
        ' ',
        '@',
        '$',
    ]);
    prop::collection::vec(
        prop_oneof![3 => prop::char::range('a', 'z'), 2 => special, 2 => any::<char>()],
        0..16,
    )
    .prop_map(String::from_iter)
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z_@$.]{0,12}", text()]
        .prop_filter("a key with a meaning", |k| !RESERVED.contains(&k.as_str()))
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<f32>().prop_map(|f| Value::from(f64::from(f))),
        (-1000.0..1000.0f64).prop_map(Value::from),
        (-10i64..10).prop_map(Value::from),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ]
}

/// Arbitrary values at most 20 deep.
fn value() -> impl Strategy<Value = Value> {
    let tree = leaf().prop_recursive(20, 128, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    });
    // Narrow chains reach the full depth, which wide trees rarely do.
    let chain = (prop::collection::vec((any::<bool>(), key()), 0..20), leaf()).prop_map(
        |(wrappers, leaf)| {
            wrappers.into_iter().fold(leaf, |inner, (array, key)| {
                if array {
                    Value::Array(vec![inner])
                } else {
                    Value::Object([(key, inner)].into_iter().collect())
                }
            })
        },
    );
    prop_oneof![3 => tree, 1 => chain]
}

/// Token soup: JSON fragments, broken escapes, bad bytes.
fn soup() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(prop::sample::select(TOKENS), 1..6),
        prop::collection::vec(prop::sample::select(TOKENS), 0..24),
    ]
    .prop_map(|tokens| tokens.concat())
}

#[derive(Debug, Clone, Copy)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Token(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..8u8).prop_map(|(at, bit)| Mutation::Flip(at, bit)),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Insert(at, b)),
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, t)| Mutation::Token(at, t)),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for &m in mutations {
        let len = bytes.len();
        match m {
            Mutation::Flip(at, bit) if len > 0 => bytes[at % len] ^= 1 << bit,
            Mutation::Insert(at, b) => bytes.insert(at % (len + 1), b),
            Mutation::Delete(at) if len > 0 => {
                bytes.remove(at % len);
            }
            Mutation::Token(at, t) => {
                let at = at % (len + 1);
                bytes.splice(at..at, TOKENS[t].iter().copied());
            }
            Mutation::Flip(..) | Mutation::Delete(_) => {}
        }
    }
    bytes
}

/// Valid documents with one to four mutations.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    (
        value(),
        any::<bool>(),
        prop::collection::vec(mutation(), 1..5),
    )
        .prop_map(|(value, pretty, mutations)| {
            let bytes = if pretty {
                serde_json::to_vec_pretty(&value)
            } else {
                serde_json::to_vec(&value)
            }
            .expect("a Value serializes");
            mutate(bytes, &mutations)
        })
}

// ------------------------------------------- (a) accepted implies JSON

#[test]
fn arbitrary_bytes_accepted_only_if_serde_json_accepts() {
    let guard = guard();
    run(
        "arbitrary bytes",
        prop::collection::vec(any::<u8>(), 0..64),
        |bytes| accepts_only_json(&guard, &bytes).map(drop),
    );
}

#[test]
fn token_soup_accepted_only_if_serde_json_accepts() {
    let guard = guard();
    let accepted = Cell::new(0u32);
    run("token soup", soup(), |bytes| {
        if accepts_only_json(&guard, &bytes)? {
            accepted.set(accepted.get() + 1);
        }
        Ok(())
    });
    // The soup must reach the accepting paths, or the property says little.
    eprintln!("{} of {CASES} token soups accepted", accepted.get());
    assert!(
        accepted.get() >= CASES / 100,
        "only {} of {CASES} token soups were valid JSON",
        accepted.get()
    );
}

#[test]
fn mutated_json_accepted_only_if_serde_json_accepts() {
    let guard = guard();
    let accepted = Cell::new(0u32);
    run("mutated JSON", mutated(), |bytes| {
        if accepts_only_json(&guard, &bytes)? {
            accepted.set(accepted.get() + 1);
        }
        Ok(())
    });
    eprintln!("{} of {CASES} mutated documents accepted", accepted.get());
    assert!(
        accepted.get() >= CASES / 20,
        "only {} of {CASES} mutated documents were accepted",
        accepted.get()
    );
}

/// Inputs at the edges of the grammar, each checked against property (a);
/// `valid` ones must also be accepted by both.
#[test]
fn edge_inputs_agree_with_serde_json() {
    let guard = guard();
    let valid: &[&[u8]] = &[
        b"{}",
        b"[]",
        b"0",
        b"-0",
        b"-0.0e-0",
        b"1E+2",
        b"1e400",
        b"123456789012345678901234567890",
        b"\"\"",
        b"\"\\u0000\"",
        b"\"\\ud83d\\ude00\"",
        b"\"\\/\"",
        b"\"\x7f\"",
        b"\"\xe2\x80\xa8\"",
        b" \t\r\n[ 1 , { \"a\" : [ ] } ] \t\r\n",
        b"\xef\xbb\xbf{\"a\":1}",
        b"{\"a\":{\"a\":{}},\"b\":[{\"a\":1},{\"a\":2}]}",
    ];
    let invalid: &[&[u8]] = &[
        b"",
        b" ",
        b"[1,]",
        b"{\"a\":1,}",
        b"01",
        b"-01",
        b"1.",
        b".5",
        b"1e",
        b"+1",
        b"-",
        b"NaN",
        b"Infinity",
        b"[nul]",
        b"\"\\x\"",
        b"\"\\u12\"",
        b"\"a\tb\"",
        b"'a'",
        b"{}/**/",
        b"{} x",
        b"\xef\xbb\xbf\xef\xbb\xbf{}",
        b"[\"\xff\"]",
        b"\"\\ud800\"",
        b"\"\\udc00\"",
        b"\"\\ud800\\u0041\"",
        b"{\"a\":1,\"a\":2}",
        b"[\x0c1]",
    ];
    let mut failures = Vec::new();
    for &bytes in valid.iter().chain(invalid) {
        if let Err(e) = accepts_only_json(&guard, bytes) {
            failures.push(format!("  {e}"));
        }
    }
    for &bytes in valid {
        if let Err(v) = guard.json().inspect(bytes, None) {
            failures.push(format!(
                "  valid JSON rejected: {v}\n    input {}",
                show(bytes)
            ));
        }
        if let Err(e) = serde_json_accepts(bytes) {
            failures.push(format!(
                "  serde_json rejects a 'valid' input ({e}): {}",
                show(bytes)
            ));
        }
    }
    for &bytes in invalid {
        if guard.json().inspect(bytes, None).is_ok() {
            failures.push(format!("  invalid JSON accepted: {}", show(bytes)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Deep nesting around the default `max_depth` (128). serde_json skips an
/// `IgnoredAny` without recursing, so it has no depth limit there; the
/// inspector must not accept anything it rejects at any depth, and must stop
/// at its own limit.
#[test]
fn deep_nesting_agrees_with_serde_json() {
    let guard = guard();
    assert_eq!(guard.policy().json.max_depth, 128);
    let mut failures = Vec::new();
    for depth in (120..=130).chain([1000]) {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            let doc = format!("{}0{}", open.repeat(depth), close.repeat(depth));
            let inspector = guard.json().inspect(doc.as_bytes(), None);
            let serde = serde_json_accepts(doc.as_bytes());
            if let (Ok(()), Err(e)) = (&inspector, &serde) {
                failures.push(format!(
                    "  depth {depth} of {open}...{close}: the inspector accepts, serde_json rejects ({e})"
                ));
            }
            if inspector.is_ok() != (depth <= 128) {
                failures.push(format!(
                    "  depth {depth} of {open}...{close}: expected the limit at 128, got {inspector:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ------------------------------------------- (b) serde_json output accepted

#[test]
fn serde_json_output_is_accepted() {
    let guard = guard();
    run("serde_json output", value(), |value| {
        accepts_serialized(&guard, &value)
    });
}

/// The same with the bundled Camunda policy, whose type-id keys are the
/// defaults (the generated keys avoid them).
#[test]
fn serde_json_output_is_accepted_by_the_camunda_policy() {
    let policy = Policy::load(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/camunda.toml"
    ))
    .unwrap_or_else(|e| panic!("policies/camunda.toml: {e}"));
    let guard = Guard::new(policy).expect("a valid policy");
    run("serde_json output, Camunda policy", value(), |value| {
        accepts_serialized(&guard, &value)
    });
}

// ------------------------- (c) a carried document is judged as itself

/// Writes `text` as the content of a JSON string, each character in one of
/// the forms JSON allows, picked by `choices`: plain where plain is legal,
/// the short escape, or `\uXXXX` (a surrogate pair beyond the BMP). Most
/// quotes come out as `\"`, so documents written this way are read both in
/// place (quote-only escapes) and decoded (any other escape).
fn encode_string(text: &str, choices: &[u8]) -> String {
    // Half the documents are written as serializers write them: only the
    // escapes JSON requires, in their short forms.
    if choices.first().is_some_and(|c| c % 2 == 0) {
        return serde_json::to_string(text)
            .map(|quoted| quoted[1..quoted.len() - 1].to_owned())
            .unwrap_or_default();
    }
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        let choice = choices.get(i % choices.len().max(1)).copied().unwrap_or(0);
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '/' => Some("\\/"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            _ => None,
        };
        let must_escape = matches!(c, '"' | '\\') || c < ' ';
        // Mostly the plain or short form: a `\u` escape is one in eight.
        if choice % 8 == 0 || (must_escape && short.is_none()) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else if let (Some(short), true) = (short, must_escape || choice % 8 == 1) {
            out.push_str(short);
        } else {
            out.push(c);
        }
    }
    out
}

/// Texts for (c): token soup, mutated documents and valid ones, as text.
fn documents() -> impl Strategy<Value = String> {
    prop_oneof![
        soup(),
        mutated(),
        value().prop_map(|v| serde_json::to_vec(&v).expect("a Value serializes")),
        // Without backslashes, so that written with `\"` alone they are
        // read in place (broken documents included).
        value().prop_map(|v| {
            let mut bytes = serde_json::to_vec(&v).expect("a Value serializes");
            bytes.retain(|&b| b != b'\\');
            bytes
        }),
    ]
    .prop_filter_map("not UTF-8", |bytes| String::from_utf8(bytes).ok())
}

/// `"code at location"` or `"ok"`.
fn verdict(result: Result<(), input_guard::Violation>, prefix: &str) -> String {
    match result {
        Ok(()) => "ok".to_owned(),
        Err(v) => {
            let inner = v.location().trim_start_matches('/');
            let location = if inner.is_empty() {
                prefix.to_owned()
            } else {
                format!("{prefix}/{inner}")
            };
            format!("{} at {location}", v.code().as_str())
        }
    }
}

#[test]
fn carried_documents_get_the_verdict_of_the_document_itself() {
    let guard = guard();
    let (quoted, decoded) = (Cell::new(0u32), Cell::new(0u32));
    let strategy = (documents(), prop::collection::vec(any::<u8>(), 1..16));
    run("carried documents", strategy, |(text, choices)| {
        // The body's own encoding sniffing (BOM, UTF-16 zero bytes) does
        // not apply to a carried document.
        if starts_like_utf16(text.as_bytes()) || text.starts_with('\u{FEFF}') {
            return Ok(());
        }
        let written = encode_string(&text, &choices);
        let only_quotes = !written.replace("\\\"", "").contains('\\');
        if written.contains('\\') {
            let counter = if only_quotes { &quoted } else { &decoded };
            counter.set(counter.get() + 1);
        }
        let body = format!(r#"{{"v":{{"type":"Json","value":"{written}"}}}}"#);
        let direct = verdict(guard.json().inspect(text.as_bytes(), None), "/v/value");
        let carried = verdict(guard.json().inspect(body.as_bytes(), None), "");
        if direct != carried {
            return Err(TestCaseError::fail(format!(
                "carried: {carried}, itself: {direct}\n  document {text:?}\n  written {written:?}"
            )));
        }
        Ok(())
    });
    // Both ways of reading a carried document must have been exercised.
    eprintln!(
        "{} documents read in place, {} decoded",
        quoted.get(),
        decoded.get()
    );
    assert!(quoted.get() >= CASES / 10 && decoded.get() >= CASES / 10);
}
