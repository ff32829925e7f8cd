//! Percent-decoding (RFC 3986 section 2.1): the one decoder behind request
//! paths and query strings.
//!
//! # Security
//!
//! A `%` must be followed by exactly two ASCII hex digits; anything else is
//! [`Malformed`], and the callers refuse the request. Integer parsers are
//! not escape decoders: `u8::from_str_radix("+f", 16)` is `Ok(15)`, as is
//! Java's `Integer.parseInt("+f", 16)`, so a decoder built on either reads
//! `%+f` as byte `0x0F` where Tomcat's `UDecoder` refuses the escape, and
//! containers disagree on what follows (a 400, the parameter dropped, its
//! raw text kept). Refusing every escape that is not two hex digits means
//! the guard never judges bytes the engine reads differently.
//!
//! The decoder reports which bytes were escaped ([`Unit::Escaped`]) and
//! which were sent as themselves ([`Unit::Literal`]): paths refuse an
//! escaped `/`, queries read a literal `+` as a space.

/// A `%` not followed by two ASCII hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// One decoded byte, and how it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// A byte sent as itself.
    Literal(u8),
    /// A byte sent as a `%XX` escape.
    Escaped(u8),
}

/// The value of one ASCII hex digit.
fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The bytes of `input`, `%XX` escapes decoded, in order; after the first
/// [`Malformed`] escape, nothing more.
pub(crate) fn units(input: &[u8]) -> Units<'_> {
    Units { input, pos: 0 }
}

/// The iterator of [`units`].
#[derive(Debug, Clone)]
pub(crate) struct Units<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Iterator for Units<'_> {
    type Item = Result<Unit, Malformed>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let &b = self.input.get(self.pos)?;
        if b != b'%' {
            self.pos += 1;
            return Some(Ok(Unit::Literal(b)));
        }
        let escape = self
            .input
            .get(self.pos + 1)
            .and_then(|&b| hex_digit(b))
            .zip(self.input.get(self.pos + 2).and_then(|&b| hex_digit(b)));
        match escape {
            Some((high, low)) => {
                self.pos += 3;
                Some(Ok(Unit::Escaped(high << 4 | low)))
            }
            None => {
                self.pos = self.input.len();
                Some(Err(Malformed))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // At least one unit while input is left (a malformed escape ends
        // the iteration), at most one per byte.
        let left = self.input.len() - self.pos;
        (usize::from(left > 0), Some(left))
    }
}

#[cfg(test)]
mod tests {
    //! Unit tests only: an `unwrap` here is a test assertion on fixed
    //! inputs, not a path a request can reach.
    use super::*;

    fn decode(input: &str) -> Result<Vec<u8>, Malformed> {
        units(input.as_bytes())
            .map(|u| {
                u.map(|u| match u {
                    Unit::Literal(b) | Unit::Escaped(b) => b,
                })
            })
            .collect()
    }

    #[test]
    fn decodes_two_hex_digits() {
        for (input, expected) in [
            ("", &b""[..]),
            ("abc", b"abc"),
            ("%41", b"A"),
            ("%4a%4A", b"JJ"),
            ("%00%ff%FF", b"\x00\xff\xff"),
            ("%2B+", b"++"),
            ("%25", b"%"),
            ("%2541", b"%41"),
            ("x%C3%A9y", "x\u{e9}y".as_bytes()),
        ] {
            assert_eq!(decode(input).as_deref(), Ok(expected), "{input:?}");
        }
    }

    #[test]
    fn reports_how_each_byte_was_sent() {
        let got: Vec<_> = units(b"+%2B/%2f").collect();
        assert_eq!(
            got,
            [
                Ok(Unit::Literal(b'+')),
                Ok(Unit::Escaped(b'+')),
                Ok(Unit::Literal(b'/')),
                Ok(Unit::Escaped(b'/')),
            ]
        );
    }

    /// What integer parsers accept and an escape is not: a sign, blanks,
    /// one digit, non-ASCII digits.
    #[test]
    fn refuses_everything_but_two_hex_digits() {
        // The trap this decoder replaces.
        assert_eq!(u8::from_str_radix("+f", 16), Ok(15));
        for input in [
            "%+f",
            "%-f",
            "%+0",
            "% f",
            "%f ",
            "%\tf",
            "%f",
            "%",
            "a%",
            "%4",
            "%4g",
            "%g4",
            "%0x",
            "%x0",
            "%%41",
            "%\u{ff11}\u{ff11}",
            "%\u{664}\u{661}",
            "%41%+1",
        ] {
            assert_eq!(decode(input), Err(Malformed), "{input:?}");
        }
    }

    #[test]
    fn stops_after_a_malformed_escape() {
        let it = units(b"%zz%zz%zz");
        let (low, high) = it.size_hint();
        assert!(low <= 1 && high >= Some(1));
        assert_eq!(it.count(), 1);
        let mut it = units(b"a%zz%41");
        assert_eq!(it.next(), Some(Ok(Unit::Literal(b'a'))));
        assert_eq!(it.next(), Some(Err(Malformed)));
        assert_eq!(it.next(), None);
    }
}
