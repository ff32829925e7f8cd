//! Camunda Platform 7's REST API: everything the guard knows of it.
//!
//! Sources are in the Camunda repository (`camunda/camunda-bpm-platform`);
//! `../shared/reference/camunda7.md` has the paths.
//!
//! * **Routes** (`camunda7_routes.toml`, compiled into a table by `build.rs`): the list endpoints (paging
//!   rules) and task queries (expression rules), under the default engine,
//!   named engines and the webapps' copy of the API.
//! * **Paging**: `maxResults` and `firstResult`, read from the query
//!   string (`AbstractQueryDto`, the `*RestService` list methods).
//! * **Expressions**: task-query parameters ending in `Expression`
//!   (`TaskQueryDto`: `assigneeExpression`, `dueBeforeExpression`, ...),
//!   evaluated unless `enableExpressionsInAdhocQueries`.
//! * **Typed variables**: `{"value", "type", "valueInfo": {"objectTypeName",
//!   "serializationDataFormat"}}` (`VariableValueDto`); their rules live
//!   in the JSON inspector's typed-variable hooks.
//! * **Multipart**: the deprecated variable upload's `type` field names the
//!   class its `data` part is read into (`AbstractVariablesResource`).
//! * **Deployment resources**: parsed by name suffix, case-sensitively and
//!   with no dot (`AbstractDefinitionDeployer.isResourceHandled`: `bpmn20.xml`,
//!   `bpmn`, `cmmn11.xml`, `cmmn10.xml`, `cmmn`, `dmn11.xml`, `dmn`).
//! * **Value types**: what `DefaultDeserializationTypeValidator` admits
//!   before any configured list ([`VALUE_TYPES`]).
//!
//! A policy that names no routes still applies the paging and expression
//! rules to Camunda's endpoints, wherever Camunda serves them:
//!
//! ```
//! use input_guard::{Code, Guard, Policy};
//!
//! let guard = Guard::new(Policy::default())?;
//! let code = |uri: &str| -> Result<Option<Code>, http::Error> {
//!     let (head, ()) = http::Request::get(uri).body(())?.into_parts();
//!     Ok(guard.check(&head, b"").violation().map(|v| v.code()))
//! };
//! assert_eq!(code("/engine-rest/task?maxResults=50")?, None);
//! assert_eq!(code("/engine-rest/engine/other/task")?, Some(Code::QueryUnbounded));
//! assert_eq!(code("/camunda/api/engine/engine/default/task")?, Some(Code::QueryUnbounded));
//! assert_eq!(
//!     code("/engine-rest/task?maxResults=50&assigneeExpression=%24%7BcurrentUser()%7D")?,
//!     Some(Code::ExpressionNotAllowed),
//! );
//! // Not a Camunda list endpoint: no paging rule.
//! assert_eq!(code("/engine-rest/task/42")?, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{EngineProfile, PagingNames};
use crate::policy::Route;

/// Camunda 7's profile, what [`Engine::Camunda7`](super::Engine::Camunda7)
/// stands for.
///
/// ```
/// use input_guard::engine::{Engine, ResourceKind, camunda7::PROFILE};
///
/// assert!(std::ptr::eq(Engine::Camunda7.profile(), &PROFILE));
/// assert_eq!(PROFILE.name, "camunda7");
/// assert_eq!(PROFILE.paging.first_result, "firstResult");
/// assert!(PROFILE.is_expression("dueBeforeExpression"));
/// assert!(!PROFILE.is_expression("Expression"));
/// assert_eq!(PROFILE.type_field, Some("type"));
/// assert_eq!(PROFILE.resource_kind("review.dmn11.xml"), Some(ResourceKind::Xml));
/// assert!(PROFILE.routes().iter().any(|r| r.name == "task list" && r.list_query && r.task_query));
/// ```
pub static PROFILE: EngineProfile = EngineProfile {
    name: "camunda7",
    paging: PagingNames {
        max_results: MAX_RESULTS,
        first_result: FIRST_RESULT,
    },
    expression_suffix: EXPRESSION_SUFFIX,
    type_field: Some("type"),
    // # Security
    //
    // A deployer parses a resource when its name *ends with* one of its
    // suffixes, with no dot and case-sensitively: `pbpmn` and `p.xbpmn` are
    // BPMN to the engine. The guard matches `bpmn`, `cmmn` and `dmn` (which
    // cover every deployer suffix but the `.xml` ones) without regard to
    // case, a superset, plus `.xml`. The name is the one the engine sees,
    // already trimmed as commons-fileupload trims it. Camunda Forms
    // (`.form`) are stored as they are and never parsed by the engine, so
    // they are not required to be JSON; `.json` resources are.
    xml_resource_suffixes: &["bpmn", "cmmn", "dmn", ".xml"],
    json_resource_suffixes: &[".json"],
    value_types: VALUE_TYPES,
    routes,
};

/// The paging parameter that bounds a list query.
const MAX_RESULTS: &str = "maxResults";
/// The paging parameter that skips results.
const FIRST_RESULT: &str = "firstResult";
/// Task-query parameters ending in this are expressions.
const EXPRESSION_SUFFIX: &str = "Expression";

