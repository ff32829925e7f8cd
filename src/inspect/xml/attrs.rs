//! Attributes, names and references, borrowed from the document.
//!
//! Everything inside a start tag is parsed here in one pass: names (with
//! their namespace prefix split off), `=`, quoting, and the values, whose
//! references are checked as the closing quote is searched for. Nothing is
//! copied: an attribute is a handful of offsets into the input, sliced
//! only where a caller reads it (slicing `str` checks character
//! boundaries, which cost more per attribute than finding them).

use std::borrow::Cow;

/// One attribute: where its parts are in the text [`scan`] read. Every
/// accessor takes that same text; the offsets are at ASCII delimiters, so
/// the slices always fall on character boundaries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attr {
    /// Offset of the name in the text scanned.
    pub(crate) offset: usize,
    /// Offset of the colon in the name, or 0 when it has none (a name
    /// never starts with one).
    colon: usize,
    name_end: usize,
    /// The value as written: inside the quotes, references unresolved.
    value_start: usize,
    value_end: usize,
}

impl Attr {
    #[inline(always)]
    pub(crate) fn name(self, text: &str) -> &str {
        text.get(self.offset..self.name_end).unwrap_or_default()
    }

    #[inline(always)]
    pub(crate) fn name_bytes(self, text: &str) -> &[u8] {
        text.as_bytes()
            .get(self.offset..self.name_end)
            .unwrap_or_default()
    }

    /// The part of the name before its colon; empty when there is none.
    #[inline(always)]
    pub(crate) fn prefix_bytes(self, text: &str) -> &[u8] {
        match self.colon {
            0 => b"",
            colon => text.as_bytes().get(self.offset..colon).unwrap_or_default(),
        }
    }

    /// The part of the name after its colon, or all of it.
    #[inline(always)]
    pub(crate) fn local(self, text: &str) -> &str {
        let from = match self.colon {
            0 => self.offset,
            colon => colon + 1,
        };
        text.get(from..self.name_end).unwrap_or_default()
    }

    #[inline(always)]
    pub(crate) fn value(self, text: &str) -> &str {
        text.get(self.value_start..self.value_end)
            .unwrap_or_default()
    }

    #[inline(always)]
    pub(crate) fn name_len(self) -> usize {
        self.name_end - self.offset
    }

    #[inline(always)]
    pub(crate) fn value_len(self) -> usize {
        self.value_end - self.value_start
    }

