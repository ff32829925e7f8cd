//! The sans-IO core: a policy compiled once, asked once per request.
//!
//! A request is read in one pass, in the order the data arrives:
//!
//! * [`head`]: the method, the sizes of the request target and headers
//!   (`[request]`), the path (and the route it falls under, and whether the
//!   request's [`ClientAddr`] may use it) and the framing headers, read
//!   once into a [`HeadCheck`] that judges the body from what it parsed;
//! * [`body`]: decoding, picking the inspector by type (and, inside
//!   multipart bodies, by file name), multipart parts;
//! * [`query`]: the rules of list and task-query routes (paging, clamping,
//!   expressions).
//!
//! Enforce or report is decided once, in `Guard::verdict_on`: everything
//! below it returns plain `Result`s.

mod body;
mod client;
mod cors;
mod head;
mod query;

use http::Uri;
use http::request::Parts;

pub use client::ClientAddr;
pub use head::HeadCheck;

use crate::classes::ClassFilter;
use crate::inspect::json::JsonInspector;
use crate::inspect::xml::XmlInspector;
use crate::policy::{Mode, Policy, PolicyError, Route};
use crate::routes::RouteTable;
use crate::violation::Violation;

/// What to do with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Verdict {
    /// Pass the request on unchanged.
    Allow,
    /// Pass the request on with this URI instead of its own (a clamped
    /// `maxResults`, for example).
    Rewrite(Uri),
    /// Refuse the request.
    Reject(Violation),
    /// The policy is in report mode: pass the request on, and record the
    /// violation that enforce mode would have rejected.
    Report(Violation),
}

impl Verdict {
    /// Whether the request goes on to the service (allow, rewrite, report).
    ///
    /// ```
    /// use input_guard::{Code, Verdict, Violation};
    ///
    /// let v = Violation::new(Code::BodyTooLarge, "body", "too large");
    /// assert!(Verdict::Allow.is_allowed());
    /// assert!(Verdict::Report(v.clone()).is_allowed());
    /// assert!(!Verdict::Reject(v).is_allowed());
    /// ```
    pub fn is_allowed(&self) -> bool {
        !matches!(self, Verdict::Reject(_))
    }

    /// The violation found, whether enforced or only reported.
    ///
    /// ```
    /// use input_guard::{Code, Verdict, Violation};
    ///
    /// let v = Violation::new(Code::BodyTooLarge, "body", "too large");
    /// assert_eq!(Verdict::Report(v.clone()).violation(), Some(&v));
    /// assert_eq!(Verdict::Allow.violation(), None);
    /// ```
    pub fn violation(&self) -> Option<&Violation> {
        match self {
            Verdict::Reject(v) | Verdict::Report(v) => Some(v),
            Verdict::Allow | Verdict::Rewrite(_) => None,
        }
    }
}

/// A compiled policy that judges requests.
///
/// Build it once at start-up and share it (`Arc<Guard>`); checks take
/// `&self`. A request is judged in two steps that follow the data:
/// [`Guard::head`] reads the head once (before a byte of the body has
/// arrived, so an oversized upload is refused unread), and
/// [`HeadCheck::check`] judges the body from what the head said.
/// [`Guard::check`] does both.
///
/// ```
/// use input_guard::{Guard, Verdict, policy::Policy};
///
/// let guard = Guard::new(Policy::from_toml("[body]\nmax_bytes = 4\n")?)?;
/// let (head, ()) = http::Request::post("/engine-rest/message")
///     .header("content-type", "application/json")
///     .body(())?
///     .into_parts();
/// let verdict = guard.check(&head, b"{\"a\":1}");
/// assert_eq!(verdict.violation().unwrap().code().as_str(), "body-too-large");
/// assert_eq!(guard.check(&head, b""), Verdict::Allow);
///
/// // The same, in the two steps an adapter takes:
/// let checked = guard.head(&head);
/// assert_eq!(checked.verdict(), Verdict::Allow);
/// assert_eq!(checked.body_limit(), 4);
/// assert!(!checked.check(b"{\"a\":1}").is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Guard {
    policy: Policy,
    classes: ClassFilter,
    /// Per own route (`policy.routes`, same order): its class filter when
    /// it has `classes_allow`.
    route_classes: Vec<Option<ClassFilter>>,
    /// Per own route: its XML inspector when it has `[routes.xml]`.
    route_xml: Vec<Option<XmlInspector>>,
    xml: XmlInspector,
    routes: RouteTable,
}

