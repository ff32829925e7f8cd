//! Integration tests of the XML inspector (issue 3), one test binary
//! (`cargo test --test xml`), one module a topic. Every rule has a case
//! that triggers it and a near miss that passes.
//!
//! | module | what it holds |
//! |---|---|
//! | [`corpus`] | benign documents (BPMN, DMN, SOAP, SVG, ...) that must pass the default and the Camunda policy; script deployments |
//! | [`doctype`] | DOCTYPE always refused; `allow_doctype`'s harmless declarations |
//! | [`references`] | entity and character references |
//! | [`xinclude`] | XInclude whatever the prefix |
//! | [`well_formed`] | malformed documents, invalid UTF-8, characters XML forbids |
//! | [`stylesheets`] | XSLT and `<?xml-stylesheet?>` by the policy |
//! | [`schema_locations`] | `xsi:schemaLocation` and XSD imports by the policy |
//! | [`forbidden`] | the policy's forbidden elements and attributes |
//! | [`limits`] | every limit at and one past the limit; huge documents |
//! | [`encodings`] | UTF-8, UTF-16, legacy encodings, disagreements between the sources |
//! | [`locations`] | the element path and byte offset a violation names |
//!
//! Most tests are tables of `(name, document, expected)`, where `expected`
//! is a violation code or [`OK`]; documents given as bytes with a
//! `charset` are [`Case`]s. A table reports every case that disagrees, not
//! just the first.

#[path = "../common/mod.rs"]
mod common;

mod corpus;
mod doctype;
mod encodings;
mod forbidden;
mod limits;
mod locations;
mod references;
mod schema_locations;
mod stylesheets;
mod well_formed;
mod xinclude;

use common::outcome::{OK, assert_all_passed};
use common::text::{shorten, utf16, utf32};
use corpus::{BPMN, POM, bpmn_with};
use input_guard::Violation;
use input_guard::inspect::xml::{LegacyEncoding, XmlInspector};
use input_guard::policy::{ForbiddenAttribute, Policy, SchemaLocations, XmlName, XmlPolicy};

// ---------------------------------------------------------------- codes

const MALFORMED: &str = "xml-malformed";
const DOCTYPE: &str = "xml-doctype";
const ENTITY: &str = "xml-entity";
const XINCLUDE: &str = "xml-xinclude";
const XSLT: &str = "xml-xslt";
const SCHEMA: &str = "xml-schema-location";
const STYLESHEET: &str = "xml-stylesheet";
const FORBIDDEN_ELEMENT: &str = "xml-forbidden-element";
const FORBIDDEN_ATTRIBUTE: &str = "xml-forbidden-attribute";
const TOO_DEEP: &str = "xml-too-deep";
const TOO_MANY_ATTRIBUTES: &str = "xml-too-many-attributes";
const NAME_TOO_LONG: &str = "xml-name-too-long";
const VALUE_TOO_LARGE: &str = "xml-value-too-large";
const TOO_MANY_ELEMENTS: &str = "xml-too-many-elements";
const TOO_MANY_NAMESPACES: &str = "xml-too-many-namespaces";
const UNSUPPORTED: &str = "xml-unsupported-encoding";
const MISMATCH: &str = "xml-encoding-mismatch";

const BPMN_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
const CAMUNDA_NS: &str = "http://camunda.org/schema/1.0/bpmn";
const XI: &str = "http://www.w3.org/2001/XInclude";
const DECL16: &str = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>";

// ---------------------------------------------------------------- policies

/// The default policy with some fields changed.
fn policy(change: impl FnOnce(&mut XmlPolicy)) -> XmlPolicy {
    let mut policy = XmlPolicy::default();
    change(&mut policy);
    policy
}

/// The `[xml]` section of the bundled Camunda policy.
fn camunda() -> XmlPolicy {
    common::policy::camunda().xml
}

fn attribute_rule(s: &str) -> ForbiddenAttribute {
    s.parse()
        .unwrap_or_else(|e| panic!("bad attribute rule {s:?}: {e}"))
}

fn xml_name(s: &str) -> XmlName {
    s.parse().unwrap_or_else(|e| panic!("bad XmlName {s}: {e}"))
}

// ---------------------------------------------------------------- tables

fn inspect(policy: &XmlPolicy, bytes: &[u8], charset: Option<&str>) -> Result<(), Violation> {
    XmlInspector::new(policy.clone()).inspect(bytes, charset)
}

/// `"ok"` or the violation's code.
fn outcome(result: &Result<(), Violation>) -> &'static str {
    match result {
        Ok(()) => OK,
        Err(v) => v.code().as_str(),
    }
}

fn describe(result: &Result<(), Violation>) -> String {
    match result {
        Ok(()) => OK.to_owned(),
        Err(v) => v.to_string(),
    }
}

