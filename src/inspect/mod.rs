//! Inspectors: pure functions over request bytes.
//!
//! Each inspector reads one kind of input in a single pass and reports the
//! first [`Violation`](crate::Violation) it finds. The [`Guard`](crate::Guard)
//! picks the inspector from the request's `Content-Type`.
//!
//! ```
//! use input_guard::{Code, Guard, Policy};
//!
//! let guard = Guard::new(Policy::default())?;
//!
//! // The inspectors on their own, over bytes:
//! let json = guard.json().inspect(br#"{"a": [1, 2,]}"#, None);
//! assert_eq!(json.map_err(|v| v.code()), Err(Code::JsonMalformed));
//! let xml = guard.xml().inspect(b"<a><b></a>", None);
//! assert_eq!(xml.map_err(|v| v.code()), Err(Code::XmlMalformed));
//!
//! // The guard, choosing by Content-Type:
//! let (head, ()) = http::Request::post("/engine-rest/message")
//!     .header("content-type", "application/xml; charset=utf-8")
//!     .body(())?
//!     .into_parts();
//! let verdict = guard.check(&head, b"<!DOCTYPE a><a/>");
//! assert_eq!(verdict.violation().map(|v| v.code()), Some(Code::XmlDoctype));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod compression;
pub mod json;
pub(crate) mod multipart;
pub(crate) mod path;
pub(crate) mod percent;
pub(crate) mod query;
pub mod xml;

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
