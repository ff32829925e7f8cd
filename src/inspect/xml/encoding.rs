//! Which encoding an XML document is in, decided *before* tokenising.
//!
//! # Security
//!
//! quick-xml scans bytes as if they were ASCII-compatible. Fed UTF-16 or
//! UTF-32, it sees no `<!DOCTYPE` at all (every other byte is NUL), while a
//! Java parser auto-detects the encoding and reads the DTD. So the guard
//! decides the encoding the way XML 1.0 appendix F and the engine do (BOM,
//! then the byte pattern of `<?xml`, then the declaration), checks the HTTP
//! `charset` against it, and then either reads the text as UTF-8, transcodes
//! UTF-16 into UTF-8 and inspects that, or rejects. Every source that names
//! an encoding must agree; a disagreement is exactly where two parsers read
//! different documents.
//!
//! # Legacy single-byte encodings
//!
//! The policy may list [`LegacyEncoding`]s (`[xml] encodings`): ISO-8859-1
//! and windows-1252, the two that real Camunda models declare. They are
//! decoded here by tables that match the JDK's XML parser (Xerces, as
//! Camunda runs it) byte for byte, **not** by the WHATWG rules of
//! `encoding_rs`, which read the label `iso-8859-1` as windows-1252 and map
//! windows-1252's five unassigned bytes to C1 controls. A guard that decoded
//! as a browser does would inspect characters the engine never sees. The
//! labels are the ones Xerces accepts for each (`EncodingMap`, checked by
//! running the JDK's parser on every label listed here); any other label is
//! `xml-unsupported-encoding`. US-ASCII needs no policy entry: it is UTF-8
//! whose bytes are all below 0x80, and a byte at or above 0x80 is refused
//! as Xerces refuses it.

use std::borrow::Cow;

use encoding_rs::{UTF_16BE, UTF_16LE};

use crate::policy::LegacyEncoding;
use crate::violation::{Code, Violation};

/// An encoding family, as named by a BOM, a byte pattern or a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Utf8,
    /// US-ASCII: UTF-8 whose bytes must all be below 0x80.
    Ascii,
    Utf16Le,
    Utf16Be,
    /// `UTF-16` without an endianness: agrees with either.
    Utf16,
    /// A single-byte legacy encoding the policy allows.
    Legacy(LegacyEncoding),
}

/// windows-1252 bytes 0x80-0x9F (Microsoft's table, as the JDK's `Cp1252`
/// maps them); 0 marks the unassigned bytes.
const WINDOWS_1252_HIGH: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

impl LegacyEncoding {
    /// The character byte `b` stands for, or `None` when the byte has none.
    pub fn decode_byte(self, b: u8) -> Option<char> {
        match (self, b) {
            (_, 0..=0x7F) | (LegacyEncoding::Latin1, _) | (LegacyEncoding::Windows1252, 0xA0..) => {
                Some(char::from(b))
            }
            (LegacyEncoding::Windows1252, 0x80..=0x9F) => {
                match WINDOWS_1252_HIGH[usize::from(b - 0x80)] {
                    0 => None,
                    c => char::from_u32(u32::from(c)),
                }
            }
        }
    }

    /// `bytes` as text; on a byte without a character, its offset.
    fn decode(self, bytes: &[u8]) -> Result<Cow<'_, str>, usize> {
        let ascii = bytes.iter().position(|b| !b.is_ascii());
        let Some(first) = ascii else {
            // ASCII reads the same in both: no copy, offsets unchanged.
            return std::str::from_utf8(bytes)
                .map(Cow::Borrowed)
                .map_err(|e| e.valid_up_to());
        };
        let mut text = String::with_capacity(
            bytes
                .len()
                .saturating_add((bytes.len() - first).saturating_mul(2)),
        );
        text.extend(bytes[..first].iter().map(|&b| char::from(b)));
        for (i, &b) in bytes.iter().enumerate().skip(first) {
            text.push(self.decode_byte(b).ok_or(i)?);
        }
        Ok(Cow::Owned(text))
    }
}

/// What the first bytes say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    /// A family and the length of its byte order mark (0 for a pattern).
    Known(Family, usize),
    /// ASCII-compatible bytes (`<?xm` or anything without a pattern): the
    /// declaration or the default (UTF-8) decides.
    AsciiCompatible,
}

