use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::gadgets;
use super::pattern::{ClassPattern, PatternKind};
use super::table::{FoldTable, PrefixHasher};
use super::type_name::{TypeNameError, parse_dotnet_type_name, parse_type_name};
use super::value_types::ValueTypes;

/// Where a [`Rule`] comes from.
///
/// ```
/// use input_guard::classes::{BuiltinValueTypes, ClassDecision, ClassFilter, RuleSource};
///
/// let filter = ClassFilter::with_value_types(
///     ["com.acme.**".parse()?],
///     ["com.acme.internal.**".parse()?],
///     BuiltinValueTypes::Camunda7.value_types(),
/// );
/// let source = |class: &str| match filter.check_class(class) {
///     ClassDecision::Allowed(rule) | ClassDecision::Denied(rule) => Some(rule.source()),
///     ClassDecision::NotAllowed => None,
/// };
/// assert_eq!(source("com.acme.Order"), Some(RuleSource::Allow));
/// assert_eq!(source("com.acme.internal.Key"), Some(RuleSource::Deny));
/// assert_eq!(source("java.util.HashMap"), Some(RuleSource::ValueType { engine: "camunda7" }));
/// assert!(matches!(source("com.sun.rowset.JdbcRowSetImpl"), Some(RuleSource::Gadget { .. })));
/// assert_eq!(source("org.other.Thing"), None);
/// # Ok::<(), input_guard::classes::PatternError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSource {
    /// The policy's `classes.allow`.
    Allow,
    /// The policy's `classes.deny`.
    Deny,
    /// The built-in gadget denylist (`policies/gadgets.txt`), with the name
    /// of the upstream list the entry came from.
    Gadget {
        /// Short name of the source group.
        group: &'static str,
    },
    /// An engine's built-in value types (`classes.builtin_value_types`),
    /// admitted like an allow rule.
    ValueType {
        /// The engine whose defaults the set mirrors (`camunda7`).
        engine: &'static str,
    },
}

/// One allow or deny rule of a [`ClassFilter`].
///
/// A decision names the rule that made it, and the rule's display form
/// says where it comes from:
///
/// ```
/// use input_guard::classes::{ClassDecision, ClassFilter, PatternKind, RuleSource};
///
/// let filter = ClassFilter::new(["com.acme.**".parse()?], ["com.acme.internal.*".parse()?]);
/// let ClassDecision::Denied(rule) = filter.check_class("com.acme.internal.Key") else {
///     panic!("a deny rule covers com.acme.internal");
/// };
/// assert_eq!(rule.pattern().kind(), PatternKind::Package);
/// assert_eq!(rule.source(), RuleSource::Deny);
/// assert_eq!(rule.to_string(), "classes.deny `com.acme.internal.*`");
///
/// let ClassDecision::Denied(gadget) = filter.check_class("com.sun.rowset.JdbcRowSetImpl") else {
///     panic!("the gadget list covers JdbcRowSetImpl");
/// };
/// assert!(gadget.to_string().starts_with("gadget denylist `com.sun.rowset.JdbcRowSetImpl` ("));
/// # Ok::<(), input_guard::classes::PatternError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pattern: ClassPattern,
    source: RuleSource,
}

impl Rule {
    /// The pattern, as `com.acme.Order`, `com.acme.*` or `com.acme.**`.
    pub fn pattern(&self) -> &ClassPattern {
        &self.pattern
    }

    /// Where the rule comes from.
    pub fn source(&self) -> RuleSource {
        self.source
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.source {
            RuleSource::Allow => write!(f, "classes.allow `{}`", self.pattern),
            RuleSource::Deny => write!(f, "classes.deny `{}`", self.pattern),
            RuleSource::Gadget { group } => {
                write!(f, "gadget denylist `{}` ({group})", self.pattern)
            }
            RuleSource::ValueType { engine } => {
                write!(f, "built-in value type `{}` ({engine})", self.pattern)
            }
        }
    }
}

