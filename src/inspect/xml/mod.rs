//! The XML inspector: one streaming pass over a document, no DOM.
//!
//! What it always rejects: any DOCTYPE (wherever it appears, in any letter
//! case), entity references other than the five predefined ones and
//! character references to characters XML allows, XInclude elements
//! (namespace resolved, whatever the prefix), and documents that are not
//! well formed, namespaces included. What the [`XmlPolicy`] decides: XSLT,
//! schema locations (`xsi:schemaLocation`, `xsi:noNamespaceSchemaLocation`
//! and the `schemaLocation` of XSD's `import`, `include`, `redefine` and
//! `override`), stylesheet processing instructions, forbidden elements and
//! attributes, structural limits and legacy encodings ([`LegacyEncoding`]:
//! ISO-8859-1 and windows-1252, decoded as the JDK's parser decodes them;
//! none by default, both in the bundled Camunda policy).
//!
//! ```
//! use input_guard::inspect::xml::XmlInspector;
//! use input_guard::policy::XmlPolicy;
//!
//! let inspector = XmlInspector::new(XmlPolicy::default());
//! assert!(inspector.inspect(b"<order id='1'><item>&lt;3</item></order>", None).is_ok());
//!
//! let xxe = b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><r>&x;</r>";
//! let violation = inspector.inspect(xxe, None).unwrap_err();
//! assert_eq!(violation.code().as_str(), "xml-doctype");
//! ```
//!
//! # Security
//!
//! * The encoding is settled first (`encoding`): a tokenizer that scans
//!   bytes as ASCII does not see a DOCTYPE in UTF-16, which a Java parser
//!   reads happily.
//! * The tokenizer (`scan.rs`) and the content rules (`rules.rs`) are
//!   apart: the tokenizer settles that the document is XML, refuses
//!   DOCTYPEs and entities and enforces the limits; the rules judge the
//!   elements, attributes and instructions it reports, through the
//!   `Hooks` trait. Each file keeps the security
//!   reasoning for what it checks.
//!
//! # Files
//!
//! * `mod.rs`: [`XmlInspector`], which decodes, then scans with the rules.
//! * `encoding.rs`: byte order marks, declarations, `charset` and the
//!   legacy single-byte encodings.
//! * `scan.rs`: the tokenizer and well-formedness checker, the structural
//!   limits, and the `Hooks` trait it reports to.
//! * `attrs.rs`: names, attribute lists and references, for the tokenizer.
//! * `doctype.rs`: the element-only DOCTYPE `allow_doctype` lets through.
//! * `rules.rs`: the policy's content rules, implementing the hooks.
//! * `url.rs`: which schema locations and stylesheet hrefs are absolute,
//!   public or local, for the rules.

mod attrs;
mod doctype;
mod encoding;
mod rules;
mod scan;
mod url;

use std::borrow::Cow;

pub use crate::policy::LegacyEncoding;

use self::rules::Rules;
use self::scan::Limits;
use crate::policy::XmlPolicy;
use crate::violation::Violation;

/// Inspects XML documents against an [`XmlPolicy`]. Build it once; it is
/// cheap to call and keeps no state between documents.
///
/// ```
/// use input_guard::inspect::xml::XmlInspector;
/// use input_guard::policy::XmlPolicy;
///
/// let xml = XmlInspector::new(XmlPolicy::default());
/// assert!(xml.inspect(b"<definitions id=\"a\"><process/></definitions>", None).is_ok());
/// let xxe = b"<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><d>&x;</d>";
/// assert_eq!(xml.inspect(xxe, None).unwrap_err().code().as_str(), "xml-doctype");
/// // UTF-16 is read as UTF-16, not skipped.
/// let utf16: Vec<u8> = "\u{feff}<!DOCTYPE d><d/>".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// assert_eq!(xml.inspect(&utf16, None).unwrap_err().code().as_str(), "xml-doctype");
/// ```
#[derive(Debug, Clone)]
pub struct XmlInspector {
    policy: XmlPolicy,
    /// The policy's limits, as the tokenizer takes them.
    limits: Limits,
}

impl XmlInspector {
    /// An inspector applying `policy`.
    pub fn new(policy: XmlPolicy) -> Self {
        let limits = Limits {
            max_depth: policy.max_depth,
            max_attributes: policy.max_attributes,
            max_name_length: policy.max_name_length,
            max_value_bytes: policy.max_value_bytes,
            max_elements: policy.max_elements,
            max_namespace_declarations: policy.max_namespace_declarations,
            allow_doctype: policy.allow_doctype,
        };
        XmlInspector { policy, limits }
    }

    /// Tokenises `text`, applying the policy's rules to what it holds.
    fn scan(&self, text: &str, base: usize) -> Result<(), Violation> {
        scan::scan(text, base, &self.limits, Rules::new(&self.policy))
    }

    /// Inspects a document given as bytes, with the `charset` parameter of
    /// its content type if there is one.
    ///
    /// A violation's location is the element path (local names,
    /// `/definitions/process/scriptTask`, with `/@name` for an attribute) and
    /// its offset is in bytes of the document as inspected: of the input for
    /// UTF-8, of the UTF-8 transcoding for UTF-16 and legacy encodings.
    pub fn inspect(&self, bytes: &[u8], charset: Option<&str>) -> Result<(), Violation> {
        let (text, skipped) = encoding::decode(bytes, charset, &self.policy.encodings)?;
        let base = if matches!(text, Cow::Borrowed(_)) {
            skipped
        } else {
            0
        };
        self.scan(&text, base)
    }

    /// The characters [`inspect`](Self::inspect) would inspect: the document
    /// decoded by its byte order mark, byte pattern, declaration and
    /// `charset`, without a UTF-8 byte order mark, or the encoding violation
    /// that stops it first. Nothing but the encoding is checked.
    pub fn decode<'b>(
        &self,
        bytes: &'b [u8],
        charset: Option<&str>,
    ) -> Result<Cow<'b, str>, Violation> {
        encoding::decode(bytes, charset, &self.policy.encodings).map(|(text, _)| text)
    }

    /// Inspects a document that is already text (a JSON string value, say).
    ///
    /// Its XML declaration must be well formed, but its encoding label is
    /// neither checked nor acted on: the engine hands such text to its
    /// parser as characters (Spin reads `Xml` variables from a
    /// `StringReader`), and a parser reading characters ignores the label.
    /// Decoding the text again by its label would inspect a document the
    /// engine never sees. A leading U+FEFF is skipped as a byte order mark.
    pub fn inspect_str(&self, text: &str) -> Result<(), Violation> {
        let (text, skipped) = match text.strip_prefix('\u{feff}') {
            Some(rest) => (rest, '\u{feff}'.len_utf8()),
            None => (text, 0),
        };
        self.scan(text, skipped)
    }
}
