//! The JSON inspector: a strict RFC 8259 scanner with the typed-variable
//! and type-id rules on top, in one pass with no DOM.
//!
//! * **Strict JSON**: whatever a strict parser rejects is rejected, and so
//!   are duplicate keys (compared after unescaping). Depth, string length,
//!   number length and member count are limited by [`JsonPolicy`].
//! * **Typed variables anywhere**: an object with a `type` string and/or a
//!   `valueInfo` object, under any key, at any depth, members in any order.
//!   `Object` values need `objectTypeName` and `serializationDataFormat`;
//!   every class in `objectTypeName` must pass the class filter; Java
//!   serialization is refused unless allowed; `application/json` values and
//!   `Json` variables are JSON and inspected in turn; `application/xml`
//!   values and `Xml` variables go to the XML inspector.
//! * **Type ids**: `objectTypeName` anywhere and the policy's type-id keys
//!   (`@class`, `@type`, `@c`, `$type`) are checked wherever they appear,
//!   also inside carried JSON; Jackson wrapper arrays when the policy says.
//! * **Locations** are JSON Pointers (`/variables/order/valueInfo/objectTypeName`);
//!   inside a carried document the pointer goes on through `value`.
//!
//! ```
//! use input_guard::classes::ClassFilter;
//! use input_guard::inspect::json::JsonInspector;
//! use input_guard::inspect::xml::XmlInspector;
//! use input_guard::policy::Policy;
//!
//! let policy = Policy::from_toml("[classes]\nallow = [\"java.util.*\", \"com.acme.**\"]")?;
//! let classes = ClassFilter::new(policy.classes.allow.clone(), []);
//! let xml = XmlInspector::new(policy.xml.clone());
//! let json = JsonInspector::new(&policy, &classes, &xml);
//!
//! let ok = br#"{"variables": {"order": {"value": "{}", "type": "Object",
//!     "valueInfo": {"objectTypeName": "java.util.HashMap<java.lang.String,com.acme.Order>",
//!                   "serializationDataFormat": "application/json"}}}}"#;
//! // java.lang.String is not in this policy's allow list:
//! let v = json.inspect(ok, None).unwrap_err();
//! assert_eq!(v.code().as_str(), "class-not-allowed");
//! assert_eq!(v.location(), "/variables/order/valueInfo/objectTypeName");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod encoding;
mod scan;
// The one module allowed `unsafe`: AVX2 loads, behind run-time detection
// (its header says why each is sound, and its tests and `strings`' hold
// the block paths to the word paths).
#[allow(unsafe_code)]
mod simd;
mod strings;
mod typed;

use crate::classes::ClassFilter;
use crate::inspect::xml::XmlInspector;
use crate::policy::{JsonPolicy, Policy};
use crate::violation::{Code, Violation};

/// A paging member of a list query body's top-level object (see
/// [`JsonInspector::inspect_list_query`]): its name, and its value as the
/// text an engine would read as an int (a JSON number as written, or a
/// string's text, which Jackson coerces), or `None` for any other kind of
/// value. `null` members are left out: they mean "not given".
///
/// ```
/// use input_guard::{Guard, Policy};
/// use input_guard::inspect::json::PagingMember;
///
/// let guard = Guard::new(Policy::default())?;
/// let paging: Vec<PagingMember> = guard
///     .json()
///     .inspect_list_query(br#"{"maxResults": "1\u0030", "firstResult": null, "x": true}"#, None)?;
/// assert_eq!(paging, [("maxResults", Some("10".to_owned()))]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type PagingMember = (&'static str, Option<String>);

/// Inspects JSON documents. It borrows the compiled class filter and XML
/// inspector (the [`Guard`](crate::Guard) owns them), so building one is
/// free.
#[derive(Debug, Clone, Copy)]
pub struct JsonInspector<'g> {
    policy: &'g JsonPolicy,
    classes: &'g ClassFilter,
    xml: &'g XmlInspector,
    allow_java_serialization: bool,
    forbid_expressions: bool,
}

