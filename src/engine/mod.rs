//! Engine profiles: what the guard knows of one workflow engine's HTTP API,
//! each in one module.
//!
//! The inspectors are engine-neutral (strict JSON, XML, multipart, paths,
//! query strings); a profile supplies the engine's side: which endpoints
//! are list and task queries (its route table), what its paging
//! parameters are called, which query parameters are expressions, which
//! multipart fields name classes, which deployment resources it parses as
//! what, and which value classes it admits on its own. A policy names its
//! engine (`engine = "camunda7"`, the default).
//!
//! Adding an engine is local: a module beside [`camunda7`] with its
//! [`EngineProfile`] and route table, a variant of [`Engine`], and its
//! name in the policy loader.
//!
//! ```
//! use input_guard::engine::Engine;
//! use input_guard::Policy;
//!
//! let policy = Policy::from_toml("engine = \"camunda7\"")?;
//! let profile = policy.engine.profile();
//! assert_eq!(profile.paging.max_results, "maxResults");
//! assert!(profile.is_expression("assigneeExpression"));
//! assert!(profile.routes().iter().any(|r| r.path.ends_with("/task")));
//! assert_eq!(Engine::default(), Engine::Camunda7);
//! # Ok::<(), input_guard::policy::PolicyError>(())
//! ```

pub mod camunda7;

use crate::classes::{BuiltinValueTypes, ValueTypes};
use crate::policy::{BuiltinRoutes, Route};

pub use crate::policy::Engine;

impl Engine {
    /// What the guard knows of this engine.
    ///
    /// ```
    /// use input_guard::engine::Engine;
    ///
    /// assert_eq!(Engine::Camunda7.profile().name, "camunda7");
    /// ```
    pub fn profile(self) -> &'static EngineProfile {
        match self {
            Engine::Camunda7 => &camunda7::PROFILE,
        }
    }
}

impl BuiltinRoutes {
    /// The routes this table stands for, in the order they are tried.
    ///
    /// ```
    /// use input_guard::policy::BuiltinRoutes;
    ///
    /// assert!(BuiltinRoutes::Camunda7.routes().iter().any(|r| r.name == "task list"));
    /// assert!(BuiltinRoutes::None.routes().is_empty());
    /// ```
    pub fn routes(self) -> &'static [Route] {
        match self {
            BuiltinRoutes::Camunda7 => Engine::Camunda7.profile().routes(),
            BuiltinRoutes::None => &[],
        }
    }
}

impl BuiltinValueTypes {
    /// The value classes this choice admits, and the engine they are
    /// named after.
    ///
    /// ```
    /// use input_guard::classes::BuiltinValueTypes;
    ///
    /// let camunda = BuiltinValueTypes::Camunda7.value_types();
    /// assert_eq!(camunda.engine, "camunda7");
    /// assert!(camunda.classes.contains(&"java.util.HashMap"));
    /// assert!(BuiltinValueTypes::None.value_types().classes.is_empty());
    /// ```
    pub fn value_types(self) -> ValueTypes {
        match self {
            BuiltinValueTypes::Camunda7 => {
                let profile = Engine::Camunda7.profile();
                ValueTypes {
                    engine: profile.name,
                    classes: profile.value_types,
                }
            }
            BuiltinValueTypes::None => ValueTypes::NONE,
        }
    }
}

/// What the guard knows of one engine's HTTP API.
#[derive(Debug)]
#[non_exhaustive]
pub struct EngineProfile {
    /// The name policies use (`engine = "camunda7"`).
    pub name: &'static str,
    /// The paging parameters of its list queries.
    pub paging: PagingNames,
    /// Query parameters whose names end with this are expressions the
    /// engine evaluates (task queries).
    pub expression_suffix: &'static str,
    /// The multipart field that names a Java class the next part is read
    /// into, if the engine has one.
    pub type_field: Option<&'static str>,
    /// Deployment resource name suffixes (lower case; matched without
    /// regard to case) the engine parses as XML.
    pub xml_resource_suffixes: &'static [&'static str],
    /// Deployment resource name suffixes the engine parses as JSON.
    pub json_resource_suffixes: &'static [&'static str],
    /// The value classes its deserialization admits on its own
    /// (`[classes] builtin_value_types`).
    pub value_types: &'static [&'static str],
    routes: fn() -> &'static [Route],
}

