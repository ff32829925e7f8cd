//! Attributes, names and references, borrowed from the document.
//!
//! Everything inside a start tag is parsed here in one pass: names (with
//! their namespace prefix split off), `=`, quoting, and the values, whose
//! references are checked as the closing quote is searched for. Nothing is
//! copied: an attribute is three slices of the input.

use std::borrow::Cow;

/// One attribute, borrowed from the document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attr<'a> {
    pub(crate) name: &'a str,
    /// `name` split at its colon; the prefix is empty when there is none.
    pub(crate) prefix: &'a str,
    pub(crate) local: &'a str,
    /// The value as written: quotes stripped, references unresolved.
    pub(crate) value: &'a str,
    /// Offset of the name in the text scanned.
    pub(crate) offset: usize,
}

/// Why an attribute list does not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttrError<'a> {
    /// Bad syntax at this offset (relative to the attribute text).
    Syntax(usize, &'static str),
    /// More than the allowed number of attributes; the offset of the first
    /// attribute past the limit.
    TooMany(usize),
    /// A reference in the value of the named attribute that is not allowed
    /// (offset of its `&`).
    Reference(usize, Reference, &'a str),
}

const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Where an attribute list ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ListEnd {
    /// The offset just past the list: past `>` or `/>` in a tag, or the end
    /// of the text.
    pub(crate) next: usize,
    /// The tag ended with `/>`.
    pub(crate) empty: bool,
}

/// Parses the attributes of `text` from `from` into `out` (offsets are
/// absolute in `text`), stopping with an error once more than `max` are
/// seen. In a tag (`in_tag`) the list ends at `>` or `/>`; otherwise (the
/// pseudo-attributes of a processing instruction) at the end of the text.
///
/// Values are checked in the same pass that finds their closing quote: a
/// `<` is malformed, and every reference must be one of the five predefined
/// entities or a character reference to an XML character.
pub(crate) fn scan<'a>(
    text: &'a str,
    from: usize,
    in_tag: bool,
    max: usize,
    out: &mut Vec<Attr<'a>>,
) -> Result<ListEnd, AttrError<'a>> {
    out.clear();
    let bytes = text.as_bytes();
    let mut i = from;
    loop {
        let before = i;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        match bytes.get(i) {
            None if in_tag => return Err(AttrError::Syntax(i, "start tag is not closed")),
            None => {
                return Ok(ListEnd {
                    next: i,
                    empty: false,
                });
            }
            Some(b'>') if in_tag => {
                return Ok(ListEnd {
                    next: i + 1,
                    empty: false,
                });
            }
            Some(b'/') if in_tag => {
                if bytes.get(i + 1) != Some(&b'>') {
                    return Err(AttrError::Syntax(i, "`/` in a start tag"));
                }
                return Ok(ListEnd {
                    next: i + 2,
                    empty: true,
                });
            }
            Some(_) => {}
        }
        if i == before {
            return Err(AttrError::Syntax(
                i,
                "attributes must be separated by white space",
            ));
        }
        let start = i;
        let Some((end, (prefix, local))) = scan_name(text, start) else {
            return Err(AttrError::Syntax(start, "invalid attribute name"));
        };
        i = end;
        let name = &text[start..i];
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            return Err(AttrError::Syntax(start, "attribute without a value"));
        }
        i += 1;
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let quote = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err(AttrError::Syntax(i, "attribute value without quotes")),
        };
        if out.len() == max {
            return Err(AttrError::TooMany(start));
        }
        let value_start = i + 1;
        let mut j = value_start;
        let value_end = loop {
            // Most values are short: a table-driven loop beats memchr's
            // set-up; long ones go to memchr.
            let stops = if quote == b'"' {
                &VALUE_STOP_DQ
            } else {
                &VALUE_STOP_SQ
            };
            let short = bytes.len().min(j + 32);
            let found = match bytes[j..short].iter().position(|&b| stops[b as usize]) {
                Some(p) => Some(p),
                None if short == bytes.len() => None,
                None => memchr::memchr3(quote, b'<', b'&', &bytes[short..]).map(|p| p + short - j),
            };
            let Some(found) = found else {
                return Err(AttrError::Syntax(i, "attribute value is not closed"));
            };
            let at = j + found;
            match bytes[at] {
                b'<' => return Err(AttrError::Syntax(at, "`<` in an attribute value")),
                b'&' => {
                    let Some(len) = memchr::memchr(b';', &bytes[at + 1..]) else {
                        return Err(AttrError::Reference(at, Reference::Malformed, name));
                    };
                    match reference(&text[at + 1..at + 1 + len]) {
                        Reference::Allowed(_) => {}
                        bad => return Err(AttrError::Reference(at, bad, name)),
                    }
                    j = at + len + 2;
                }
                _ => break at,
            }
        };
        out.push(Attr {
            name,
            prefix,
            local,
            value: &text[value_start..value_end],
            offset: start,
        });
        i = value_end + 1;
    }
}