impl Guard {
    /// Compiles `policy`, after checking it as the loader does
    /// ([`Policy::validate`]): a policy edited in code is held to the same
    /// rules as a file, and a route that does not compile is an error
    /// rather than a rule that applies nowhere.
    ///
    /// ```
    /// use input_guard::{Guard, Policy};
    ///
    /// let mut policy = Policy::camunda7();
    /// policy.routes.extend(Policy::from_toml("[[routes]]\npath = \"/x/**\"")?.routes);
    /// assert!(Guard::new(policy.clone()).is_ok());
    /// policy.query.max_results = u32::MAX;
    /// assert_eq!(Guard::new(policy).unwrap_err().key(), "query.max_results");
    /// # Ok::<(), input_guard::policy::PolicyError>(())
    /// ```
    pub fn new(policy: Policy) -> Result<Self, PolicyError> {
        policy.validate()?;
        let routes = RouteTable::new(&policy.routes, policy.builtin_routes)?;
        let classes = ClassFilter::with_value_types(
            policy.classes.allow.iter().cloned(),
            policy.classes.deny.iter().cloned(),
            policy.classes.builtin_value_types.value_types(),
        );
        let route_classes = policy
            .routes
            .iter()
            .map(|route| {
                (!route.classes_allow.is_empty()).then(|| {
                    ClassFilter::with_value_types(
                        policy
                            .classes
                            .allow
                            .iter()
                            .chain(&route.classes_allow)
                            .cloned(),
                        policy.classes.deny.iter().cloned(),
                        policy.classes.builtin_value_types.value_types(),
                    )
                })
            })
            .collect();
        let route_xml = policy
            .routes
            .iter()
            .map(|route| route.xml.clone().map(XmlInspector::new))
            .collect();
        let xml = XmlInspector::new(policy.xml.clone());
        Ok(Guard {
            policy,
            classes,
            route_classes,
            route_xml,
            xml,
            routes,
        })
    }

