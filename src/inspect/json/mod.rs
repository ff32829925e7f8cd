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
mod paging;
mod scan;
mod strings;
mod typed;

pub use paging::{PagingMember, paging_members};

use crate::classes::ClassFilter;
use crate::inspect::xml::XmlInspector;
use crate::policy::{JsonPolicy, Policy};
use crate::violation::Violation;

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
    /// The scanner's buffers are kept per thread for the next body, so a
    /// server in steady state allocates nothing here; a thread keeps at
    /// most 512 KiB of them per level of carried documents, and whatever
    /// a bigger body needed is freed when it is done.
    pub fn inspect(&self, bytes: &[u8], charset: Option<&str>) -> Result<(), Violation> {
        let text = encoding::decode(bytes, charset)?;
        typed::Session::new(self).inspect::<false>(text.as_bytes(), 0)
    }
}