    /// For a namespace declaration, the prefix it binds: empty for
    /// `xmlns`, `p` for `xmlns:p`. `None` for any other attribute.
    #[inline(always)]
    pub(crate) fn declared_prefix(self, text: &str) -> Option<&str> {
        // Lengths first: most names are not five bytes before a colon.
        let five = match self.colon {
            0 if self.name_len() == 5 => self.offset,
            colon if colon == self.offset + 5 => self.offset,
            _ => return None,
        };
        if text.as_bytes().get(five..five + 5) != Some(b"xmlns") {
            return None;
        }
        Some(if self.colon == 0 {
            ""
        } else {
            self.local(text)
        })
    }
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
///
/// Inlined: in the tokenizer's start tags the call and its returned
/// `Result` cost more per element than most attribute lists; the other
/// callers (the XML declaration, `xml-stylesheet`) are rare.
#[inline(always)]
pub(crate) fn scan<'a>(
    text: &'a str,
    from: usize,
    in_tag: bool,
    max: usize,
    out: &mut Vec<Attr>,
) -> Result<ListEnd, AttrError<'a>> {
    out.clear();
    let bytes = text.as_bytes();
    let mut i = from;
    loop {
        let before = i;
        // One space between attributes is the common case.
        if let Some(&[b' ', next]) = bytes.get(i..i + 2)
            && !is_space(next)
        {
            i += 1;
        } else {
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
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
        let Some((name_end, colon)) = name_end(bytes, start) else {
            return Err(AttrError::Syntax(start, "invalid attribute name"));
        };
        i = name_end;
        // Only for a refused reference.
        let name = || text.get(start..name_end).unwrap_or_default();
        // `name="` as nearly every document writes it needs no white-space
        // loops; anything else takes them.
        if let Some(&[b'=', q @ (b'"' | b'\'')]) = bytes.get(i..i + 2) {
            i += 1;
            debug_assert_eq!(bytes.get(i), Some(&q));
        } else {
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
            let Some(at) = value_stop(bytes, j, quote) else {
                return Err(AttrError::Syntax(i, "attribute value is not closed"));
            };
            match bytes[at] {
                b'<' => return Err(AttrError::Syntax(at, "`<` in an attribute value")),
                b'&' => {
                    let Some(len) = memchr::memchr(b';', &bytes[at + 1..]) else {
                        return Err(AttrError::Reference(at, Reference::Malformed, name()));
                    };
                    match reference(&text[at + 1..at + 1 + len]) {
                        Reference::Allowed(_) => {}
                        bad => return Err(AttrError::Reference(at, bad, name())),
                    }
                    j = at + len + 2;
                }
                _ => break at,
            }
        };
        out.push(Attr {
            offset: start,
            colon,
            name_end,
            value_start,
            value_end,
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

/// Reads the name starting at `from` up to white space, `=`, `/`, `>`, `?`
/// or the end of `text`, in one pass that also validates it and finds its
/// colon. Returns where it ends and its (prefix, local) split, or `None` if
/// it is not a namespace-well-formed XML name.
#[inline(always)]
pub(crate) fn scan_name(text: &str, from: usize) -> Option<(usize, (&str, &str))> {
    let (end, colon) = name_end(text.as_bytes(), from)?;
    let split = match colon {
        0 => ("", text.get(from..end)?),
        c => (text.get(from..c)?, text.get(c + 1..end)?),
    };
    Some((end, split))
}

/// [`scan_name`] on bytes, without slicing: where the name ends, and the
/// offset of its colon (0 when it has none; a name never starts with one).
///
/// Inlined into the tokenizer's two hot callers (element and attribute
/// names): out of line, with a byte at a time, it was a quarter of the
/// inspector's instructions on BPMN.
#[inline(always)]
pub(crate) fn name_end(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    let rest = bytes.get(from..)?;
    // Not a digit, `-`, `.` or `:` first; nor anything that is no name byte.
    if !rest.first().is_some_and(|&b| NAME_START[b as usize]) {
        return None;
    }
    let mut end = name_run(rest, 1);
    let mut colon = None;
    if rest.get(end) == Some(&b':') {
        colon = Some(end);
        end = name_run(rest, end + 1);
        if rest.get(end - 1) == Some(&b':') {
            // `a:` with nothing after the colon.
            return None;
        }
    }
    // The name must end at a delimiter or the end: a second colon or any
    // other byte is not a name.
    if rest
        .get(end)
        .is_some_and(|&b| NAME_CLASS[b as usize] != STOP)
    {
        return None;
    }
    Some((from + end, colon.map_or(0, |c| from + c)))
}

/// The offset of the first byte at or after `i` that is not a name byte
/// (`NAME_CLASS` other than `NAME`), or `bytes.len()`: eight bytes at a
/// time with [`name_bytes`], then one at a time by the table.
#[inline(always)]
fn name_run(bytes: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        let w = u64::from_le_bytes(*chunk);
        // Names are nearly all letters: the first byte that is not one
        // (nor non-ASCII) usually ends the name, which the table says;
        // only a digit, `_`, `-` or `.` there needs the full test.
        let others = !letters(w) & splat(0x80);
        if others != 0 {
            let at = i + (others.trailing_zeros() / 8) as usize;
            if bytes
                .get(at)
                .is_none_or(|&b| NAME_CLASS[b as usize] != NAME)
            {
                return at;
            }
            let others = !name_bytes(w) & splat(0x80);
            if others != 0 {
                return i + (others.trailing_zeros() / 8) as usize;
            }
        }
        i += 8;
    }
    while bytes
        .get(i)
        .is_some_and(|&b| NAME_CLASS[b as usize] == NAME)
    {
        i += 1;
    }
    i
}

/// The high bit of each byte of `w` set exactly when that byte is an
/// ASCII letter or non-ASCII: the common part of [`name_bytes`], alone.
#[inline(always)]
fn letters(w: u64) -> u64 {
    let folded = (w & splat(0x7F)) | splat(0x20);
    let letter =
        folded.wrapping_add(splat(0x80 - b'a')) & !folded.wrapping_add(splat(0x80 - (b'z' + 1)));
    (w | letter) & splat(0x80)
}

/// The high bit of each byte of `w` set exactly when that byte is a name
/// byte (`NAME` in `NAME_CLASS`): an ASCII letter or digit, `_`, `-`, `.`,
/// or any byte of a non-ASCII character.
///
/// Each byte is classified on its own: with the high bit cleared first, a
/// byte plus `0x80 - m` is at most `0x7F + 0x80`, so no sum carries into
/// its neighbour, and its high bit says whether the byte is at least `m`.
/// Unlike the zero-byte test below this is exact in every byte.
#[inline(always)]
fn name_bytes(w: u64) -> u64 {
    let high = w & splat(0x80);
    let low = w & splat(0x7F);
    // Whether each byte is at least `m` (1 <= m <= 0x80), in its high bit.
    let at_least = |m: u8| low.wrapping_add(splat(0x80 - m));
    let in_range = |from: u8, to: u8| at_least(from) & !at_least(to + 1);
    // ASCII letters with the case bit set: `a`-`z`; `@[\]^` and friends
    // land outside the range.
    let folded = low | splat(0x20);
    let letter =
        folded.wrapping_add(splat(0x80 - b'a')) & !folded.wrapping_add(splat(0x80 - (b'z' + 1)));
    let digit = in_range(b'0', b'9');
    let dash_dot = in_range(b'-', b'.');
    let underscore = in_range(b'_', b'_');
    (high | letter | digit | dash_dot | underscore) & splat(0x80)
}

/// Eight copies of a byte, for the word-at-a-time searches below.
pub(super) const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// A word with the high bit set in the lowest byte of `v` that is zero,
/// and possibly in bytes above it, but never below it: the subtraction's
/// borrow only runs upwards, and a non-zero byte without an incoming borrow
/// never sets its flag. So the lowest set bit marks the first zero byte in
/// memory order (words are read little-endian on every target).
#[inline(always)]
pub(super) const fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(splat(1)) & !v & splat(0x80)
}

/// The offset of the first `quote`, `<` or `&` at or after `i`, or `None`.
///
/// Most values are short: eight bytes at a time with plain word arithmetic
/// (no set-up, no `unsafe`) for the first 64 bytes, then memchr's SIMD
/// search for what is left of a long value.
#[inline(always)]
fn value_stop(bytes: &[u8], mut i: usize, quote: u8) -> Option<usize> {
    let (q, lt, amp) = (splat(quote), splat(b'<'), splat(b'&'));
    let limit = i.saturating_add(64);
    while let Some(chunk) = bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        let w = u64::from_le_bytes(*chunk);
        let hits = zero_bytes(w ^ q) | zero_bytes(w ^ lt) | zero_bytes(w ^ amp);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
        if i >= limit {
            return memchr::memchr3(quote, b'<', b'&', bytes.get(i..)?).map(|p| i + p);
        }
    }
    let tail = bytes.get(i..)?;
    tail.iter()
        .position(|&b| b == quote || b == b'<' || b == b'&')
        .map(|p| i + p)
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

/// Bytes that may start a name: name bytes other than digits, `-` and `.`.
const NAME_START: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = NAME_CLASS[b] == NAME && !matches!(b as u8, b'0'..=b'9' | b'-' | b'.');
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
        Ok(out.iter().map(|a| (a.name(raw), a.value(raw))).collect())
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
        assert_eq!(out[0].value(tag), "1>2");
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

/// The word-at-a-time name and value searches against plain byte-at-a-time
/// versions of the same definitions, on the same inputs: a fast path that
/// reads differently would be a bypass.
#[cfg(test)]
mod fast_paths {
    use super::*;

    /// `scan_name` as it was written before the word-at-a-time search: one
    /// byte at a time through `NAME_CLASS`.
    fn scan_name_bytewise(text: &str, from: usize) -> Option<(usize, (&str, &str))> {
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
        let split = match colon {
            Some(c) if c + 1 < i => (&text[from..c], &text[c + 1..i]),
            Some(_) => return None,
            None => ("", &text[from..i]),
        };
        Some((i, split))
    }

    fn value_stop_bytewise(bytes: &[u8], i: usize, quote: u8) -> Option<usize> {
        bytes
            .get(i..)?
            .iter()
            .position(|&b| b == quote || b == b'<' || b == b'&')
            .map(|p| i + p)
    }

    /// A small xorshift generator: repeatable inputs without a dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn name_bytes_classifies_every_byte_in_every_lane() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                for filler in [b'a', b'Z', 0xC3, b'<', b'0'] {
                    let mut word = [filler; 8];
                    word[lane] = b;
                    let flags = name_bytes(u64::from_le_bytes(word));
                    for (k, &byte) in word.iter().enumerate() {
                        assert_eq!(
                            flags >> (8 * k + 7) & 1 == 1,
                            NAME_CLASS[byte as usize] == NAME,
                            "byte {byte:#04x} in lane {k} of {word:?}"
                        );
                    }
                    assert_eq!(flags & !splat(0x80), 0);
                }
            }
        }
    }

    #[test]
    fn letters_classifies_every_byte_in_every_lane() {
        for b in 0..=255u8 {
            for lane in 0..8 {
                for filler in [b'a', b'Z', 0xC3, b'<', b'0', b'@', b'['] {
                    let mut word = [filler; 8];
                    word[lane] = b;
                    let flags = letters(u64::from_le_bytes(word));
                    for (k, &byte) in word.iter().enumerate() {
                        assert_eq!(
                            flags >> (8 * k + 7) & 1 == 1,
                            byte.is_ascii_alphabetic() || byte >= 0x80,
                            "byte {byte:#04x} in lane {k} of {word:?}"
                        );
                    }
                    assert_eq!(flags & !splat(0x80), 0);
                }
            }
        }
    }

    #[test]
    fn zero_bytes_finds_the_first_zero() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..200_000 {
            // Bytes biased towards 0, 1 and 0x80, where borrows misbehave.
            let word: [u8; 8] = std::array::from_fn(|_| match rng.below(4) {
                0 => 0,
                1 => 1,
                2 => 0x80,
                _ => rng.next() as u8,
            });
            let flags = zero_bytes(u64::from_le_bytes(word));
            let first = word.iter().position(|&b| b == 0);
            let found = (flags != 0).then(|| (flags.trailing_zeros() / 8) as usize);
            assert_eq!(found, first, "{word:?}");
        }
    }

    #[test]
    fn scan_name_matches_bytewise_exhaustively_on_short_names() {
        let alphabet = [
            "a", "Z", "0", "-", ".", ":", "_", " ", "=", ">", "/", "?", "\"", "é", "<", "\t", "@",
            "[", "\u{7f}",
        ];
        let mut cases = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = cases
                .iter()
                .flat_map(|c| alphabet.iter().map(move |a| format!("{c}{a}")))
                .collect();
            cases.extend(longer);
        }
        for case in &cases {
            for from in (0..=case.len()).filter(|&f| case.is_char_boundary(f)) {
                assert_eq!(
                    scan_name(case, from),
                    scan_name_bytewise(case, from),
                    "{case:?} from {from}"
                );
            }
        }
    }

    #[test]
    fn scan_name_matches_bytewise_on_long_names() {
        let alphabet = [
            "a", "b", "Q", "9", "-", ".", "_", ":", "é", "日", " ", "=", ">", "/", "?", "\"", "<",
            "\n", "'", "&",
        ];
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for _ in 0..200_000 {
            let len = rng.below(40);
            // Mostly name characters, so that long names are common.
            let text: String = (0..len)
                .map(|_| {
                    if rng.below(8) == 0 {
                        alphabet[rng.below(alphabet.len())]
                    } else {
                        alphabet[rng.below(7)]
                    }
                })
                .collect();
            for from in (0..=text.len().min(3)).filter(|&f| text.is_char_boundary(f)) {
                assert_eq!(
                    scan_name(&text, from),
                    scan_name_bytewise(&text, from),
                    "{text:?} from {from}"
                );
            }
        }
    }

    #[test]
    fn value_stop_matches_bytewise() {
        let alphabet = [
            b'a', b'"', b'\'', b'<', b'&', b'>', 0, 0x80, 0xC3, 0xFF, b';',
        ];
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        for _ in 0..200_000 {
            let len = rng.below(150);
            let sparse = rng.below(64) + 1;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if rng.below(sparse) == 0 {
                        alphabet[rng.below(alphabet.len())]
                    } else {
                        b'x'
                    }
                })
                .collect();
            for from in [0, 1, 7, 8, 9, len] {
                for quote in [b'"', b'\''] {
                    assert_eq!(
                        value_stop(&bytes, from, quote),
                        value_stop_bytewise(&bytes, from, quote),
                        "{bytes:?} from {from}"
                    );
                }
            }
        }
    }
}
