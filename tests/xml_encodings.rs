//! The legacy single-byte encodings, checked byte by byte against what the
//! JDK's XML parser reads (issue 12, "Encodings the engine reads").
//!
//! [`XERCES`] is the output of `tests/engine/XmlEncodings.java` on Java 17
//! (Xerces configured as Camunda's model parser), run-length compressed:
//! for each encoding, context and byte, what Xerces reads from
//! `<?xml version="1.0" encoding="LABEL"?><a>B</a>` (context `Text`) or
//! `...<a x="B"/>` (`Attr`): an error, the byte's own code point, or the
//! code points listed. `tests/xml_encodings_java.rs` reruns the Java side on
//! every test run; this table keeps the comparison on machines without a JDK.
//!
//! The guard agrees when it refuses every document Xerces refuses and, for
//! every other, reads the same character (after XML's own line-end and
//! attribute-value normalisation, which the guard applies where it matters).
//! The one deliberate difference: windows-1252's five unassigned bytes,
//! which the JDK reads as U+FFFD, are refused.

mod common;

use std::borrow::Cow;

use input_guard::inspect::xml::{LegacyEncoding, XmlInspector};
use input_guard::policy::XmlPolicy;

use common::xerces::Context::{self, Attr, Text};
use common::xerces::{document, legacy_policy, value_read};