/// Splits `name` into prefix and local part if it is an XML name that is
/// also namespace-well-formed (at most one colon, not first or last); the
/// prefix is empty when there is none. Non-ASCII name characters are
/// accepted: XML allows most of Unicode, and a stricter engine only ever
/// rejects.
pub(crate) fn qname(name: &str) -> Option<(&str, &str)> {
    match scan_name(name, 0) {
        Some((end, split)) if end == name.len() => Some(split),
        _ => None,
    }
}

/// Reads the name starting at `from` up to white space, `=`, `/`, `>` or
/// the end of `text`, in one pass that also validates it and finds its colon. Returns
/// where it ends and its (prefix, local) split, or `None` if it is not a
/// namespace-well-formed XML name.
#[inline]
pub(crate) fn scan_name(text: &str, from: usize) -> Option<(usize, (&str, &str))> {
    let bytes = text.as_bytes();
    let &first = bytes.get(from)?;
    if first.is_ascii_digit() || matches!(first, b'-' | b'.' | b':') {
        return None;
    }
    let mut i = from;
    let mut colon = None;
    let mut bad = false;
    while let Some(&b) = bytes.get(i) {
        match NAME_CLASS[b as usize] {
            NAME => {}
            STOP => break,
            COLON => {
                bad |= colon.is_some();
                colon = Some(i);
            }
            _ => bad = true,
        }
        i += 1;
    }
    if bad || i == from {
        return None;
    }
    let name = &text[from..i];
    let split = match colon {
        Some(c) if c + 1 < i => (&text[from..c], &text[c + 1..i]),
        Some(_) => return None,
        None => ("", name),
    };
    Some((i, split))
}

/// Bytes that end the plain run of an attribute value: its quote, `<`, `&`.
const VALUE_STOP_DQ: [bool; 256] = value_stops(b'"');
const VALUE_STOP_SQ: [bool; 256] = value_stops(b'\'');

const fn value_stops(quote: u8) -> [bool; 256] {
    let mut table = [false; 256];
    table[quote as usize] = true;
    table[b'<' as usize] = true;
    table[b'&' as usize] = true;
    table
}

const NAME: u8 = 0;
const STOP: u8 = 1;
const COLON: u8 = 2;
const BAD: u8 = 3;

/// Name bytes: ASCII letters, digits, `_-.`, and every byte of a non-ASCII
/// character; white space, `=`, `/`, `>` and `?` end a name; `:` splits it.
const NAME_CLASS: [u8; 256] = {
    let mut table = [BAD; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.') || c >= 0x80 {
            NAME
        } else if matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'=' | b'/' | b'>' | b'?') {
            STOP
        } else if c == b':' {
            COLON
        } else {
            BAD
        };
        b += 1;
    }
    table
};

/// What a reference (`&...;`) in text or an attribute value stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reference {
    /// One of the five predefined entities, or a character reference to a
    /// character XML allows.
    Allowed(char),
    /// A character reference to a character XML forbids (`&#0;`, surrogates).
    BadChar,
    /// Any other entity: needs a DTD, which is never allowed.
    Entity,
    /// Not a reference at all (`&#xZZ;`, `&;`).
    Malformed,
}

/// Resolves the name between `&` and `;`.
pub(crate) fn reference(name: &str) -> Reference {
    let predefined = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    };
    if let Some(c) = predefined {
        return Reference::Allowed(c);
    }
    let Some(number) = name.strip_prefix('#') else {
        return if qname(name).is_some() {
            Reference::Entity
        } else {
            Reference::Malformed
        };
    };
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Reference::Malformed;
    }
    // Leading zeros are allowed (`&#x0000000041;` is `A`); what remains
    // must fit a code point.
    let digits = digits.trim_start_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    if digits.len() > 8 {
        return Reference::BadChar;
    }
    match u32::from_str_radix(digits, radix)
        .ok()
        .and_then(char::from_u32)
    {
        Some(c) if is_xml_char(c) => Reference::Allowed(c),
        Some(_) => Reference::BadChar,
        // Surrogates and values past U+10FFFF.
        None if u32::from_str_radix(digits, radix).is_ok() => Reference::BadChar,
        None => Reference::Malformed,
    }
}