/// Camunda 7's built-in value types, exact binary names.
///
/// Source: `DefaultDeserializationTypeValidator.ALLOWED_CLASSES` (the ten
/// collections, verbatim) and the value classes of its `ALLOWED_PACKAGES`
/// entry `java.lang` (see [`BuiltinValueTypes`](crate::classes::BuiltinValueTypes)
/// for why not the whole prefix).
///
/// ```
/// use input_guard::classes::{BuiltinValueTypes, ClassFilter};
/// use input_guard::engine::camunda7::VALUE_TYPES;
///
/// let camunda = BuiltinValueTypes::Camunda7.value_types();
/// assert_eq!(camunda.classes, VALUE_TYPES);
///
/// let filter = ClassFilter::with_value_types([], [], camunda);
/// assert!(VALUE_TYPES.iter().all(|class| filter.check(class).is_allowed()));
/// // Exact names: not the rest of `java.lang`, nor other collections.
/// assert!(!filter.check("java.lang.ProcessBuilder").is_allowed());
/// assert!(!filter.check("java.util.Hashtable").is_allowed());
/// ```
pub const VALUE_TYPES: &[&str] = &[
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

/// The route table, built once from [`BUILTIN`].
fn routes() -> &'static [Route] {
    static ROUTES: std::sync::OnceLock<Vec<Route>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| BUILTIN.iter().map(BuiltinRoute::route).collect())
}

/// One route of `camunda7_routes.toml` as `build.rs` compiles it: the keys the
/// file uses, every other key of a policy route at its default.
struct BuiltinRoute {
    name: &'static str,
    methods: &'static [&'static str],
    path: &'static str,
    list_query: bool,
    task_query: bool,
}

impl BuiltinRoute {
    fn route(&self) -> Route {
        Route {
            name: self.name.to_owned(),
            // Compiled-in names, upper case as the file writes them; a
            // test holds the whole table equal to the policy loader's
            // reading of the file, so none is dropped here unnoticed.
            methods: self
                .methods
                .iter()
                .filter_map(|m| http::Method::from_bytes(m.as_bytes()).ok())
                .collect(),
            path: self.path.to_owned(),
            list_query: self.list_query,
            max_results: None,
            task_query: self.task_query,
            expressions: None,
            max_bytes: None,
            uninspected_types: Vec::new(),
            allow_networks: Vec::new(),
            mode: None,
            skip: Vec::new(),
            classes_allow: Vec::new(),
            xml: None,
        }
    }
}

/// `camunda7_routes.toml`, compiled by `build.rs` (parsing the TOML through
/// the policy loader was a third of a small `check` process).
const BUILTIN: &[BuiltinRoute] = include!(concat!(env!("OUT_DIR"), "/camunda7_routes.rs"));

/// The list and task-query endpoints, as policy routes: the source of
/// [`BUILTIN`], read by the test that holds the two equal.
#[cfg(test)]
pub(crate) const ROUTES_TOML: &str = include_str!("camunda7_routes.toml");

/// The names the JSON inspector's typed-variable rules
/// (`src/inspect/json/typed.rs`) give a meaning to: `VariableValueDto`'s
/// members, value types, serialization formats, paging and expression
/// names. Constants, so that the rules' key table is built from them at no
/// cost.
pub(crate) mod json_names {
    use super::{FIRST_RESULT, MAX_RESULTS};

    /// Camunda 7: `VariableValueDto`'s members (`{"value": ..., "type":
    /// "Object", "valueInfo": {...}}`).
    pub(crate) const KEY_TYPE: &str = "type";
    /// Camunda 7: see [`KEY_TYPE`].
    pub(crate) const KEY_VALUE: &str = "value";
    /// Camunda 7: see [`KEY_TYPE`].
    pub(crate) const KEY_VALUE_INFO: &str = "valueInfo";
    /// Camunda 7: `valueInfo`'s class of a serialized `Object` value, also a
    /// class name wherever else it appears.
    pub(crate) const KEY_OBJECT_TYPE_NAME: &str = "objectTypeName";
    /// Camunda 7: `valueInfo`'s format of a serialized value.
    pub(crate) const KEY_SERIALIZATION_DATA_FORMAT: &str = "serializationDataFormat";
    /// Camunda 7: where a rejection of a variable's format points, under the
    /// variable ([`KEY_VALUE_INFO`]/[`KEY_SERIALIZATION_DATA_FORMAT`]).
    pub(crate) const TAIL_FORMAT: &str = "valueInfo/serializationDataFormat";

    /// Camunda 7: the value types whose value is serialized text (`Object`,
    /// `Json`, `Xml`), compared ignoring ASCII case as the engine's type
    /// lookup does.
    pub(crate) const TYPE_OBJECT_NAME: &[u8] = b"object";
    /// Camunda 7: see [`TYPE_OBJECT_NAME`].
    pub(crate) const TYPE_JSON_NAME: &[u8] = b"json";
    /// Camunda 7: see [`TYPE_OBJECT_NAME`].
    pub(crate) const TYPE_XML_NAME: &[u8] = b"xml";

    /// Camunda 7: `serializationDataFormat`s, compared ignoring ASCII case.
    /// Java native serialization (refused unless the policy allows it).
    pub(crate) const FORMAT_JAVA: &str = "application/x-java-serialized-object";
    /// Camunda 7: a format whose value is JSON (inspected in turn).
    pub(crate) const FORMAT_JSON: &str = "application/json";
    /// Camunda 7: a format whose value is XML (given to the XML inspector).
    pub(crate) const FORMAT_XML: &str = "application/xml";

    /// Camunda 7: the paging members of a list query's JSON body, read from
    /// the body's top-level object.
    pub(crate) const PAGING_KEYS: [&str; 2] = [MAX_RESULTS, FIRST_RESULT];

    /// Camunda 7: task-query parameters whose names end in this take
    /// expressions (`dueDateExpression`, `assigneeExpression`, ...).
    pub(crate) const EXPRESSION_SUFFIX: &[u8] = super::EXPRESSION_SUFFIX.as_bytes();
}