/// The decision about one class.
///
/// ```
/// use input_guard::classes::{ClassDecision, ClassFilter, RuleSource};
///
/// let filter = ClassFilter::new(["com.acme.**".parse()?], ["com.acme.internal.*".parse()?]);
/// assert!(matches!(
///     filter.check_class("com.acme.Order"),
///     ClassDecision::Allowed(rule) if rule.source() == RuleSource::Allow,
/// ));
/// // Deny beats allow.
/// assert!(matches!(
///     filter.check_class("com.acme.internal.Key"),
///     ClassDecision::Denied(rule) if rule.source() == RuleSource::Deny,
/// ));
/// // Nothing allows it: denied by default.
/// assert_eq!(filter.check_class("org.other.Thing"), ClassDecision::NotAllowed);
/// assert!(!filter.check_class("org.other.Thing").is_allowed());
/// # Ok::<(), input_guard::classes::PatternError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassDecision<'f> {
    /// An allow rule admits the class and no deny rule covers it.
    Allowed(&'f Rule),
    /// A deny rule (policy or gadget list) covers the class.
    Denied(&'f Rule),
    /// No allow rule admits the class: denied by default.
    NotAllowed,
}

impl ClassDecision<'_> {
    /// Whether the class may be deserialized.
    pub fn is_allowed(&self) -> bool {
        matches!(self, ClassDecision::Allowed(_))
    }

    /// What decided: the rule, or that no allow pattern matched.
    pub(crate) fn rule_text(&self) -> String {
        match self {
            ClassDecision::Allowed(rule) | ClassDecision::Denied(rule) => rule.to_string(),
            ClassDecision::NotAllowed => "no classes.allow pattern".to_owned(),
        }
    }
}

/// Says what decided, as `input-guard check-class` prints it after the
/// class name.
///
/// ```
/// use input_guard::classes::ClassFilter;
///
/// let filter = ClassFilter::new(["com.acme.**".parse()?], ["com.acme.internal.*".parse()?]);
/// assert_eq!(filter.check_class("com.acme.Order").to_string(), "allowed by classes.allow `com.acme.**`");
/// assert_eq!(filter.check_class("com.acme.internal.Key").to_string(), "denied by classes.deny `com.acme.internal.*`");
/// assert_eq!(filter.check_class("org.Other").to_string(), "matches no classes.allow pattern");
/// # Ok::<(), input_guard::classes::PatternError>(())
/// ```
impl std::fmt::Display for ClassDecision<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClassDecision::Allowed(rule) => write!(f, "allowed by {rule}"),
            ClassDecision::Denied(rule) => write!(f, "denied by {rule}"),
            ClassDecision::NotAllowed => f.write_str("matches no classes.allow pattern"),
        }
    }
}

/// The decision about a whole type name (every class it names).
///
/// ```
/// use input_guard::classes::{ClassDecision, ClassFilter, TypeDecision, TypeNameErrorKind};
///
/// let filter = ClassFilter::new(["java.util.*".parse()?, "com.acme.Order".parse()?], []);
/// assert_eq!(filter.check("java.util.List<com.acme.Order>"), TypeDecision::Allowed);
/// assert_eq!(filter.check("int[]"), TypeDecision::Allowed); // names no class
/// assert_eq!(
///     filter.check("java.util.Map<com.acme.Order, com.acme.Evil>"),
///     TypeDecision::Denied { class: "com.acme.Evil", decision: ClassDecision::NotAllowed },
/// );
/// assert!(matches!(
///     filter.check("java.util.List<com.acme.Order"),
///     TypeDecision::Malformed(e) if e.kind() == TypeNameErrorKind::UnexpectedEnd,
/// ));
/// # Ok::<(), input_guard::classes::PatternError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeDecision<'f, 'n> {
    /// Every class the name mentions is allowed (or it names only primitives).
    Allowed,
    /// `class` is not allowed; `decision` says why.
    Denied {
        /// The first class of the name that is not allowed.
        class: &'n str,
        /// [`ClassDecision::Denied`] or [`ClassDecision::NotAllowed`].
        decision: ClassDecision<'f>,
    },
    /// The string is not a type name, which is denied.
    Malformed(TypeNameError),
}

impl TypeDecision<'_, '_> {
    /// Whether every class of the type name may be deserialized.
    pub fn is_allowed(&self) -> bool {
        matches!(self, TypeDecision::Allowed)
    }
}

