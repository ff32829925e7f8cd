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
//! * The document is tokenised here, in one pass over `&str`, rather than
//!   by quick-xml. quick-xml leaves attributes, end-tag matching,
//!   namespaces and document structure to its caller, and is lenient about
//!   what follows `<!` — so every rule that matters was checked here
//!   anyway, and a second tokenizer underneath only cost time (the guard
//!   ran at about 2x a bare quick-xml read; it now runs near 1.3x) and
//!   added a second opinion on where markup starts. The grammar read here
//!   is XML 1.0's for what it accepts: anything after `<!` other than a
//!   comment or CDATA section is a DTD construct and refused; comments may
//!   not hold `--`; references are checked in text and attribute values;
//!   names are namespace-well-formed. quick-xml stays as the benchmark
//!   baseline and as a differential oracle in the fuzz target: what this
//!   module accepts, quick-xml must read without error.
//! * Limits are checked before the work they bound: the element that would
//!   be one too deep is refused before it is pushed, the attribute past the
//!   limit before it is stored. State is one small record per open element;
//!   element paths are only built when a violation is reported.

mod attrs;
mod doctype;
mod encoding;
mod url;

use std::borrow::Cow;

pub use self::encoding::LegacyEncoding;

use self::attrs::{Attr, AttrError, Reference};
use crate::policy::{SchemaLocations, XmlName, XmlPolicy};
use crate::violation::{Code, Violation};

const XINCLUDE: [&str; 2] = [
    "http://www.w3.org/2001/XInclude",
    "http://www.w3.org/2003/XInclude",
];
const XSLT: &str = "http://www.w3.org/1999/XSL/Transform";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// XML Schema itself (XSD 1.0 and 1.1): `xs:import`, `xs:include`,
/// `xs:redefine` and `xs:override` fetch the document named by their
/// `schemaLocation`.
const XSD: &str = "http://www.w3.org/2001/XMLSchema";
/// The XSD elements whose unprefixed `schemaLocation` names a document to load.
const XSD_LOADERS: [&str; 4] = ["import", "include", "redefine", "override"];
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Inspects XML documents against an [`XmlPolicy`]. Build it once; it is
/// cheap to call and keeps no state between documents.
#[derive(Debug, Clone)]
pub struct XmlInspector {
    policy: XmlPolicy,
}

impl XmlInspector {
    /// An inspector applying `policy`.
    pub fn new(policy: XmlPolicy) -> Self {
        XmlInspector { policy }
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
        Scan::new(&self.policy, &text, base).run()
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
        Scan::new(&self.policy, text, skipped).run()
    }
}

struct Open<'a> {
    name: &'a str,
    prefix: &'a str,
    /// The local name, for locations; the path is only built on rejection.
    local: &'a str,
    bindings_len: usize,
}

struct Binding<'a> {
    prefix: &'a str,
    /// Empty for `xmlns=""`, which undeclares the default namespace.
    uri: Cow<'a, str>,
    /// What the namespace is to the guard, decided once at declaration so
    /// that elements compare a tag, not URIs.
    kind: NsKind,
}

/// The namespaces the guard has rules for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NsKind {
    Other,
    XInclude,
    Xslt,
    Xsi,
    Xsd,
}

impl NsKind {
    fn of(uri: &str) -> NsKind {
        if XINCLUDE.contains(&uri) {
            NsKind::XInclude
        } else if uri == XSLT {
            NsKind::Xslt
        } else if uri == XSI {
            NsKind::Xsi
        } else if uri == XSD {
            NsKind::Xsd
        } else {
            NsKind::Other
        }
    }
}

/// A resolved namespace: its name and what it is to the guard.
type Namespace<'s> = Option<(&'s str, NsKind)>;

struct Scan<'a, 'p> {
    policy: &'p XmlPolicy,
    text: &'a str,
    base: usize,
    open: Vec<Open<'a>>,
    bindings: Vec<Binding<'a>>,
    attrs: Vec<Attr<'a>>,
    elements: usize,
    root_seen: bool,
    doctype_seen: bool,
    text_run: usize,
}

