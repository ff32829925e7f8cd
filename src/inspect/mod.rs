//! Inspectors: pure functions over request bytes.
//!
//! Each inspector reads one kind of input in a single pass and reports the
//! first [`Violation`](crate::Violation) it finds. The [`Guard`](crate::Guard)
//! picks the inspector from the request's `Content-Type`.

pub mod compression;
pub mod json;
pub mod media_type;
pub mod multipart;
pub mod path;
pub mod query;
pub mod xml;

/// The value of one hex digit (percent-encoding in paths and queries).
pub(crate) fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The byte a `%XX` escape at `at` (the `%`) stands for.
pub(crate) fn percent_byte(bytes: &[u8], at: usize) -> Option<u8> {
    let high = hex_digit(*bytes.get(at + 1)?)?;
    let low = hex_digit(*bytes.get(at + 2)?)?;
    Some(high << 4 | low)
}

/// Helpers shared by the inspectors' unit tests.
#[cfg(test)]
pub(crate) mod test_util {
    /// `s` in UTF-16, little- or big-endian, with or without a BOM.
    pub(crate) fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend_from_slice(if le { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for unit in s.encode_utf16() {
            out.extend_from_slice(&if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        out
    }
}