impl<'g> JsonInspector<'g> {
    /// An inspector applying `policy`'s `[json]` and `[classes]` rules with
    /// the given class filter and XML inspector.
    pub fn new(policy: &'g Policy, classes: &'g ClassFilter, xml: &'g XmlInspector) -> Self {
        JsonInspector {
            policy: &policy.json,
            classes,
            xml,
            allow_java_serialization: policy.classes.allow_java_serialization,
            forbid_expressions: false,
        }
    }

    /// Also rejects task-query expression parameters (keys ending in
    /// `Expression` with a string value) anywhere in the body, for routes
    /// that take task queries while expressions are forbidden.
    #[must_use]
    pub fn forbid_expressions(mut self, forbid: bool) -> Self {
        self.forbid_expressions = forbid;
        self
    }

    /// Inspects a JSON body, with the `charset` of its content type if any.
    /// UTF-16 (by BOM or by the RFC 4627 zero-byte pattern, as Jackson
    /// detects it) is transcoded and inspected; UTF-32 is refused.
    ///
    /// The scanner's buffers (and the last class name that passed) are
    /// kept per thread for the next body, so in steady state inspecting a
    /// UTF-8 body allocates nothing here, with these exceptions: a UTF-16
    /// body is transcoded into a new buffer; a string the rules must read
    /// (a `type`, a class name, a format) that is written with escapes is
    /// decoded into a small new one; carried XML allocates what the XML
    /// inspector needs; and a rejection builds its [`Violation`]. A thread
    /// keeps at most 512 KiB of buffers per level of carried documents,
    /// and whatever a bigger body needed is freed when it is done.
    pub fn inspect(&self, bytes: &[u8], charset: Option<&str>) -> Result<(), Violation> {
        let text = encoding::decode(bytes, charset)?;
        typed::Session::new(self).inspect(&text)
    }

    /// Inspects a list query's JSON body exactly as [`inspect`](Self::inspect)
    /// does and, in the same pass, reads the `maxResults` and `firstResult`
    /// members of its top-level object: keys compared after unescaping, as
    /// the engine reads them; none when the body is not an object, and
    /// none from documents carried in its strings.
    ///
    /// Camunda reads paging from the query string, but a query body may
    /// carry it too (other engines and clients read it there), so the guard
    /// holds body paging to the same cap.
    ///
    /// ```
    /// # use input_guard::classes::ClassFilter;
    /// # use input_guard::inspect::json::JsonInspector;
    /// # use input_guard::inspect::xml::XmlInspector;
    /// # use input_guard::policy::Policy;
    /// # let policy = Policy::default();
    /// # let classes = ClassFilter::new(policy.classes.allow.clone(), []);
    /// # let xml = XmlInspector::new(policy.xml.clone());
    /// let json = JsonInspector::new(&policy, &classes, &xml);
    /// let body = br#"{"processDefinitionKey": "order", "maxResults": 50, "firstResult": "100"}"#;
    /// let paging = json.inspect_list_query(body, None)?;
    /// assert_eq!(
    ///     paging,
    ///     [("maxResults", Some("50".to_owned())), ("firstResult", Some("100".to_owned()))]
    /// );
    /// # Ok::<(), input_guard::Violation>(())
    /// ```
    pub fn inspect_list_query(
        &self,
        bytes: &[u8],
        charset: Option<&str>,
    ) -> Result<Vec<PagingMember>, Violation> {
        let text = encoding::decode(bytes, charset)?;
        let mut session = typed::Session::list_query(self);
        session.inspect(&text)?;
        Ok(session.paging())
    }
}

/// The bare scanner: strict RFC 8259 and no duplicate keys, under
/// `policy`'s limits, with no typed-variable or type-id rules. For fuzzing
/// the scanner against another parser; UTF-8 only (no encoding sniffing).
pub(crate) fn scan_only(bytes: &[u8], policy: &JsonPolicy) -> Result<(), Violation> {
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(
            Violation::new(Code::JsonMalformed, "/", "the body is not UTF-8")
                .at_offset(e.valid_up_to()),
        );
    }
    let mut ws = scan::Workspace::default();
    scan::scan::<false, _>(bytes, &mut ws, policy, &mut scan::NoHooks)
}

