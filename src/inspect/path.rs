//! Request paths, read the way a servlet container reads them.
//!
//! # Security
//!
//! Route rules are only as good as the path they match. Tomcat and Jetty
//! strip `;name=value` path parameters from every segment, percent-decode
//! and merge `//` before the application (Camunda's JAX-RS resources) sees
//! the path. A guard that matched the raw text would let
//! `/engine-rest//task`, `/engine-rest/task;jsessionid=1` or
//! `/engine-rest/%74ask` past a rule for `/engine-rest/task`. So the path is
//! normalised the same way first, and forms that the layers of the engine's
//! stack read differently from each other are refused rather than guessed
//! at: an encoded `/`, `\` or `;`, bytes that do not decode to UTF-8,
//! control characters, and dot segments.
//!
//! Dot segments (`.` and `..`, raw, percent-encoded or with path
//! parameters such as `.;x`) are refused, not resolved: Tomcat resolves them
//! for its own servlet mapping, but RESTEasy matches resources on the raw
//! request URI, so `/engine-rest/engine/./task` is the task list of an
//! engine named `.` to Camunda while a resolving guard would read
//! `/engine-rest/engine/task`. No client needs to send them.

use std::borrow::Cow;

use super::percent::{self, Unit};
use crate::violation::{Code, Violation};

fn invalid(message: &'static str) -> Violation {
    Violation::new(Code::PathInvalid, "path", message)
}

/// Percent-decodes one path segment (no `+` rule in paths) with the strict
/// decoder: `%` and exactly two hex digits.
fn decode_segment(segment: &str, out: &mut Vec<u8>) -> Result<(), Violation> {
    for unit in percent::units(segment.as_bytes()) {
        match unit.map_err(|_| invalid("malformed percent-encoding in the path"))? {
            // Encoded separators are read as separators by some containers
            // and as data by others.
            Unit::Escaped(b'/' | b'\\' | b';') => {
                return Err(invalid("encoded `/`, `\\` or `;` in the path"));
            }
            Unit::Literal(b'\\') => return Err(invalid("`\\` in the path")),
            Unit::Literal(b) | Unit::Escaped(b) => out.push(b),
        }
    }
    Ok(())
}

/// The path as the application sees it: path parameters stripped,
/// percent-decoded, `//` merged, no trailing slash (except for `/` itself);
/// dot segments refused.
pub(crate) fn normalize(raw: &str) -> Result<Cow<'_, str>, Violation> {
    if !raw.starts_with('/') {
        return Err(invalid("the path must start with `/`"));
    }
    // Most paths are already normal: nothing to decode, strip or resolve.
    let plain = raw
        .bytes()
        .all(|b| b > 0x20 && !matches!(b, b'%' | b';' | b'\\' | 0x7f))
        && !raw.contains("//")
        && !raw.contains("/.")
        && (raw.len() == 1 || !raw.ends_with('/'));
    if plain {
        return Ok(Cow::Borrowed(raw));
    }
    let mut segments: Vec<String> = Vec::new();
    let mut buf = Vec::new();
    for segment in raw.split('/') {
        // `;name=value` path parameters belong to the segment, not the path.
        let segment = segment.split(';').next().unwrap_or_default();
        buf.clear();
        decode_segment(segment, &mut buf)?;
        let decoded =
            std::str::from_utf8(&buf).map_err(|_| invalid("the path does not decode to UTF-8"))?;
        if decoded.chars().any(char::is_control) {
            return Err(invalid("control character in the path"));
        }
        match decoded {
            "" => {}
            "." | ".." => return Err(invalid("a dot segment in the path")),
            _ => segments.push(decoded.to_owned()),
        }
    }
    let mut out = String::with_capacity(raw.len());
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() {
        out.push('/');
    }
    Ok(Cow::Owned(out))
}

// Test module: unwraps here are test failures on fixed inputs, not request paths.
#[cfg(test)]
mod tests {
    use super::*;

    /// What the item's documentation promises.
    #[test]
    fn normalize_documented() -> Result<(), crate::Violation> {
        assert_eq!(normalize("/engine-rest//task/")?, "/engine-rest/task");
        assert_eq!(
            normalize("/engine-rest/task;jsessionid=1")?,
            "/engine-rest/task"
        );
        assert_eq!(normalize("/engine-rest/%74ask")?, "/engine-rest/task");
        assert!(normalize("/engine-rest/x/../task").is_err());
        assert!(normalize("/engine-rest/engine/%2e/task").is_err());
        assert!(normalize("/engine-rest/..%2ftask").is_err());
        Ok(())
    }

    #[test]
    fn normalizes() {
        let cases = [
            ("/", "/"),
            ("//", "/"),
            ("/engine-rest/task", "/engine-rest/task"),
            ("/engine-rest/task/", "/engine-rest/task"),
            ("/engine-rest//task", "/engine-rest/task"),
            ("//engine-rest///task//", "/engine-rest/task"),
            ("/engine-rest/.well-known/x", "/engine-rest/.well-known/x"),
            ("/engine-rest/...", "/engine-rest/..."),
            ("/engine-rest/x.", "/engine-rest/x."),
            ("/engine-rest;v=1/task;jsessionid=ABC", "/engine-rest/task"),
            ("/engine-rest/%74%61sk", "/engine-rest/task"),
            ("/engine-rest/%2Bf", "/engine-rest/+f"),
            ("/engine-rest/+f", "/engine-rest/+f"),
            (
                "/engine-rest/process-definition/key/%C3%A9",
                "/engine-rest/process-definition/key/é",
            ),
        ];
        for (raw, expected) in cases {
            assert_eq!(normalize(raw).as_deref(), Ok(expected), "{raw}");
        }
    }

    #[test]
    fn refuses_ambiguous_paths() {
        for raw in [
            "engine-rest/task",
            "/engine-rest/..%2ftask",
            "/engine-rest%2Ftask",
            "/engine-rest%5ctask",
            "/engine-rest\\task",
            "/engine-rest/task%3Bx=1",
            "/..",
            "/engine-rest/../../etc",
            "/engine-rest/%ZZ",
            "/engine-rest/%4",
            // Signs and blanks are not hex digits (`from_str_radix` and
            // Java's `Integer.parseInt` take `+f`).
            "/engine-rest/%+f",
            "/engine-rest/%-1",
            "/engine-rest/% f",
            "/engine-rest/%+2f",
            "/engine-rest/%+2e%+2e/task",
            "/engine-rest/%FF",
            "/engine-rest/%00",
            "/engine-rest/%0a",
            "/engine-rest/./task",
            "/engine-rest/engine/./task",
            "/engine-rest/engine/%2e/task",
            "/engine-rest/engine/%2E/task",
            "/engine-rest/engine/.;x/task",
            "/engine-rest/filter/./list",
            "/engine-rest/a/b/../../task",
            "/engine-rest/%2e%2e/engine-rest/task",
            "/engine-rest/x/.%2e/task",
            "/engine-rest/task/.",
            "/engine-rest/task/..",
            "/.",
        ] {
            assert!(normalize(raw).is_err(), "{raw}");
        }
    }
}
