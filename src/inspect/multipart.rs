//! `multipart/form-data` (RFC 7578), split strictly into parts.
//!
//! Camunda deployments carry their BPMN, DMN and CMMN files as parts, and
//! variable uploads carry typed data; each part goes to the inspector for
//! its type. The split is strict because the engine's parser and the guard
//! must agree on where each part starts and ends: anything but white space
//! before the first boundary or after the last is refused, as are parts
//! without `Content-Disposition: form-data`, transfer encodings (which some
//! servers decode and some do not), repeated part headers, and a filename
//! given two ways.
//!
//! Nothing here is percent-decoded. The only percent-encoding
//! commons-fileupload decodes in part headers is RFC 2231/5987's
//! `name*`/`filename*` (1.6 and 2.x; 1.6's decoder even turns `%zz` into a
//! byte), and the guard refuses those parameters outright (see `names`),
//! which no decoding can get past. A `%` in a plain `name` or `filename` is
//! data to the engine and to the guard alike.

use crate::violation::{Code, Violation};

/// One part, borrowed from the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part<'a> {
    /// The form field name.
    pub(crate) name: String,
    /// The file name, if the part is a file.
    pub(crate) filename: Option<String>,
    /// The part's `Content-Type` value, if given.
    pub(crate) content_type: Option<&'a str>,
    /// The part's bytes.
    pub(crate) body: &'a [u8],
    /// Offset of the part's bytes in the whole body.
    pub(crate) offset: usize,
}

fn malformed(at: usize, message: &'static str) -> Violation {
    Violation::new(Code::MultipartMalformed, "body", message).at_offset(at)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Java's `Character.isWhitespace`, which commons-fileupload's
/// `ParameterParser` trims parameter names and values with: ASCII white
/// space, the separators U+001C..U+001F, and the Unicode space, line and
/// paragraph separators except the non-breaking ones.
fn is_java_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | '\u{1c}'..='\u{20}'
            | '\u{1680}'
            | '\u{2000}'..='\u{2006}'
            | '\u{2008}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// Java's `String.trim()`: every char up to U+0020 at both ends, which
/// commons-fileupload applies to field and file names after parsing.
pub(crate) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Whether `raw` has non-ASCII Java white space (U+2028, U+3000, ...) at
/// an end, where `ParameterParser` trims it only if the server decoded the
/// part headers as UTF-8 (the platform's default charset decides).
fn has_unicode_space_at_an_end(raw: &str) -> bool {
    let ascii = |c: char| c.is_ascii() && is_java_whitespace(c);
    let t = raw.trim_matches(ascii);
    t.starts_with(|c: char| !c.is_ascii() && is_java_whitespace(c))
        || t.ends_with(|c: char| !c.is_ascii() && is_java_whitespace(c))
}

/// `ParameterParser.getToken`: Java white space trimmed, then one pair of
/// surrounding quotes stripped from a value; empty is no value.
fn token(raw: &str, quoted: bool) -> Option<&str> {
    let mut t = raw.trim_matches(is_java_whitespace);
    if quoted && t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        t = &t[1..t.len() - 1];
    }
    (!t.is_empty()).then_some(t)
}

