//! JSON strings: finding their end fast, validating escapes, and reading
//! them unescaped only when someone needs the text.

use super::simd;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

#[inline(always)]
fn has_byte(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGH
}

/// The offset of the first `"`, `\` or control character at or after
/// `from`, or `bytes.len()`. Eight bytes at a time, from the first byte on
/// (most keys end inside the first word): the lowest flagged byte of a word
/// is exact (a borrow only ever spreads upwards from a byte that is itself
/// flagged), so `trailing_zeros` finds it.
#[inline]
pub(crate) fn skip_plain(bytes: &[u8], mut from: usize) -> usize {
    while let Some(chunk) = bytes.get(from..from + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let hit = stops(u64::from_le_bytes(word));
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

/// The high bit of every byte of `w` that is `"`, `\` or a control
/// character (exact for the lowest such byte).
#[inline(always)]
fn stops(w: u64) -> u64 {
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    has_byte(w, b'"') | has_byte(w, b'\\') | control
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

/// How a string's escapes look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Escapes {
    None,
    /// Only `\"`: JSON carried in a string as most serializers write it.
    QuotesOnly,
    Other,
}

/// Scans the string whose opening quote is at `quote`. Returns the offset
/// of the closing quote and what escapes the string holds.
pub(crate) fn scan(bytes: &[u8], quote: usize) -> Result<(usize, Escapes), StringError> {
    let mut i = quote + 1;
    let mut escapes = Escapes::None;
    loop {
        i = skip_plain(bytes, i);
        match bytes.get(i) {
            None => return Err(StringError::Unterminated),
            Some(b'"') => return Ok((i, escapes)),
            Some(b'\\') => {
                // Carried JSON escapes its quotes: take `\"` before the
                // general table.
                i = match bytes.get(i + 1) {
                    Some(b'"') => {
                        if escapes == Escapes::None {
                            escapes = Escapes::QuotesOnly;
                        }
                        skip_quoted_words(bytes, i + 2)
                    }
                    _ => {
                        escapes = Escapes::Other;
                        escape(bytes, i)?
                    }
                };
            }
            Some(_) => return Err(StringError::Control(i)),
        }
    }
}

/// The high bit of every byte of `w` that is `byte`: exact for every byte
/// (no borrow crosses bytes), unlike [`has_byte`].
#[inline(always)]
fn bytes_equal(w: u64, byte: u8) -> u64 {
    let x = w ^ (ONES * u64::from(byte));
    !(((x & !HIGH) + !HIGH) | x) & HIGH
}

/// Skips whole words of carried-JSON text after a `\"`: words in which
/// every backslash is followed by a quote, every quote follows a backslash
/// and no byte is a control character. Returns where the general loop of
/// [`scan`] takes over: the start of the first word that breaks the
/// pattern (the closing quote, another escape, a control character), or the
/// backslash before it when the word before ended in one.
///
/// Carried JSON has a `\"` every few bytes, which costs the general loop a
/// stop and a branch each; here a word of eight bytes costs a few masks.
/// A word that passes holds only `\"` pairs and plain bytes: a backslash
/// preceded by another is excluded (that one would need a quote after it),
/// so no pair is misread. The bytes are only classified, never trusted
/// past the word that breaks the pattern.
///
/// Two words go per step, with one branch for both (a carried document
/// runs on for a few hundred bytes); the step that breaks the pattern is
/// done again a word at a time, so where the loop stops is exactly where
/// the word loop stops.
#[inline]
fn skip_quoted_words(bytes: &[u8], from: usize) -> usize {
    // Whole blocks first where the CPU can, then words from where they
    // stopped, with their carry.
    let (mut from, carry) = simd::skip_quoted_blocks(bytes, from, 0);
    // The high bit of byte 0 when the previous word ended in a backslash.
    let mut carry = u64::from(carry) << 7;
    while let Some(chunk) = bytes.get(from..from + 16) {
        let (w0, w1) = (word_at(chunk, 0), word_at(chunk, 8));
        let (b0, b1) = (bytes_equal(w0, b'\\'), bytes_equal(w1, b'\\'));
        let broken = (bytes_equal(w0, b'"') ^ (b0 << 8 | carry))
            | (bytes_equal(w1, b'"') ^ (b1 << 8 | b0 >> 56))
            | controls(w0)
            | controls(w1);
        if broken != 0 {
            break;
        }
        carry = b1 >> 56;
        from += 16;
    }
    while let Some(chunk) = bytes.get(from..from + 8) {
        let w = word_at(chunk, 0);
        let backslashes = bytes_equal(w, b'\\');
        let quotes = bytes_equal(w, b'"');
        if quotes != (backslashes << 8 | carry) || controls(w) != 0 {
            break;
        }
        carry = backslashes >> 56;
        from += 8;
    }
    from - (carry >> 7) as usize
}

/// The eight bytes of `chunk` at `at` as a little-endian word (zero past
/// its end, which callers never reach).
#[inline(always)]
fn word_at(chunk: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    if let Some(bytes) = chunk.get(at..at + 8) {
        word.copy_from_slice(bytes);
    }
    u64::from_le_bytes(word)
}

/// The high bit of every byte of `w` below 0x20 (exact for every byte).
#[inline(always)]
fn controls(w: u64) -> u64 {
    !(((w & !HIGH) + ONES * (0x80 - 0x20)) | w) & HIGH
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
    let mut out = Vec::with_capacity(raw.len());
    unescape_into(raw.as_bytes(), &mut out);
    // Text between escapes is copied whole and escapes decode to whole
    // characters, so the result is UTF-8; the check only guards that.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Decodes the escapes of a string [`scan`] accepted, appending to `out`.
///
/// Carried JSON has an escape every few bytes (`\"` around every key), so
/// a copy per run between escapes would be a `memcpy` call per few bytes.
/// Instead whole 8-byte words are appended and the length cut back to the
/// first backslash: one store and a truncate per word.
pub(crate) fn unescape_into(bytes: &[u8], out: &mut Vec<u8>) {
    out.reserve(bytes.len() + 8);
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let hit = has_byte(u64::from_le_bytes(word), b'\\');
            out.extend_from_slice(&word);
            if hit == 0 {
                i += 8;
                continue;
            }
            let plain = (hit.trailing_zeros() / 8) as usize;
            out.truncate(out.len() - (8 - plain));
            i += plain;
        } else if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        // An escape at `i`: most are `\"` (carried JSON's quotes).
        if let Some(&b @ (b'"' | b'\\')) = bytes.get(i + 1) {
            out.push(b);
            i += 2;
            continue;
        }
        let (decoded, len) = match bytes.get(i + 1) {
            Some(b'"') => ('"', 2),
            Some(b'\\') => ('\\', 2),
            Some(b'/') => ('/', 2),
            Some(b'b') => ('\u{8}', 2),
            Some(b'f') => ('\u{c}', 2),
            Some(b'n') => ('\n', 2),
            Some(b'r') => ('\r', 2),
            Some(b't') => ('\t', 2),
            Some(b'u') => {
                let unit = hex4(bytes, i + 2).unwrap_or(0xFFFD);
                if (0xD800..=0xDBFF).contains(&unit) {
                    let low = hex4(bytes, i + 8).unwrap_or(0xDC00);
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
        if decoded.is_ascii() {
            out.push(decoded as u8);
        } else {
            let mut utf8 = [0u8; 4];
            out.extend_from_slice(decoded.encode_utf8(&mut utf8).as_bytes());
        }
        i += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str) -> Result<bool, StringError> {
        scan(s.as_bytes(), 0).map(|(end, escapes)| {
            assert_eq!(end, s.len() - 1, "{s}");
            escapes != Escapes::None
        })
    }

    #[test]
    fn quote_only_escapes_are_told_apart() {
        let escapes = |s: &str| scan(s.as_bytes(), 0).map(|(_, e)| e);
        assert_eq!(escapes(r#""plain""#), Ok(Escapes::None));
        assert_eq!(escapes(r#""{\"a\":1}""#), Ok(Escapes::QuotesOnly));
        assert_eq!(escapes(r#""\"\\\"""#), Ok(Escapes::Other));
        assert_eq!(escapes(r#""\"a\n""#), Ok(Escapes::Other));
        assert_eq!(escapes(r#""\u0022\"""#), Ok(Escapes::Other));
        assert_eq!(escapes(r#""\\\"""#), Ok(Escapes::Other));
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
        assert_eq!(unescape(r#"ty\u0070e"#), "type");
        // Words with the backslash at every position, and a tail shorter
        // than a word.
        for at in 0..12 {
            let raw = format!("{}\\n{}", "x".repeat(at), "y".repeat(11 - at));
            let expected = format!("{}\n{}", "x".repeat(at), "y".repeat(11 - at));
            assert_eq!(unescape(&raw), expected, "{raw}");
        }
        assert_eq!(unescape(r#"\"a\u00e9b\\"#), "\"aéb\\");
    }

    /// [`scan`] byte by byte, without words: what the fast paths must
    /// agree with.
    fn scan_bytewise(bytes: &[u8], quote: usize) -> Result<(usize, Escapes), StringError> {
        let mut i = quote + 1;
        let mut escapes = Escapes::None;
        loop {
            match bytes.get(i) {
                None => return Err(StringError::Unterminated),
                Some(b'"') => return Ok((i, escapes)),
                Some(b'\\') => {
                    if bytes.get(i + 1) == Some(&b'"') {
                        if escapes == Escapes::None {
                            escapes = Escapes::QuotesOnly;
                        }
                    } else {
                        escapes = Escapes::Other;
                    }
                    i = escape(bytes, i)?;
                }
                Some(&b) if b < 0x20 => return Err(StringError::Control(i)),
                Some(_) => i += 1,
            }
        }
    }

    #[test]
    fn word_scans_agree_with_a_byte_scan() {
        // Every arrangement of up to five bytes that matter to carried
        // text (plain, backslash, quote, control, `n`), after a `\"` and
        // padding that puts it at each position of a word and of a 32-byte
        // block (and across a block's end), then a `\"` and a closing quote
        // at each distance from it.
        let alphabet = [b'a', b'\\', b'"', 0x1f, b'n'];
        let mut text = Vec::new();
        for len in 0..=5u32 {
            for code in 0..alphabet.len().pow(len) {
                for pad in 0..40 {
                    for tail in 0..18 {
                        text.clear();
                        text.extend_from_slice(b"\"\\\"");
                        text.extend(std::iter::repeat_n(b'x', pad));
                        let mut code = code;
                        for _ in 0..len {
                            text.push(alphabet[code % alphabet.len()]);
                            code /= alphabet.len();
                        }
                        text.extend_from_slice(b"\\\"");
                        text.extend(std::iter::repeat_n(b'y', tail));
                        text.push(b'"');
                        let expected = scan_bytewise(&text, 0);
                        let shown = || String::from_utf8_lossy(&text).into_owned();
                        assert_eq!(scan(&text, 0), expected, "{}", shown());
                        // And the word loops alone, as a CPU without AVX2
                        // runs them.
                        let words = simd::scalar_only(|| scan(&text, 0));
                        assert_eq!(words, expected, "{}", shown());
                    }
                }
            }
        }
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