fn unsupported(what: &str) -> Violation {
    Violation::new(
        Code::XmlUnsupportedEncoding,
        "/",
        format!("XML in {what} is not accepted"),
    )
}

fn mismatch(message: &'static str) -> Violation {
    Violation::new(Code::XmlEncodingMismatch, "/", message)
}

fn sniff(bytes: &[u8]) -> Result<Sniffed, Violation> {
    let b = |i: usize| bytes.get(i).copied();
    Ok(match (b(0), b(1), b(2), b(3)) {
        (Some(0x00), Some(0x00), Some(0xFE), Some(0xFF))
        | (Some(0xFF), Some(0xFE), Some(0x00), Some(0x00)) => return Err(unsupported("UTF-32")),
        (Some(0xEF), Some(0xBB), Some(0xBF), _) => Sniffed::Known(Family::Utf8, 3),
        (Some(0xFE), Some(0xFF), _, _) => Sniffed::Known(Family::Utf16Be, 2),
        (Some(0xFF), Some(0xFE), _, _) => Sniffed::Known(Family::Utf16Le, 2),
        // UCS-4 in any byte order: `<` as a 32-bit unit.
        (Some(0x00), Some(0x00), Some(0x00), Some(0x3C))
        | (Some(0x3C), Some(0x00), Some(0x00), Some(0x00))
        | (Some(0x00), Some(0x00), Some(0x3C), Some(0x00))
        | (Some(0x00), Some(0x3C), Some(0x00), Some(0x00)) => return Err(unsupported("UTF-32")),
        // `<?` in UTF-16 without a BOM.
        (Some(0x00), Some(0x3C), Some(0x00), Some(0x3F)) => Sniffed::Known(Family::Utf16Be, 0),
        (Some(0x3C), Some(0x00), Some(0x3F), Some(0x00)) => Sniffed::Known(Family::Utf16Le, 0),
        // `<?xm` in EBCDIC.
        (Some(0x4C), Some(0x6F), Some(0xA7), Some(0x94)) => return Err(unsupported("EBCDIC")),
        _ => Sniffed::AsciiCompatible,
    })
}

/// Maps an encoding label (declaration or `charset`) to a family.
fn family(label: &str, legacy: &[LegacyEncoding]) -> Result<Family, Violation> {
    let label = label.trim_matches([' ', '\t']).to_ascii_lowercase();
    Ok(match label.as_str() {
        "utf-8" | "utf8" => Family::Utf8,
        // The labels Xerces maps to its ASCII reader.
        "us-ascii" | "ascii" | "iso646-us" | "ansi_x3.4-1968" | "ansi_x3.4-1986" | "ibm367"
        | "cp367" | "csascii" | "us" | "iso-ir-6" => Family::Ascii,
        "utf-16" | "utf16" | "ucs-2" => Family::Utf16,
        "utf-16le" => Family::Utf16Le,
        "utf-16be" => Family::Utf16Be,
        other => match LegacyEncoding::for_label(other) {
            Some(encoding) if legacy.contains(&encoding) => Family::Legacy(encoding),
            Some(encoding) => {
                return Err(Violation::new(
                    Code::XmlUnsupportedEncoding,
                    "/",
                    format!(
                        "XML in {} is not accepted by this policy ([xml] encodings)",
                        encoding.name()
                    ),
                ));
            }
            None => return Err(unsupported("this encoding")),
        },
    })
}

fn agree(a: Family, b: Family) -> bool {
    use Family::*;
    match (a, b) {
        (Utf16, Utf16 | Utf16Le | Utf16Be) | (Utf16Le | Utf16Be, Utf16) => true,
        (Utf8 | Ascii, Utf8 | Ascii) => true,
        _ => a == b,
    }
}

