//! The legacy encodings against the JDK's XML parser itself: every byte
//! 0x00-0xFF, in a text node and in an attribute value, under every label
//! the guard reads as ISO-8859-1, windows-1252, US-ASCII or UTF-8, parsed by
//! `tests/engine/XmlEncodings.java` (Xerces as Camunda's model parser sets it
//! up) and by the guard. `tests/xml_encodings.rs` holds the same comparison
//! as a table, for machines without a JDK.
//!
//! The guard agrees when it refuses every document Xerces refuses or reads
//! with U+FFFD (a byte without a character), and reads every other as
//! Xerces does, character for character.
// Test code: panics here are test failures, never request paths.

mod common;

use common::java;
use common::xerces::{Context, document, legacy_policy, value_read};
use input_guard::inspect::xml::XmlInspector;

const LABELS: &[&str] = &[
    // ISO-8859-1
    "ISO-8859-1",
    "iso-8859-1",
    "ISO_8859-1",
    "ISO8859-1",
    "ISO8859_1",
    "ISO-IR-100",
    "LATIN1",
    "latin1",
    "L1",
    "IBM819",
    "CP819",
    "CSISOLATIN1",
    // windows-1252
    "windows-1252",
    "WINDOWS-1252",
    "Cp1252",
    "CP1252",
    // US-ASCII
    "US-ASCII",
    "us-ascii",
    "ASCII",
    "ISO646-US",
    "ANSI_X3.4-1968",
    "ANSI_X3.4-1986",
    "IBM367",
    "CP367",
    "CSASCII",
    "US",
    "ISO-IR-6",
    // UTF-8 (single bytes above 0x7F are not UTF-8)
    "UTF-8",
    "utf-8",
    "UTF8",
];

#[test]
fn every_byte_reads_as_the_jdk_reads_it() {
    let Some(oracle) = java::build("xml-encodings", &["XmlEncodings.java"], &[]) else {
        return;
    };
    let output = oracle
        .command("XmlEncodings")
        .args(LABELS)
        .output()
        .expect("run java");
    assert!(output.status.success(), "java failed: {output:?}");
    let stdout = String::from_utf8(output.stdout).expect("ASCII output");

    let inspector = XmlInspector::new(legacy_policy());
    let mut failures = Vec::new();
    let (mut lines, mut agreed_reads, mut refused_both, mut stricter) = (0, 0, 0, 0);
    for line in stdout.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        let [label, context, byte, xerces] = fields[..] else {
            panic!("oracle line {line:?}");
        };
        lines += 1;
        let place = if context == "attr" {
            Context::Attr
        } else {
            Context::Text
        };
        let byte = u8::from_str_radix(byte, 16).expect("hex byte");
        let doc = document(label, place, byte);
        let verdict = inspector.inspect(&doc, None);
        let xerces: Option<Vec<u32>> = match xerces {
            "ERR" => None,
            "-" => Some(Vec::new()),
            chars => Some(
                chars
                    .split(',')
                    .map(|c| u32::from_str_radix(c, 16).expect("hex code point"))
                    .collect(),
            ),
        };
        let what = format!("{label} {context} 0x{byte:02X}");
        match xerces {
            None => match verdict {
                Ok(()) => failures.push(format!("{what}: Xerces refuses, the guard allows")),
                Err(_) => refused_both += 1,
            },
            Some(chars) if chars.contains(&0xFFFD) => match verdict {
                Ok(()) => failures.push(format!(
                    "{what}: Xerces reads U+FFFD (no character), the guard allows"
                )),
                Err(_) => stricter += 1,
            },
            Some(chars) => match verdict {
                Err(v) => failures.push(format!(
                    "{what}: Xerces reads {chars:04X?}, the guard refuses: {v}"
                )),
                Ok(()) => {
                    let read = inspector
                        .decode(&doc, None)
                        .ok()
                        .as_deref()
                        .and_then(|d| value_read(d, place));
                    if read.as_ref() == Some(&chars) {
                        agreed_reads += 1;
                    } else {
                        failures.push(format!(
                            "{what}: Xerces reads {chars:04X?}, the guard {read:04X?}"
                        ));
                    }
                }
            },
        }
    }
    assert_eq!(
        lines,
        LABELS.len() * 2 * 256,
        "one line per label, context and byte"
    );
    eprintln!(
        "{lines} cases: {agreed_reads} read alike, {refused_both} refused by both, \
         {stricter} read as U+FFFD by the JDK and refused by the guard"
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
