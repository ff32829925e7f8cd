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

    /// Orders errors as they appear in the file; errors with no place
    /// (a file that cannot be read) come last.
    fn place(&self) -> (bool, usize, usize) {
        match self.position {
            Some((line, column)) => (false, line, column),
            None => (true, 0, 0),
        }
    }
}

/// Every problem of a policy, in file order: what
/// [`Policy::from_toml_all`](super::Policy::from_toml_all) and
/// [`Policy::load_all`](super::Policy::load_all) return, so that an
/// operator fixes a file in one round instead of one error at a time.
///
/// It holds at least one error. The display form is one
/// [`PolicyError`] a line:
///
/// ```
/// use input_guard::policy::Policy;
///
/// let errors = Policy::from_toml_all(
///     "[body]\nmax_bytes = \"lots\"\n[xml]\nmax_dept = 3\n",
/// ).unwrap_err();
/// assert_eq!(errors.len(), 2);
/// assert_eq!(errors.first().key(), "body.max_bytes");
/// let keys: Vec<&str> = errors.iter().map(|e| e.key()).collect();
/// assert_eq!(keys, ["body.max_bytes", "xml.max_dept"]);
/// assert_eq!(errors.to_string().lines().count(), 2);
/// ```
#[derive(Debug, thiserror::Error)]
pub struct PolicyErrors {
    // Boxed, so that a `Result` carrying errors stays small.
    first: Box<PolicyError>,
    rest: Vec<PolicyError>,
}

impl PolicyErrors {
    /// The errors sorted into file order; `None` when there are none.
    pub(crate) fn new(mut errors: Vec<PolicyError>) -> Option<Self> {
        // Stable, so errors at one place keep the order they were found in.
        errors.sort_by_key(PolicyError::place);
        let mut errors = errors.into_iter();
        let first = errors.next()?;
        Some(PolicyErrors {
            first: Box::new(first),
            rest: errors.collect(),
        })
    }

    /// The first error in the file (what [`Policy::from_toml`](super::Policy::from_toml) returns).
    pub fn first(&self) -> &PolicyError {
        &self.first
    }

    /// The first error, owned.
    pub fn into_first(self) -> PolicyError {
        *self.first
    }

    /// How many errors there are (at least one).
    #[allow(clippy::len_without_is_empty)] // never empty, by construction
    pub fn len(&self) -> usize {
        1 + self.rest.len()
    }

    /// The errors in file order.
    pub fn iter(&self) -> impl Iterator<Item = &PolicyError> {
        std::iter::once(&*self.first).chain(&self.rest)
    }

    /// The same errors, naming `file` (see [`PolicyError::in_file`]).
    pub fn in_file(self, file: &Path) -> Self {
        PolicyErrors {
            first: Box::new(self.first.in_file(file)),
            rest: self.rest.into_iter().map(|e| e.in_file(file)).collect(),
        }
    }
}

impl From<PolicyError> for PolicyErrors {
    fn from(error: PolicyError) -> Self {
        PolicyErrors {
            first: Box::new(error),
            rest: Vec::new(),
        }
    }
}

impl From<PolicyErrors> for Vec<PolicyError> {
    fn from(errors: PolicyErrors) -> Self {
        let mut all = Vec::with_capacity(errors.len());
        all.push(*errors.first);
        all.extend(errors.rest);
        all
    }
}

impl IntoIterator for PolicyErrors {
    type Item = PolicyError;
    type IntoIter = std::vec::IntoIter<PolicyError>;

    fn into_iter(self) -> Self::IntoIter {
        Vec::from(self).into_iter()
    }
}

impl<'a> IntoIterator for &'a PolicyErrors {
    type Item = &'a PolicyError;
    type IntoIter =
        std::iter::Chain<std::iter::Once<&'a PolicyError>, std::slice::Iter<'a, PolicyError>>;

    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(&*self.first).chain(&self.rest)
    }
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for error in &self.rest {
            write!(f, "\n{error}")?;
        }
        Ok(())
    }
}