/// Rules hung off one case-folded name in the lookup table.
#[derive(Debug, Default)]
struct Entry {
    deny_class: Option<u32>,
    deny_nested: Option<u32>,
    deny_package: Option<u32>,
    deny_tree: Option<u32>,
    /// Allow rules are case-sensitive (Java names are): each is re-checked
    /// against the candidate's exact spelling.
    allows: Vec<u32>,
}

/// A compiled class allow/deny list with the built-in gadget denylist.
///
/// Semantics, in the spirit of JEP 290:
///
/// * `com.acme.Order` admits exactly that class (nested classes need their
///   own `com.acme.Order$Line` entry); as a deny it also covers its nested
///   classes.
/// * `com.acme.*` covers classes of package `com.acme` only;
///   `com.acme.**` covers `com.acme` and all packages below it.
/// * Matching is by whole segments: `java.lang.*` never covers
///   `java.langx.Evil` nor `java.lang.reflect.Proxy`.
/// * Deny beats allow. The gadget denylist always denies. Nothing allowed
///   means denied. Deny rules match ASCII-case-insensitively, allow rules
///   exactly.
///
/// ```
/// use input_guard::classes::{ClassFilter, TypeDecision};
///
/// let allow = ["java.util.*".parse()?, "com.acme.**".parse()?, "java.lang.String".parse()?];
/// let deny = ["com.acme.internal.**".parse()?];
/// let filter = ClassFilter::new(allow, deny);
///
/// assert!(filter.check("java.util.ArrayList<com.acme.shop.Order>").is_allowed());
/// assert!(!filter.check("com.acme.internal.Secret").is_allowed());
/// assert!(!filter.check("java.util.ArrayList<java.lang.Runtime>").is_allowed());
/// // The gadget list wins over `com.acme.**`-style broad allows:
/// let broad = ClassFilter::new(["com.sun.**".parse()?], []);
/// assert!(!broad.check("com.sun.rowset.JdbcRowSetImpl").is_allowed());
/// # Ok::<(), input_guard::classes::PatternError>(())
/// ```
#[derive(Debug)]
pub struct ClassFilter {
    rules: Vec<Rule>,
    table: FoldTable<Entry>,
}

/// A rule's name as the table keys it, ignoring ASCII case: merges the
/// rules naming one class or package while the filter is built, without a
/// lowercased copy of each.
struct Folded<'r>(&'r str);

impl Hash for Folded<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(PrefixHasher::of(self.0));
    }
}

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for Folded<'_> {}

impl std::fmt::Debug for FoldTable<Entry> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FoldTable({} names)", self.len())
    }
}

impl ClassFilter {
    /// Compiles `allow` and `deny` patterns together with the gadget list,
    /// and nothing else: no built-in value types (see
    /// [`ClassFilter::with_value_types`], which a [`Guard`](crate::Guard)
    /// uses).
    pub fn new(
        allow: impl IntoIterator<Item = ClassPattern>,
        deny: impl IntoIterator<Item = ClassPattern>,
    ) -> Self {
        Self::with_value_types(allow, deny, ValueTypes::NONE)
    }

