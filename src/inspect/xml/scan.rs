//! The XML tokenizer: one pass over a document's text that checks it is
//! well formed (XML 1.0 and Namespaces in XML), refuses what needs a DTD,
//! keeps the document within its structural limits, and reports what it
//! reads — elements with their resolved namespace, attributes, processing
//! instructions — to a [`Hooks`] value that holds the content rules.
//!
//! This file knows no policy rule: which namespaces, elements, attributes
//! or instructions are unwelcome is decided in `rules.rs`. What stays here
//! is what makes the text XML, and what bounds the work of reading it.
//!
//! # Security
//!
//! * The document is tokenised here, in one pass over `&str`, rather than
//!   by quick-xml. quick-xml leaves attributes, end-tag matching,
//!   namespaces and document structure to its caller, and is lenient about
//!   what follows `<!` — so every rule that matters was checked here
//!   anyway, and a second tokenizer underneath only cost time (the guard
//!   ran at about 2x a bare quick-xml read; on the 1 MiB and 32 MiB BPMN
//!   documents of `benches/xml.rs` it now takes about 0.8x and 0.85-0.9x
//!   the time of quick-xml reading the same bytes, for about as many
//!   instructions) and added a second opinion on where markup starts.
//!   The grammar read here
//!   is XML 1.0's for what it accepts: anything after `<!` other than a
//!   comment or CDATA section is a DTD construct and refused; comments may
//!   not hold `--`; references are checked in text and attribute values;
//!   names are namespace-well-formed. quick-xml stays as the benchmark
//!   baseline and as a differential oracle in the fuzz target: what this
//!   module accepts, quick-xml must read without error.
//! * DOCTYPEs and entity references are refused here, not in the rules:
//!   they change what the document *is* (its entities, default attributes,
//!   namespace bindings), so no rule reading the tokens could judge a
//!   document once they were let through.
//! * The structural [`Limits`] are checked here too, not by the hooks,
//!   because they bound this file's own work: the element that would be
//!   one too deep is refused before it is pushed onto the open-element
//!   stack, the attribute past the limit before it is stored, the
//!   namespace declaration past the limit before it is bound (every prefix
//!   lookup walks the bindings), the text node before it grows past the
//!   limit. A hook hears of an element only after its tag was read, too
//!   late to bound any of that. State is one small record per open
//!   element; element paths are only built when a violation is reported.
//! * The hooks see an element only once its tag is complete and its own
//!   `xmlns` declarations are bound, so a rule matches the namespace a
//!   parser resolves, whatever the prefix; and they see attribute values
//!   as written, with [`Value::normalized`] for the value a parser reports
//!   (references resolved, tab/CR/LF as spaces).
//! * The fast paths read the same grammar as the plain code they replaced,
//!   and each is tested against a byte-at-a-time version of its own
//!   definition on the same inputs: names, attribute values and short
//!   text runs are searched eight bytes at a time with plain word
//!   arithmetic (no `unsafe`, no CPU detection; each finds exactly the
//!   first byte it looks for, see `attrs.rs`), and short names are
//!   compared in place. Forbidden characters (C0 controls, U+FFFE,
//!   U+FFFF) are looked for a block ahead of the tokenizer rather than in
//!   a pass of their own, but the verdict is the one a first pass gave: a
//!   refusal from the tokens is reported only once the rest of the text is
//!   known to hold none of them. Nothing here trusts the text to be free
//!   of them before it is checked: the tokenizer reads control bytes as it
//!   reads any other byte that is not markup.

use std::borrow::Cow;

use super::attrs::{self, Attr, AttrError, Reference};
use super::doctype;
use crate::violation::{Code, Violation};

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// What the tokenizer reports to the content rules. Each call either lets
/// the document go on or refuses it; the tokenizer places the refusal (the
/// element path, `/@name` for an attribute, and the offset of the tag or
/// attribute) so that rules never handle locations.
///
/// The tokenizer is generic over its hooks, so the calls are monomorphised
/// and, with `#[inline]` on the implementation, inlined: splitting the
/// rules out costs nothing per event.
pub(super) trait Hooks {
    /// What the hooks make of a namespace name, worked out once when a
    /// prefix is bound (and once for `xml`), so that each element compares
    /// a small tag rather than URIs.
    type Tag: Copy;

    /// The tag for the namespace name `uri`. Called for every declaration,
    /// `xmlns=""` too, whose empty name means no namespace: that tag is
    /// never handed back.
    fn namespace(&self, uri: &str) -> Self::Tag;

