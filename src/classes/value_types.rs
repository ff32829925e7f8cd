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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BuiltinValueTypes {
    /// `"camunda7"` (the default): the boxed scalars and `String` of
    /// `java.lang`, `java.lang.Object`, and the collections Camunda 7's
    /// default validator names ([`CAMUNDA7_VALUE_TYPES`]).
    #[default]
    Camunda7,
    /// `"none"`: only what the policy allows.
    None,
}

/// Camunda 7's built-in value types, exact binary names.
///
/// Source: `DefaultDeserializationTypeValidator.ALLOWED_CLASSES` (the ten
/// collections, verbatim) and the value classes of its `ALLOWED_PACKAGES`
/// entry `java.lang`.
pub const CAMUNDA7_VALUE_TYPES: &[&str] = &[
    // java.lang, value classes only.
    "java.lang.Object",
    "java.lang.String",
    "java.lang.Boolean",
    "java.lang.Character",
    "java.lang.Byte",
    "java.lang.Short",
    "java.lang.Integer",
    "java.lang.Long",
    "java.lang.Float",
    "java.lang.Double",
    "java.lang.Number",
    // ALLOWED_CLASSES.
    "java.util.ArrayList",
    "java.util.Arrays$ArrayList",
    "java.util.HashMap",
    "java.util.HashSet",
    "java.util.LinkedHashMap",
    "java.util.LinkedHashSet",
    "java.util.LinkedList",
    "java.util.Properties",
    "java.util.TreeMap",
    "java.util.TreeSet",
];

impl BuiltinValueTypes {
    /// The class names this set admits.
    pub fn classes(self) -> &'static [&'static str] {
        match self {
            BuiltinValueTypes::Camunda7 => CAMUNDA7_VALUE_TYPES,
            BuiltinValueTypes::None => &[],
        }
    }

    /// The name used in policy files (`"camunda7"`, `"none"`).
    pub fn name(self) -> &'static str {
        match self {
            BuiltinValueTypes::Camunda7 => "camunda7",
            BuiltinValueTypes::None => "none",
        }
    }
}
