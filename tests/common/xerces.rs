//! The one-byte documents of the legacy-encoding comparison with the JDK's
//! XML parser (`tests/engine/XmlEncodings.java`): how they are written, and
//! what a parser reports of their one character.

use input_guard::inspect::xml::LegacyEncoding;
use input_guard::policy::XmlPolicy;

/// Where the byte under test stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// `<a>B</a>`
    Text,
    /// `<a x="B"/>`
    Attr,
}

/// The document the Java oracle parses for `byte` in `context`:
/// `<?xml version="1.0" encoding="LABEL"?>` and the element.
pub fn document(label: &str, context: Context, byte: u8) -> Vec<u8> {
    let head = format!("<?xml version=\"1.0\" encoding=\"{label}\"?>");
    let (open, close): (&[u8], &[u8]) = match context {
        Context::Text => (b"<a>", b"</a>"),
        Context::Attr => (b"<a x=\"", b"\"/>"),
    };
    [head.as_bytes(), open, &[byte], close].concat()
}

/// The value the guard reads from a decoded oracle document, normalised as
/// an XML parser reports it (line ends, attribute white space).
pub fn value_read(decoded: &str, context: Context) -> Option<Vec<u32>> {
    let (_, after) = decoded.split_once("?>")?;
    let raw = match context {
        Context::Text => after.strip_prefix("<a>")?.strip_suffix("</a>")?,
        Context::Attr => after.strip_prefix("<a x=\"")?.strip_suffix("\"/>")?,
    };
    Some(
        raw.chars()
            .map(|c| match (context, c) {
                (Context::Text, '\r') => 0x0A,
                (Context::Attr, '\t' | '\r' | '\n') => 0x20,
                _ => u32::from(c),
            })
            .collect(),
    )
}

/// The default XML policy with the two legacy encodings it can read listed:
/// ISO-8859-1 and windows-1252.
pub fn legacy_policy() -> XmlPolicy {
    let mut policy = XmlPolicy::default();
    policy.encodings = vec![LegacyEncoding::Latin1, LegacyEncoding::Windows1252];
    policy
}
