//! Policies: what the guard allows, loaded once from TOML and validated.
//!
//! Every key has a safe default, so a file holding only
//! `[classes] allow = [...]` is a complete policy. Unknown keys are errors
//! (a typo must never silently fall back to a default), and every error
//! names the file, line, column and key. `policies/README.md` documents every
//! key.
//!
//! ```
//! use input_guard::policy::{Mode, Policy};
//!
//! let policy = Policy::from_toml(r#"
//!     mode = "report"
//!     [body]
//!     max_bytes = 1048576
//!     [classes]
//!     allow = ["java.util.*", "com.acme.model.**"]
//!     deny = ["com.acme.model.internal.**"]
//! "#)?;
//! assert_eq!(policy.mode, Mode::Report);
//! assert_eq!(policy.body.max_bytes, 1 << 20);
//! assert_eq!(policy.classes.allow.len(), 2);
//! assert_eq!(policy.xml.max_depth, 256); // the default
//! # Ok::<(), input_guard::policy::PolicyError>(())
//! ```

mod error;
mod raw;

use std::path::Path;

pub use error::{PolicyError, PolicyErrorKind};

use crate::classes::ClassPattern;

/// What the guard does with a violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Reject the request (the default).
    #[default]
    Enforce,
    /// Log the violation as an audit event and let the request through:
    /// for trying a policy on live traffic before enforcing it.
    Report,
}

/// A validated policy. Build one with [`Policy::load`],
/// [`Policy::from_toml`] or `Policy::default()` (the safe defaults, which
/// allow no classes at all).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Policy {
    /// `mode`: enforce or report.
    pub mode: Mode,
    /// `[body]`: limits on request bodies.
    pub body: BodyPolicy,
    /// `[classes]`: the classes typed payloads may name.
    pub classes: ClassPolicy,
    /// `[xml]`: XML structure limits.
    pub xml: XmlPolicy,
    /// `[query]`: query-string rules.
    pub query: QueryPolicy,
}

/// `[body]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BodyPolicy {
    /// `max_bytes`: larger bodies are rejected with 413 (default 10 MiB).
    pub max_bytes: u64,
}

impl Default for BodyPolicy {
    fn default() -> Self {
        BodyPolicy {
            max_bytes: 10 * 1024 * 1024,
        }
    }
}

/// `[classes]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ClassPolicy {
    /// `allow`: patterns of classes payloads may name (default: none).
    pub allow: Vec<ClassPattern>,
    /// `deny`: patterns denied even when allowed (default: none; the
    /// built-in gadget list always applies on top).
    pub deny: Vec<ClassPattern>,
}

/// `[xml]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct XmlPolicy {
    /// `max_depth`: deepest element nesting (default 256).
    pub max_depth: usize,
}

impl Default for XmlPolicy {
    fn default() -> Self {
        XmlPolicy { max_depth: 256 }
    }
}

/// `[query]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryPolicy {
    /// `max_results`: cap on `maxResults` of list queries (default 1000;
    /// 0 means no cap). At most `i32::MAX`, the engine's own range.
    pub max_results: u32,
}

impl Default for QueryPolicy {
    fn default() -> Self {
        QueryPolicy { max_results: 1000 }
    }
}

impl Policy {
    /// Reads and validates the policy file at `path`; errors carry the path.
    pub fn load(path: impl AsRef<Path>) -> Result<Policy, PolicyError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| PolicyError::new(PolicyErrorKind::Io(e), "").in_file(path))?;
        Policy::from_toml(&text).map_err(|e| e.in_file(path))
    }

    /// Parses and validates policy text.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        raw::parse(text)
    }
}
