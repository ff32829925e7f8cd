//! Which classes a request may name: patterns, the compiled filter, the
//! built-in gadget denylist and the Java type-name parser.
//!
//! Data flows `ClassPattern` (policy text) -> [`ClassFilter`] (compiled
//! once) -> [`ClassFilter::check`] (per type name, no allocation).
//!
//! ```
//! use input_guard::classes::{ClassDecision, ClassFilter, ClassPattern, RuleSource, TypeDecision};
//!
//! let allow: Vec<ClassPattern> = ["java.util.*", "com.acme.model.**"]
//!     .into_iter()
//!     .map(str::parse)
//!     .collect::<Result<_, _>>()?;
//! let filter = ClassFilter::new(allow, []);
//!
//! // Every class a type name mentions is checked, generic arguments included.
//! assert!(filter.check("java.util.List<com.acme.model.Order>").is_allowed());
//! assert_eq!(
//!     filter.check("java.util.List<com.acme.Other>"),
//!     TypeDecision::Denied { class: "com.acme.Other", decision: ClassDecision::NotAllowed },
//! );
//!
//! // The built-in gadget denylist beats the broadest allow.
//! let broad = ClassFilter::new(["com.sun.**".parse()?], []);
//! assert!(matches!(
//!     broad.check_class("com.sun.rowset.JdbcRowSetImpl"),
//!     ClassDecision::Denied(rule) if matches!(rule.source(), RuleSource::Gadget { .. }),
//! ));
//! # Ok::<(), input_guard::classes::PatternError>(())
//! ```
//!
//! # Performance
//!
//! A check walks the class name once, hashing incrementally, and probes a
//! single case-folded table at every `.`/`$` boundary, so its cost depends on
//! the length of the name, not on the number of rules. `benches/classes.rs`
//! measures 1,000 patterns over 100,000 names.

mod filter;
mod gadgets;
mod pattern;
mod table;
mod type_name;
mod value_types;

pub use filter::{ClassDecision, ClassFilter, Rule, RuleSource, TypeDecision};
pub use gadgets::GADGETS_TXT;
pub use pattern::{ClassPattern, PatternError, PatternKind};
pub use type_name::{
    MAX_ARRAY_DIMENSIONS, MAX_CLASSES, MAX_GENERIC_DEPTH, MAX_TYPE_NAME_LEN, TypeNameError,
    TypeNameErrorKind, parse_dotnet_type_name, parse_type_name,
};
pub use value_types::{BuiltinValueTypes, ValueTypes};