    /// The policy the guard was built from.
    ///
    /// ```
    /// use input_guard::{Guard, Policy};
    ///
    /// let guard = Guard::new(Policy::default())?;
    /// assert_eq!(guard.policy().body.max_bytes, 10 * 1024 * 1024);
    /// # Ok::<(), input_guard::policy::PolicyError>(())
    /// ```
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The JSON inspector, borrowing this guard's class filter and XML
    /// inspector.
    ///
    /// ```
    /// use input_guard::{Guard, Policy};
    ///
    /// let guard = Guard::new(Policy::default())?;
    /// assert!(guard.json().inspect(br#"{"a": 1}"#, None).is_ok());
    /// assert!(guard.json().inspect(br#"{"a": 1, "a": 2}"#, None).is_err());
    /// # Ok::<(), input_guard::policy::PolicyError>(())
    /// ```
    pub fn json(&self) -> JsonInspector<'_> {
        JsonInspector::new(&self.policy, &self.classes, &self.xml)
    }

    /// The XML inspector.
    ///
    /// ```
    /// use input_guard::{Guard, Policy};
    ///
    /// let guard = Guard::new(Policy::default())?;
    /// assert!(guard.xml().inspect(b"<a/>", None).is_ok());
    /// assert!(guard.xml().inspect(b"<!DOCTYPE a><a/>", None).is_err());
    /// # Ok::<(), input_guard::policy::PolicyError>(())
    /// ```
    pub fn xml(&self) -> &XmlInspector {
        &self.xml
    }

    /// The compiled class filter (policy rules plus the gadget list).
    ///
    /// ```
    /// use input_guard::{Guard, Policy};
    ///
    /// let guard = Guard::new(Policy::default())?;
    /// assert!(guard.class_filter().check("java.lang.String").is_allowed());
    /// assert!(!guard.class_filter().check("com.acme.Order").is_allowed());
    /// # Ok::<(), input_guard::policy::PolicyError>(())
    /// ```
    pub fn class_filter(&self) -> &ClassFilter {
        &self.classes
    }

    /// Judges a whole request: its head and its complete body.
    pub fn check(&self, head: &Parts, body: &[u8]) -> Verdict {
        self.head(head).check(body)
    }

    /// The verdict on the head alone: what can be judged before the body is
    /// read (the declared length, encoding and framing, the path). The same
    /// as `guard.head(head).verdict()`.
    pub fn check_head(&self, head: &Parts) -> Verdict {
        self.head(head).verdict()
    }

    /// Reads a request head once: its route, its body limit, its framing
    /// headers. The result judges the body ([`HeadCheck::check`]), so the
    /// head a body is judged with is always the head it came with.
    pub fn head<'g, 'r>(&'g self, head: &'r Parts) -> HeadCheck<'g, 'r> {
        HeadCheck::read(self, head)
    }

    /// The one place a finding becomes a verdict: enforce rejects, report
    /// lets the request on and says what enforce would have done. Adapters
    /// use it for what only they can find (a body over its limit while it
    /// streams in).
    ///
    /// Under `route`, the route's own `mode` (a per-route exception)
    /// decides when it has one; a violation the route's mode treats
    /// otherwise than the policy's names the exception.
    pub(crate) fn verdict_on(
        &self,
        route: Option<&Route>,
        finding: Result<Option<Uri>, Violation>,
    ) -> Verdict {
        let own = route.and_then(|r| r.mode.map(|mode| (r, mode)));
        let mode = own.map_or(self.policy.mode, |(_, mode)| mode);
        let finding = match (finding, own) {
            (Err(v), Some((route, mode))) if mode != self.policy.mode => {
                let mode = match mode {
                    Mode::Enforce => "enforce",
                    Mode::Report => "report",
                };
                Err(v.under_exception(format!("route `{}`: mode = {mode}", route.name)))
            }
            (finding, _) => finding,
        };
        match (finding, mode) {
            (Ok(None), _) => Verdict::Allow,
            (Ok(Some(uri)), _) => Verdict::Rewrite(uri),
            (Err(v), Mode::Enforce) => Verdict::Reject(v),
            (Err(v), Mode::Report) => Verdict::Report(v),
        }
    }

    /// The class filter for a request under `route`: the route's own when
    /// it adds `classes_allow`, else the policy's.
    fn classes_for(&self, route: Option<&Route>) -> &ClassFilter {
        route
            .filter(|r| !r.classes_allow.is_empty())
            .and_then(|route| {
                // Own routes lead the route table, in policy order.
                let at = self.routes.index_of(route)?;
                self.route_classes.get(at)?.as_ref()
            })
            .unwrap_or(&self.classes)
    }

    /// The XML inspector for a request under `route`: the route's own when
    /// it has `[routes.xml]`, else the policy's.
    fn xml_for(&self, route: Option<&Route>) -> &XmlInspector {
        route
            .filter(|r| r.xml.is_some())
            .and_then(|route| {
                let at = self.routes.index_of(route)?;
                self.route_xml.get(at)?.as_ref()
            })
            .unwrap_or(&self.xml)
    }

    /// The body limit for a request under `route`: its route's `max_bytes`,
    /// or the policy's.
    fn max_bytes(&self, route: Option<&Route>) -> u64 {
        route
            .and_then(|r| r.max_bytes)
            .unwrap_or(self.policy.body.max_bytes)
    }
}