/// `Content-Disposition` parameters exactly as commons-fileupload's
/// `ParameterParser` splits them (`;` separated, the disposition type being
/// the first, value-less, parameter): names trimmed and lower-cased; a
/// value runs to the next `;` outside double quotes, a `"` preceded by `\`
/// does not toggle quoting, and one pair of surrounding quotes is stripped
/// *without* unescaping anything inside.
///
/// # Security
///
/// Camunda hands these names to its own code, so the guard reads them with
/// the engine's rules rather than RFC 7578's: a guard that unescaped `\"`,
/// or trimmed differently, would check another name than the one the
/// engine acts on.
fn disposition_params(value: &str) -> Result<Vec<(String, Option<&str>)>, &'static str> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let name_end = rest.find(['=', ';']).unwrap_or(rest.len());
        if has_unicode_space_at_an_end(&rest[..name_end]) {
            return Err("non-ASCII white space around a Content-Disposition parameter");
        }
        let name = token(&rest[..name_end], false);
        rest = &rest[name_end..];
        let mut param_value = None;
        if let Some(after) = rest.strip_prefix('=') {
            let mut quoted = false;
            let mut escaped = false;
            let mut end = after.len();
            for (i, c) in after.char_indices() {
                if !quoted && c == ';' {
                    end = i;
                    break;
                }
                if !escaped && c == '"' {
                    quoted = !quoted;
                }
                escaped = !escaped && c == '\\';
            }
            if has_unicode_space_at_an_end(&after[..end]) {
                return Err("non-ASCII white space around a Content-Disposition parameter");
            }
            param_value = token(&after[..end], true);
            rest = &after[end..];
        }
        rest = rest.strip_prefix(';').unwrap_or(rest);
        if let Some(name) = name {
            out.push((name.to_lowercase(), param_value));
        }
    }
    Ok(out)
}

/// Splits `body` at `boundary` into at most `max_parts` parts.
pub(crate) fn parse<'a>(
    body: &'a [u8],
    boundary: &str,
    max_parts: usize,
) -> Result<Vec<Part<'a>>, Violation> {
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(malformed(
            0,
            "the multipart boundary is missing or too long",
        ));
    }
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let next_delimiter = [b"\r\n".as_slice(), delimiter].concat();
    let finder = memchr::memmem::Finder::new(&next_delimiter);

    // Only white space may precede the first boundary.
    let start = body
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(body.len());
    if !body[start..].starts_with(delimiter) {
        return Err(malformed(
            start,
            "the body does not start with the boundary",
        ));
    }
    let mut pos = start + delimiter.len();
    let mut parts = Vec::new();
    loop {
        if body[pos..].starts_with(b"--") {
            // The close delimiter; only white space may follow.
            let rest = &body[pos + 2..];
            if let Some(i) = rest.iter().position(|&b| !is_space(b)) {
                return Err(malformed(pos + 2 + i, "data after the last boundary"));
            }
            return Ok(parts);
        }
        // Transport padding, then the line break that ends the boundary line.
        while matches!(body.get(pos), Some(b' ' | b'\t')) {
            pos += 1;
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err(malformed(pos, "the boundary line does not end"));
        }
        pos += 2;
        if parts.len() == max_parts {
            return Err(Violation::new(
                Code::MultipartTooManyParts,
                "body",
                format!("more than {max_parts} parts"),
            )
            .at_offset(pos));
        }
        let header_end = memchr::memmem::find(&body[pos..], b"\r\n\r\n")
            .map(|i| pos + i)
            .or_else(|| {
                body[pos..]
                    .starts_with(b"\r\n")
                    .then_some(pos.saturating_sub(2))
            })
            .ok_or_else(|| malformed(pos, "part headers do not end"))?;
        let headers = if header_end >= pos {
            &body[pos..header_end]
        } else {
            &[][..]
        };
        let content_start = header_end + 4;
        let content_end = finder
            .find(&body[content_start.min(body.len())..])
            .map(|i| content_start + i)
            .ok_or_else(|| malformed(content_start, "a part does not end with the boundary"))?;
        parts.push(part(
            headers,
            pos,
            &body[content_start..content_end],
            content_start,
        )?);
        pos = content_end + next_delimiter.len();
    }
}

