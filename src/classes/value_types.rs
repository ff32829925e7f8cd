//! The value types a policy admits without naming them: what the engine's
//! own default validator admits, minus what is dangerous.
//!
//! Camunda 7's `DefaultDeserializationTypeValidator`
//! (`engine/src/main/java/org/camunda/bpm/engine/impl/runtime/DefaultDeserializationTypeValidator.java`)
//! admits, before any configured list, every class whose name starts with
//! `java.lang` and ten collection classes. Users who carry their
//! `deserializationAllowedPackages` over (`allow = ["com.acme.**"]`) expect
//! `java.util.HashMap<java.lang.String,com.acme.Order>` to pass, as it does
//! in the engine.
//!
//! # Security
//!
//! The engine's `java.lang` prefix also admits `java.lang.Runtime`,
//! `java.lang.ProcessBuilder`, `java.lang.reflect.*`, `java.lang.ClassLoader`,
//! `java.lang.Thread` and, being a raw `startsWith`, `java.langx.Evil`. The
//! guard names the value classes instead, one by one. `java.lang.Object` is
//! among them: Jackson reads it as maps, lists and scalars and, with no
//! default typing (which Camunda does not enable), never as a class named
//! in the payload. The gadget list and the policy's `deny` still beat these
//! allows.

/// `[classes] builtin_value_types`: which engine's built-in value types the
/// class filter admits on top of the policy's `allow` list.
///
/// ```
/// use input_guard::classes::BuiltinValueTypes;
/// use input_guard::{Guard, Policy};
///
/// assert_eq!(BuiltinValueTypes::default(), BuiltinValueTypes::Camunda7);
///
/// let map = "java.util.HashMap<java.lang.String,java.lang.Long>";
/// let camunda = Guard::new(Policy::default())?;
/// assert!(camunda.class_filter().check(map).is_allowed());
///
/// let policy = Policy::from_toml("[classes]\nbuiltin_value_types = \"none\"")?;
/// assert_eq!(policy.classes.builtin_value_types.name(), "none");
/// let strict = Guard::new(policy)?;
/// assert!(!strict.class_filter().check(map).is_allowed());
/// # Ok::<(), input_guard::policy::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuiltinValueTypes {
    /// `"camunda7"` (the default): the boxed scalars and `String` of
    /// `java.lang`, `java.lang.Object`, and the collections Camunda 7's
    /// default validator names ([`engine::camunda7::VALUE_TYPES`](crate::engine::camunda7::VALUE_TYPES)).
    #[default]
    Camunda7,
    /// `"none"`: only what the policy allows.
    None,
}

/// A set of value classes an engine admits without being told, as a
/// [`ClassFilter`](super::ClassFilter) takes them; the engine profiles
/// supply them ([`BuiltinValueTypes::value_types`]).
///
/// ```
/// use input_guard::classes::{ClassFilter, ValueTypes};
///
/// let money = ValueTypes { engine: "ledger", classes: &["java.math.BigDecimal"] };
/// let filter = ClassFilter::with_value_types([], [], money);
/// assert!(filter.check("java.math.BigDecimal").is_allowed());
/// assert!(!filter.check("java.math.BigInteger").is_allowed());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueTypes {
    /// The engine they are named after, for explanations.
    pub engine: &'static str,
    /// Exact binary class names.
    pub classes: &'static [&'static str],
}

impl ValueTypes {
    /// No value types.
    pub const NONE: ValueTypes = ValueTypes {
        engine: "none",
        classes: &[],
    };
}

impl BuiltinValueTypes {
    /// The name used in policy files (`"camunda7"`, `"none"`).
    pub fn name(self) -> &'static str {
        match self {
            BuiltinValueTypes::Camunda7 => "camunda7",
            BuiltinValueTypes::None => "none",
        }
    }
}
