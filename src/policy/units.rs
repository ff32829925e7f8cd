//! Byte sizes as operators write them: `10485760`, `"10MiB"`, `"512 KiB"`.

use std::fmt;
use std::str::FromStr;

/// A number of bytes, as the byte-size keys of a policy take it (the keys
/// whose names end in `_bytes`: `[body] max_bytes`, `max_inflated_bytes`,
/// `[json] max_string_bytes`, `[xml] max_value_bytes`, `[[routes]]
/// max_bytes`).
///
/// In a policy such a key takes a TOML integer (bytes) or a string: ASCII
/// digits, at most one space, and a unit, case as written here:
///
/// | unit | bytes |
/// |---|---|
/// | `B` (or none) | 1 |
/// | `kB`, `MB`, `GB`, `TB` | 1000, 1000², 1000³, 1000⁴ |
/// | `KiB`, `MiB`, `GiB`, `TiB` | 1024, 1024², 1024³, 1024⁴ |
///
/// Fractions (`"1.5MiB"`), signs, other spacing and other units (`"10mb"`,
/// `"10KB"`, `"10M"`) are errors rather than guesses: a size limit read
/// wrongly is a limit that does not hold. [`Display`](fmt::Display) writes
/// the largest 1024-based unit that divides the size exactly, else the
/// largest 1000-based one, else bytes, and parses back to the same size.
///
/// ```
/// use input_guard::policy::ByteSize;
///
/// assert_eq!("10MiB".parse::<ByteSize>()?, ByteSize(10 * 1024 * 1024));
/// assert_eq!("512 KiB".parse::<ByteSize>()?, ByteSize(512 * 1024));
/// assert_eq!("100kB".parse::<ByteSize>()?, ByteSize(100_000));
/// assert_eq!("4096".parse::<ByteSize>()?, ByteSize(4096));
/// assert!("1.5MiB".parse::<ByteSize>().is_err());
/// assert!("10mb".parse::<ByteSize>().is_err());
///
/// assert_eq!(ByteSize(10 * 1024 * 1024).to_string(), "10MiB");
/// assert_eq!(ByteSize(5_000_000).to_string(), "5MB");
/// assert_eq!(ByteSize(1000 * 1024 + 1).to_string(), "1024001B");
/// # Ok::<(), input_guard::policy::ByteSizeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSize(pub u64);

/// Why a string is not a [`ByteSize`]; the display form is the message a
/// policy error shows.
///
/// ```
/// use input_guard::policy::{ByteSize, ByteSizeError};
///
/// let err = "10 mb".parse::<ByteSize>().unwrap_err();
/// assert!(matches!(err, ByteSizeError::UnknownUnit { .. }));
/// assert!(err.to_string().contains("KiB, MiB, GiB, TiB"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ByteSizeError {
    /// Not digits, an optional space and a unit.
    #[error(
        "`{0}` is not a size: write digits, at most one space and a unit, such as \"10MiB\" or \"512 KiB\""
    )]
    Malformed(String),
    /// A minus sign.
    #[error("`{0}`: a size cannot be negative")]
    Negative(String),
    /// A decimal point or comma: sizes are whole numbers of a unit.
    #[error("`{0}`: sizes are whole numbers; use a smaller unit (\"1536KiB\", not \"1.5MiB\")")]
    Fraction(String),
    /// A unit not in the table.
    #[error("`{input}`: unknown unit `{unit}`; units are {UNIT_LIST}")]
    UnknownUnit {
        /// The size as written.
        input: String,
        /// The unit as written.
        unit: String,
    },
    /// More bytes than 64 bits count.
    #[error("`{0}` is too large: at most {max} bytes", max = u64::MAX)]
    TooLarge(String),
}

/// Units and their sizes, largest first within each family (the order
/// [`ByteSize`]'s `Display` tries them in).
const BINARY: [(&str, u64); 4] = [
    ("TiB", 1 << 40),
    ("GiB", 1 << 30),
    ("MiB", 1 << 20),
    ("KiB", 1 << 10),
];
const DECIMAL: [(&str, u64); 4] = [
    ("TB", 1_000_000_000_000),
    ("GB", 1_000_000_000),
    ("MB", 1_000_000),
    ("kB", 1000),
];
const UNIT_LIST: &str = "B; kB, MB, GB, TB (powers of 1000); KiB, MiB, GiB, TiB (powers of 1024)";

