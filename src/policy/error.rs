use std::fmt;
use std::path::{Path, PathBuf};

use crate::classes::PatternError;

/// A policy that cannot be used, and where it went wrong.
///
/// The display form is `FILE:LINE:COLUMN: key `KEY`: what is wrong`, the
/// shape editors and CI logs link to:
///
/// ```
/// use input_guard::policy::Policy;
///
/// let err = Policy::from_toml("[xml]\nmax_dept = 3\n").unwrap_err();
/// assert_eq!(err.line(), Some(2));
/// assert_eq!(err.key(), "xml.max_dept");
/// assert!(err.to_string().starts_with("<policy>:2:1: key `xml.max_dept`: unknown key"));
/// ```
#[derive(Debug, thiserror::Error)]
pub struct PolicyError {
    file: Option<PathBuf>,
    position: Option<(usize, usize)>,
    key: String,
    kind: PolicyErrorKind,
}

/// What is wrong with a policy.
///
/// ```
/// use input_guard::policy::{Policy, PolicyErrorKind};
///
/// let typo = Policy::from_toml("[query]\nmax_result = 10").unwrap_err();
/// assert!(matches!(
///     typo.kind(),
///     PolicyErrorKind::UnknownKey { expected } if expected.iter().any(|k| k == "max_results"),
/// ));
///
/// let pattern = Policy::from_toml("[classes]\nallow = [\"com.*.Order\"]").unwrap_err();
/// assert!(matches!(pattern.kind(), PolicyErrorKind::Pattern(_)));
///
/// let range = Policy::from_toml("[xml]\nmax_depth = 0").unwrap_err();
/// assert!(matches!(range.kind(), PolicyErrorKind::Invalid(_)));
///
/// let syntax = Policy::from_toml("[xml]\nmax_depth = \"deep\"").unwrap_err();
/// assert!(matches!(syntax.kind(), PolicyErrorKind::Syntax(_)));
///
/// let missing = Policy::load("/no/such/policy.toml").unwrap_err();
/// assert!(matches!(missing.kind(), PolicyErrorKind::Io(_)));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    /// The file could not be read.
    #[error("cannot read policy: {0}")]
    Io(#[source] std::io::Error),
    /// Not TOML, or a value of the wrong type.
    #[error("{0}")]
    Syntax(String),
    /// A key the policy format does not have (often a typo).
    #[error("unknown key{}", expected_keys(.expected))]
    UnknownKey {
        /// The keys allowed at that place.
        expected: Vec<String>,
    },
    /// A class pattern that does not parse.
    #[error(transparent)]
    Pattern(#[from] PatternError),
    /// A value outside its allowed range or set.
    #[error("{0}")]
    Invalid(String),
}

fn expected_keys(expected: &[String]) -> String {
    if expected.is_empty() {
        String::new()
    } else {
        format!(" (expected one of: {})", expected.join(", "))
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}", file.display())?,
            None => f.write_str("<policy>")?,
        }
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": key `{}`", self.key)?;
        }
        write!(f, ": {}", self.kind)
    }
}

impl PolicyError {
    pub(crate) fn new(kind: PolicyErrorKind, key: impl Into<String>) -> Self {
        PolicyError {
            file: None,
            position: None,
            key: key.into(),
            kind,
        }
    }

    /// Attaches the position of byte `offset` in `source`.
    pub(crate) fn at(mut self, source: &str, offset: usize) -> Self {
        let before = source.get(..offset).unwrap_or(source);
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        self.position = Some((line, column));
        self
    }

    /// The same error, naming `file` (for an error from
    /// [`Guard::new`](crate::Guard::new) on a policy loaded from it).
    ///
    /// ```
    /// use input_guard::policy::Policy;
    ///
    /// let err = Policy::from_toml("[xml]\nmax_depth = 0\n").unwrap_err();
    /// let err = err.in_file(std::path::Path::new("guard.toml"));
    /// assert!(err.to_string().starts_with("guard.toml:2:"));
    /// ```
    pub fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_owned());
        self
    }

    /// The policy file, when the policy was loaded from one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// 1-based line of the problem, when it has a place in the text.
    pub fn line(&self) -> Option<usize> {
        self.position.map(|(line, _)| line)
    }

    /// 1-based column (in characters) of the problem.
    pub fn column(&self) -> Option<usize> {
        self.position.map(|(_, column)| column)
    }

    /// Dotted path of the offending key (`classes.allow[2]`), empty when the
    /// problem is not tied to one key.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What is wrong.
    pub fn kind(&self) -> &PolicyErrorKind {
        &self.kind
    }
}