    /// [`ClassFilter::new`] that also admits an engine's built-in value
    /// types, as the policy key `classes.builtin_value_types` asks.
    ///
    /// ```
    /// use input_guard::classes::{BuiltinValueTypes, ClassFilter};
    ///
    /// let allow = ["com.acme.**".parse()?];
    /// let plain = ClassFilter::new(allow.clone(), []);
    /// let camunda = ClassFilter::with_value_types(allow, [], BuiltinValueTypes::Camunda7.value_types());
    /// let map = "java.util.HashMap<java.lang.String,com.acme.Order>";
    /// assert!(!plain.check(map).is_allowed());
    /// assert!(camunda.check(map).is_allowed());
    /// // Named value classes only, not Camunda's whole `java.lang` prefix:
    /// assert!(!camunda.check("java.lang.ProcessBuilder").is_allowed());
    /// # Ok::<(), input_guard::classes::PatternError>(())
    /// ```
    pub fn with_value_types(
        allow: impl IntoIterator<Item = ClassPattern>,
        deny: impl IntoIterator<Item = ClassPattern>,
        value_types: ValueTypes,
    ) -> Self {
        let mut rules: Vec<Rule> = Vec::new();
        rules.extend(gadgets::entries().map(|(pattern, group)| Rule {
            pattern,
            source: RuleSource::Gadget { group },
        }));
        rules.extend(deny.into_iter().map(|pattern| Rule {
            pattern,
            source: RuleSource::Deny,
        }));
        rules.extend(allow.into_iter().map(|pattern| Rule {
            pattern,
            source: RuleSource::Allow,
        }));
        let engine = value_types.engine;
        rules.extend(value_types.classes.iter().map(|name| Rule {
            pattern: ClassPattern::from_static(name, PatternKind::Class),
            source: RuleSource::ValueType { engine },
        }));

        let mut index: HashMap<Folded<'_>, usize> = HashMap::with_capacity(rules.len());
        let mut entries: Vec<(Cow<'static, str>, Entry)> = Vec::with_capacity(rules.len());
        for (id, rule) in rules.iter().enumerate() {
            let id = u32::try_from(id).unwrap_or(u32::MAX);
            let name = rule.pattern.name();
            let slot = *index.entry(Folded(name)).or_insert_with(|| {
                entries.push((rule.pattern.shared_name(), Entry::default()));
                entries.len() - 1
            });
            let entry = &mut entries[slot].1;
            match (rule.source, rule.pattern.kind()) {
                (RuleSource::Allow | RuleSource::ValueType { .. }, _) => entry.allows.push(id),
                (_, PatternKind::Class) => {
                    entry.deny_class.get_or_insert(id);
                }
                (_, PatternKind::Nested) => {
                    entry.deny_nested.get_or_insert(id);
                }
                (_, PatternKind::Package) => {
                    entry.deny_package.get_or_insert(id);
                }
                (_, PatternKind::Tree) => {
                    entry.deny_tree.get_or_insert(id);
                }
            }
        }
        ClassFilter {
            rules,
            table: FoldTable::build(entries),
        }
    }

    /// Every rule the filter holds, gadget entries first.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    fn rule(&self, id: u32) -> &Rule {
        // Ids are indices handed out in `new` from this very vector.
        &self.rules[id as usize]
    }

