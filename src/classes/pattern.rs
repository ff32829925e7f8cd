//! Class patterns as written in policies: `com.acme.Order`, `com.acme.*`,
//! `com.acme.**`.

use std::borrow::Cow;
use std::fmt;

/// What a [`ClassPattern`] covers.
///
/// ```
/// use input_guard::classes::{ClassFilter, ClassPattern, PatternKind};
///
/// let kind = |p: &str| p.parse::<ClassPattern>().map(|p| p.kind());
/// assert_eq!(kind("com.acme.Order"), Ok(PatternKind::Class));
/// assert_eq!(kind("com.acme.*"), Ok(PatternKind::Package));
/// assert_eq!(kind("com.acme.**"), Ok(PatternKind::Tree));
///
/// let package = ClassFilter::new(["com.acme.*".parse()?], []);
/// assert!(package.check("com.acme.Order$Line").is_allowed());
/// assert!(!package.check("com.acme.sub.Order").is_allowed());
///
/// let tree = ClassFilter::new(["com.acme.**".parse()?], []);
/// assert!(tree.check("com.acme.sub.Order").is_allowed());
/// assert!(!tree.check("com.acmex.Order").is_allowed());
///
/// // A class denied is denied with its nested classes.
/// let deny = ClassFilter::new(["com.acme.**".parse()?], ["com.acme.Secret".parse()?]);
/// assert!(!deny.check("com.acme.Secret$Key").is_allowed());
/// # Ok::<(), input_guard::classes::PatternError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternKind {
    /// `com.acme.Order`: that class. As a deny rule it also covers the
    /// class's nested classes (`com.acme.Order$Line`): a class that is
    /// dangerous rarely has harmless inner helpers, and JEP 290 users are
    /// routinely surprised by `Outer$Inner` slipping past a deny of `Outer`.
    Class,
    /// `com.acme.*`: classes whose package is exactly `com.acme`, including
    /// their nested classes; not `com.acme.sub.X` (JEP 290 semantics).
    Package,
    /// `com.acme.**`: classes in `com.acme` and in every package below it.
    /// Matching is by whole segments: never `com.acmex.Y`.
    Tree,
    /// Nested classes only (`Outer$`, gadget data). Not writable in policies.
    Nested,
}

/// A parsed class pattern.
///
/// ```
/// use input_guard::classes::{ClassPattern, PatternKind};
///
/// let p: ClassPattern = "com.acme.**".parse().unwrap();
/// assert_eq!(p.kind(), PatternKind::Tree);
/// assert_eq!(p.name(), "com.acme");
/// assert!("com.acme.*.Order".parse::<ClassPattern>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClassPattern {
    /// Borrowed for the built-in lists (hundreds of entries, compiled
    /// into every filter), owned for a policy's own patterns.
    name: Cow<'static, str>,
    kind: PatternKind,
}

impl ClassPattern {
    /// The class or package name the pattern is anchored on (no `.*`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the pattern covers.
    pub fn kind(&self) -> PatternKind {
        self.kind
    }

    pub(crate) fn new(name: &str, kind: PatternKind) -> Self {
        ClassPattern {
            name: Cow::Owned(name.to_owned()),
            kind,
        }
    }

    /// A pattern naming compiled-in text, which it borrows.
    pub(crate) fn from_static(name: &'static str, kind: PatternKind) -> Self {
        ClassPattern {
            name: Cow::Borrowed(name),
            kind,
        }
    }

    /// The name, shared with the pattern where it is compiled-in text.
    pub(crate) fn shared_name(&self) -> Cow<'static, str> {
        self.name.clone()
    }
}

impl fmt::Display for ClassPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PatternKind::Class => write!(f, "{}", self.name),
            PatternKind::Package => write!(f, "{}.*", self.name),
            PatternKind::Tree => write!(f, "{}.**", self.name),
            PatternKind::Nested => write!(f, "{}$*", self.name),
        }
    }
}

