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

use crate::violation::{Code, Violation};

/// One part, borrowed from the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// The form field name.
    pub name: String,
    /// The file name, if the part is a file.
    pub filename: Option<String>,
    /// The part's `Content-Type` value, if given.
    pub content_type: Option<&'a str>,
    /// The part's bytes.
    pub body: &'a [u8],
    /// Offset of the part's bytes in the whole body.
    pub offset: usize,
}

fn malformed(at: usize, message: &'static str) -> Violation {
    Violation::new(Code::MultipartMalformed, "body", message).at_offset(at)
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Reads `name=value` parameters after the first `;` of a header value.
/// Values are tokens or quoted strings (with `\` escapes).
fn params(value: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut rest = value.split_once(';').map_or("", |(_, r)| r);
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        if rest.is_empty() {
            return Some(out);
        }
        let (name, after) = rest.split_once('=')?;
        let name = name.trim().to_ascii_lowercase();
        let after = after.trim_start_matches([' ', '\t']);
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let end = loop {
                match chars.next()? {
                    (_, '\\') => value.push(chars.next()?.1),
                    (i, '"') => break i,
                    (_, c) => value.push(c),
                }
            };
            (value, &quoted[end + 1..])
        } else {
            let end = after.find(';').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        out.push((name, value));
        let tail = tail.trim_start_matches([' ', '\t']);
        rest = match tail.strip_prefix(';') {
            Some(r) => r,
            None if tail.is_empty() => "",
            None => return None,
        };
    }
}

/// RFC 5987 `filename*=UTF-8''name%20with%20spaces`.
fn extended_value(value: &str) -> Option<String> {
    let (charset, rest) = value.split_once('\'')?;
    let (_language, encoded) = rest.split_once('\'')?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = encoded.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Splits `body` at `boundary` into at most `max_parts` parts.
///
/// ```
/// use input_guard::inspect::multipart::parse;
///
/// let body = b"--b\r\nContent-Disposition: form-data; name=\"deployment-name\"\r\n\r\ninvoice\r\n\
///              --b\r\nContent-Disposition: form-data; name=\"data\"; filename=\"invoice.bpmn\"\r\n\
///              Content-Type: application/octet-stream\r\n\r\n<definitions/>\r\n--b--\r\n";
/// let parts = parse(body, "b", 10).unwrap();
/// assert_eq!(parts.len(), 2);
/// assert_eq!(parts[1].filename.as_deref(), Some("invoice.bpmn"));
/// assert_eq!(parts[1].body, b"<definitions/>");
/// ```
pub fn parse<'a>(
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
    for line in headers.split("\r\n").filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| malformed(at, "a part header without `:`"))?;
        if name.is_empty() || name.contains([' ', '\t']) {
            return Err(malformed(at, "a malformed part header name"));
        }
        let value = value.trim_matches([' ', '\t']);
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
    let kind = disposition.split(';').next().unwrap_or_default().trim();
    if !kind.eq_ignore_ascii_case("form-data") {
        return Err(malformed(at, "a part that is not form-data"));
    }
    let params =
        params(disposition).ok_or_else(|| malformed(at, "an unreadable Content-Disposition"))?;
    let mut name = None;
    let mut filename = None;
    let mut filename_ext = None;
    for (key, value) in params {
        let slot = match key.as_str() {
            "name" => &mut name,
            "filename" => &mut filename,
            "filename*" => &mut filename_ext,
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(malformed(at, "a Content-Disposition parameter given twice"));
        }
    }
    if filename.is_some() && filename_ext.is_some() {
        return Err(malformed(at, "a file name given two ways"));
    }
    let filename = match filename_ext {
        Some(ext) => {
            Some(extended_value(&ext).ok_or_else(|| malformed(at, "an unreadable filename*"))?)
        }
        None => filename,
    };
    Ok(Part {
        name: name.ok_or_else(|| malformed(at, "a part without a name"))?,
        filename,
        content_type,
        body,
        offset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
            "Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''r%C3%A9sum%C3%A9.bpmn\r\nContent-Type: text/xml; charset=utf-8\r\n\r\n<x/>",
            "content-disposition: FORM-DATA; name=empty\r\n\r\n",
        ]);
        let parts = parse(&b, "XyZ", 10).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0].body, b"value with --XyZ inside");
        assert_eq!(parts[1].filename.as_deref(), Some("résumé.bpmn"));
        assert_eq!(parts[1].content_type, Some("text/xml; charset=utf-8"));
        assert_eq!(parts[2].name, "empty");
        assert_eq!(parts[2].body, b"");
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