impl FromStr for ByteSize {
    type Err = ByteSizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (number, rest) = s.split_at(digits);
        if number.is_empty() {
            return Err(if s.starts_with('-') {
                ByteSizeError::Negative(s.to_owned())
            } else {
                ByteSizeError::Malformed(s.to_owned())
            });
        }
        if rest.starts_with(['.', ',']) {
            return Err(ByteSizeError::Fraction(s.to_owned()));
        }
        let unit = rest.strip_prefix(' ').unwrap_or(rest);
        let multiplier = match unit {
            "" if rest.is_empty() => 1,
            "B" => 1,
            _ => match BINARY
                .iter()
                .chain(&DECIMAL)
                .find(|(name, _)| *name == unit)
            {
                Some(&(_, size)) => size,
                // A unit is letters; anything else (a second space, a
                // trailing space, a sign) is a malformed size, not a unit.
                None if !unit.is_empty() && unit.chars().all(|c| c.is_ascii_alphabetic()) => {
                    return Err(ByteSizeError::UnknownUnit {
                        input: s.to_owned(),
                        unit: unit.to_owned(),
                    });
                }
                None => return Err(ByteSizeError::Malformed(s.to_owned())),
            },
        };
        // Only ASCII digits are left, so parsing fails on overflow alone.
        number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(multiplier))
            .map(ByteSize)
            .ok_or_else(|| ByteSizeError::TooLarge(s.to_owned()))
    }
}

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        if n != 0 {
            for (unit, size) in BINARY.iter().chain(&DECIMAL) {
                if n.is_multiple_of(*size) {
                    return write!(f, "{}{unit}", n / size);
                }
            }
        }
        write!(f, "{n}B")
    }
}

impl From<ByteSize> for u64 {
    fn from(size: ByteSize) -> u64 {
        size.0
    }
}

#[cfg(test)]
mod tests {
    // Unwraps here are test failures, not request paths.
    use super::*;

    fn size(s: &str) -> Result<u64, ByteSizeError> {
        s.parse::<ByteSize>().map(u64::from)
    }

    #[test]
    fn units_and_their_near_misses() {
        for (text, bytes) in [
            ("0", 0),
            ("1", 1),
            ("1B", 1),
            ("1 B", 1),
            ("10MiB", 10 << 20),
            ("10 MiB", 10 << 20),
            ("512KiB", 512 << 10),
            ("1GiB", 1 << 30),
            ("2TiB", 2 << 40),
            ("100kB", 100_000),
            ("3MB", 3_000_000),
            ("4GB", 4_000_000_000),
            ("5TB", 5_000_000_000_000),
            ("007KiB", 7 << 10),
            ("18446744073709551615", u64::MAX),
            ("16777215TiB", 16_777_215 << 40),
        ] {
            assert_eq!(size(text), Ok(bytes), "{text}");
        }
        for text in [
            "", " 10MiB", "10MiB ", "10  MiB", "10\tMiB", "+10MiB", "MiB", "10 ",
        ] {
            assert!(
                matches!(size(text), Err(ByteSizeError::Malformed(_))),
                "{text}: {:?}",
                size(text)
            );
        }
        for text in [
            "10mib", "10mb", "10KB", "10M", "10Mi", "10kiB", "10b", "10bytes",
        ] {
            assert!(
                matches!(size(text), Err(ByteSizeError::UnknownUnit { .. })),
                "{text}: {:?}",
                size(text)
            );
        }
        assert!(matches!(size("-1"), Err(ByteSizeError::Negative(_))));
        assert!(matches!(size("-1MiB"), Err(ByteSizeError::Negative(_))));
        assert!(matches!(size("1.5MiB"), Err(ByteSizeError::Fraction(_))));
        assert!(matches!(size("1,5 MiB"), Err(ByteSizeError::Fraction(_))));
        assert!(matches!(
            size("18446744073709551616"),
            Err(ByteSizeError::TooLarge(_))
        ));
        assert!(matches!(
            size("16777216TiB"),
            Err(ByteSizeError::TooLarge(_))
        ));
        assert!(matches!(
            size("20000000TB"),
            Err(ByteSizeError::TooLarge(_))
        ));
    }

    #[test]
    fn messages_speak_of_sizes_and_units() {
        let unknown = size("10 mb").unwrap_err().to_string();
        assert_eq!(
            unknown,
            "`10 mb`: unknown unit `mb`; units are B; kB, MB, GB, TB (powers of 1000); KiB, MiB, GiB, TiB (powers of 1024)"
        );
        assert!(
            size("1.5MiB")
                .unwrap_err()
                .to_string()
                .contains("\"1536KiB\"")
        );
        assert!(size("lots").unwrap_err().to_string().contains("\"10MiB\""));
        assert!(size("-5").unwrap_err().to_string().contains("negative"));
        assert!(
            size("99999999999TiB")
                .unwrap_err()
                .to_string()
                .contains("too large")
        );
    }

    #[test]
    fn display_parses_back() {
        for (bytes, text) in [
            (0, "0B"),
            (1, "1B"),
            (1023, "1023B"),
            (1024, "1KiB"),
            (1000, "1kB"),
            (10 << 20, "10MiB"),
            (1_048_577, "1048577B"),
            (5_000_000, "5MB"),
            (1 << 40, "1TiB"),
            (u64::MAX, "18446744073709551615B"),
        ] {
            assert_eq!(ByteSize(bytes).to_string(), text);
            assert_eq!(size(text), Ok(bytes));
        }
    }
}