/// Why a string is not a class pattern.
///
/// ```
/// use input_guard::classes::{ClassPattern, PatternError};
///
/// let parse = |p: &str| p.parse::<ClassPattern>();
/// assert_eq!(parse(""), Err(PatternError::Empty));
/// assert_eq!(parse("**"), Err(PatternError::MatchesEverything("**".to_owned())));
/// assert_eq!(parse("com.*.Order"), Err(PatternError::MisplacedWildcard));
/// assert!(matches!(
///     parse("com.acme.1Order"),
///     Err(PatternError::BadName { name, .. }) if name == "com.acme.1Order",
/// ));
/// assert_eq!(
///     parse("*").map_err(|e| e.to_string()),
///     Err("`*` would match every class; name packages explicitly".to_owned()),
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatternError {
    /// The pattern is empty.
    #[error("empty class pattern")]
    Empty,
    /// `*` or `**` alone would admit every class.
    #[error("`{0}` would match every class; name packages explicitly")]
    MatchesEverything(String),
    /// A `*` somewhere other than a trailing `.*` or `.**`.
    #[error("`*` is only allowed as a trailing `.*` or `.**`")]
    MisplacedWildcard,
    /// The name part is not a dotted Java name.
    #[error("`{name}` is not a Java class or package name: {problem}")]
    BadName {
        /// The offending name.
        name: String,
        /// What is wrong with it.
        problem: &'static str,
    },
}

impl std::str::FromStr for ClassPattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(PatternError::Empty);
        }
        if s == "*" || s == "**" {
            return Err(PatternError::MatchesEverything(s.to_owned()));
        }
        let (name, kind) = if let Some(package) = s.strip_suffix(".**") {
            (package, PatternKind::Tree)
        } else if let Some(package) = s.strip_suffix(".*") {
            (package, PatternKind::Package)
        } else {
            (s, PatternKind::Class)
        };
        if name.contains('*') {
            return Err(PatternError::MisplacedWildcard);
        }
        if let Err(problem) = check_dotted_name(name, kind == PatternKind::Class) {
            return Err(PatternError::BadName {
                name: name.to_owned(),
                problem,
            });
        }
        Ok(ClassPattern::new(name, kind))
    }
}

/// Checks `ident(.ident)*` with ASCII Java identifiers; `$` is allowed in
/// class names only (packages never contain nested-class separators).
pub(crate) fn check_dotted_name(name: &str, dollar_allowed: bool) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("empty name");
    }
    for segment in name.split('.') {
        let mut bytes = segment.bytes();
        match bytes.next() {
            None => return Err("empty segment"),
            Some(b) if b.is_ascii_digit() => return Err("segment starts with a digit"),
            Some(_) => {}
        }
        for b in segment.bytes() {
            let ok = b.is_ascii_alphanumeric() || b == b'_' || (b == b'$' && dollar_allowed);
            if !ok {
                return Err(if b.is_ascii() {
                    "character not allowed in a name"
                } else {
                    "non-ASCII character"
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let cases: &[(&str, Option<(&str, PatternKind)>)] = &[
            (
                "com.acme.Order",
                Some(("com.acme.Order", PatternKind::Class)),
            ),
            (
                "com.acme.Order$Line",
                Some(("com.acme.Order$Line", PatternKind::Class)),
            ),
            ("Order", Some(("Order", PatternKind::Class))),
            ("com.acme.*", Some(("com.acme", PatternKind::Package))),
            ("com.acme.**", Some(("com.acme", PatternKind::Tree))),
            ("com.*", Some(("com", PatternKind::Package))),
            ("*", None),
            ("**", None),
            ("", None),
            (".*", None),
            ("com.acme.", None),
            ("com..acme", None),
            ("com.acme*", None),
            ("com.*.Order", None),
            ("com.acme.***", None),
            ("com.ac$me.*", None),
            ("com.acme.1Order", None),
            ("com.acme.Order ", None),
            ("com/acme/Order", None),
            ("com.acme.Оrder", None),
        ];
        for (input, expected) in cases {
            let got = input.parse::<ClassPattern>().ok();
            let got = got.as_ref().map(|p| (p.name(), p.kind()));
            assert_eq!(got, *expected, "pattern {input:?}");
        }
    }

    #[test]
    fn display_round_trips() {
        for p in ["com.acme.Order", "com.acme.*", "com.acme.**"] {
            assert_eq!(p.parse::<ClassPattern>().unwrap().to_string(), p);
        }
    }
}
