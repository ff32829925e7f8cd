//! The XML inspector on arbitrary bytes, with and without a charset, under
//! the default policy, a tight one and one allowing a harmless DOCTYPE: no panic, no hang, a verdict that
//! does not depend on how the same text is handed over, and never more
//! lenient than quick-xml: what the inspector accepts, quick-xml reads to
//! the end without error.
#![no_main]

use std::sync::OnceLock;

use input_guard::inspect::xml::XmlInspector;
use input_guard::policy::{Policy, XmlPolicy};
use libfuzzer_sys::fuzz_target;

fn inspectors() -> &'static [XmlInspector; 3] {
    static INSPECTORS: OnceLock<[XmlInspector; 3]> = OnceLock::new();
    INSPECTORS.get_or_init(|| {
        let tight = Policy::from_toml(
            r#"
            [xml]
            max_depth = 4
            max_attributes = 3
            max_name_length = 8
            max_value_bytes = 16
            max_elements = 16
            max_namespace_declarations = 2
            encodings = ["ISO-8859-1", "windows-1252"]
            forbid_elements = ["{urn:x}script", "script"]
            forbid_attributes = ["{urn:x}on", "on"]
            "#,
        )
        .map(|p| p.xml)
        .unwrap_or_default();
        let doctype = Policy::from_toml("[xml]\nallow_doctype = true\n")
            .map(|p| p.xml)
            .unwrap_or_default();
        [
            XmlInspector::new(XmlPolicy::default()),
            XmlInspector::new(tight),
            XmlInspector::new(doctype),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    for inspector in inspectors() {
        let plain = inspector.inspect(data, None);
        let _ = inspector.inspect(data, Some("utf-8"));
        let _ = inspector.inspect(data, Some("utf-16"));
        // quick-xml reads the text the inspector inspected: the input as
        // decoded (UTF-16 transcoded, a legacy set decoded, a UTF-8 byte
        // order mark dropped). The raw bytes would be the wrong oracle: a
        // UTF-16 document whose bytes happen to be valid UTF-8 reads as
        // NUL-laden nonsense.
        if let (Ok(()), Ok(text)) = (&plain, inspector.decode(data, None)) {
            let mut reader = quick_xml::Reader::from_str(&text);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("accepted, but quick-xml says {e}"),
                }
            }
        }
        if let Ok(text) = std::str::from_utf8(data) {
            // Text handed over as a string is read as UTF-8 whatever its
            // declaration says; without an encoding label it can only be
            // stricter than the same bytes with no charset.
            if inspector.inspect_str(text).is_ok() && !text.contains("encoding") {
                assert!(
                    plain.is_ok(),
                    "inspect_str accepted what inspect rejected: {plain:?}"
                );
            }
        }
        if let Err(violation) = plain {
            // Locations are element paths; offsets stay inside the document
            // as inspected: transcoded input (UTF-16, a legacy single-byte
            // set) is reported against its UTF-8 form, up to three bytes
            // per input byte.
            assert!(violation.location().starts_with('/'));
            if let Some(offset) = violation.offset() {
                assert!(
                    offset <= data.len() * 3 + 4,
                    "offset {offset} past the input"
                );
            }
        }
    }
});