impl<'a, 'p> Scan<'a, 'p> {
    fn new(policy: &'p XmlPolicy, text: &'a str, base: usize) -> Self {
        Scan {
            policy,
            text,
            base,
            open: Vec::new(),
            bindings: Vec::new(),
            attrs: Vec::new(),
            elements: 0,
            root_seen: false,
            doctype_seen: false,
            text_run: 0,
        }
    }

    fn location(&self) -> String {
        if self.open.is_empty() {
            return "/".to_owned();
        }
        let mut path = String::new();
        for open in &self.open {
            path.push('/');
            path.push_str(open.local);
        }
        path
    }

    fn violation(&self, code: Code, at: usize, message: impl Into<Cow<'static, str>>) -> Violation {
        Violation::new(code, self.location(), message).at_offset(self.base + at)
    }

    fn malformed(&self, at: usize, message: &'static str) -> Violation {
        self.violation(Code::XmlMalformed, at, message)
    }

    fn run(mut self) -> Result<(), Violation> {
        let text = self.text;
        let bytes = text.as_bytes();
        // C0 controls other than tab, CR and LF are never XML characters;
        // a NUL-laden body is UTF-16/32 wearing a UTF-8 disguise.
        if let Some(at) = first_control(bytes) {
            return Err(self.malformed(at, "control character in XML"));
        }
        // U+FFFE and U+FFFF (EF BF BE/BF) are not XML characters either.
        if let Some(at) = memchr::memmem::find_iter(bytes, b"\xEF\xBF")
            .find(|&i| matches!(bytes.get(i + 2), Some(0xBE | 0xBF)))
        {
            return Err(self.malformed(at, "U+FFFE or U+FFFF in XML"));
        }
        let mut pos = 0;
        if bytes.starts_with(b"<?xml") && bytes.get(5).is_some_and(|&b| is_space(b)) {
            pos = self.declaration()?;
        }
        loop {
            let lt = memchr::memchr(b'<', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
            if lt > pos {
                self.text(pos, lt)?;
            }
            if lt == bytes.len() {
                return self.eof();
            }
            pos = match bytes.get(lt + 1) {
                Some(b'/') => self.end_tag(lt)?,
                Some(b'?') => self.processing_instruction(lt)?,
                Some(b'!') => self.markup_declaration(lt)?,
                _ => self.start_tag(lt)?,
            };
        }
    }

    /// `<?xml version="1.x" (encoding="...")? (standalone="yes|no")? ?>` at
    /// the very start, read strictly: a declaration that does not parse
    /// must not swallow what follows it. Returns the offset after it.
    fn declaration(&self) -> Result<usize, Violation> {
        let bad = |at| Err(self.malformed(at, "malformed XML declaration"));
        let bytes = self.text.as_bytes();
        let Some(end) = memchr::memmem::find(bytes, b"?>") else {
            return bad(0);
        };
        let content = &self.text[5..end];
        if content.contains(['<', '>']) {
            return bad(0);
        }
        let mut pseudo = Vec::new();
        if attrs::scan(content, 0, false, 3, &mut pseudo).is_err() {
            return bad(0);
        }
        let mut expected = ["version", "encoding", "standalone"].iter();
        for attr in &pseudo {
            if !expected.any(|name| *name == attr.name) {
                return bad(5 + attr.offset);
            }
            let ok = match attr.name {
                "version" => matches!(attr.value, "1.0" | "1.1"),
                "encoding" => {
                    let mut chars = attr.value.chars();
                    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                }
                _ => matches!(attr.value, "yes" | "no"),
            };
            if !ok {
                return bad(5 + attr.offset);
            }
        }
        if pseudo.first().is_none_or(|a| a.name != "version") {
            return bad(0);
        }
        Ok(end + 2)
    }

    /// Character data from `from` to `to` (no `<` inside): references
    /// checked, size counted, nothing but white space outside the root.
    fn text(&mut self, from: usize, to: usize) -> Result<(), Violation> {
        let bytes = &self.text.as_bytes()[from..to];
        if self.open.is_empty() {
            return match bytes.iter().position(|&b| !is_space(b)) {
                None => Ok(()),
                Some(i) => Err(self.malformed(from + i, "content outside the root element")),
            };
        }
        self.add_text(to - from, from)?;
        // Most text between tags is a line break and indentation: a plain
        // loop answers "any `&`?" for it faster than setting up memchr.
        if bytes.len() <= 16
            && !bytes
                .iter()
                .fold(false, |any, &b| any | (b == b'&') | (b == b']'))
        {
            return Ok(());
        }
        // `]]>` may not appear in content (XML 1.0 section 2.4).
        if let Some(i) = memchr::memmem::find(bytes, b"]]>") {
            return Err(self.malformed(from + i, "`]]>` in text"));
        }
        let mut rest = 0;
        while let Some(i) = memchr::memchr(b'&', &bytes[rest..]) {
            let amp = rest + i;
            let Some(len) = memchr::memchr(b';', &bytes[amp + 1..]) else {
                return Err(self.malformed(from + amp, "malformed reference"));
            };
            let name = &self.text[from + amp + 1..from + amp + 1 + len];
            let at = from + amp;
            match attrs::reference(name) {
                Reference::Allowed(_) => {}
                Reference::Entity => {
                    return Err(self.violation(
                        Code::XmlEntity,
                        at,
                        "entity references need a DTD and are not accepted",
                    ));
                }
                Reference::BadChar => {
                    return Err(self.violation(
                        Code::XmlEntity,
                        at,
                        "character reference to a character XML does not allow",
                    ));
                }
                Reference::Malformed => return Err(self.malformed(at, "malformed reference")),
            }
            rest = amp + len + 2;
        }
        Ok(())
    }

    /// Counts `len` more bytes into the current text node.
    fn add_text(&mut self, len: usize, at: usize) -> Result<(), Violation> {
        self.text_run = self.text_run.saturating_add(len);
        if self.text_run > self.policy.max_value_bytes {
            return Err(self.violation(
                Code::XmlValueTooLarge,
                at,
                format!(
                    "text node larger than {} bytes",
                    self.policy.max_value_bytes
                ),
            ));
        }
        Ok(())
    }

    /// `<?target ...?>`. Returns the offset after it.
    fn processing_instruction(&mut self, lt: usize) -> Result<usize, Violation> {
        self.text_run = 0;
        let bytes = self.text.as_bytes();
        let Some((target_end, (prefix, _))) = attrs::scan_name(self.text, lt + 2) else {
            return Err(self.malformed(lt, "invalid processing instruction target"));
        };
        let Some(close) = memchr::memmem::find(&bytes[target_end..], b"?>") else {
            return Err(self.malformed(lt, "processing instruction is not closed"));
        };
        let close = target_end + close;
        let target = &self.text[lt + 2..target_end];
        if !prefix.is_empty() {
            return Err(self.malformed(lt, "processing instruction target with a colon"));
        }
        if close > target_end && !is_space(bytes[target_end]) {
            return Err(self.malformed(target_end, "invalid processing instruction target"));
        }
        if target.eq_ignore_ascii_case("xml") {
            return Err(self.malformed(lt, "XML declaration after the start"));
        }
        if target == "xml-stylesheet" && !self.policy.allow_absolute_stylesheets {
            self.stylesheet(&self.text[target_end..close], lt)?;
        }
        Ok(close + 2)
    }

    fn stylesheet(&self, content: &'a str, at: usize) -> Result<(), Violation> {
        let refused = |message| Err(self.violation(Code::XmlStylesheet, at, message));
        let mut pseudo = Vec::new();
        // Pseudo-attributes follow attribute syntax; ones we cannot read are
        // refused rather than guessed at.
        if content.is_empty() || attrs::scan(content, 0, false, 64, &mut pseudo).is_err() {
            return refused("unreadable xml-stylesheet instruction");
        }
        for attr in pseudo.iter().filter(|a| a.name == "href") {
            if url::is_absolute(attrs::normalized(attr.value).trim()) {
                return refused("stylesheets from absolute URLs are not accepted");
            }
        }
        Ok(())
    }

    /// `<!--...-->`, `<![CDATA[...]]>`, or a DTD construct. Returns the
    /// offset after it.
    fn markup_declaration(&mut self, lt: usize) -> Result<usize, Violation> {
        let bytes = self.text.as_bytes();
        let rest = &bytes[lt..];
        if rest.starts_with(b"<!--") {
            self.text_run = 0;
            let body = lt + 4;
            let Some(end) = memchr::memmem::find(&bytes[body..], b"--") else {
                return Err(self.malformed(lt, "comment is not closed"));
            };
            // The first `--` must be the end: `--` inside, or `--->`, is
            // not a comment (XML 1.0 section 2.5).
            if bytes.get(body + end + 2) != Some(&b'>') {
                return Err(self.malformed(body + end, "`--` inside a comment"));
            }
            return Ok(body + end + 3);
        }
        if rest.starts_with(b"<![CDATA[") {
            if self.open.is_empty() {
                return Err(self.malformed(lt, "content outside the root element"));
            }
            let body = lt + 9;
            let Some(end) = memchr::memmem::find(&bytes[body..], b"]]>") else {
                return Err(self.malformed(lt, "CDATA section is not closed"));
            };
            self.add_text(end, lt)?;
            return Ok(body + end + 3);
        }
        if rest.len() >= 9 && rest[2..9].eq_ignore_ascii_case(b"DOCTYPE") {
            if !self.policy.allow_doctype || &rest[2..9] != b"DOCTYPE" {
                return Err(self.violation(
                    Code::XmlDoctype,
                    lt,
                    "document type declarations (DTDs) are not accepted",
                ));
            }
            if self.root_seen || self.doctype_seen {
                return Err(self.malformed(lt, "DOCTYPE after the root element or twice"));
            }
            self.doctype_seen = true;
            return doctype::scan(bytes, lt).map_err(|refusal| match refusal {
                doctype::Refusal::Forbidden(at, message) => {
                    self.violation(Code::XmlDoctype, at, message)
                }
                doctype::Refusal::Malformed(at, message) => self.malformed(at, message),
            });
        }
        // `<!ENTITY`, `<!ELEMENT`, `<!ATTLIST`, `<!NOTATION` only exist in a
        // DTD; anything else after `<!` is not XML.
        Err(self.malformed(lt, "markup declaration outside a DTD"))
    }

    /// `<name attributes...>` or `<name attributes.../>`. Returns the
    /// offset after it.
    fn start_tag(&mut self, lt: usize) -> Result<usize, Violation> {
        if self.open.is_empty() && self.root_seen {
            return Err(self.malformed(lt, "more than one root element"));
        }
        self.elements += 1;
        if self.elements > self.policy.max_elements {
            return Err(self.violation(
                Code::XmlTooManyElements,
                lt,
                format!("more than {} elements", self.policy.max_elements),
            ));
        }
        if self.open.len() >= self.policy.max_depth {
            return Err(self.violation(
                Code::XmlTooDeep,
                lt,
                format!("elements nested deeper than {}", self.policy.max_depth),
            ));
        }
        let Some((name_end, (prefix, local))) = attrs::scan_name(self.text, lt + 1) else {
            return Err(self.malformed(lt, "invalid element name"));
        };
        let name = &self.text[lt + 1..name_end];
        if name.len() > self.policy.max_name_length {
            return Err(self.name_too_long(lt));
        }
        self.text_run = 0;
        let bindings_len = self.bindings.len();
        self.open.push(Open {
            name,
            prefix,
            local,
            bindings_len,
        });
        self.root_seen = true;

        let mut attrs = std::mem::take(&mut self.attrs);
        let result = self.attributes(lt, name_end, &mut attrs);
        self.attrs = attrs;
        let end = result?;
        if end.empty {
            self.pop();
        }
        Ok(end.next)
    }

    /// A violation located at attribute `name` of the current element.
    fn attribute_violation(
        &self,
        code: Code,
        name: &str,
        at: usize,
        message: impl Into<Cow<'static, str>>,
    ) -> Violation {
        Violation::new(code, format!("{}/@{name}", self.location()), message)
            .at_offset(self.base + at)
    }

    fn name_too_long(&self, at: usize) -> Violation {
        self.violation(
            Code::XmlNameTooLong,
            at,
            format!("name longer than {} bytes", self.policy.max_name_length),
        )
    }

    /// Checks the attributes of the element just opened, binds its
    /// namespace declarations, then checks the element and attribute names
    /// against the resolved namespaces.
    fn attributes(
        &mut self,
        lt: usize,
        from: usize,
        attrs: &mut Vec<Attr<'a>>,
    ) -> Result<attrs::ListEnd, Violation> {
        let end = match attrs::scan(self.text, from, true, self.policy.max_attributes, attrs) {
            Ok(end) => end,
            Err(AttrError::TooMany(offset)) => {
                return Err(self.violation(
                    Code::XmlTooManyAttributes,
                    offset,
                    format!("more than {} attributes", self.policy.max_attributes),
                ));
            }
            Err(AttrError::Syntax(offset, message)) => {
                return Err(self.malformed(offset, message));
            }
            Err(AttrError::Reference(at, kind, name)) => {
                let (code, message) = match kind {
                    Reference::Entity => (
                        Code::XmlEntity,
                        "entity references need a DTD and are not accepted",
                    ),
                    Reference::BadChar => (
                        Code::XmlEntity,
                        "character reference to a character XML does not allow",
                    ),
                    _ => (
                        Code::XmlMalformed,
                        "malformed reference in an attribute value",
                    ),
                };
                return Err(self.attribute_violation(code, name, at, message));
            }
        };

        let mut declarations = 0;
        for attr in attrs.iter() {
            let at = attr.offset;
            if attr.name.len() > self.policy.max_name_length {
                return Err(self.attribute_violation(
                    Code::XmlNameTooLong,
                    attr.name,
                    at,
                    format!("name longer than {} bytes", self.policy.max_name_length),
                ));
            }
            if attr.value.len() > self.policy.max_value_bytes {
                return Err(self.attribute_violation(
                    Code::XmlValueTooLarge,
                    attr.name,
                    at,
                    format!(
                        "attribute value larger than {} bytes",
                        self.policy.max_value_bytes
                    ),
                ));
            }
            let prefix = if attr.name == "xmlns" {
                ""
            } else if attr.prefix == "xmlns" {
                attr.local
            } else {
                continue;
            };
            declarations += 1;
            if declarations > self.policy.max_namespace_declarations {
                return Err(self.violation(
                    Code::XmlTooManyNamespaces,
                    at,
                    format!(
                        "more than {} namespace declarations on one element",
                        self.policy.max_namespace_declarations
                    ),
                ));
            }
            let uri = attrs::normalized(attr.value);
            let reserved = prefix == "xmlns"
                || (prefix == "xml") != (uri == XML_NS)
                || uri == XMLNS_NS
                || (!prefix.is_empty() && uri.is_empty());
            if reserved {
                return Err(self.malformed(at, "invalid namespace declaration"));
            }
            let kind = NsKind::of(&uri);
            self.bindings.push(Binding { prefix, uri, kind });
        }

        if attrs.len() > 1 && has_duplicate(attrs) {
            return Err(self.malformed(lt, "duplicate attribute"));
        }

        // The element itself, now that its own declarations are bound.
        let Some(open) = self.open.last() else {
            return Ok(end);
        };
        let (open_prefix, open_local) = (open.prefix, open.local);
        let element_namespace = self.resolve(open_prefix, lt)?;
        self.check_element(element_namespace, open_local, lt)?;

        let mut prefixed = 0;
        for attr in attrs.iter() {
            let (prefix, local) = (attr.prefix, attr.local);
            if attr.name == "xmlns" || prefix == "xmlns" {
                continue;
            }
            let at = attr.offset;
            let namespace = if prefix.is_empty() {
                None
            } else {
                prefixed += 1;
                self.resolve(prefix, at)?
            };
            self.check_attribute((element_namespace, open_local), namespace, local, attr, at)?;
        }
        if prefixed > 1 {
            // `a:x` and `b:x` with a and b bound to one namespace are the
            // same attribute twice (Namespaces in XML, section 6.3). Local
            // names are compared first; namespaces only when they collide.
            for (i, a) in attrs.iter().enumerate() {
                let (a_prefix, a_local) = (a.prefix, a.local);
                if a_prefix.is_empty() || a_prefix == "xmlns" {
                    continue;
                }
                for b in &attrs[i + 1..] {
                    let (b_prefix, b_local) = (b.prefix, b.local);
                    if b_local == a_local
                        && !b_prefix.is_empty()
                        && b_prefix != "xmlns"
                        && self.resolve(a_prefix, lt)?.map(|(uri, _)| uri)
                            == self.resolve(b_prefix, lt)?.map(|(uri, _)| uri)
                    {
                        return Err(self.malformed(b.offset, "duplicate attribute"));
                    }
                }
            }
        }
        Ok(end)
    }

    /// The namespace bound to `prefix` (`None`: no namespace).
    fn resolve(&self, prefix: &str, at: usize) -> Result<Namespace<'_>, Violation> {
        if prefix == "xml" {
            return Ok(Some((XML_NS, NsKind::Other)));
        }
        match self.bindings.iter().rev().find(|b| b.prefix == prefix) {
            Some(binding) if binding.uri.is_empty() => Ok(None),
            Some(binding) => Ok(Some((&binding.uri, binding.kind))),
            None if prefix.is_empty() => Ok(None),
            None => Err(self.malformed(at, "undeclared namespace prefix")),
        }
    }