/// One document as bytes, the `charset` parameter it comes with, and the
/// outcome expected.
struct Case {
    name: String,
    bytes: Vec<u8>,
    /// The `charset` parameter of the content type; `None` for none.
    charset: Option<&'static str>,
    /// A violation code, or [`OK`].
    expected: &'static str,
}

/// A case without a `charset`; add one with [`Case::charset`].
fn case(name: impl Into<String>, bytes: impl Into<Vec<u8>>, expected: &'static str) -> Case {
    Case {
        name: name.into(),
        bytes: bytes.into(),
        charset: None,
        expected,
    }
}

impl Case {
    fn charset(mut self, charset: &'static str) -> Self {
        self.charset = Some(charset);
        self
    }
}

/// Runs `cases` (name, document, expected outcome) as UTF-8 documents
/// without a charset, and fails listing every case with another outcome.
#[track_caller]
fn check<N: AsRef<str>, D: AsRef<str>>(policy: &XmlPolicy, cases: &[(N, D, &'static str)]) {
    let cases: Vec<Case> = cases
        .iter()
        .map(|(name, doc, expected)| case(name.as_ref(), doc.as_ref(), expected))
        .collect();
    check_bytes(policy, &cases);
}

/// Like [`check`], for documents as bytes with a `charset` argument.
#[track_caller]
fn check_bytes(policy: &XmlPolicy, cases: &[Case]) {
    let inspector = XmlInspector::new(policy.clone());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let result = inspector.inspect(&c.bytes, c.charset);
            (outcome(&result) != c.expected).then(|| {
                format!(
                    "  {}: expected {}, got {}\n    input {} charset {:?}",
                    c.name,
                    c.expected,
                    describe(&result),
                    shorten(&c.bytes, 160),
                    c.charset,
                )
            })
        })
        .collect();
    assert_all_passed(&failures, cases.len());
}

/// Inspects `input` and returns the violation, failing unless its code is `code`.
#[track_caller]
fn rejected(policy: &XmlPolicy, input: &[u8], code: &str) -> Violation {
    match inspect(policy, input, None) {
        Ok(()) => panic!("expected {code}, but it passed: {}", shorten(input, 160)),
        Err(v) => {
            assert_eq!(
                v.code().as_str(),
                code,
                "{v}\n  input {}",
                shorten(input, 160)
            );
            v
        }
    }
}

/// Asserts code, location and offset of the violation `input` raises.
#[track_caller]
fn rejected_at(policy: &XmlPolicy, input: &str, code: &str, location: &str, offset: usize) {
    let v = rejected(policy, input.as_bytes(), code);
    assert_eq!(
        (v.location(), v.offset()),
        (location, Some(offset)),
        "{v}\n  input {}",
        shorten(input.as_bytes(), 160)
    );
}

/// Byte offset of the first `needle` in `haystack`.
#[track_caller]
fn at(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {haystack:?}"))
}

// ---------------------------------------------------------------- documents

/// EBCDIC (code page 037) for the ASCII characters the tests use.
fn ebcdic(text: &str) -> Vec<u8> {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'i' => 0x81 + (b - b'a'),
            b'j'..=b'r' => 0x91 + (b - b'j'),
            b's'..=b'z' => 0xA2 + (b - b's'),
            b'A'..=b'I' => 0xC1 + (b - b'A'),
            b'J'..=b'R' => 0xD1 + (b - b'J'),
            b'S'..=b'Z' => 0xE2 + (b - b'S'),
            b'0'..=b'9' => 0xF0 + (b - b'0'),
            b' ' => 0x40,
            b'.' => 0x4B,
            b'<' => 0x4C,
            b'&' => 0x50,
            b'!' => 0x5A,
            b';' => 0x5E,
            b'-' => 0x60,
            b'/' => 0x61,
            b'>' => 0x6E,
            b'?' => 0x6F,
            b':' => 0x7A,
            b'\'' => 0x7D,
            b'=' => 0x7E,
            b'"' => 0x7F,
            b'[' => 0xBA,
            b']' => 0xBB,
            other => panic!("no EBCDIC for {:?}", other as char),
        })
        .collect()
}

/// `depth` nested `<a>` elements, closed.
fn nested(depth: usize) -> String {
    format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth))
}

/// An element `<r>` with `n` attributes `a0="0" a1="1" ...`.
fn with_attributes(n: usize) -> String {
    let attrs: String = (0..n).map(|i| format!(" a{i}=\"{i}\"")).collect();
    format!("<r{attrs}/>")
}

/// An element `<r>` with `n` namespace declarations.
fn with_namespaces(n: usize) -> String {
    let decls: String = (0..n)
        .map(|i| format!(" xmlns:p{i}=\"urn:example:{i}\""))
        .collect();
    format!("<r{decls}/>")
}