#[cfg(test)]
mod tests {
    //! Unit tests only (never compiled into the library): an `unwrap` or
    //! `expect` here is a test assertion on fixed inputs, not a path a
    //! request can reach.

    use super::*;

    /// The paging members `inspect_list_query` finds in `text` under the
    /// default policy, and (while it exists) the stopgap's.
    fn members(text: &str) -> Vec<PagingMember> {
        let policy = Policy::default();
        let classes = ClassFilter::new(policy.classes.allow.clone(), []);
        let xml = XmlInspector::new(policy.xml.clone());
        let json = JsonInspector::new(&policy, &classes, &xml);
        json.inspect_list_query(text.as_bytes(), None)
            .expect("test bodies are benign")
    }

    #[test]
    fn reads_top_level_paging_only() {
        assert_eq!(
            members(r#"{"a":{"maxResults":9},"maxResults":10,"firstResult":"5","x":[1]}"#),
            vec![
                ("maxResults", Some("10".to_owned())),
                ("firstResult", Some("5".to_owned()))
            ]
        );
        assert_eq!(
            members(r#"{"max\u0052esults":-1,"firstResult":null}"#),
            vec![("maxResults", Some("-1".to_owned()))]
        );
        assert_eq!(
            members(r#"{"maxResults":[10],"firstResult":1.5}"#),
            vec![
                ("maxResults", None),
                ("firstResult", Some("1.5".to_owned()))
            ]
        );
        assert_eq!(
            members(r#"{"firstResult":{"a":1},"maxResults":true}"#),
            vec![("firstResult", None), ("maxResults", None)]
        );
        assert_eq!(
            members(r#"{"maxResults":"1\u0030"}"#),
            vec![("maxResults", Some("10".to_owned()))]
        );
        assert_eq!(members(r#"{"MaxResults":10}"#), vec![]);
        assert_eq!(members(r#"[{"maxResults":10}]"#), vec![]);
        assert_eq!(members("10"), vec![]);
        // A carried document's members are its own, not the body's.
        assert_eq!(
            members(r#"{"v":{"type":"Json","value":"{\"maxResults\":7}"}}"#),
            vec![]
        );
    }

    #[test]
    fn list_queries_get_the_same_verdict_as_plain_inspection() {
        let policy = Policy::default();
        let classes = ClassFilter::new(policy.classes.allow.clone(), []);
        let xml = XmlInspector::new(policy.xml.clone());
        let json = JsonInspector::new(&policy, &classes, &xml);
        for body in [
            r#"{"maxResults":10,"maxResults":10}"#,
            r#"{"maxResults":10,"v":{"type":"Object","value":"x"}}"#,
            r#"{"maxResults":10,}"#,
            r#"{"firstResult":"1","@class":"java.lang.Runtime"}"#,
        ] {
            let plain = json.inspect(body.as_bytes(), None).map(drop);
            let listed = json.inspect_list_query(body.as_bytes(), None).map(drop);
            assert!(plain.is_err(), "{body}");
            assert_eq!(plain, listed, "{body}");
        }
    }

    #[test]
    fn the_bare_scanner_reads_json_only() {
        let policy = JsonPolicy::default();
        assert!(scan_only(br#"{"a":[1,2.5e3,"x",true,null]}"#, &policy).is_ok());
        // No rules: a class the inspector would refuse is just a string.
        assert!(scan_only(br#"{"@class":"java.lang.Runtime"}"#, &policy).is_ok());
        let refused = |text: &[u8]| scan_only(text, &policy).map_err(|v| v.code().as_str());
        assert_eq!(refused(br#"{"a":1,"a":2}"#), Err("json-duplicate-key"));
        assert_eq!(refused(b"{\"a\":\"\xff\"}"), Err("json-malformed"));
        assert_eq!(refused(b"[1,]"), Err("json-malformed"));
    }
}