    /// An element whose start tag was read, its namespace declarations
    /// bound, before its attributes are reported.
    fn start_element(&mut self, element: Name<'_, Self::Tag>) -> Result<(), Rejection>;

    /// An attribute of `element` other than a namespace declaration, in
    /// document order. Unprefixed attributes are in no namespace.
    fn attribute(
        &mut self,
        element: Name<'_, Self::Tag>,
        attribute: Name<'_, Self::Tag>,
        value: Value<'_>,
    ) -> Result<(), Rejection>;

    /// A processing instruction other than the XML declaration: its
    /// target and what follows the target, up to `?>` (leading white space
    /// included; empty when there is nothing).
    fn processing_instruction(&mut self, target: &str, content: &str) -> Result<(), Rejection>;
}

/// A name as a namespace-aware parser reports it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Name<'n, T> {
    /// The namespace name and its tag; `None` for no namespace.
    pub(super) namespace: Option<(&'n str, T)>,
    pub(super) local: &'n str,
}

/// An attribute value as written in the document (quotes stripped, its
/// references already checked): where it is in the text, sliced only if a
/// rule asks, since most rules never look at values.
#[derive(Debug, Clone, Copy)]
pub(super) struct Value<'v> {
    text: &'v str,
    attr: Attr,
}

impl<'v> Value<'v> {
    /// The value a parser reports: references resolved, literal tab, CR
    /// and LF as spaces. Borrows when nothing changes.
    pub(super) fn normalized(self) -> Cow<'v, str> {
        attrs::normalized(self.attr.value(self.text))
    }
}

/// Why a hook refuses the document: the code and message of the
/// violation, which the tokenizer places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rejection {
    pub(super) code: Code,
    pub(super) message: Cow<'static, str>,
}

impl Rejection {
    pub(super) fn new(code: Code, message: impl Into<Cow<'static, str>>) -> Self {
        Rejection {
            code,
            message: message.into(),
        }
    }
}

/// The bounds on the tokenizer's work, and its one grammar switch. See the
/// module documentation for why limits are enforced here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Limits {
    /// Deepest element nesting.
    pub(super) max_depth: usize,
    /// Attributes per element, namespace declarations included.
    pub(super) max_attributes: usize,
    /// Bytes in an element or attribute name.
    pub(super) max_name_length: usize,
    /// Bytes in a text node (CDATA sections included) or attribute value.
    pub(super) max_value_bytes: usize,
    /// Elements per document.
    pub(super) max_elements: usize,
    /// `xmlns` attributes per element.
    pub(super) max_namespace_declarations: usize,
    /// Read a DOCTYPE whose internal subset only declares elements and
    /// attribute lists without defaults (`doctype.rs`), instead of
    /// refusing every DOCTYPE.
    pub(super) allow_doctype: bool,
}

/// An open element: where its name is in the text (offsets, sliced only
/// where read, like attributes), and how many bindings were in scope
/// before its own.
#[derive(Clone, Copy)]
struct Open {
    start: usize,
    /// The offset of the colon in the name, 0 when it has none.
    colon: usize,
    end: usize,
    bindings_len: usize,
}

impl Open {
    fn name(self, text: &str) -> &[u8] {
        text.as_bytes()
            .get(self.start..self.end)
            .unwrap_or_default()
    }

    fn prefix(self, text: &str) -> &[u8] {
        match self.colon {
            0 => b"",
            colon => text.as_bytes().get(self.start..colon).unwrap_or_default(),
        }
    }

    /// The local name, for the rules and for locations (the path is only
    /// built on rejection).
    fn local(self, text: &str) -> &str {
        let from = match self.colon {
            0 => self.start,
            colon => colon + 1,
        };
        text.get(from..self.end).unwrap_or_default()
    }
}

struct Binding<'a, T> {
    prefix: &'a str,
    /// Empty for `xmlns=""`, which undeclares the default namespace.
    uri: Cow<'a, str>,
    /// The hooks' tag for `uri`, taken once at declaration (unused when
    /// `uri` is empty).
    tag: T,
}

/// A resolved namespace: its name and the hooks' tag for it.
type Namespace<'s, T> = Option<(&'s str, T)>;

