//! The built-in gadget denylist, compiled from `policies/gadgets.txt`.
//!
//! The list ships as data beside the policies so that it can be read and
//! reviewed without reading Rust; `include_str!` makes it part of the
//! library, so no deployment can lose or edit it. The format is described at
//! the top of the file.

use super::pattern::{ClassPattern, PatternKind};

/// The raw list, as shipped.
///
/// Every [`ClassFilter`](crate::classes::ClassFilter) holds one rule per entry, and
/// denies what they name whatever its allow patterns say:
///
/// ```
/// use input_guard::classes::{ClassFilter, GADGETS_TXT};
///
/// assert!(GADGETS_TXT.lines().any(|line| line == "com.sun.rowset.JdbcRowSetImpl"));
///
/// let entries = GADGETS_TXT
///     .lines()
///     .map(str::trim)
///     .filter(|line| !line.is_empty() && !line.starts_with('#'))
///     .count();
/// let filter = ClassFilter::new(["com.sun.**".parse()?], []);
/// assert_eq!(filter.rules().len(), entries + 1); // the gadgets, then the allow
/// assert!(!filter.check("com.sun.rowset.JdbcRowSetImpl").is_allowed());
/// # Ok::<(), input_guard::classes::PatternError>(())
/// ```
pub const GADGETS_TXT: &str = include_str!("../../policies/gadgets.txt");

/// Parses the list into patterns, each with the short name of its source
/// group (the `## ` line text before the first `(` or `:`).
///
/// The file is part of the crate, so its validity is a build property, not a
/// runtime one: a unit test parses every line, and lines that fail to parse
/// (which the test forbids) are skipped rather than panicking.
pub(crate) fn entries() -> impl Iterator<Item = (ClassPattern, &'static str)> {
    // Parsed once per process: every filter holds the whole list, and a
    // guard with per-route class exceptions builds several filters.
    static PARSED: std::sync::OnceLock<Vec<(ClassPattern, &'static str)>> =
        std::sync::OnceLock::new();
    PARSED.get_or_init(parse_all).iter().cloned()
}

fn parse_all() -> Vec<(ClassPattern, &'static str)> {
    let mut group: &'static str = "input-guard";
    GADGETS_TXT
        .lines()
        .filter_map(move |line| {
            let line = line.trim();
            if let Some(header) = line.strip_prefix("## ") {
                group = header.split([':', '(']).next().unwrap_or(header).trim();
                return None;
            }
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            parse_entry(line).map(|pattern| (pattern, group))
        })
        .collect()
}

fn parse_entry(line: &'static str) -> Option<ClassPattern> {
    let (name, kind) = if let Some(package) = line.strip_suffix('.') {
        (package, PatternKind::Tree)
    } else if let Some(outer) = line.strip_suffix('$').or_else(|| line.strip_suffix('+')) {
        (outer, PatternKind::Nested)
    } else {
        (line, PatternKind::Class)
    };
    valid_name(name).then(|| ClassPattern::from_static(name, kind))
}

/// Whether `name` is segments separated by `.`, `$` or `+`, each non-empty,
/// of ASCII letters, digits, `_` and `` ` `` (generic arity), not starting
/// with a digit. One pass over the bytes with a class table: a `split` on a
/// char set was 0.56M instructions for the list, a sixth of a small
/// `check` process.
fn valid_name(name: &str) -> bool {
    let mut segment_start = true;
    for &b in name.as_bytes() {
        match NAME_BYTES[usize::from(b)] {
            SEPARATOR if segment_start => return false,
            SEPARATOR => segment_start = true,
            DIGIT if segment_start => return false,
            DIGIT | WORD => segment_start = false,
            _ => return false,
        }
    }
    !segment_start
}

const OTHER: u8 = 0;
const SEPARATOR: u8 = 1;
const DIGIT: u8 = 2;
const WORD: u8 = 3;

/// What each byte is to [`valid_name`].
const NAME_BYTES: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'.' | b'$' | b'+' => SEPARATOR,
            b'0'..=b'9' => DIGIT,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'`' => WORD,
            _ => OTHER,
        };
        b += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_is_an_entry() {
        let mut count = 0;
        for line in GADGETS_TXT.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            assert!(parse_entry(line).is_some(), "bad gadget entry {line:?}");
            count += 1;
        }
        assert_eq!(entries().count(), count);
        assert!(count > 530, "gadget list shrank to {count}");
    }

    #[test]
    fn names_are_checked_as_segments() {
        // The definition, segment by segment, against the one-pass check,
        // on every string of up to four bytes that matter.
        let by_segments = |name: &str| {
            !name.is_empty()
                && name.split(['.', '$', '+']).all(|segment| {
                    segment
                        .as_bytes()
                        .first()
                        .is_some_and(|b| !b.is_ascii_digit())
                        && segment
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'`')
                })
        };
        let alphabet = ["a", "Z", "1", "_", "`", ".", "$", "+", "-", " ", "é"];
        let mut names = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = names
                .iter()
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            names.extend(longer.into_iter().filter(|n| n.chars().count() <= 4));
            names.sort();
            names.dedup();
        }
        assert!(names.len() > 10_000);
        for name in &names {
            assert_eq!(valid_name(name), by_segments(name), "{name:?}");
        }
        assert!(valid_name("com.sun.rowset.JdbcRowSetImpl"));
        assert!(valid_name("System.Windows.Data.ObjectDataProvider`1+Inner"));
    }

    #[test]
    fn groups_are_named() {
        let groups: std::collections::BTreeSet<_> = entries().map(|(_, g)| g).collect();
        assert!(groups.len() >= 8, "{groups:?}");
        assert!(
            groups.iter().all(|g| !g.is_empty() && g.len() < 80),
            "{groups:?}"
        );
    }
}