/// What Xerces reads for a run of bytes.
#[derive(Debug, Clone, Copy)]
enum Read {
    /// The document is refused.
    Refused,
    /// Each byte reads as the code point of the same number.
    Same,
    /// The bytes read as these code points, one each.
    Chars(&'static [u32]),
}
use Read::{Chars, Refused, Same};

/// `(label, context, first byte, last byte, what Xerces reads)`.
#[rustfmt::skip]
const XERCES: &[(&str, Context, u8, u8, Read)] = &[
    ("ISO-8859-1", Text, 0x00, 0x08, Refused),
    ("ISO-8859-1", Text, 0x09, 0x0A, Same),
    ("ISO-8859-1", Text, 0x0B, 0x0C, Refused),
    ("ISO-8859-1", Text, 0x0D, 0x0D, Chars(&[0x000A])),
    ("ISO-8859-1", Text, 0x0E, 0x1F, Refused),
    ("ISO-8859-1", Text, 0x20, 0x25, Same),
    ("ISO-8859-1", Text, 0x26, 0x26, Refused),
    ("ISO-8859-1", Text, 0x27, 0x3B, Same),
    ("ISO-8859-1", Text, 0x3C, 0x3C, Refused),
    ("ISO-8859-1", Text, 0x3D, 0xFF, Same),
    ("ISO-8859-1", Attr, 0x00, 0x08, Refused),
    ("ISO-8859-1", Attr, 0x09, 0x0A, Chars(&[0x0020, 0x0020])),
    ("ISO-8859-1", Attr, 0x0B, 0x0C, Refused),
    ("ISO-8859-1", Attr, 0x0D, 0x0D, Chars(&[0x0020])),
    ("ISO-8859-1", Attr, 0x0E, 0x1F, Refused),
    ("ISO-8859-1", Attr, 0x20, 0x21, Same),
    ("ISO-8859-1", Attr, 0x22, 0x22, Refused),
    ("ISO-8859-1", Attr, 0x23, 0x25, Same),
    ("ISO-8859-1", Attr, 0x26, 0x26, Refused),
    ("ISO-8859-1", Attr, 0x27, 0x3B, Same),
    ("ISO-8859-1", Attr, 0x3C, 0x3C, Refused),
    ("ISO-8859-1", Attr, 0x3D, 0xFF, Same),
    ("windows-1252", Text, 0x00, 0x08, Refused),
    ("windows-1252", Text, 0x09, 0x0A, Same),
    ("windows-1252", Text, 0x0B, 0x0C, Refused),
    ("windows-1252", Text, 0x0D, 0x0D, Chars(&[0x000A])),
    ("windows-1252", Text, 0x0E, 0x1F, Refused),
    ("windows-1252", Text, 0x20, 0x25, Same),
    ("windows-1252", Text, 0x26, 0x26, Refused),
    ("windows-1252", Text, 0x27, 0x3B, Same),
    ("windows-1252", Text, 0x3C, 0x3C, Refused),
    ("windows-1252", Text, 0x3D, 0x7F, Same),
    ("windows-1252", Text, 0x80, 0x9F, Chars(&[0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178])),
    ("windows-1252", Text, 0xA0, 0xFF, Same),
    ("windows-1252", Attr, 0x00, 0x08, Refused),
    ("windows-1252", Attr, 0x09, 0x0A, Chars(&[0x0020, 0x0020])),
    ("windows-1252", Attr, 0x0B, 0x0C, Refused),
    ("windows-1252", Attr, 0x0D, 0x0D, Chars(&[0x0020])),
    ("windows-1252", Attr, 0x0E, 0x1F, Refused),
    ("windows-1252", Attr, 0x20, 0x21, Same),
    ("windows-1252", Attr, 0x22, 0x22, Refused),
    ("windows-1252", Attr, 0x23, 0x25, Same),
    ("windows-1252", Attr, 0x26, 0x26, Refused),
    ("windows-1252", Attr, 0x27, 0x3B, Same),
    ("windows-1252", Attr, 0x3C, 0x3C, Refused),
    ("windows-1252", Attr, 0x3D, 0x7F, Same),
    ("windows-1252", Attr, 0x80, 0x9F, Chars(&[0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178])),
    ("windows-1252", Attr, 0xA0, 0xFF, Same),
    ("US-ASCII", Text, 0x00, 0x08, Refused),
    ("US-ASCII", Text, 0x09, 0x0A, Same),
    ("US-ASCII", Text, 0x0B, 0x0C, Refused),
    ("US-ASCII", Text, 0x0D, 0x0D, Chars(&[0x000A])),
    ("US-ASCII", Text, 0x0E, 0x1F, Refused),
    ("US-ASCII", Text, 0x20, 0x25, Same),
    ("US-ASCII", Text, 0x26, 0x26, Refused),
    ("US-ASCII", Text, 0x27, 0x3B, Same),
    ("US-ASCII", Text, 0x3C, 0x3C, Refused),
    ("US-ASCII", Text, 0x3D, 0x7F, Same),
    ("US-ASCII", Text, 0x80, 0xFF, Refused),
    ("US-ASCII", Attr, 0x00, 0x08, Refused),
    ("US-ASCII", Attr, 0x09, 0x0A, Chars(&[0x0020, 0x0020])),
    ("US-ASCII", Attr, 0x0B, 0x0C, Refused),
    ("US-ASCII", Attr, 0x0D, 0x0D, Chars(&[0x0020])),
    ("US-ASCII", Attr, 0x0E, 0x1F, Refused),
    ("US-ASCII", Attr, 0x20, 0x21, Same),
    ("US-ASCII", Attr, 0x22, 0x22, Refused),
    ("US-ASCII", Attr, 0x23, 0x25, Same),
    ("US-ASCII", Attr, 0x26, 0x26, Refused),
    ("US-ASCII", Attr, 0x27, 0x3B, Same),
    ("US-ASCII", Attr, 0x3C, 0x3C, Refused),
    ("US-ASCII", Attr, 0x3D, 0x7F, Same),
    ("US-ASCII", Attr, 0x80, 0xFF, Refused),
];

/// Compares the guard with what Xerces reads for one byte; `None` when they
/// agree, else a description.
fn disagreement(
    inspector: &XmlInspector,
    label: &str,
    context: Context,
    byte: u8,
    xerces: Option<u32>,
) -> Option<String> {
    let doc = document(label, context, byte);
    let verdict = inspector.inspect(&doc, None);
    let decoded = inspector.decode(&doc, None);
    let what = format!("{label} {context:?} 0x{byte:02X}");
    match xerces {
        // Xerces refuses; so must the guard. U+FFFD is what the JDK makes
        // of a byte without a character: the guard refuses those too.
        None | Some(0xFFFD) => verdict
            .is_ok()
            .then(|| format!("{what}: Xerces reads {xerces:04X?}, the guard allows")),
        Some(expected) => {
            if let Err(v) = verdict {
                return Some(format!(
                    "{what}: Xerces reads U+{expected:04X}, the guard refuses: {v}"
                ));
            }
            let read = decoded.ok().as_deref().and_then(|d| value_read(d, context));
            (read.as_deref() != Some(&[expected][..]))
                .then(|| format!("{what}: Xerces reads U+{expected:04X}, the guard {read:04X?}"))
        }
    }
}

#[test]
fn every_byte_reads_as_xerces_reads_it() {
    let inspector = XmlInspector::new(legacy_policy());
    let mut failures = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for &(label, context, first, last, read) in XERCES {
        for byte in first..=last {
            assert!(
                seen.insert((label, context, byte)),
                "table repeats {label} {context:?} {byte:02X}"
            );
            let xerces = match read {
                Refused => None,
                Same => Some(u32::from(byte)),
                Chars(chars) => Some(chars[usize::from(byte - first)]),
            };
            failures.extend(disagreement(&inspector, label, context, byte, xerces));
        }
    }
    assert_eq!(seen.len(), 3 * 2 * 256, "the table covers every byte");
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_table_is_what_the_decoders_say() {
    // The unit-level view of the same table: every byte 0x80-0xFF.
    for &(label, context, first, last, read) in XERCES {
        if context != Text || first < 0x80 || label == "US-ASCII" {
            continue;
        }
        let encoding = LegacyEncoding::for_label(label).unwrap_or_else(|| panic!("{label}"));
        for byte in first..=last {
            let expected = match read {
                Refused => None,
                Same => char::from_u32(u32::from(byte)),
                Chars(chars) => {
                    char::from_u32(chars[usize::from(byte - first)]).filter(|&c| c != '\u{FFFD}')
                }
            };
            assert_eq!(encoding.decode_byte(byte), expected, "{label} 0x{byte:02X}");
        }
    }
}

#[test]
fn latin1_is_not_windows_1252() {
    // WHATWG (browsers, encoding_rs) read the label iso-8859-1 as
    // windows-1252; the JDK does not. A guard that did would see a
    // different document from the engine's.
    let inspector = XmlInspector::new(legacy_policy());
    let doc = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>\x80\x93\x9F\xE9</a>";
    assert_eq!(
        inspector.decode(doc, None).ok().as_deref(),
        Some("<?xml version='1.0' encoding='ISO-8859-1'?><a>\u{80}\u{93}\u{9F}\u{E9}</a>")
    );
    assert!(inspector.inspect(doc, None).is_ok());
    let doc = b"<?xml version='1.0' encoding='windows-1252'?><a>\x80\x93\x9F\xE9</a>";
    assert_eq!(
        inspector.decode(doc, None).ok().as_deref(),
        Some("<?xml version='1.0' encoding='windows-1252'?><a>\u{20AC}\u{201C}\u{178}\u{E9}</a>")
    );
}

#[test]
fn unassigned_windows_1252_bytes_are_refused() {
    let inspector = XmlInspector::new(legacy_policy());
    for byte in [0x81u8, 0x8D, 0x8F, 0x90, 0x9D] {
        let doc = [
            &b"<?xml version='1.0' encoding='windows-1252'?><a>x"[..],
            &[byte],
            b"</a>",
        ]
        .concat();
        let v = inspector.inspect(&doc, None).unwrap_err();
        assert_eq!(v.code().as_str(), "xml-malformed", "0x{byte:02X}");
        assert_eq!(v.offset(), Some(49), "0x{byte:02X}: {v}");
        // Near miss: the same byte in ISO-8859-1 is a C1 control XML 1.0 allows.
        let latin1 = [
            &b"<?xml version='1.0' encoding='ISO-8859-1'?><a>x"[..],
            &[byte],
            b"</a>",
        ]
        .concat();
        assert!(inspector.inspect(&latin1, None).is_ok(), "0x{byte:02X}");
    }
}

/// The labels Xerces accepts for each encoding (checked against the JDK by
/// `tests/xml_encodings_java.rs`), in any letter case.
const LATIN1_LABELS: &[&str] = &[
    "ISO-8859-1",
    "ISO_8859-1",
    "ISO8859-1",
    "ISO8859_1",
    "ISO-IR-100",
    "LATIN1",
    "L1",
    "IBM819",
    "CP819",
    "CSISOLATIN1",
];
const WINDOWS_1252_LABELS: &[&str] = &["windows-1252", "Cp1252"];
const ASCII_LABELS: &[&str] = &[
    "US-ASCII",
    "ASCII",
    "ISO646-US",
    "ANSI_X3.4-1968",
    "ANSI_X3.4-1986",
    "IBM367",
    "CP367",
    "CSASCII",
    "US",
    "ISO-IR-6",
];

#[test]
fn labels() {
    let inspector = XmlInspector::new(legacy_policy());
    let decoded = |label: &str, byte: u8| {
        let doc = [
            format!("<?xml version='1.0' encoding='{label}'?><a>").as_bytes(),
            &[byte],
            b"</a>",
        ]
        .concat();
        inspector
            .decode(&doc, None)
            .map(|t| t.chars().rev().nth(4))
            .map_err(|v| v.code().as_str())
    };
    for (labels, expected) in [
        (LATIN1_LABELS, Ok(Some('\u{80}'))),
        (WINDOWS_1252_LABELS, Ok(Some('\u{20AC}'))),
        (ASCII_LABELS, Err("xml-encoding-mismatch")),
    ] {
        for label in labels {
            for label in [
                label.to_string(),
                label.to_lowercase(),
                label.to_uppercase(),
            ] {
                assert_eq!(decoded(&label, 0x80), expected, "{label}");
                assert_eq!(decoded(&label, b'A'), Ok(Some('A')), "{label}");
            }
        }
    }
    // Labels Xerces refuses (or reads otherwise), and WHATWG-only ones: not
    // read as these encodings.
    for label in [
        "LATIN-1",
        "ISO88591",
        "8859_1",
        "x-cp1252",
        "cp-1252",
        "ISO-8859-15",
        "ISO-8859-2",
        "KOI8-R",
        "ascii7",
        "ISO-646-US",
    ] {
        assert_eq!(
            decoded(label, b'A'),
            Err("xml-unsupported-encoding"),
            "{label}"
        );
    }
    // The policy key reads the same labels.
    for label in LATIN1_LABELS {
        assert_eq!(
            LegacyEncoding::for_label(label),
            Some(LegacyEncoding::Latin1)
        );
    }
    for label in WINDOWS_1252_LABELS {
        assert_eq!(
            LegacyEncoding::for_label(label),
            Some(LegacyEncoding::Windows1252)
        );
    }
    for label in ["utf-8", "US-ASCII", "ISO-8859-15", "x-cp1252", ""] {
        assert_eq!(LegacyEncoding::for_label(label), None, "{label}");
    }
}

#[test]
fn each_encoding_needs_its_own_entry() {
    let mut latin1_only = XmlPolicy::default();
    latin1_only.encodings = vec![LegacyEncoding::Latin1];
    let inspector = XmlInspector::new(latin1_only);
    let code = |doc: &[u8], charset| {
        inspector
            .inspect(doc, charset)
            .map_err(|v| v.code().as_str())
    };
    assert_eq!(
        code(b"<?xml version='1.0' encoding='latin1'?><a>\xE9</a>", None),
        Ok(())
    );
    assert_eq!(
        code(
            b"<?xml version='1.0' encoding='windows-1252'?><a>\xE9</a>",
            None
        ),
        Err("xml-unsupported-encoding")
    );
    assert_eq!(
        code(b"<a>\xE9</a>", Some("cp1252")),
        Err("xml-unsupported-encoding")
    );
    let none = XmlInspector::new(XmlPolicy::default());
    assert_eq!(
        none.inspect(b"<?xml version='1.0' encoding='ISO-8859-1'?><a/>", None)
            .map_err(|v| v.code().as_str()),
        Err("xml-unsupported-encoding")
    );
}

/// A document, the `charset` it comes with, and the outcome expected.
struct Case {
    name: &'static str,
    doc: Vec<u8>,
    /// The `charset` parameter of the content type, if any.
    charset: Option<&'static str>,
    /// `Ok(())`, or `Err` with the violation's code.
    expected: Result<(), &'static str>,
}

#[test]
fn sources_must_agree() {
    let inspector = XmlInspector::new(legacy_policy());
    let decl = |label: &str, body: &[u8]| {
        [
            format!("<?xml version=\"1.0\" encoding=\"{label}\"?>").as_bytes(),
            body,
        ]
        .concat()
    };
    let cases: &[Case] = &[
        Case {
            name: "declaration and charset name one encoding",
            doc: decl("ISO-8859-1", b"<a>\xE9</a>"),
            charset: Some("latin1"),
            expected: Ok(()),
        },
        Case {
            name: "charset only",
            doc: b"<a>\x93</a>".to_vec(),
            charset: Some("windows-1252"),
            expected: Ok(()),
        },
        // Latin-1 and windows-1252 read 0x80-0x9F differently.
        Case {
            name: "ISO-8859-1 declared, windows-1252 charset",
            doc: decl("ISO-8859-1", b"<a>\x93</a>"),
            charset: Some("windows-1252"),
            expected: Err("xml-encoding-mismatch"),
        },
        Case {
            name: "windows-1252 declared, ISO-8859-1 charset",
            doc: decl("windows-1252", b"<a>\x93</a>"),
            charset: Some("iso-8859-1"),
            expected: Err("xml-encoding-mismatch"),
        },
        Case {
            name: "ISO-8859-1 declared, UTF-8 charset",
            doc: decl("ISO-8859-1", b"<a/>"),
            charset: Some("utf-8"),
            expected: Err("xml-encoding-mismatch"),
        },
        Case {
            name: "UTF-8 declared, ISO-8859-1 charset",
            doc: decl("UTF-8", b"<a/>"),
            charset: Some("ISO-8859-1"),
            expected: Err("xml-encoding-mismatch"),
        },
        Case {
            name: "US-ASCII declared, ISO-8859-1 charset",
            doc: decl("US-ASCII", b"<a/>"),
            charset: Some("ISO-8859-1"),
            expected: Err("xml-encoding-mismatch"),
        },
        Case {
            name: "UTF-8 BOM, ISO-8859-1 declared",
            doc: [&b"\xEF\xBB\xBF"[..], &decl("ISO-8859-1", b"<a/>")].concat(),
            charset: None,
            expected: Err("xml-encoding-mismatch"),
        },
        Case {
            name: "UTF-8 BOM, windows-1252 charset",
            doc: b"\xEF\xBB\xBF<a/>".to_vec(),
            charset: Some("windows-1252"),
            expected: Err("xml-encoding-mismatch"),
        },
        Case {
            name: "UTF-16 BOM, ISO-8859-1 declared",
            doc: [0xFF, 0xFE]
                .into_iter()
                .chain(
                    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>"
                        .encode_utf16()
                        .flat_map(u16::to_le_bytes),
                )
                .collect(),
            charset: None,
            expected: Err("xml-encoding-mismatch"),
        },
        Case {
            name: "UTF-16 declared on Latin-1 bytes",
            doc: decl("UTF-16", b"<a/>"),
            charset: Some("iso-8859-1"),
            expected: Err("xml-encoding-mismatch"),
        },
        Case {
            name: "unsupported charset",
            doc: decl("ISO-8859-1", b"<a/>"),
            charset: Some("utf-7"),
            expected: Err("xml-unsupported-encoding"),
        },
    ];
    let mut failures = Vec::new();
    for Case {
        name,
        doc,
        charset,
        expected,
    } in cases
    {
        let got = inspector
            .inspect(doc, *charset)
            .map_err(|v| v.code().as_str());
        if got != *expected {
            failures.push(format!("{name}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn legacy_documents_are_inspected_like_utf8() {
    let inspector = XmlInspector::new(common::policy::camunda().xml);
    let bpmn = "http://www.omg.org/spec/BPMN/20100524/MODEL";
    let cases: Vec<(&str, String, &str)> = vec![
        ("benign model", format!("<definitions xmlns='{bpmn}' name='caf\u{e9}'><process id='p'/></definitions>"), "ok"),
        ("script task", format!("<definitions xmlns='{bpmn}'><process id='p\u{e9}'><scriptTask id='s'/></process></definitions>"), "xml-forbidden-element"),
        ("DOCTYPE", "<!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><a>&x;</a>".into(), "xml-doctype"),
        ("entity", "<a>\u{e9}&x;</a>".into(), "xml-entity"),
        ("XInclude", "<a xmlns:xi='http://www.w3.org/2001/XInclude'><xi:include href='/etc/passwd'/></a>".into(), "xml-xinclude"),
        ("schema location", "<a xmlns:xsi='http://www.w3.org/2001/XMLSchema-instance' xsi:noNamespaceSchemaLocation='file:///etc/x.xsd'/>".into(), "xml-schema-location"),
        ("control character", "<a>\u{1}</a>".into(), "xml-malformed"),
    ];
    for label in ["ISO-8859-1", "windows-1252"] {
        for (name, body, expected) in &cases {
            let encoding = LegacyEncoding::for_label(label).unwrap_or_else(|| panic!("{label}"));
            let mut doc = format!("<?xml version=\"1.0\" encoding=\"{label}\"?>").into_bytes();
            // é is 0xE9 in both.
            doc.extend(
                body.chars()
                    .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')),
            );
            let got = inspector
                .inspect(&doc, None)
                .map_err(|v| v.code().as_str())
                .err()
                .unwrap_or("ok");
            assert_eq!(got, *expected, "{label}: {name}");
            assert_eq!(encoding.decode_byte(0xE9), Some('\u{e9}'));
        }
    }
}

#[test]
fn the_camunda_policy_reads_both() {
    let policy = common::policy::camunda().xml;
    assert_eq!(
        policy.encodings,
        [LegacyEncoding::Latin1, LegacyEncoding::Windows1252]
    );
    let inspector = XmlInspector::new(policy);
    for doc in [
        &b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\" standalone=\"yes\"?>\n<definitions>caf\xE9</definitions>"[..],
        b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><definitions>\x93q\x94</definitions>",
    ] {
        assert!(inspector.inspect(doc, None).is_ok(), "{}", String::from_utf8_lossy(doc));
    }
    // Whatever the label says, decoding returns owned text only when needed.
    let ascii = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>";
    assert!(matches!(
        inspector.decode(ascii, None),
        Ok(Cow::Borrowed(_))
    ));
}