fn part<'a>(
    headers: &'a [u8],
    at: usize,
    body: &'a [u8],
    offset: usize,
) -> Result<Part<'a>, Violation> {
    let headers =
        std::str::from_utf8(headers).map_err(|_| malformed(at, "part headers are not UTF-8"))?;
    let mut disposition = None;
    let mut content_type = None;
    // commons-fileupload's `MultipartStream.readHeaders` looks for the blank
    // line with a matcher that does not restart on a mismatching `\r`: after
    // `\r\r\n\r\n` it reads on into the part's content, which then starts
    // elsewhere than the guard's. A `\r` outside a line break is refused, so
    // both find the same end.
    if headers.contains("\r") && headers.split("\r\n").any(|l| l.contains('\r')) {
        return Err(malformed(
            at,
            "a carriage return outside a line break in part headers",
        ));
    }
    for line in headers.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| malformed(at, "a part header without `:`"))?;
        // The engine trims names with Java's `trim()` and takes the first of
        // repeated headers: `\x0bContent-Disposition` would be a header the
        // guard skips and the engine reads. Names with blanks or controls
        // (continuation lines among them) are refused.
        if name.is_empty() || name.bytes().any(|b| b <= b' ' || b == 0x7f) {
            return Err(malformed(at, "a malformed part header name"));
        }
        // Values are trimmed as the engine trims them: every char up to
        // U+0020 at both ends.
        let value = java_trim(value);
        let slot = if name.eq_ignore_ascii_case("content-disposition") {
            &mut disposition
        } else if name.eq_ignore_ascii_case("content-type") {
            &mut content_type
        } else if name.eq_ignore_ascii_case("content-transfer-encoding") {
            if !matches!(
                value.to_ascii_lowercase().as_str(),
                "7bit" | "8bit" | "binary"
            ) {
                return Err(malformed(at, "transfer-encoded parts are not accepted"));
            }
            continue;
        } else {
            continue;
        };
        if slot.replace(value).is_some() {
            return Err(malformed(at, "a part header given twice"));
        }
    }
    let disposition =
        disposition.ok_or_else(|| malformed(at, "a part without Content-Disposition"))?;
    let (name, filename) = names(disposition).map_err(|message| malformed(at, message))?;
    Ok(Part {
        name: name.ok_or_else(|| malformed(at, "a part without a name"))?,
        filename,
        content_type,
        body,
        offset,
    })
}

/// The field name and file name of a part as Camunda sees them: read by
/// commons-fileupload (see [`disposition_params`]), then trimmed with Java's
/// `String.trim()`, so `name="type "` is the `type` field and
/// `filename="p.bpmn\t"` the resource `p.bpmn`.
///
/// # Security
///
/// What the versions of commons-fileupload in use read differently is
/// refused rather than guessed at:
/// * `name*`/`filename*` (RFC 2231/5987): 1.4 and 1.5 ignore them, 1.6 and
///   2.x percent-decode them and let them replace `name`/`filename`;
/// * `=?charset?B?...?=` words (RFC 2047), which it decodes in values, so
///   that `name="=?UTF-8?B?dHlwZQ==?="` is the `type` field;
/// * a name or file name given twice (its `HashMap` keeps the last);
/// * non-ASCII white space (U+2028, U+3000, ...) at the ends of a raw
///   parameter: it trims it there only when the server decodes part headers
///   as UTF-8, which depends on the platform's default charset (inside the
///   quotes, or amid a name, it is kept either way and allowed);
/// * a disposition type other than `form-data`, or one with a value.
fn names(disposition: &str) -> Result<(Option<String>, Option<String>), &'static str> {
    let params = disposition_params(disposition)?;
    match params.first() {
        Some((kind, None)) if kind == "form-data" => {}
        _ => return Err("a part that is not form-data"),
    }
    let mut name = None;
    let mut filename = None;
    for (key, value) in &params[1..] {
        let slot = match key.as_str() {
            "name" => &mut name,
            "filename" => &mut filename,
            "name*" | "filename*" => {
                return Err("an extended (RFC 2231) name or file name");
            }
            _ => continue,
        };
        if value.is_some_and(|v| v.contains("=?")) {
            return Err("an encoded word (RFC 2047) in a name or file name");
        }
        if slot.replace(*value).is_some() {
            return Err("a Content-Disposition parameter given twice");
        }
    }
    // A `filename` without a value is an empty file name to the engine; a
    // `name` without one is no name.
    let name = name.flatten().map(|n| java_trim(n).to_owned());
    let filename = filename.map(|f| java_trim(f.unwrap_or_default()).to_owned());
    Ok((name, filename))
}