    /// Decides one class given by its binary name (`com.acme.Outer$Inner`).
    ///
    /// The name is not parsed: pass type names through [`ClassFilter::check`]
    /// instead. `.`, `$` and `+` (the .NET nesting separator) are segment
    /// boundaries.
    pub fn check_class(&self, name: &str) -> ClassDecision<'_> {
        let bytes = name.as_bytes();
        let package_end = memchr::memrchr(b'.', bytes);
        let mut allowed = None;
        let mut denied = None;
        let mut hash = PrefixHasher::new(name);
        for (i, &b) in bytes.iter().enumerate() {
            if matches!(b, b'.' | b'$' | b'+') {
                let prefix = &name[..i];
                if let Some(entry) = self.table.get(hash.hash_to(i), prefix) {
                    match self.judge(entry, prefix, Some(b), Some(i) == package_end) {
                        Some(Ok(deny)) => denied = Some(deny),
                        Some(Err(allow)) => {
                            allowed.get_or_insert(allow);
                        }
                        None => {}
                    }
                }
            }
        }
        if let Some(entry) = self.table.get(hash.hash_to(name.len()), name) {
            match self.judge(entry, name, None, false) {
                Some(Ok(deny)) => denied = Some(deny),
                Some(Err(allow)) => {
                    allowed.get_or_insert(allow);
                }
                None => {}
            }
        }
        // Deny beats allow; the longest (most specific) deny names the rule.
        match (denied, allowed) {
            (Some(rule), _) => ClassDecision::Denied(rule),
            (None, Some(rule)) => ClassDecision::Allowed(rule),
            (None, None) => ClassDecision::NotAllowed,
        }
    }

    /// What the rules on `prefix` say: `Ok(deny)`, `Err(allow)` or nothing.
    /// `next` is the separator after the prefix (`None` at the end of the
    /// name); `is_package` says the prefix is the class's whole package.
    #[inline]
    fn judge(
        &self,
        entry: &Entry,
        prefix: &str,
        next: Option<u8>,
        is_package: bool,
    ) -> Option<Result<&Rule, &Rule>> {
        let nested = matches!(next, Some(b'$' | b'+'));
        let deny = match next {
            None => entry.deny_class,
            Some(b'.') => entry
                .deny_tree
                .or(if is_package { entry.deny_package } else { None }),
            Some(_) => entry.deny_class.or(entry.deny_nested),
        };
        if let Some(id) = deny {
            return Some(Ok(self.rule(id)));
        }
        for &id in &entry.allows {
            let rule = self.rule(id);
            if rule.pattern.name() != prefix {
                continue;
            }
            let matches = match rule.pattern.kind() {
                PatternKind::Class => next.is_none(),
                PatternKind::Package => is_package,
                PatternKind::Tree => next == Some(b'.'),
                PatternKind::Nested => nested,
            };
            if matches {
                return Some(Err(rule));
            }
        }
        None
    }

    /// Decides a type name: parses it (generics, arrays, primitives; see
    /// [`parse_type_name`]) and checks every class it names.
    ///
    /// ```
    /// use input_guard::classes::{ClassDecision, ClassFilter, TypeDecision};
    ///
    /// let filter = ClassFilter::new(["java.util.*".parse()?], []);
    /// match filter.check("java.util.List<com.evil.Gadget>") {
    ///     TypeDecision::Denied { class, decision } => {
    ///         assert_eq!(class, "com.evil.Gadget");
    ///         assert_eq!(decision, ClassDecision::NotAllowed);
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// assert!(matches!(filter.check("java.util.List<"), TypeDecision::Malformed(_)));
    /// # Ok::<(), input_guard::classes::PatternError>(())
    /// ```
    pub fn check<'n>(&self, type_name: &'n str) -> TypeDecision<'_, 'n> {
        self.decide(|on_class| parse_type_name(type_name, on_class))
    }

    /// Runs `parse`, deciding every class it reports; the
    /// first class that is not allowed, or the parse error, decides.
    fn decide<'n>(
        &self,
        parse: impl FnOnce(&mut dyn FnMut(&'n str)) -> Result<(), TypeNameError>,
    ) -> TypeDecision<'_, 'n> {
        let mut first_denied = None;
        let parsed = parse(&mut |class| {
            if first_denied.is_none() {
                let decision = self.check_class(class);
                if !decision.is_allowed() {
                    first_denied = Some((class, decision));
                }
            }
        });
        match (parsed, first_denied) {
            (Err(error), _) => TypeDecision::Malformed(error),
            (Ok(()), Some((class, decision))) => TypeDecision::Denied { class, decision },
            (Ok(()), None) => TypeDecision::Allowed,
        }
    }

    /// Decides a .NET type name (Json.NET's `$type`): every type it names,
    /// generic arguments included, must pass. See [`parse_dotnet_type_name`].
    pub fn check_dotnet<'n>(&self, type_name: &'n str) -> TypeDecision<'_, 'n> {
        self.decide(|on_class| parse_dotnet_type_name(type_name, on_class))
    }

    /// Like [`ClassFilter::check`], but decides every class and keeps the
    /// decisions, for tools that explain a verdict (`input-guard check-class`).
    pub fn explain<'n>(
        &self,
        type_name: &'n str,
    ) -> Result<Vec<(&'n str, ClassDecision<'_>)>, TypeNameError> {
        let mut decisions = Vec::new();
        parse_type_name(type_name, |class| {
            decisions.push((class, self.check_class(class)));
        })?;
        Ok(decisions)
    }

    /// [`ClassFilter::explain`] for a .NET type name, read as
    /// [`ClassFilter::check_dotnet`] reads it (`Outer+Inner`, generic arity
    /// and arguments, assembly qualifications).
    pub fn explain_dotnet<'n>(
        &self,
        type_name: &'n str,
    ) -> Result<Vec<(&'n str, ClassDecision<'_>)>, TypeNameError> {
        let mut decisions = Vec::new();
        parse_dotnet_type_name(type_name, |class| {
            decisions.push((class, self.check_class(class)));
        })?;
        Ok(decisions)
    }
}