    fn check_element(
        &self,
        namespace: Namespace<'_>,
        local: &str,
        at: usize,
    ) -> Result<(), Violation> {
        match namespace {
            Some((_, NsKind::XInclude)) => {
                return Err(self.violation(Code::XmlXinclude, at, "XInclude is not accepted"));
            }
            Some((_, NsKind::Xslt)) if !self.policy.allow_xslt => {
                return Err(self.violation(Code::XmlXslt, at, "XSLT is not accepted"));
            }
            _ => {}
        }
        if matches_any(&self.policy.forbid_elements, namespace, local) {
            return Err(self.violation(
                Code::XmlForbiddenElement,
                at,
                "this element is not accepted here",
            ));
        }
        Ok(())
    }

    fn check_attribute(
        &self,
        element: (Namespace<'_>, &str),
        namespace: Namespace<'_>,
        local: &str,
        attr: &Attr<'_>,
        at: usize,
    ) -> Result<(), Violation> {
        // `xsi:schemaLocation` (pairs), `xsi:noNamespaceSchemaLocation` and
        // the `schemaLocation` of XSD's import, include, redefine and override
        // (one URI each) name documents a schema-aware parser loads.
        let location = match (namespace, element) {
            (Some((_, NsKind::Xsi)), _) if local == "schemaLocation" => Some(true),
            (Some((_, NsKind::Xsi)), _) if local == "noNamespaceSchemaLocation" => Some(false),
            (None, (Some((_, NsKind::Xsd)), element_local))
                if local == "schemaLocation" && XSD_LOADERS.contains(&element_local) =>
            {
                Some(false)
            }
            _ => None,
        };
        if let Some(pairs) = location
            && !self.schema_location_allowed(pairs, &attrs::normalized(attr.value))
        {
            return Err(self.attribute_violation(
                Code::XmlSchemaLocation,
                attr.name,
                at,
                "schema location not allowed",
            ));
        }
        let forbidden = self.policy.forbid_attributes.iter().any(|rule| {
            names_match(rule.attribute(), namespace, local)
                && rule
                    .element()
                    .is_none_or(|e| names_match(e, element.0, element.1))
        });
        if forbidden {
            return Err(self.attribute_violation(
                Code::XmlForbiddenAttribute,
                attr.name,
                at,
                "this attribute is not accepted here",
            ));
        }
        Ok(())
    }

    /// Whether a schema location attribute's value passes: `pairs` of
    /// namespace name and location (`xsi:schemaLocation`), or one location.
    fn schema_location_allowed(&self, pairs: bool, value: &str) -> bool {
        match self.policy.schema_locations {
            SchemaLocations::Any => true,
            SchemaLocations::None => false,
            SchemaLocations::PublicHttp => {
                // U+0085 and U+2028 are line ends in XML 1.1, so white space
                // in an attribute value to the parser: `a.xsd\u{85}file:///x`
                // is two tokens to it. No real location holds them.
                if value.contains(['\u{85}', '\u{2028}']) {
                    return false;
                }
                let mut tokens = value.split(' ').filter(|t| !t.is_empty());
                let allowed = |location: &str| {
                    url::is_public_http(location) || url::is_plain_relative(location)
                };
                if !pairs {
                    // One URI; spaces would make it several.
                    return tokens.next().is_some_and(allowed) && tokens.next().is_none();
                }
                // Pairs of namespace name and location: judge every second.
                let mut count = 0;
                let mut ok = true;
                for (i, token) in tokens.enumerate() {
                    count += 1;
                    if i % 2 == 1 {
                        ok &= allowed(token);
                    }
                }
                ok && count > 0 && count % 2 == 0
            }
        }
    }

    /// `</name>`. Returns the offset after it.
    fn end_tag(&mut self, lt: usize) -> Result<usize, Violation> {
        self.text_run = 0;
        let bytes = self.text.as_bytes();
        let Some(open) = self.open.last() else {
            return Err(self.malformed(lt, "end tag without a start tag"));
        };
        // The end tag must repeat the open element's name exactly (and
        // that name was validated when the element opened), followed by
        // optional white space and `>`: a prefix compare, no name scan.
        let name_end = lt + 2 + open.name.len();
        let same_name = bytes.get(lt + 2..name_end) == Some(open.name.as_bytes())
            && bytes
                .get(name_end)
                .is_some_and(|&b| is_space(b) || b == b'>');
        if !same_name {
            return Err(self.malformed(lt, "end tag does not match the start tag"));
        }
        let mut i = name_end;
        while bytes.get(i).is_some_and(|&b| is_space(b)) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'>') {
            return Err(self.malformed(i, "invalid end tag"));
        }
        self.pop();
        Ok(i + 1)
    }