// Test module: unwraps here are test failures on fixed inputs, not request paths.
#[cfg(test)]
mod tests {
    use super::*;

    /// What the item's documentation promises.
    #[test]
    fn parse_documented() -> Result<(), crate::Violation> {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\ninvoice\r\n\
                     --b\r\nContent-Disposition: form-data; name=\"data\"; filename=\"invoice.bpmn\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n<definitions/>\r\n--b--\r\n";
        let parts = parse(body, "b", 10).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].filename.as_deref(), Some("invoice.bpmn"));
        assert_eq!(parts[1].body, b"<definitions/>");
        Ok(())
    }

    fn body(parts: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for p in parts {
            out.extend_from_slice(b"--XyZ\r\n");
            out.extend_from_slice(p.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"--XyZ--\r\n");
        out
    }

    #[test]
    fn splits_parts() {
        let b = body(&[
            "Content-Disposition: form-data; name=\"a\"\r\n\r\nvalue with --XyZ inside",
            "Content-Disposition: form-data; name=\"f\"; filename=\"r\u{e9}sum\u{e9}.bpmn\"\r\nContent-Type: text/xml; charset=utf-8\r\n\r\n<x/>",
            "content-disposition: FORM-DATA; name=empty\r\n\r\n",
        ]);
        let parts = parse(&b, "XyZ", 10).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].body, b"value with --XyZ inside");
        assert_eq!(parts[1].filename.as_deref(), Some("r\u{e9}sum\u{e9}.bpmn"));
        assert_eq!(parts[1].content_type, Some("text/xml; charset=utf-8"));
        assert_eq!(parts[2].name, "empty");
        assert_eq!(parts[2].body, b"");
    }

    /// Names as commons-fileupload reads them: `ParameterParser`, then
    /// Java's `String.trim()`.
    #[test]
    fn names_read_as_commons_fileupload_reads_them() {
        let cases: &[(&str, Option<&str>, Option<&str>)] = &[
            ("form-data; name=\"type \"", Some("type"), None),
            ("form-data; name=\" type\"", Some("type"), None),
            ("form-data; name=\"type\t\"", Some("type"), None),
            ("form-data; name=\"\u{1}type\u{1f}\"", Some("type"), None),
            (
                "form-data; name=type ; filename = p.bpmn ",
                Some("type"),
                Some("p.bpmn"),
            ),
            (
                "form-data; name=\"a\"; filename=\"p.bpmn\u{b}\"",
                Some("a"),
                Some("p.bpmn"),
            ),
            (
                "form-data; name=\"a\"; filename=\"p.bpmn \u{0}\"",
                Some("a"),
                Some("p.bpmn"),
            ),
            (
                "form-data; NAME=\"a\"; FileName=\"x\"",
                Some("a"),
                Some("x"),
            ),
            // Backslashes are kept, quotes inside are not unescaped.
            ("form-data; name=\"a\\\"b\"", Some("a\\\"b"), None),
            // `;` inside quotes belongs to the value.
            ("form-data; name=\"a;b\"", Some("a;b"), None),
            ("form-data; name=\"a\"; filename", Some("a"), Some("")),
            ("form-data; name=\"a\"; filename=\"\"", Some("a"), Some("")),
            // Plain values are not percent-decoded, by the engine or here.
            ("form-data; name=\"%74ype\"", Some("%74ype"), None),
            (
                "form-data; name=\"a\"; filename=\"%+f.bpmn\"",
                Some("a"),
                Some("%+f.bpmn"),
            ),
            // U+0085 and U+00A0 are not white space to Java: kept.
            ("form-data; name=\"type\u{85}\"", Some("type\u{85}"), None),
            ("form-data; name=\"type\u{a0}\"", Some("type\u{a0}"), None),
            ("form-data; name=\"type\u{7f}\"", Some("type\u{7f}"), None),
            // Non-ASCII white space inside quotes or amid a name is kept.
            (
                "form-data; name=\"type\u{2028}\"",
                Some("type\u{2028}"),
                None,
            ),
            (
                "form-data; name=\"a\"; filename=\u{8acb}\u{3000}v2.bpmn",
                Some("a"),
                Some("\u{8acb}\u{3000}v2.bpmn"),
            ),
        ];
        for &(value, name, filename) in cases {
            let got = names(value).unwrap_or_else(|e| panic!("{value:?}: {e}"));
            assert_eq!(
                (got.0.as_deref(), got.1.as_deref()),
                (name, filename),
                "{value:?}"
            );
        }
    }

    #[test]
    fn refuses_ambiguity() {
        let ok = "Content-Disposition: form-data; name=\"a\"\r\n\r\n1";
        let cases: Vec<Vec<u8>> = vec![
            [b"preamble\r\n".as_slice(), &body(&[ok])].concat(),
            [body(&[ok]), b"epilogue".to_vec()].concat(),
            body(&[
                "Content-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n1",
            ]),
            body(&["Content-Disposition: attachment; name=\"a\"\r\n\r\n1"]),
            body(&["Content-Type: text/plain\r\n\r\n1"]),
            body(&[
                "Content-Disposition: form-data; name=\"a\"\r\nContent-Transfer-Encoding: base64\r\n\r\nMQ==",
            ]),
            body(&[
                "Content-Disposition: form-data; name=\"a\"; filename=\"x\"; filename*=UTF-8''y\r\n\r\n1",
            ]),
            body(&["Content-Disposition: form-data; name=\"a\"; name=\"b\"\r\n\r\n1"]),
            body(&["Content-Disposition: form-data; filename=\"x\"\r\n\r\n1"]),
            body(&["Content-Disposition: form-data; name=\"\"\r\n\r\n1"]),
            body(&["Content-Disposition: form-data; name=\"a\"; filename*=UTF-8''y\r\n\r\n1"]),
            body(&["Content-Disposition: form-data; name*=UTF-8''type\r\n\r\n1"]),
            // Extended values are refused whatever their escapes hold; a
            // lenient decoder would read `%+f` as a byte.
            body(&[
                "Content-Disposition: form-data; name=\"a\"; filename*=UTF-8''%+fx.bpmn\r\n\r\n1",
            ]),
            body(&["Content-Disposition: form-data; name*=UTF-8''%74ype\r\n\r\n1"]),
            body(&["Content-Disposition: form-data; name=\"=?UTF-8?B?dHlwZQ==?=\"\r\n\r\n1"]),
            body(&["Content-Disposition: form-data; name=type\u{2028}\r\n\r\n1"]),
            body(&["Content-Disposition: form-data; \u{3000}name=\"type\"\r\n\r\n1"]),
            body(&["Content-Disposition: form-data; name=\"a\"\r\r\n\r\n1"]),
            body(&["\u{b}Content-Disposition: form-data; name=\"a\"\r\n\r\n1"]),
            body(&["Content-Disposition: form-data=x; name=\"a\"\r\n\r\n1"]),
            body(&["Content-Disposition: form-data; name=\"a\"; NAME=\"b\"\r\n\r\n1"]),
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end".to_vec(),
        ];
        for (i, case) in cases.iter().enumerate() {
            assert!(
                parse(case, "XyZ", 10).is_err(),
                "case {i}: {}",
                String::from_utf8_lossy(case)
            );
        }
        assert_eq!(
            parse(&body(&[ok, ok, ok]), "XyZ", 2).unwrap_err().code(),
            Code::MultipartTooManyParts
        );
        assert!(parse(&body(&[ok, ok]), "XyZ", 2).is_ok());
    }
}