/// The value of `encoding="..."` in an XML declaration at the start of
/// `text`, if there is a declaration. Only ASCII is looked at: the
/// declaration is ASCII in every encoding this module reads.
fn declared_encoding(text: &[u8]) -> Result<Option<&str>, Violation> {
    let Some(rest) = text.strip_prefix(b"<?xml") else {
        return Ok(None);
    };
    if !matches!(rest.first(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        // `<?xml-stylesheet ...?>` and friends: not a declaration.
        return Ok(None);
    }
    // A declaration is short; a missing `?>` nearby is malformed anyway.
    let window = &rest[..rest.len().min(512)];
    let Some(end) = memchr::memmem::find(window, b"?>") else {
        return Err(Violation::new(
            Code::XmlMalformed,
            "/",
            "the XML declaration is not closed",
        ));
    };
    let decl = std::str::from_utf8(&window[..end])
        .map_err(|_| Violation::new(Code::XmlMalformed, "/", "the XML declaration is not ASCII"))?;
    let Some(at) = decl.find("encoding") else {
        return Ok(None);
    };
    let after = decl[at + "encoding".len()..].trim_start_matches([' ', '\t', '\r', '\n']);
    let after = after
        .strip_prefix('=')
        .map(|a| a.trim_start_matches([' ', '\t', '\r', '\n']));
    let value = after.and_then(|a| {
        let quote = a.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let inner = &a[1..];
        inner.find(quote).map(|end| &inner[..end])
    });
    match value {
        Some(v) if !v.is_empty() => Ok(Some(v)),
        _ => Err(Violation::new(
            Code::XmlMalformed,
            "/",
            "the XML declaration's encoding cannot be read",
        )),
    }
}

/// The document as UTF-8 text, plus the number of input bytes skipped in
/// front of it (a UTF-8 byte order mark), so offsets can be reported against
/// the input. `charset` is the HTTP `charset` parameter, if any; `legacy`
/// lists the single-byte encodings the policy decodes.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    charset: Option<&str>,
    legacy: &[LegacyEncoding],
) -> Result<(Cow<'a, str>, usize), Violation> {
    let sniffed = sniff(bytes)?;
    let charset = charset.map(|c| family(c, legacy)).transpose()?;

    let (family_of_bytes, bom) = match sniffed {
        Sniffed::Known(family, bom) => (Some(family), bom),
        Sniffed::AsciiCompatible => (None, 0),
    };
    let text: Cow<'a, str> = match family_of_bytes {
        Some(Family::Utf16Le | Family::Utf16Be) => {
            let encoding = if family_of_bytes == Some(Family::Utf16Le) {
                UTF_16LE
            } else {
                UTF_16BE
            };
            let Some(decoded) =
                encoding.decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            else {
                return Err(Violation::new(
                    Code::XmlMalformed,
                    "/",
                    "the UTF-16 text is not well formed",
                ));
            };
            decoded
        }
        _ => Cow::Borrowed(""),
    };

    // The declaration, read from the decoded text (UTF-16) or the raw bytes.
    let body: &[u8] = match &text {
        Cow::Owned(s) => s.as_bytes(),
        Cow::Borrowed(_) => &bytes[bom..],
    };
    let declared = declared_encoding(body)?
        .map(|label| family(label, legacy))
        .transpose()?;

    // Every named family must agree with every other.
    let named = [family_of_bytes, declared, charset];
    for (i, a) in named.iter().enumerate() {
        for b in &named[i + 1..] {
            if let (Some(a), Some(b)) = (a, b)
                && !agree(*a, *b)
            {
                return Err(mismatch(
                    "the byte order mark, XML declaration and charset disagree on the encoding",
                ));
            }
        }
    }
    // A bare `UTF-16` label on ASCII-compatible bytes: the engine would read
    // these bytes as UTF-16 and see a different document.
    if family_of_bytes.is_none()
        && named
            .iter()
            .flatten()
            .any(|f| matches!(f, Family::Utf16 | Family::Utf16Le | Family::Utf16Be))
    {
        return Err(mismatch("the document is declared UTF-16 but is not"));
    }

    if let Cow::Owned(s) = text {
        return Ok((Cow::Owned(s), bom));
    }
    let rest = &bytes[bom..];
    let effective = family_of_bytes
        .or(declared)
        .or(charset)
        .unwrap_or(Family::Utf8);
    match effective {
        Family::Legacy(encoding) => match encoding.decode(rest) {
            Ok(decoded) => Ok((decoded, bom)),
            Err(at) => Err(Violation::new(
                Code::XmlMalformed,
                "/",
                format!(
                    "byte 0x{:02X} stands for no character in {}",
                    rest.get(at).copied().unwrap_or(0),
                    encoding.name()
                ),
            )
            .at_offset(bom + at)),
        },
        Family::Ascii if !rest.is_ascii() => Err(mismatch(
            "the document is declared US-ASCII but holds other bytes",
        )),
        _ => match std::str::from_utf8(rest) {
            Ok(s) => Ok((Cow::Borrowed(s), bom)),
            Err(e) => {
                Err(
                    Violation::new(Code::XmlMalformed, "/", "the document is not valid UTF-8")
                        .at_offset(bom + e.valid_up_to()),
                )
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::test_util::utf16;

    fn code(bytes: &[u8], charset: Option<&str>) -> Result<String, &'static str> {
        decode(
            bytes,
            charset,
            &[LegacyEncoding::Latin1, LegacyEncoding::Windows1252],
        )
        .map(|(t, _)| t.into_owned())
        .map_err(|v| v.code().as_str())
    }

    #[test]
    fn utf8_and_ascii() {
        assert_eq!(code(b"<a/>", None).as_deref(), Ok("<a/>"));
        assert_eq!(code(b"\xEF\xBB\xBF<a/>", None).as_deref(), Ok("<a/>"));
        assert!(code(b"<?xml version='1.0' encoding='utf-8'?><a/>", Some("UTF-8")).is_ok());
        assert!(code(b"<?xml version=\"1.0\" encoding=\"US-ASCII\"?><a/>", None).is_ok());
        assert_eq!(
            code(
                "<?xml version='1.0' encoding='us-ascii'?><a>é</a>".as_bytes(),
                None
            ),
            Err("xml-encoding-mismatch")
        );
        assert_eq!(code(b"<a>\xff</a>", None), Err("xml-malformed"));
    }

    #[test]
    fn utf16_is_transcoded() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>é</a>";
        for (le, bom) in [(true, true), (false, true), (true, false), (false, false)] {
            assert_eq!(
                code(&utf16(doc, le, bom), None).as_deref(),
                Ok(doc),
                "le={le} bom={bom}"
            );
        }
        assert!(code(&utf16("<a/>", true, true), Some("utf-16")).is_ok());
        assert!(code(&utf16("<a/>", true, true), Some("utf-16le")).is_ok());
    }

    #[test]
    fn disagreements() {
        let le = utf16("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>", true, true);
        assert_eq!(code(&le, None), Err("xml-encoding-mismatch"));
        assert_eq!(
            code(&utf16("<a/>", true, true), Some("utf-8")),
            Err("xml-encoding-mismatch")
        );
        assert_eq!(
            code(&utf16("<a/>", false, true), Some("utf-16le")),
            Err("xml-encoding-mismatch")
        );
        assert_eq!(
            code(b"<?xml version='1.0' encoding='UTF-16'?><a/>", None),
            Err("xml-encoding-mismatch")
        );
        assert_eq!(
            code(b"\xEF\xBB\xBF<a/>", Some("windows-1252")),
            Err("xml-encoding-mismatch")
        );
        assert_eq!(code(b"<a/>", Some("utf-16")), Err("xml-encoding-mismatch"));
    }

    #[test]
    fn unsupported_encodings() {
        let utf32le: Vec<u8> = "<a/>"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let utf32be: Vec<u8> = "<a/>"
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        for bytes in [
            utf32le.clone(),
            utf32be.clone(),
            [&[0xFF, 0xFE, 0, 0][..], &utf32le].concat(),
            [&[0, 0, 0xFE, 0xFF][..], &utf32be].concat(),
            vec![0x4C, 0x6F, 0xA7, 0x94, 0x93],
            b"<?xml version='1.0' encoding='UTF-7'?><a/>".to_vec(),
            b"<?xml version='1.0' encoding='ISO-8859-5'?><a/>".to_vec(),
            b"<?xml version='1.0' encoding='x-made-up'?><a/>".to_vec(),
        ] {
            assert_eq!(
                code(&bytes, None),
                Err("xml-unsupported-encoding"),
                "{bytes:?}"
            );
        }
        // Near miss: a legacy encoding the policy lists is decoded.
        assert_eq!(
            code(
                b"<?xml version='1.0' encoding='windows-1252'?><a>\xe9</a>",
                None
            )
            .as_deref(),
            Ok("<?xml version='1.0' encoding='windows-1252'?><a>é</a>")
        );
    }
}