/// The namespace bound to `prefix` in `bindings` (`Some(None)`: no
/// namespace), or `None` for an undeclared prefix. A free function over
/// the bindings, so that what it returns borrows them and not the whole
/// scan, which leaves the hooks free to be called with it.
#[inline(always)]
fn resolve<'s, T: Copy>(
    bindings: &'s [Binding<'_, T>],
    xml: T,
    prefix: &[u8],
) -> Option<Namespace<'s, T>> {
    if prefix == b"xml" {
        return Some(Some((XML_NS, xml)));
    }
    match bindings
        .iter()
        .rev()
        .find(|b| same_bytes(b.prefix.as_bytes(), prefix))
    {
        Some(binding) if binding.uri.is_empty() => Some(None),
        Some(binding) => Some(Some((&binding.uri, binding.tag))),
        None if prefix.is_empty() => Some(None),
        None => None,
    }
}

/// Tokenises `text` and reports it to `hooks`. `base` is added to every
/// offset reported (the bytes skipped before `text`, such as a byte order
/// mark).
pub(super) fn scan<H: Hooks>(
    text: &str,
    base: usize,
    limits: &Limits,
    hooks: H,
) -> Result<(), Violation> {
    Scan::new(text, base, limits, hooks).run()
}

struct Scan<'a, 'l, H: Hooks> {
    limits: &'l Limits,
    hooks: H,
    /// The hooks' tag for the `xml` prefix's namespace, which is bound
    /// without a declaration.
    xml: H::Tag,
    text: &'a str,
    base: usize,
    open: Vec<Open>,
    bindings: Vec<Binding<'a, H::Tag>>,
    attrs: Vec<Attr>,
    elements: usize,
    root_seen: bool,
    doctype_seen: bool,
    text_run: usize,
    /// The text before this offset holds no forbidden character
    /// ([`forbidden_character`]).
    checked: usize,
}

impl<'a, 'l, H: Hooks> Scan<'a, 'l, H> {
    fn new(text: &'a str, base: usize, limits: &'l Limits, hooks: H) -> Self {
        let xml = hooks.namespace(XML_NS);
        Scan {
            limits,
            hooks,
            xml,
            text,
            base,
            open: Vec::new(),
            bindings: Vec::new(),
            attrs: Vec::new(),
            elements: 0,
            root_seen: false,
            doctype_seen: false,
            text_run: 0,
            checked: 0,
        }
    }

    fn location(&self) -> String {
        if self.open.is_empty() {
            return "/".to_owned();
        }
        let mut path = String::new();
        for open in &self.open {
            path.push('/');
            path.push_str(open.local(self.text));
        }
        path
    }

    fn violation(&self, code: Code, at: usize, message: impl Into<Cow<'static, str>>) -> Violation {
        Violation::new(code, self.location(), message).at_offset(self.base + at)
    }

    fn malformed(&self, at: usize, message: &'static str) -> Violation {
        self.violation(Code::XmlMalformed, at, message)
    }

    /// A hook's refusal of the current element or of an instruction in it,
    /// placed at the element and offset `at`.
    fn rejected(&self, rejection: Rejection, at: usize) -> Violation {
        self.violation(rejection.code, at, rejection.message)
    }

    /// A hook's refusal of attribute `name` of the current element.
    fn attribute_rejected(&self, rejection: Rejection, name: &str, at: usize) -> Violation {
        self.attribute_violation(rejection.code, name, at, rejection.message)
    }

    /// The document's verdict: a forbidden character anywhere first, then
    /// whatever the tokens say.
    ///
    /// C0 controls other than tab, CR and LF are never XML characters (a
    /// NUL-laden body is UTF-16/32 wearing a UTF-8 disguise), nor are
    /// U+FFFE and U+FFFF. They are looked for a block ahead of the
    /// tokenizer ([`check_ahead`](Self::check_ahead)), while the block is
    /// still in cache for it, rather than in a pass of their own over a
    /// large document; but the verdict is the one a first pass gave: when
    /// the tokens refuse the document, the rest of the text is checked
    /// before that refusal is reported, and a forbidden character wins.
    fn run(mut self) -> Result<(), Violation> {
        let verdict = self.tokens();
        let bytes = self.text.as_bytes();
        match verdict {
            Err(refusal) if self.checked < bytes.len() => {
                match forbidden_character(bytes, self.checked, bytes.len()) {
                    Some((at, message)) => Err(self.forbidden(at, message)),
                    None => Err(refusal),
                }
            }
            verdict => verdict,
        }
    }

    /// A forbidden character, located as a first pass over the text would
    /// have: before any element, so at `/`.
    fn forbidden(&self, at: usize, message: &'static str) -> Violation {
        Violation::new(Code::XmlMalformed, "/", message).at_offset(self.base + at)
    }

    /// Checks the next block of text for forbidden characters once the
    /// tokenizer reaches `pos` past what was checked; one comparison
    /// otherwise.
    #[inline(always)]
    fn check_ahead(&mut self, pos: usize) -> Result<(), Violation> {
        if pos < self.checked {
            return Ok(());
        }
        self.check_until(pos.saturating_add(CHECK_AHEAD))
    }