    fn pop(&mut self) {
        if let Some(open) = self.open.pop() {
            self.bindings.truncate(open.bindings_len);
        }
    }

    fn eof(&self) -> Result<(), Violation> {
        if !self.open.is_empty() {
            return Err(self.malformed(
                self.text.len(),
                "unclosed element at the end of the document",
            ));
        }
        if !self.root_seen {
            return Err(self.malformed(self.text.len(), "no root element"));
        }
        Ok(())
    }
}

const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The offset of the first C0 control other than tab, LF and CR. Blocks
/// are tested with a branch-free fold the compiler vectorises; only a block
/// that holds one is searched byte by byte.
fn first_control(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 64;
    let bad = |b: u8| b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r';
    for (i, block) in bytes.chunks(BLOCK).enumerate() {
        if block.iter().fold(false, |any, &b| any | bad(b)) {
            return block.iter().position(|&b| bad(b)).map(|p| i * BLOCK + p);
        }
    }
    None
}

fn names_match(name: &XmlName, namespace: Namespace<'_>, local: &str) -> bool {
    name.local() == local && name.namespace() == namespace.map(|(uri, _)| uri)
}

fn matches_any(names: &[XmlName], namespace: Namespace<'_>, local: &str) -> bool {
    names.iter().any(|n| names_match(n, namespace, local))
}

/// Whether any attribute name repeats. Short lists compare pairwise
/// without allocating; long ones sort a copy of the names, so a thousand
/// attributes cost n log n, not n² (quick-xml's own RUSTSEC-2026 issue).
fn has_duplicate(attrs: &[Attr<'_>]) -> bool {
    if attrs.len() <= 16 {
        return attrs
            .iter()
            .enumerate()
            .any(|(i, a)| attrs[i + 1..].iter().any(|b| b.name == a.name));
    }
    let mut sorted: Vec<&str> = attrs.iter().map(|a| a.name).collect();
    sorted.sort_unstable();
    sorted.windows(2).any(|w| w[0] == w[1])
}