/// The names of a list query's paging parameters.
///
/// The guard reads these from the query string of list routes:
///
/// ```
/// use input_guard::engine::{Engine, PagingNames};
/// use input_guard::{Code, Guard, Policy};
///
/// let names = Engine::Camunda7.profile().paging;
/// assert_eq!(names, PagingNames { max_results: "maxResults", first_result: "firstResult" });
///
/// let guard = Guard::new(Policy::default())?;
/// let code = |query: &str| -> Result<Option<Code>, http::Error> {
///     let (head, ()) = http::Request::get(format!("/engine-rest/process-instance?{query}"))
///         .body(())?
///         .into_parts();
///     Ok(guard.check(&head, b"").violation().map(|v| v.code()))
/// };
/// assert_eq!(code("maxResults=100&firstResult=200")?, None);
/// assert_eq!(code("firstResult=200")?, Some(Code::QueryUnbounded));
/// assert_eq!(code("maxResults=5000")?, Some(Code::QueryMaxResultsExceeded));
/// assert_eq!(code("maxResults=-1")?, Some(Code::QueryInvalidPaging));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagingNames {
    /// How many results at most (`maxResults`).
    pub max_results: &'static str,
    /// The first result (`firstResult`).
    pub first_result: &'static str,
}

/// What a deployment resource is parsed as, by its name.
///
/// The guard inspects a multipart part by what the engine will parse it
/// as, whatever content type the part declares:
///
/// ```
/// use input_guard::engine::{Engine, ResourceKind};
/// use input_guard::{Code, Guard, Policy};
///
/// let camunda = Engine::Camunda7.profile();
/// assert_eq!(camunda.resource_kind("invoice.bpmn"), Some(ResourceKind::Xml));
/// assert_eq!(camunda.resource_kind("notes.txt"), None);
///
/// let guard = Guard::new(Policy::default())?;
/// let (head, ()) = http::Request::post("/engine-rest/deployment/create")
///     .header("content-type", "multipart/form-data; boundary=b")
///     .body(())?
///     .into_parts();
/// let deploy = |filename: &str| {
///     let body = format!(
///         "--b\r\nContent-Disposition: form-data; name=\"data\"; filename=\"{filename}\"\r\n\
///          Content-Type: application/octet-stream\r\n\r\n\
///          <!DOCTYPE x><definitions/>\r\n--b--\r\n"
///     );
///     guard.check(&head, body.as_bytes()).violation().map(|v| v.code())
/// };
/// assert_eq!(deploy("invoice.bpmn"), Some(Code::XmlDoctype));
/// assert_eq!(deploy("notes.txt"), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    /// XML (BPMN, CMMN, DMN models).
    Xml,
    /// JSON.
    Json,
}

impl EngineProfile {
    /// The engine's list and task-query endpoints, the routes a policy's
    /// `builtin_routes` adds.
    pub fn routes(&self) -> &'static [Route] {
        (self.routes)()
    }

    /// Whether the query parameter `name` is an expression.
    pub fn is_expression(&self, name: &str) -> bool {
        name.len() > self.expression_suffix.len() && name.ends_with(self.expression_suffix)
    }

    /// What the engine parses a deployment resource called `filename` as,
    /// if anything.
    ///
    /// ```
    /// use input_guard::engine::{Engine, ResourceKind};
    ///
    /// let camunda = Engine::Camunda7.profile();
    /// assert_eq!(camunda.resource_kind("invoice.bpmn"), Some(ResourceKind::Xml));
    /// assert_eq!(camunda.resource_kind("invoice.XBPMN"), Some(ResourceKind::Xml));
    /// assert_eq!(camunda.resource_kind("form.json"), Some(ResourceKind::Json));
    /// assert_eq!(camunda.resource_kind("logo.png"), None);
    /// ```
    pub fn resource_kind(&self, filename: &str) -> Option<ResourceKind> {
        let lower = filename.to_ascii_lowercase();
        let ends = |suffixes: &[&str]| suffixes.iter().any(|s| lower.ends_with(s));
        if ends(self.xml_resource_suffixes) {
            Some(ResourceKind::Xml)
        } else if ends(self.json_resource_suffixes) {
            Some(ResourceKind::Json)
        } else {
            None
        }
    }
}
