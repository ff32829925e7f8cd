//! JSON strings: finding their end fast, validating escapes, and reading
//! them unescaped only when someone needs the text.

use std::borrow::Cow;

/// A JSON string as written in the document: the text between the quotes,
/// and whether it holds escapes (when it does not, the raw text *is* the
/// value and nothing needs decoding).
///
/// Three plain words: the flag lives in the top bit of the offset. The
/// scanner hands these around by value on its hottest path, and a `bool`
/// field meant padding bytes that the compiler copied with narrow loads
/// right after wide stores, stalling the CPU on every string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Str<'a> {
    pub(crate) raw: &'a str,
    tagged_at: usize,
}

const ESCAPED: usize = 1 << (usize::BITS - 1);

impl<'a> Str<'a> {
    pub(crate) fn new(raw: &'a str, at: usize, escaped: bool) -> Self {
        Str {
            raw,
            tagged_at: (at & !ESCAPED) | if escaped { ESCAPED } else { 0 },
        }
    }

    /// Offset of the opening quote in the document.
    #[inline]
    pub(crate) fn at(&self) -> usize {
        self.tagged_at & !ESCAPED
    }

    /// Whether the raw text holds escapes.
    #[inline]
    pub(crate) fn escaped(&self) -> bool {
        self.tagged_at & ESCAPED != 0
    }

    /// The value with escapes decoded; borrows when there are none.
    pub(crate) fn text(&self) -> Cow<'a, str> {
        if self.escaped() {
            Cow::Owned(unescape(self.raw))
        } else {
            Cow::Borrowed(self.raw)
        }
    }
}

/// Bytes that end a plain run inside a string: `"`, `\`, controls.
const STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