    /// Checks the text from `checked` up to `to` (or its end). A control
    /// found there is the first in the document; a U+FFFE/U+FFFF is
    /// reported only if no control follows anywhere, as a first pass
    /// reported them.
    #[inline(never)]
    fn check_until(&mut self, to: usize) -> Result<(), Violation> {
        let bytes = self.text.as_bytes();
        let (from, to) = (self.checked, to.min(bytes.len()));
        self.checked = to;
        let Some((at, message)) = forbidden_character(bytes, from, to) else {
            return Ok(());
        };
        self.checked = bytes.len();
        let (at, message) = match forbidden_character(bytes, to, bytes.len()) {
            Some((later, CONTROL)) if message != CONTROL => (later, CONTROL),
            _ => (at, message),
        };
        Err(self.forbidden(at, message))
    }

    fn tokens(&mut self) -> Result<(), Violation> {
        let text = self.text;
        let bytes = text.as_bytes();
        self.check_ahead(0)?;
        let mut pos = 0;
        if bytes.starts_with(b"<?xml") && bytes.get(5).is_some_and(|&b| is_space(b)) {
            pos = self.declaration()?;
        }
        loop {
            self.check_ahead(pos)?;
            // Most text between tags is a line break and indentation, or a
            // short value: a word-at-a-time look for `<`, `&` and `]`
            // together settles it without calling memchr, and a run that
            // ends at `<` with neither of the others in it is plain text.
            let (lt, plain) = match short_text_end(bytes, pos) {
                Some(at) if bytes[at] == b'<' => (at, true),
                _ => (
                    memchr::memchr(b'<', &bytes[pos..]).map_or(bytes.len(), |i| pos + i),
                    false,
                ),
            };
            if lt > pos {
                if plain {
                    self.plain_text(pos, lt)?;
                } else {
                    self.text(pos, lt)?;
                }
            }
            if lt == bytes.len() {
                self.check_until(bytes.len())?;
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
            let (name, value) = (attr.name(content), attr.value(content));
            if !expected.any(|expected| *expected == name) {
                return bad(5 + attr.offset);
            }
            let ok = match name {
                "version" => matches!(value, "1.0" | "1.1"),
                "encoding" => {
                    let mut chars = value.chars();
                    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
                }
                _ => matches!(value, "yes" | "no"),
            };
            if !ok {
                return bad(5 + attr.offset);
            }
        }
        if pseudo.first().is_none_or(|a| a.name(content) != "version") {
            return bad(0);
        }
        Ok(end + 2)
    }

    /// Character data from `from` to `to` that holds no `<`, `&` or `]`:
    /// what [`text`](Self::text) does, without the searches that cannot
    /// find anything.
    #[inline(always)]
    fn plain_text(&mut self, from: usize, to: usize) -> Result<(), Violation> {
        if self.open.is_empty() {
            return self.outside_root(from, to);
        }
        self.add_text(to - from, from)
    }

    /// Text before or after the root element: white space only.
    fn outside_root(&self, from: usize, to: usize) -> Result<(), Violation> {
        match self.text.as_bytes()[from..to]
            .iter()
            .position(|&b| !is_space(b))
        {
            None => Ok(()),
            Some(i) => Err(self.malformed(from + i, "content outside the root element")),
        }
    }

    /// Character data from `from` to `to` (no `<` inside): references
    /// checked, size counted, nothing but white space outside the root.
    fn text(&mut self, from: usize, to: usize) -> Result<(), Violation> {
        let bytes = &self.text.as_bytes()[from..to];
        if self.open.is_empty() {
            return self.outside_root(from, to);
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
        if self.text_run > self.limits.max_value_bytes {
            return Err(self.violation(
                Code::XmlValueTooLarge,
                at,
                format!(
                    "text node larger than {} bytes",
                    self.limits.max_value_bytes
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
        let content = &self.text[target_end..close];
        if let Err(rejection) = self.hooks.processing_instruction(target, content) {
            return Err(self.rejected(rejection, lt));
        }
        Ok(close + 2)
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
            if !self.limits.allow_doctype || &rest[2..9] != b"DOCTYPE" {
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
        if self.elements > self.limits.max_elements {
            return Err(self.violation(
                Code::XmlTooManyElements,
                lt,
                format!("more than {} elements", self.limits.max_elements),
            ));
        }
        if self.open.len() >= self.limits.max_depth {
            return Err(self.violation(
                Code::XmlTooDeep,
                lt,
                format!("elements nested deeper than {}", self.limits.max_depth),
            ));
        }
        let Some((name_end, colon)) = attrs::name_end(self.text.as_bytes(), lt + 1) else {
            return Err(self.malformed(lt, "invalid element name"));
        };
        if name_end - (lt + 1) > self.limits.max_name_length {
            return Err(self.name_too_long(lt));
        }
        self.text_run = 0;
        let bindings_len = self.bindings.len();
        self.open.push(Open {
            start: lt + 1,
            colon,
            end: name_end,
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
            format!("name longer than {} bytes", self.limits.max_name_length),
        )
    }

    /// Checks the attributes of the element just opened, binds its
    /// namespace declarations, then checks the element and attribute names
    /// against the resolved namespaces.
    fn attributes(
        &mut self,
        lt: usize,
        from: usize,
        attrs: &mut Vec<Attr>,
    ) -> Result<attrs::ListEnd, Violation> {
        let end = match attrs::scan(self.text, from, true, self.limits.max_attributes, attrs) {
            Ok(end) => end,
            Err(AttrError::TooMany(offset)) => {
                return Err(self.violation(
                    Code::XmlTooManyAttributes,
                    offset,
                    format!("more than {} attributes", self.limits.max_attributes),
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

        let text = self.text;
        let mut declarations = 0;
        for attr in attrs.iter() {
            let at = attr.offset;
            if attr.name_len() > self.limits.max_name_length {
                return Err(self.attribute_violation(
                    Code::XmlNameTooLong,
                    attr.name(text),
                    at,
                    format!("name longer than {} bytes", self.limits.max_name_length),
                ));
            }
            if attr.value_len() > self.limits.max_value_bytes {
                return Err(self.attribute_violation(
                    Code::XmlValueTooLarge,
                    attr.name(text),
                    at,
                    format!(
                        "attribute value larger than {} bytes",
                        self.limits.max_value_bytes
                    ),
                ));
            }
            let Some(prefix) = attr.declared_prefix(text) else {
                continue;
            };
            declarations += 1;
            if declarations > self.limits.max_namespace_declarations {
                return Err(self.violation(
                    Code::XmlTooManyNamespaces,
                    at,
                    format!(
                        "more than {} namespace declarations on one element",
                        self.limits.max_namespace_declarations
                    ),
                ));
            }
            let uri = attrs::normalized(attr.value(text));
            let reserved = prefix == "xmlns"
                || (prefix == "xml") != (uri == XML_NS)
                || uri == XMLNS_NS
                || (!prefix.is_empty() && uri.is_empty());
            if reserved {
                return Err(self.malformed(at, "invalid namespace declaration"));
            }
            let tag = self.hooks.namespace(&uri);
            self.bindings.push(Binding { prefix, uri, tag });
        }

        if attrs.len() > 1 && has_duplicate(attrs, text) {
            return Err(self.malformed(lt, "duplicate attribute"));
        }

        // The element itself, now that its own declarations are bound.
        let Some(open) = self.open.last() else {
            return Ok(end);
        };
        let (open_prefix, open_local) = (open.prefix(text), open.local(text));
        let Some(element_namespace) = resolve(&self.bindings, self.xml, open_prefix) else {
            return Err(self.undeclared(lt));
        };
        let element = Name {
            namespace: element_namespace,
            local: open_local,
        };
        if let Err(rejection) = self.hooks.start_element(element) {
            return Err(self.rejected(rejection, lt));
        }

        let mut prefixed = 0;
        for attr in attrs.iter() {
            // Declarations were counted above; most elements have none.
            if declarations > 0 && attr.declared_prefix(text).is_some() {
                continue;
            }
            let prefix = attr.prefix_bytes(text);
            let at = attr.offset;
            let namespace = if prefix.is_empty() {
                None
            } else {
                prefixed += 1;
                match resolve(&self.bindings, self.xml, prefix) {
                    Some(namespace) => namespace,
                    None => return Err(self.undeclared(at)),
                }
            };
            let attribute = Name {
                namespace,
                local: attr.local(text),
            };
            let value = Value { text, attr: *attr };
            if let Err(rejection) = self.hooks.attribute(element, attribute, value) {
                return Err(self.attribute_rejected(rejection, attr.name(text), at));
            }
        }
        if prefixed > 1 {
            // `a:x` and `b:x` with a and b bound to one namespace are the
            // same attribute twice (Namespaces in XML, section 6.3). Local
            // names are compared first; namespaces only when they collide.
            for (i, a) in attrs.iter().enumerate() {
                let (a_prefix, a_local) = (a.prefix_bytes(text), a.local(text));
                if a_prefix.is_empty() || a_prefix == b"xmlns" {
                    continue;
                }
                for b in &attrs[i + 1..] {
                    let (b_prefix, b_local) = (b.prefix_bytes(text), b.local(text));
                    if b_local == a_local
                        && !b_prefix.is_empty()
                        && b_prefix != b"xmlns"
                        && self.namespace_name(a_prefix, lt)?
                            == self.namespace_name(b_prefix, lt)?
                    {
                        return Err(self.malformed(b.offset, "duplicate attribute"));
                    }
                }
            }
        }
        Ok(end)
    }

    /// The namespace name bound to `prefix` (`None`: no namespace).
    fn namespace_name(&self, prefix: &[u8], at: usize) -> Result<Option<&str>, Violation> {
        match resolve(&self.bindings, self.xml, prefix) {
            Some(namespace) => Ok(namespace.map(|(uri, _)| uri)),
            None => Err(self.undeclared(at)),
        }
    }

    fn undeclared(&self, at: usize) -> Violation {
        self.malformed(at, "undeclared namespace prefix")
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
        let name = open.name(self.text);
        let name_end = lt + 2 + name.len();
        let same_name = bytes
            .get(lt + 2..name_end)
            .is_some_and(|written| same_bytes(written, name))
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
        if let Some(open) = self.open.pop()
            && open.bindings_len < self.bindings.len()
        {
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

/// How far ahead of the tokenizer the text is checked for forbidden
/// characters at a time: well inside a core's L2 cache, so the tokenizer
/// reads what was just checked from cache, not from memory. Builds with
/// debug assertions (tests, and the fuzz targets, which are built that
/// way) check 64 bytes at a time, so that the block boundaries this adds
/// are crossed by every test document and fuzz input, not only by large
/// ones; the size changes when the work is done, never the verdict.
const CHECK_AHEAD: usize = if cfg!(debug_assertions) {
    64
} else {
    32 * 1024
};

const CONTROL: &str = "control character in XML";

/// The block [`forbidden_character`] tests at once.
const FORBIDDEN_BLOCK: usize = 256;

/// The first character XML does not allow in `bytes[from..to]`, by offset,
/// with what it is: a C0 control other than tab, LF and CR, or U+FFFE or
/// U+FFFF (EF BF BE and EF BF BF, read on past `to` if need be). A control
/// in the range is reported before a U+FFFE/U+FFFF that comes earlier in
/// it, as when these were two searches.
///
/// One pass for both: 256-byte blocks are tested with a branch-free fold
/// that the compiler vectorises, and only a block holding a control or an
/// EF byte is looked at again.
fn forbidden_character(bytes: &[u8], from: usize, to: usize) -> Option<(usize, &'static str)> {
    const BLOCK: usize = FORBIDDEN_BLOCK;
    let pair = memchr::memmem::Finder::new(b"\xEF\xBF");
    let control = |b: u8| b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r';
    let mut nonchar = None;
    let range = bytes.get(from..to)?;
    for (i, block) in range.chunks(BLOCK).enumerate() {
        if !block
            .iter()
            .fold(false, |any, &b| any | control(b) | (b == 0xEF))
        {
            continue;
        }
        let start = from + i * BLOCK;
        // EF bytes are common in some text (CJK fullwidth punctuation is
        // EF BC xx), so a block that holds one is not searched byte by
        // byte: controls by the same vectorised fold, EF BF by memmem.
        if block.iter().fold(false, |any, &b| any | control(b))
            && let Some(p) = block.iter().position(|&b| control(b))
        {
            return Some((start + p, CONTROL));
        }
        if nonchar.is_none() {
            // The sequence may run on into the next block: read it from
            // the whole text.
            let end = bytes.len().min(start + block.len() + 1);
            nonchar = pair
                .find_iter(bytes.get(start..end).unwrap_or_default())
                .map(|p| start + p)
                .find(|&at| matches!(bytes.get(at + 2), Some(0xBE | 0xBF)));
        }
    }
    nonchar.map(|at| (at, "U+FFFE or U+FFFF in XML"))
}

/// Where a short text run starting at `pos` ends: the offset of the first
/// `<`, `&` or `]` in its first sixteen bytes, or `None` when there is none
/// there (or fewer than eight bytes are left) and the caller must search.
#[inline(always)]
fn short_text_end(bytes: &[u8], pos: usize) -> Option<usize> {
    for word in 0..2 {
        let at = pos + 8 * word;
        let chunk = bytes.get(at..)?.first_chunk::<8>()?;
        let w = u64::from_le_bytes(*chunk);
        let hits = attrs::zero_bytes(w ^ attrs::splat(b'<'))
            | attrs::zero_bytes(w ^ attrs::splat(b'&'))
            | attrs::zero_bytes(w ^ attrs::splat(b']'));
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
    }
    None
}

/// Whether two short byte strings are equal, compared in place: names and
/// prefixes are a few bytes long, where a call to `memcmp` costs more than
/// the comparison (it was 7% of the inspector's instructions on BPMN).
/// Eight bytes at a time, the last word overlapping the one before.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |s: &[u8], at: usize| s.get(at..).and_then(|r| r.first_chunk::<8>()).copied();
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// Whether any attribute name repeats. Short lists compare pairwise
/// without allocating; long ones sort a copy of the names, so a thousand
/// attributes cost n log n, not n² (quick-xml's own RUSTSEC-2026 issue).
fn has_duplicate(attrs: &[Attr], text: &str) -> bool {
    if attrs.len() <= 16 {
        return attrs.iter().enumerate().any(|(i, a)| {
            attrs[i + 1..]
                .iter()
                .any(|b| same_bytes(b.name_bytes(text), a.name_bytes(text)))
        });
    }
    let mut sorted: Vec<&[u8]> = attrs.iter().map(|a| a.name_bytes(text)).collect();
    sorted.sort_unstable();
    sorted.windows(2).any(|w| w[0] == w[1])
}

/// The word-at-a-time helpers against plain versions of the same
/// definitions, on the same inputs.
#[cfg(test)]
mod fast_paths {
    // Unit tests only (never compiled into the library): an `unwrap` here
    // is a test assertion on fixed inputs, not a path a request can reach.

    use super::*;

    /// A small xorshift generator: repeatable inputs without a dependency.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }

        /// `len` bytes, each `x` except for one of `rare` in `sparse`.
        fn bytes(&mut self, len: usize, rare: &[u8], sparse: usize) -> Vec<u8> {
            (0..len)
                .map(|_| {
                    if self.below(sparse) == 0 {
                        rare[self.below(rare.len())]
                    } else {
                        b'x'
                    }
                })
                .collect()
        }
    }

    /// The two searches `forbidden_character` replaced.
    fn forbidden_character_two_passes(bytes: &[u8]) -> Option<(usize, &'static str)> {
        let control = |b: u8| b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r';
        if let Some(at) = bytes.iter().position(|&b| control(b)) {
            return Some((at, "control character in XML"));
        }
        memchr::memmem::find_iter(bytes, b"\xEF\xBF")
            .find(|&i| matches!(bytes.get(i + 2), Some(0xBE | 0xBF)))
            .map(|at| (at, "U+FFFE or U+FFFF in XML"))
    }

    #[test]
    fn forbidden_character_matches_two_passes() {
        let rare = [
            0, 1, 0x1F, b'\t', b'\n', b'\r', 0xEF, 0xBF, 0xBE, 0xBD, b' ',
        ];
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..100_000 {
            let len = rng.below(3 * FORBIDDEN_BLOCK);
            let sparse = rng.below(200) + 1;
            let bytes = rng.bytes(len, &rare, sparse);
            assert_eq!(
                forbidden_character(&bytes, 0, bytes.len()),
                forbidden_character_two_passes(&bytes),
                "{bytes:?}"
            );
        }
        // A U+FFFF split across two blocks, and one before a later control.
        let b = FORBIDDEN_BLOCK;
        let mut split = vec![b'x'; 3 * b];
        split[b - 2..b + 1].copy_from_slice(b"\xEF\xBF\xBF");
        assert_eq!(
            forbidden_character(&split, 0, 3 * b).map(|f| f.0),
            Some(b - 2)
        );
        assert_eq!(
            forbidden_character(&split, 0, b - 1).map(|f| f.0),
            Some(b - 2)
        );
        assert_eq!(
            forbidden_character(&split, b - 3, b).map(|f| f.0),
            Some(b - 2)
        );
        split[2 * b + 7] = 0;
        assert_eq!(
            forbidden_character(&split, 0, 3 * b),
            Some((2 * b + 7, CONTROL))
        );
    }

    #[test]
    fn short_text_end_matches_bytewise() {
        let rare = [b'<', b'&', b']', b'>', b'[', 0, 0x80, 0xFF, b';'];
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for _ in 0..100_000 {
            let len = rng.below(40);
            let sparse = rng.below(24) + 1;
            let bytes = rng.bytes(len, &rare, sparse);
            for pos in 0..=len {
                let bytewise = bytes[pos..]
                    .iter()
                    .take(16)
                    .position(|&b| matches!(b, b'<' | b'&' | b']'))
                    .map(|p| pos + p);
                match short_text_end(&bytes, pos) {
                    // Found: exactly the first of the three.
                    Some(at) => assert_eq!(Some(at), bytewise, "{bytes:?} at {pos}"),
                    // Not found: none in the first sixteen bytes, or too
                    // few bytes left to read words (the caller searches).
                    None => assert!(
                        bytewise.is_none_or(|at| {
                            len - pos < 8 || (at >= pos + 8 && len - pos < 16)
                        }),
                        "{bytes:?} at {pos}"
                    ),
                }
            }
        }
    }

    #[test]
    fn same_bytes_matches_equality() {
        let mut rng = Rng(0xD1B5_4A32_D192_ED03);
        for _ in 0..200_000 {
            let len = rng.below(40);
            let a = rng.bytes(len, b"ab:", 3);
            let mut b = a.clone();
            if rng.below(2) == 0 && len > 0 {
                let at = rng.below(len);
                b[at] = [b'x', b'a', b'b', b':'][rng.below(4)];
            }
            if rng.below(8) == 0 {
                b.push(b'x');
            }
            assert_eq!(same_bytes(&a, &b), a == b, "{a:?} {b:?}");
        }
    }
}

/// Forbidden characters are looked for a block ahead of the tokenizer; the
/// verdict must be the one a first pass over the whole text gave, wherever
/// they are and whatever else is wrong with the document.
#[cfg(test)]
mod checked_ahead {
    // Unit tests only (never compiled into the library): an `unwrap` here
    // is a test assertion on fixed inputs, not a path a request can reach.

    use super::*;
    use crate::inspect::xml::rules::Rules;
    use crate::policy::XmlPolicy;

    const LIMITS: Limits = Limits {
        max_depth: 64,
        max_attributes: 64,
        max_name_length: 256,
        max_value_bytes: 1 << 30,
        max_elements: 1 << 30,
        max_namespace_declarations: 16,
        allow_doctype: false,
    };

    fn verdict(text: &str) -> Result<(), (String, String, Option<usize>)> {
        let policy = XmlPolicy::default();
        scan(text, 0, &LIMITS, Rules::new(&policy))
            .map_err(|v| (v.location().to_owned(), v.message().to_owned(), v.offset()))
    }

    #[test]
    fn a_forbidden_character_wins_wherever_it_is() {
        let filler = "<e a='1'>text</e>\n".repeat(5000);
        assert!(filler.len() > 2 * CHECK_AHEAD);
        let body = |forbidden: &str, at: usize, broken: Option<usize>| {
            let mut inner = filler.clone();
            if let Some(b) = broken {
                inner.insert_str(b - b % 18, "<x y>");
            }
            inner.insert_str(at - at % 18 + 9, forbidden);
            format!("<r>{inner}</r>")
        };
        for forbidden in ["\u{1}", "\u{FFFE}", "\u{FFFF}", "\u{0}"] {
            for at in [18, CHECK_AHEAD - 40, CHECK_AHEAD + 7, 80_000] {
                for broken in [None, Some(36), Some(CHECK_AHEAD + 100), Some(85_000)] {
                    let text = body(forbidden, at, broken);
                    let first = text.find(forbidden).unwrap();
                    let message = if forbidden < " " {
                        CONTROL
                    } else {
                        "U+FFFE or U+FFFF in XML"
                    };
                    assert_eq!(
                        verdict(&text),
                        Err(("/".to_owned(), message.to_owned(), Some(first))),
                        "{forbidden:?} at {at}, broken at {broken:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_control_wins_over_an_earlier_nonchar() {
        let filler = "<e>text</e>".repeat(10_000);
        let text = format!("<r>\u{FFFF}{filler}\u{7}{filler}</r>");
        let control = text.find('\u{7}').unwrap();
        assert_eq!(
            verdict(&text),
            Err(("/".to_owned(), CONTROL.to_owned(), Some(control)))
        );
        let text = format!("<r>\u{FFFF}{filler}</r>");
        assert_eq!(
            verdict(&text),
            Err((
                "/".to_owned(),
                "U+FFFE or U+FFFF in XML".to_owned(),
                Some(3)
            ))
        );
        assert_eq!(verdict(&format!("<r>{filler}</r>")), Ok(()));
    }
}
