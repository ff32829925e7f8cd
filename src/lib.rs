//! # input-guard
//!
//! Stops dangerous input before a workflow engine's HTTP API parses it:
//! typed-variable payloads naming classes that are not allowed
//! (deserialization gadgets), XML with DTDs or external entities, unbounded
//! queries, and bodies that are too large, compressed or of an unexpected
//! type. Camunda 7's REST API is the reference engine.
//!
//! The crate is a sans-IO core with thin adapters:
//!
//! * [`policy`]: what is allowed, loaded once from TOML ([`Policy`]);
//! * [`classes`]: the compiled class allow/deny list with the built-in
//!   gadget denylist, and the Java type-name parser;
//! * [`inspect`]: pure inspectors over bytes;
//! * [`Guard`]: compiles a policy and judges a request head plus body into
//!   a [`Verdict`];
//! * [`layer`]: the Tower layer ([`layer::GuardLayer`]) for axum, hyper and
//!   tonic services; the `input-guard` binary (feature `cli`) is the CLI and
//!   the gateway, both shells around the same guard.
//!
//! ```
//! use input_guard::{Guard, Verdict, policy::Policy};
//!
//! let policy = Policy::from_toml(r#"
//!     [classes]
//!     allow = ["java.util.*", "com.acme.model.**"]
//! "#)?;
//! let guard = Guard::new(policy)?;
//!
//! // The class filter on its own: every class inside generics is checked,
//! // and the gadget denylist wins over any allow pattern.
//! let filter = guard.class_filter();
//! assert!(filter.check("java.util.ArrayList<com.acme.model.Order>").is_allowed());
//! assert!(!filter.check("java.util.ArrayList<com.acme.Other>").is_allowed());
//!
//! // Whole requests. Camunda 7's list endpoints are known routes, so a
//! // task query must bound its results (`[query] max_results`, 1000).
//! let (head, ()) = http::Request::get("/engine-rest/task?maxResults=50").body(())?.into_parts();
//! assert_eq!(guard.check(&head, b""), Verdict::Allow);
//! let (head, ()) = http::Request::get("/engine-rest/task").body(())?.into_parts();
//! assert!(matches!(guard.check(&head, b""), Verdict::Reject(v) if v.code().as_str() == "query-unbounded"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
// `deny`, not `forbid`: one module (`inspect::json::simd`) is allowed
// `unsafe`, for AVX2 loads behind run-time CPU detection; nothing else is.
#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(rust_2018_idioms, unreachable_pub)]

pub mod classes;
pub mod engine;
mod guard;
pub mod inspect;
pub mod layer;
#[cfg(test)]
mod layering;
mod media_type;
pub mod policy;
mod routes;
mod violation;

pub use guard::{Guard, HeadCheck, Verdict};
/// The `http` crate this API takes and returns (`Request`, `request::Parts`,
/// `Response`, `Uri`), so that callers need not add it themselves.
pub use http;
pub use policy::Policy;
pub use violation::{Code, UnknownCode, Violation};

/// Entry points for the fuzz targets and benches, not part of the API: they
/// reach internals (the bare JSON scanner) that a user has no reason to
/// call, and may change in any release.
#[doc(hidden)]
pub mod __fuzz {
    /// The bare JSON scanner: strict RFC 8259 and no duplicate keys under
    /// `policy`'s limits, without the typed-variable and type-id rules;
    /// UTF-8 input only. The `json_scan` fuzz target holds it to
    /// serde_json.
    pub fn json_scan(
        bytes: &[u8],
        policy: &crate::policy::JsonPolicy,
    ) -> Result<(), crate::Violation> {
        crate::inspect::json::scan_only(bytes, policy)
    }
}

/// The README's Rust snippets, compiled and run as doctests so that what a
/// new user copies works as written.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
