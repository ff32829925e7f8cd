//! The paging members of a JSON query body.
//!
//! Camunda reads `firstResult`/`maxResults` from the query string, but a
//! query body may carry them too (other engines and clients read them
//! there), so the guard holds body paging to the same cap. This runs only
//! on list routes, after the inspector has accepted the body, so the text
//! is known to be strict JSON without duplicate keys.

use super::{encoding, strings};
use crate::violation::Violation;

/// A paging member of the body's top-level object: its name, and its value
/// as the text an engine would read as an int (a JSON number as written,
/// or a string's text, which Jackson coerces), or `None` for any other kind
/// of value. `null` members are left out: they mean "not given".
pub type PagingMember = (&'static str, Option<String>);

/// The `maxResults` and `firstResult` members of a JSON body's top-level
/// object (keys compared after unescaping, as the engine reads them); none
/// when the body is not an object. Call it on a body the inspector
/// accepted: on text that is not JSON it finds what it can and never
/// fails, which is harmless only because the inspector's verdict stands.
pub fn paging_members(bytes: &[u8], charset: Option<&str>) -> Result<Vec<PagingMember>, Violation> {
    let text = encoding::decode(bytes, charset)?;
    let text = text.as_bytes();
    let mut members = Vec::new();
    let mut i = skip_space(text, 0);
    if text.get(i) != Some(&b'{') {
        return Ok(members);
    }
    i += 1;
    loop {
        i = skip_space(text, i);
        if text.get(i) != Some(&b'"') {
            return Ok(members);
        }
        let Ok((end, _)) = strings::scan(text, i) else {
            return Ok(members);
        };
        let key = std::str::from_utf8(&text[i + 1..end]).map(strings::unescape);
        i = skip_space(text, end + 1);
        if text.get(i) != Some(&b':') {
            return Ok(members);
        }
        i = skip_space(text, i + 1);
        let start = i;
        i = skip_value(text, i);
        let name = match key.as_deref() {
            Ok("maxResults") => "maxResults",
            Ok("firstResult") => "firstResult",
            _ => "",
        };
        if !name.is_empty() {
            let raw = text.get(start..i).unwrap_or_default();
            match raw.first() {
                Some(b'n') => {}
                Some(b'"') => {
                    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
                    let value = std::str::from_utf8(inner).map(strings::unescape).ok();
                    members.push((name, value));
                }
                Some(b'-' | b'0'..=b'9') => {
                    let value = std::str::from_utf8(raw).ok().map(str::to_owned);
                    members.push((name, value));
                }
                _ => members.push((name, None)),
            }
        }
        i = skip_space(text, i);
        if text.get(i) != Some(&b',') {
            return Ok(members);
        }
        i += 1;
    }
}

fn skip_space(text: &[u8], mut i: usize) -> usize {
    while text
        .get(i)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The end of the value starting at `i`.
fn skip_value(text: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while let Some(&b) = text.get(i) {
        match b {
            b'"' => match strings::scan(text, i) {
                Ok((end, _)) => i = end,
                Err(_) => return text.len(),
            },
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => return i,
            b'}' | b']' => depth -= 1,
            b',' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
        if depth == 0 && matches!(text.get(i - 1), Some(b'"' | b'}' | b']')) {
            return i;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    //! Unit tests only (never compiled into the library): an `unwrap` or
    //! `expect` here is a test assertion on fixed inputs, not a path a
    //! request can reach.
    use super::*;

    fn members(text: &str) -> Vec<PagingMember> {
        paging_members(text.as_bytes(), None).expect("test bodies are UTF-8")
    }

    #[test]
    fn reads_top_level_paging_only() {
        assert_eq!(
            members(r#"{"a":{"maxResults":9},"maxResults":10,"firstResult":"5","x":[1]}"#),
            vec![
                ("maxResults", Some("10".to_owned())),
                ("firstResult", Some("5".to_owned()))
            ]
        );
        assert_eq!(
            members(r#"{"max\u0052esults":-1,"firstResult":null}"#),
            vec![("maxResults", Some("-1".to_owned()))]
        );
        assert_eq!(
            members(r#"{"maxResults":[10],"firstResult":1.5}"#),
            vec![
                ("maxResults", None),
                ("firstResult", Some("1.5".to_owned()))
            ]
        );
        assert_eq!(members(r#"{"MaxResults":10}"#), vec![]);
        assert_eq!(members(r#"[{"maxResults":10}]"#), vec![]);
        assert_eq!(members("10"), vec![]);
    }
}