#[inline(always)]
fn has_byte(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The offset of the first `"`, `\` or control character at or after
/// `from`, or `bytes.len()`. Eight bytes at a time: the lowest flagged byte
/// of a word is exact (a borrow only ever spreads upwards from a byte that
/// is itself flagged), so `trailing_zeros` finds it.
#[inline]
pub(crate) fn skip_plain(bytes: &[u8], mut from: usize) -> usize {
    // Keys and short values end within a few bytes: a table lookup per
    // byte beats setting up the word loop for them.
    let short = bytes.len().min(from + 16);
    while from < short {
        if STOP[bytes[from] as usize] {
            return from;
        }
        from += 1;
    }
    if from == bytes.len() {
        return from;
    }
    while let Some(chunk) = bytes.get(from..from + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
        let hit = has_byte(w, b'"') | has_byte(w, b'\\') | control;
        if hit != 0 {
            return from + (hit.trailing_zeros() / 8) as usize;
        }
        from += 8;
    }
    while let Some(&b) = bytes.get(from) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            return from;
        }
        from += 1;
    }
    from
}

/// Why a string is not valid JSON, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StringError {
    Unterminated,
    Control(usize),
    BadEscape(usize),
    LoneSurrogate(usize),
}

fn hex4(bytes: &[u8], at: usize) -> Option<u16> {
    let digits = bytes.get(at..at + 4)?;
    let mut value = 0u16;
    for &d in digits {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return None,
        };
        value = value << 4 | u16::from(v);
    }
    Some(value)
}

/// Scans the string whose opening quote is at `quote`. Returns the offset
/// of the closing quote and whether the string holds escapes.
pub(crate) fn scan(bytes: &[u8], quote: usize) -> Result<(usize, bool), StringError> {
    let mut i = quote + 1;
    let mut escaped = false;
    loop {
        i = skip_plain(bytes, i);
        match bytes.get(i) {
            None => return Err(StringError::Unterminated),
            Some(b'"') => return Ok((i, escaped)),
            Some(b'\\') => {
                escaped = true;
                i = escape(bytes, i)?;
            }
            Some(_) => return Err(StringError::Control(i)),
        }
    }
}

/// Validates the escape at `at` (a backslash); returns the offset after it.
fn escape(bytes: &[u8], at: usize) -> Result<usize, StringError> {
    match bytes.get(at + 1) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(at + 2),
        Some(b'u') => {
            let unit = hex4(bytes, at + 2).ok_or(StringError::BadEscape(at))?;
            match unit {
                0xD800..=0xDBFF => {
                    // A high surrogate must be followed by an escaped low one.
                    if bytes.get(at + 6) == Some(&b'\\') && bytes.get(at + 7) == Some(&b'u') {
                        match hex4(bytes, at + 8) {
                            Some(0xDC00..=0xDFFF) => Ok(at + 12),
                            Some(_) => Err(StringError::LoneSurrogate(at)),
                            None => Err(StringError::BadEscape(at + 6)),
                        }
                    } else {
                        Err(StringError::LoneSurrogate(at))
                    }
                }
                0xDC00..=0xDFFF => Err(StringError::LoneSurrogate(at)),
                _ => Ok(at + 6),
            }
        }
        _ => Err(StringError::BadEscape(at)),
    }
}

/// Decodes the escapes of a string [`scan`] accepted.
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    unescape_into(raw, &mut out);
    out
}

/// Decodes the escapes of a string [`scan`] accepted, appending to `out`.
pub(crate) fn unescape_into(raw: &str, out: &mut String) {
    let bytes = raw.as_bytes();
    out.reserve(raw.len());
    let mut i = 0;
    while i < bytes.len() {
        // Escapes are dense in carried JSON (`\"` every few bytes): look
        // a few bytes ahead by hand before setting up memchr.
        let near = bytes.len().min(i + 16);
        let next = match bytes[i..near].iter().position(|&b| b == b'\\') {
            Some(p) => i + p,
            None if near == bytes.len() => near,
            None => memchr::memchr(b'\\', &bytes[near..]).map_or(bytes.len(), |p| near + p),
        };
        out.push_str(&raw[i..next]);
        if next == bytes.len() {
            break;
        }
        let (c, len) = match bytes.get(next + 1) {
            Some(b'"') => ('"', 2),
            Some(b'\\') => ('\\', 2),
            Some(b'/') => ('/', 2),
            Some(b'b') => ('\u{8}', 2),
            Some(b'f') => ('\u{c}', 2),
            Some(b'n') => ('\n', 2),
            Some(b'r') => ('\r', 2),
            Some(b't') => ('\t', 2),
            Some(b'u') => {
                let unit = hex4(bytes, next + 2).unwrap_or(0xFFFD);
                if (0xD800..=0xDBFF).contains(&unit) {
                    let low = hex4(bytes, next + 8).unwrap_or(0xDC00);
                    let code = 0x10000
                        + ((u32::from(unit) - 0xD800) << 10)
                        + u32::from(low).saturating_sub(0xDC00);
                    (char::from_u32(code).unwrap_or('\u{FFFD}'), 12)
                } else {
                    (char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'), 6)
                }
            }
            _ => ('\u{FFFD}', 1),
        };
        out.push(c);
        i = next + len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str) -> Result<bool, StringError> {
        scan(s.as_bytes(), 0).map(|(end, escaped)| {
            assert_eq!(end, s.len() - 1, "{s}");
            escaped
        })
    }

    #[test]
    fn strings() {
        assert_eq!(check(r#""""#), Ok(false));
        assert_eq!(
            check(r#""plain text that is longer than eight bytes""#),
            Ok(false)
        );
        assert_eq!(check(r#""a\"b\\c\/d\b\f\n\r\t""#), Ok(true));
        assert_eq!(check(r#""\u0041\u00e9\ud83d\ude00""#), Ok(true));
        assert_eq!(check("\"é ü 😀\""), Ok(false));
        assert_eq!(check(r#""abc"#), Err(StringError::Unterminated));
        assert_eq!(check("\"a\tb\""), Err(StringError::Control(2)));
        assert_eq!(check("\"abcdefgh\u{1}\""), Err(StringError::Control(9)));
        assert_eq!(check(r#""\x""#), Err(StringError::BadEscape(1)));
        assert_eq!(check(r#""\u12""#), Err(StringError::BadEscape(1)));
        assert_eq!(check(r#""\ud800""#), Err(StringError::LoneSurrogate(1)));
        assert_eq!(check(r#""\udc00""#), Err(StringError::LoneSurrogate(1)));
        assert_eq!(
            check(r#""\ud800\u0041""#),
            Err(StringError::LoneSurrogate(1))
        );
        assert_eq!(check(r#""\ud800\n""#), Err(StringError::LoneSurrogate(1)));
    }

    #[test]
    fn unescaping() {
        assert_eq!(unescape(r#"objectType\u004eame"#), "objectTypeName");
        assert_eq!(unescape(r#"a\"b\\c\/d\n"#), "a\"b\\c/d\n");
        assert_eq!(unescape(r#"\ud83d\ude00!"#), "😀!");
        let s = Str::new(r#"ty\u0070e"#, 0, true);
        assert!(s.escaped());
        assert_eq!(s.text(), "type");
    }

    #[test]
    fn skip_plain_finds_the_first_stop() {
        let text = b"0123456789abcdef\"";
        assert_eq!(skip_plain(text, 0), 16);
        assert_eq!(skip_plain(b"abc\x1fdef\"", 0), 3);
        assert_eq!(skip_plain(b"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\\", 0), 8);
        assert_eq!(skip_plain(b"plain", 0), 5);
    }
}