/// XML 1.0 `Char`.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The value a parser reports for an attribute: references resolved and
/// literal tab/CR/LF turned into spaces (XML 1.0 section 3.3.3, CDATA).
/// Borrows when there is nothing to change. Call on values [`scan`] accepted.
pub(crate) fn normalized(value: &str) -> Cow<'_, str> {
    if !value
        .bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\r' | b'\n'))
    {
        return Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(c) = rest.chars().next() {
        match c {
            '&' => {
                let Some(end) = rest.find(';') else {
                    out.push_str(rest);
                    break;
                };
                if let Reference::Allowed(c) = reference(&rest[1..end]) {
                    out.push(c);
                }
                rest = &rest[end + 1..];
                continue;
            }
            '\t' | '\r' | '\n' => out.push(' '),
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(raw: &str) -> Result<Vec<(&str, &str)>, AttrError<'_>> {
        let mut out = Vec::new();
        scan(raw, 0, false, 3, &mut out)?;
        Ok(out.iter().map(|a| (a.name, a.value)).collect())
    }

    #[test]
    fn attribute_syntax() {
        assert_eq!(names(""), Ok(vec![]));
        assert_eq!(names(" a=\"1\" b='2'\n"), Ok(vec![("a", "1"), ("b", "2")]));
        assert_eq!(names(" a = \"x'y\""), Ok(vec![("a", "x'y")]));
        assert!(matches!(
            names(" a=\"1\"b=\"2\""),
            Err(AttrError::Syntax(..))
        ));
        assert!(matches!(names("a=\"1\""), Err(AttrError::Syntax(..))));
        assert!(matches!(names(" a"), Err(AttrError::Syntax(..))));
        assert!(matches!(names(" a=1"), Err(AttrError::Syntax(..))));
        assert!(matches!(names(" a=\"1"), Err(AttrError::Syntax(..))));
        assert_eq!(names(" a='' b='' c='' d=''"), Err(AttrError::TooMany(16)));
        assert!(names(" a='' b='' c=''").is_ok());
    }

    #[test]
    fn tags() {
        let mut out = Vec::new();
        let tag = "<a x='1>2' y=\"\"/>rest";
        assert_eq!(
            scan(tag, 2, true, 8, &mut out),
            Ok(ListEnd {
                next: 17,
                empty: true
            })
        );
        assert_eq!(out[0].value, "1>2");
        assert_eq!(
            scan("<a>", 2, true, 8, &mut out),
            Ok(ListEnd {
                next: 3,
                empty: false
            })
        );
        assert_eq!(
            scan("<a >", 2, true, 8, &mut out),
            Ok(ListEnd {
                next: 4,
                empty: false
            })
        );
        assert!(scan("<a x='1'", 2, true, 8, &mut out).is_err());
        assert!(scan("<a / >", 2, true, 8, &mut out).is_err());
    }

    #[test]
    fn qnames() {
        assert_eq!(qname("bpmn:task"), Some(("bpmn", "task")));
        assert_eq!(qname("task"), Some(("", "task")));
        for ok in ["a", "bpmn:definitions", "_x", "a-b.c", "é"] {
            assert!(qname(ok).is_some(), "{ok}");
        }
        for bad in ["", "1a", "-a", ":a", "a:", "a:b:c", "a\"b", "a/b", "a=b"] {
            assert!(qname(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn references() {
        assert_eq!(reference("amp"), Reference::Allowed('&'));
        assert_eq!(reference("#x41"), Reference::Allowed('A'));
        assert_eq!(reference("#65"), Reference::Allowed('A'));
        assert_eq!(reference("#x1F600"), Reference::Allowed('😀'));
        assert_eq!(reference("xxe"), Reference::Entity);
        assert_eq!(reference("#0"), Reference::BadChar);
        assert_eq!(reference("#x1"), Reference::BadChar);
        assert_eq!(reference("#xD800"), Reference::BadChar);
        assert_eq!(reference("#xFFFE"), Reference::BadChar);
        assert_eq!(reference("#x110000"), Reference::BadChar);
        assert_eq!(reference("#xZZ"), Reference::Malformed);
        assert_eq!(reference(""), Reference::Malformed);
        assert_eq!(reference("#"), Reference::Malformed);
    }

    #[test]
    fn values() {
        assert!(names(" a='a &amp; b &#x3C;'").is_ok());
        assert_eq!(
            names(" a='x &xxe; y'"),
            Err(AttrError::Reference(6, Reference::Entity, "a"))
        );
        assert_eq!(
            names(" a='x &#0;'"),
            Err(AttrError::Reference(6, Reference::BadChar, "a"))
        );
        assert!(matches!(names(" a='x < y'"), Err(AttrError::Syntax(6, _))));
        assert_eq!(
            names(" a='x & y'"),
            Err(AttrError::Reference(6, Reference::Malformed, "a"))
        );
        assert_eq!(
            names(" a='&amp;' b=\"&quot;'\""),
            Ok(vec![("a", "&amp;"), ("b", "&quot;'")])
        );
        assert_eq!(normalized("plain"), Cow::Borrowed("plain"));
        assert_eq!(normalized("&#104;ttp://x\ty&amp;"), "http://x y&");
    }
}
