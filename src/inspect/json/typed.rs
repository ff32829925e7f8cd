//! What JSON means to a Java engine: typed variables, polymorphic type ids
//! and Jackson wrapper arrays, found wherever they are.
//!
//! A typed variable (`{"value": ..., "type": "Object", "valueInfo": {...}}`)
//! can sit under any key at any depth, with its members in any order, so
//! each object gathers what it learns about itself in its frame's
//! [`State`] while it is read and is judged when it closes. Class names are
//! checked the moment they are read: `objectTypeName` under any key (shape
//! or not) and every configured type-id key.
//!
//! These are hooks the scanner calls; keys that mean nothing here (nearly
//! all of them) cost a length test, and their values nothing at all.

use std::cell::Cell;

use super::JsonInspector;
use super::scan::{Fail, Frame, Parser, Scalar, SipKey, Span, Workspace, prefix_of};
use crate::classes::TypeDecision;
use crate::violation::{Code, Violation};

/// What a member's key means here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Key {
    Type,
    Value,
    ValueInfo,
    ObjectTypeName,
    SerializationDataFormat,
    /// A polymorphic type id; `true` for .NET-style keys (`$type`).
    TypeId(bool),
    /// A task-query expression parameter, where expressions are forbidden.
    Expression,
    #[default]
    Other,
}

/// The keys with a fixed meaning, with their first eight bytes.
const FIXED_KEYS: [(&[u8], u64, Key); 5] = [
    (b"type", first_word(b"type"), Key::Type),
    (b"value", first_word(b"value"), Key::Value),
    (b"valueInfo", first_word(b"valueInfo"), Key::ValueInfo),
    (
        b"objectTypeName",
        first_word(b"objectTypeName"),
        Key::ObjectTypeName,
    ),
    (
        b"serializationDataFormat",
        first_word(b"serializationDataFormat"),
        Key::SerializationDataFormat,
    ),
];

/// The first eight bytes of `name`, zero-padded, as `scan::prefix_of` reads
/// them (at compile time).
const fn first_word(name: &[u8]) -> u64 {
    let mut word = 0u64;
    let mut i = 0;
    while i < name.len() && i < 8 {
        word |= (name[i] as u64) << (8 * i);
        i += 1;
    }
    word
}

const EXPRESSION: &[u8] = b"Expression";

/// Sorts keys into [`Key`]s. Most keys are data (`customerId`, `order17`):
/// a 256-slot table on (length, first byte) of the meaningful keys turns
/// them away with one lookup, and names the one candidate to compare (by
/// length and first eight bytes, computed once per key for the duplicate
/// check) for the rest. Built per request without allocating: the fixed
/// keys are constants and the type-id keys stay in the policy.
pub(super) struct KeyClasses<'i> {
    /// 0: no meaningful key falls here; `MANY`: several do (compare them
    /// all); else 1 + the candidate's index (fixed keys, then type ids).
    slots: [u8; 256],
    type_ids: &'i [String],
    expressions: bool,
}

const MANY: u8 = u8::MAX;

impl<'i> KeyClasses<'i> {
    fn new(type_ids: &'i [String], expressions: bool) -> Self {
        let mut slots = [0u8; 256];
        let names = FIXED_KEYS
            .iter()
            .map(|&(name, _, _)| name)
            .chain(type_ids.iter().map(String::as_bytes));
        for (i, name) in names.enumerate() {
            let slot = &mut slots[filter_bit(name)];
            *slot = match (*slot, u8::try_from(i + 1)) {
                (0, Ok(index)) if index != MANY => index,
                _ => MANY,
            };
        }
        KeyClasses {
            slots,
            type_ids,
            expressions,
        }
    }

    /// Whether the `i`th candidate is `key` (whose first eight bytes are
    /// `prefix`), and what it means.
    fn candidate(&self, i: usize, prefix: u64, key: &[u8]) -> Option<Key> {
        let (name, name_prefix, class) = match FIXED_KEYS.get(i) {
            Some(&fixed) => fixed,
            None => {
                let id = self.type_ids.get(i - FIXED_KEYS.len())?;
                let dotnet = id.starts_with('$') || id.starts_with("__");
                (id.as_bytes(), prefix_of(id.as_bytes()), Key::TypeId(dotnet))
            }
        };
        let same =
            name.len() == key.len() && name_prefix == prefix && (key.len() <= 8 || name == key);
        same.then_some(class)
    }

    /// The meaning of `key`, whose first eight bytes are `prefix`.
    #[inline]
    pub(super) fn classify(&self, prefix: u64, key: &[u8]) -> Key {
        let slot = self.slots[filter_bit(key)];
        if slot == 0 {
            if self.expressions && ends_with_expression(key) {
                return Key::Expression;
            }
            return Key::Other;
        }
        self.classify_slow(slot, prefix, key)
    }

    #[inline(never)]
    fn classify_slow(&self, slot: u8, prefix: u64, key: &[u8]) -> Key {
        let found = if slot == MANY {
            (0..FIXED_KEYS.len() + self.type_ids.len()).find_map(|i| self.candidate(i, prefix, key))
        } else {
            self.candidate(usize::from(slot) - 1, prefix, key)
        };
        match found {
            Some(class) => class,
            None if self.expressions && ends_with_expression(key) => Key::Expression,
            None => Key::Other,
        }
    }
}

/// Where a key falls in [`KeyClasses`]' filter.
#[inline(always)]
fn filter_bit(key: &[u8]) -> usize {
    let first = key.first().map_or(0, |&b| usize::from(b));
    (first + key.len().wrapping_mul(37)) & 255
}

fn ends_with_expression(key: &[u8]) -> bool {
    key.len() > EXPRESSION.len() && key.ends_with(EXPRESSION)
}

// What an object has shown of itself so far (bits of `State::seen`).
const TYPE: u16 = 1;
const VALUE_STR: u16 = 1 << 1;
const VALUE_NULL: u16 = 1 << 2;
const VALUE_OTHER: u16 = 1 << 3;
const VALUE: u16 = VALUE_STR | VALUE_NULL | VALUE_OTHER;
const VALUE_INFO: u16 = 1 << 4;
const OBJECT_TYPE_NAME: u16 = 1 << 5;
const FORMAT: u16 = 1 << 6;
const INFO_OBJECT_TYPE_NAME: u16 = 1 << 7;
const INFO_FORMAT: u16 = 1 << 8;
/// Arrays: the first element is a string (in `value`).
const FIRST_STR: u16 = 1 << 9;
/// The `type` names a serialized type (compared ignoring case, when read).
const TYPE_OBJECT: u16 = 1 << 10;
const TYPE_JSON: u16 = 1 << 11;
const TYPE_XML: u16 = 1 << 12;
const SERIALIZED: u16 = TYPE_OBJECT | TYPE_JSON | TYPE_XML;

/// What one object gathers about itself while it is read: the key of the
/// member being read, and the members that make it a typed variable.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct State {
    pub(super) class: Key,
    seen: u16,
    /// Offset of a non-string, non-null `value`.
    value_at: u32,
    /// A string `value` (arrays: the first element, if a string).
    value: Span,
    /// This object's own `objectTypeName`/`serializationDataFormat`, for
    /// when it is a `valueInfo`.
    object_type_name: Span,
    format: Span,
    /// Those of its `valueInfo` member.
    info_object_type_name: Span,
    info_format: Span,
}

impl State {
    fn set_value(&mut self, bit: u16) {
        self.seen = (self.seen & !VALUE) | bit;
    }
}

/// One inspection of a body and the documents it carries: the buffers of
/// each nesting level, kept for the next document at that level, and what
/// is shared between them.
pub(crate) struct Session<'i> {
    pub(super) inspector: &'i JsonInspector<'i>,
    pub(super) keys: KeyClasses<'i>,
    /// Keys the duplicate index, so its hashes cannot be predicted; drawn
    /// when the first object grows big enough to need the index.
    hasher: Option<SipKey>,
    /// The last Java type name that passed: bodies repeat the same
    /// `objectTypeName` for many variables, and a repeat needs no parse.
    last_allowed: Option<String>,
    levels: Vec<Workspace>,
}

thread_local! {
    /// The buffers of this thread's last inspection, for its next one: in
    /// steady state a request allocates nothing. What a thread keeps is
    /// capped (see [`Workspace::retained_bytes`]), so one huge body does
    /// not pin its buffers for good.
    static SPARE: Cell<Vec<Workspace>> = const { Cell::new(Vec::new()) };
}

/// The most buffer memory a thread keeps per nesting level between
/// inspections.
const RETAIN_BYTES: usize = 512 * 1024;

impl<'i> Session<'i> {
    pub(crate) fn new(inspector: &'i JsonInspector<'i>) -> Self {
        Session {
            inspector,
            keys: KeyClasses::new(&inspector.policy.type_id_keys, inspector.forbid_expressions),
            hasher: None,
            last_allowed: None,
            // Empty when this thread has none (or another session holds
            // them): then the buffers are allocated as they fill.
            levels: SPARE.try_with(Cell::take).unwrap_or_default(),
        }
    }

    pub(super) fn hasher(&mut self) -> SipKey {
        *self.hasher.get_or_insert_with(SipKey::random)
    }

    /// Inspects JSON text carried `depth` documents deep (0: the body); in
    /// quoted mode, text as written inside a string whose only escapes are
    /// `\"` (see [`Parser`]).
    pub(crate) fn inspect<const QUOTED: bool>(
        &mut self,
        text: &[u8],
        depth: usize,
    ) -> Result<(), Violation> {
        if self.levels.len() <= depth {
            self.levels.resize_with(depth + 1, Workspace::default);
        }
        let mut ws = std::mem::take(&mut self.levels[depth]);
        let result = Parser::<QUOTED>::new(text, &mut ws, self, depth).run();
        // Deeper documents only ever add levels, so `depth` is still here.
        if let Some(slot) = self.levels.get_mut(depth) {
            *slot = ws;
        }
        result
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let mut levels = std::mem::take(&mut self.levels);
        for ws in &mut levels {
            if ws.retained_bytes() > RETAIN_BYTES {
                *ws = Workspace::default();
            }
        }
        // During thread teardown the slot may be gone: then the buffers are
        // simply freed.
        let _ = SPARE.try_with(|spare| spare.set(levels));
    }
}

const JAVA_SERIALIZED: &str = "application/x-java-serialized-object";

/// Shortens client-supplied text for a message.
fn quoted(text: &str) -> String {
    let mut end = text.len().min(200);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "`{}`{}",
        &text[..end],
        if end < text.len() { "..." } else { "" }
    )
}

#[derive(Debug, Clone, Copy)]
enum Carried {
    Json,
    Xml,
}

impl<const QUOTED: bool> Parser<'_, '_, '_, '_, QUOTED> {
    /// An object or array is about to open as the value of the member
    /// being read.
    #[inline(always)]
    pub(super) fn container_value(&mut self, at: usize) -> Result<(), Fail> {
        let Some(parent) = self.ws.stack.last_mut() else {
            return Ok(());
        };
        if !parent.object {
            return Ok(());
        }
        match parent.typed.class {
            Key::Value => {
                parent.typed.set_value(VALUE_OTHER);
                parent.typed.value_at = at as u32;
                Ok(())
            }
            // A class name is a string; anything else is no name the guard
            // can check.
            Key::ObjectTypeName => Err(self.fail(
                Code::TypedVariableInvalid,
                at,
                "objectTypeName must be a string",
                "",
            )),
            _ => Ok(()),
        }
    }

    /// A string, number, boolean or null was read at `at`.
    #[inline(always)]
    pub(super) fn scalar(&mut self, value: Scalar, at: usize) -> Result<(), Fail> {
        if self.session.keys.expressions
            && let Scalar::Str(s) = value
            && crate::inspect::query::carries_expression(&s.text(self.text))
        {
            return Err(self.fail(
                Code::ExpressionNotAllowed,
                at,
                "expressions are not accepted in queries",
                "",
            ));
        }
        let Some(frame) = self.ws.stack.last_mut() else {
            return Ok(());
        };
        if frame.object {
            if frame.typed.class == Key::Other {
                return Ok(());
            }
            return self.member_value(value, at);
        }
        if frame.count == 1
            && let Scalar::Str(s) = value
        {
            frame.typed.seen |= FIRST_STR;
            frame.typed.value = s;
        }
        Ok(())
    }

    /// A scalar for a member whose key means something here.
    fn member_value(&mut self, value: Scalar, at: usize) -> Result<(), Fail> {
        let Some(frame) = self.ws.stack.last_mut() else {
            return Ok(());
        };
        let state = &mut frame.typed;
        match (state.class, value) {
            (Key::Type, Scalar::Str(s)) => {
                // Compared as bytes: the names that matter are ASCII.
                let decoded;
                let name: &[u8] = if s.escaped() {
                    decoded = s.text(self.text);
                    decoded.as_bytes()
                } else {
                    s.raw_bytes(self.text)
                };
                let kind = if name.eq_ignore_ascii_case(b"object") {
                    TYPE_OBJECT
                } else if name.eq_ignore_ascii_case(b"json") {
                    TYPE_JSON
                } else if name.eq_ignore_ascii_case(b"xml") {
                    TYPE_XML
                } else {
                    0
                };
                state.seen = (state.seen & !SERIALIZED) | TYPE | kind;
            }
            (Key::Value, Scalar::Str(s)) => {
                state.set_value(VALUE_STR);
                state.value = s;
            }
            (Key::Value, Scalar::Null) => state.set_value(VALUE_NULL),
            (Key::Value, Scalar::Other) => {
                state.set_value(VALUE_OTHER);
                state.value_at = at as u32;
            }
            (Key::ObjectTypeName, Scalar::Str(s)) => {
                state.seen |= OBJECT_TYPE_NAME;
                state.object_type_name = s;
                return self.check_class(s, false, "");
            }
            (Key::ObjectTypeName, Scalar::Null) => {}
            (Key::ObjectTypeName, Scalar::Other) => {
                return Err(self.fail(
                    Code::TypedVariableInvalid,
                    at,
                    "objectTypeName must be a string",
                    "",
                ));
            }
            (Key::SerializationDataFormat, Scalar::Str(s)) => {
                state.seen |= FORMAT;
                state.format = s;
            }
            (Key::TypeId(dotnet), Scalar::Str(s)) => return self.check_class(s, dotnet, ""),
            (Key::Expression, Scalar::Str(_)) => {
                return Err(self.fail(
                    Code::ExpressionNotAllowed,
                    at,
                    "expressions are not accepted in queries",
                    "",
                ));
            }
            _ => {}
        }
        Ok(())
    }

    /// An object closed (already off the stack): judge it if it is a
    /// typed variable, and hand it to its parent if it is a `valueInfo`.
    #[inline]
    pub(super) fn object_closed(&mut self, frame: &Frame) -> Result<(), Fail> {
        let state = &frame.typed;
        if state.seen & (TYPE | VALUE_INFO) != 0 {
            self.typed_variable(frame)?;
        }
        if let Some(parent) = self.ws.stack.last_mut()
            && parent.object
            && parent.typed.class == Key::ValueInfo
        {
            let info = &mut parent.typed;
            info.seen &= !(INFO_OBJECT_TYPE_NAME | INFO_FORMAT);
            info.seen |= VALUE_INFO;
            if state.seen & OBJECT_TYPE_NAME != 0 {
                info.seen |= INFO_OBJECT_TYPE_NAME;
                info.info_object_type_name = state.object_type_name;
            }
            if state.seen & FORMAT != 0 {
                info.seen |= INFO_FORMAT;
                info.info_format = state.format;
            }
        }
        Ok(())
    }

    /// Checks a type name against the class filter.
    fn check_class(&mut self, name: Span, dotnet: bool, tail: &str) -> Result<(), Fail> {
        let raw = name.raw_bytes(self.text);
        let cacheable = !dotnet && !name.escaped();
        if cacheable && self.session.last_allowed.as_deref().map(str::as_bytes) == Some(raw) {
            return Ok(());
        }
        let text = name.text(self.text);
        let filter = self.session.inspector.classes;
        let decision = if dotnet {
            filter.check_dotnet(&text)
        } else {
            filter.check(&text)
        };
        match decision {
            TypeDecision::Allowed => {
                if cacheable {
                    let last = self.session.last_allowed.get_or_insert_default();
                    last.clear();
                    last.push_str(&text);
                }
                Ok(())
            }
            TypeDecision::Denied { class, .. } => Err(self.fail(
                Code::ClassNotAllowed,
                name.at(),
                format!("class {} is not allowed", quoted(class)),
                tail,
            )),
            TypeDecision::Malformed(_) => Err(self.fail(
                Code::ClassNotAllowed,
                name.at(),
                format!("{} is not a type name", quoted(&text)),
                tail,
            )),
        }
    }

    /// Judges an object that just closed and has a `type` string or a
    /// `valueInfo` object.
    fn typed_variable(&mut self, frame: &Frame) -> Result<(), Fail> {
        let state = frame.typed;
        let seen = state.seen;
        let object = seen & TYPE_OBJECT != 0;
        let json = seen & TYPE_JSON != 0;
        let xml = seen & TYPE_XML != 0;
        let untyped = seen & TYPE == 0;
        // Variables of every other type (`String`, `Long`, ...) ignore
        // `valueInfo`: nothing to judge.
        if seen & SERIALIZED == 0 && !(untyped && seen & INFO_FORMAT != 0) {
            return Ok(());
        }
        let non_null = seen & (VALUE_STR | VALUE_OTHER) != 0;
        if (object || json || xml) && seen & VALUE_OTHER != 0 {
            return Err(self.fail(
                Code::TypedVariableInvalid,
                state.value_at as usize,
                "the value of a serialized variable must be a string or null",
                "value",
            ));
        }
        let has_format = seen & INFO_FORMAT != 0;
        if object && non_null {
            if seen & INFO_OBJECT_TYPE_NAME == 0 {
                return Err(self.fail(
                    Code::TypedVariableInvalid,
                    frame.at as usize,
                    "an Object value needs valueInfo.objectTypeName",
                    "valueInfo",
                ));
            }
            if !has_format {
                return Err(self.fail(
                    Code::TypedVariableInvalid,
                    frame.at as usize,
                    "an Object value needs valueInfo.serializationDataFormat",
                    "valueInfo",
                ));
            }
        }
        let value = (seen & VALUE_STR != 0).then_some(state.value);
        // The format rules apply to Object variables and to values whose
        // type is left to the engine; other types ignore valueInfo.
        if has_format && (object || untyped) {
            let format_span = state.info_format;
            let format = format_span.text(self.text);
            let format = format.trim();
            let at = format_span.at();
            if format.eq_ignore_ascii_case(JAVA_SERIALIZED) {
                if !self.session.inspector.allow_java_serialization {
                    return Err(self.fail(
                        Code::JavaSerializationNotAllowed,
                        at,
                        "Java serialization is not accepted",
                        "valueInfo/serializationDataFormat",
                    ));
                }
            } else if format.eq_ignore_ascii_case("application/json") {
                return self.embedded(value, Carried::Json);
            } else if format.eq_ignore_ascii_case("application/xml") {
                return self.embedded(value, Carried::Xml);
            } else if object {
                return Err(self.fail(
                    Code::TypedVariableInvalid,
                    at,
                    "unknown serializationDataFormat",
                    "valueInfo/serializationDataFormat",
                ));
            }
        }
        if json {
            return self.embedded(value, Carried::Json);
        }
        if xml {
            return self.embedded(value, Carried::Xml);
        }
        Ok(())
    }

    /// Inspects a document carried in a string `value`.
    fn embedded(&mut self, value: Option<Span>, carried: Carried) -> Result<(), Fail> {
        let Some(s) = value else {
            return Ok(());
        };
        if self.embedded + 1 > self.session.inspector.policy.max_embedded_depth {
            return Err(self.fail(
                Code::JsonTooDeep,
                s.at(),
                "documents carried in strings are nested too deeply",
                "value",
            ));
        }
        let from = s.at() + 1;
        let raw = self.text.get(from..from + s.len()).unwrap_or(&[]);
        let mut decoded = std::mem::take(&mut self.ws.carried);
        // JSON whose only escapes are `\"` is read where it lies.
        let quoted = s.quotes_only() && matches!(carried, Carried::Json);
        let text: &[u8] = if s.escaped() && !quoted {
            decoded.clear();
            super::strings::unescape_into(raw, &mut decoded);
            &decoded
        } else {
            raw
        };
        let result = match carried {
            Carried::Json if quoted => self.session.inspect::<true>(text, self.embedded + 1),
            Carried::Json => self.session.inspect::<false>(text, self.embedded + 1),
            // Decoded JSON string content is UTF-8 (as the body was); the
            // XML inspector takes it as text.
            Carried::Xml => match std::str::from_utf8(text) {
                Ok(text) => self.session.inspector.xml.inspect_str(text),
                Err(_) => Err(Violation::new(
                    Code::XmlMalformed,
                    "",
                    "the carried document is not UTF-8",
                )),
            },
        };
        self.ws.carried = decoded;
        result.map_err(|inner| {
            // The inner location continues the outer pointer.
            let inner_location = inner.location().trim_start_matches('/');
            let tail = if inner_location.is_empty() {
                "value".to_owned()
            } else {
                format!("value/{inner_location}")
            };
            self.fail(inner.code(), s.at(), inner.message().to_owned(), &tail)
        })
    }

    /// An array closed: judge Jackson's `WRAPPER_ARRAY` form,
    /// `["com.acme.Order", {...}]`, when the policy asks for it.
    #[inline]
    pub(super) fn array_closed(&mut self, frame: &Frame) -> Result<(), Fail> {
        if !self.session.inspector.policy.wrapper_arrays
            || frame.count != 2
            || frame.typed.seen & FIRST_STR == 0
        {
            return Ok(());
        }
        let first = frame.typed.value;
        // Only strings shaped like a qualified class name are type ids;
        // `["a", 1]` is data.
        let text = first.text(self.text);
        let looks_like_class = text.contains('.')
            && !text.contains([' ', '/', ':', '@'])
            && crate::classes::parse_type_name(&text, |_| {}).is_ok();
        if looks_like_class {
            // The pointer names the array; the type id is its element 0.
            return self.check_class(first, false, "0");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Unit tests only (never compiled into the library): an `unwrap` or
    //! `expect` here is a test assertion on fixed inputs, not a path a
    //! request can reach.

    use super::*;
    use crate::{Guard, Policy};

    /// The most buffer memory any level this thread keeps holds.
    fn kept() -> Option<usize> {
        SPARE.with(|spare| {
            let levels = spare.take();
            let most = levels.iter().map(Workspace::retained_bytes).max();
            spare.set(levels);
            most
        })
    }

    #[test]
    fn fixed_keys_carry_the_prefix_the_scanner_reads() {
        for (name, prefix, _) in FIXED_KEYS {
            assert_eq!(prefix, prefix_of(name), "{}", String::from_utf8_lossy(name));
        }
        let keys = KeyClasses::new(&[], false);
        for (name, prefix, class) in FIXED_KEYS {
            assert_eq!(keys.classify(prefix, name), class);
        }
        assert_eq!(keys.classify(prefix_of(b"typo"), b"typo"), Key::Other);
    }

    #[test]
    fn a_thread_keeps_buffers_up_to_the_cap() {
        let guard =
            Guard::new(Policy::from_toml("").expect("the empty policy")).expect("a valid policy");
        // 60,000 keys need a key list of about 1 MiB: freed afterwards.
        let members: Vec<String> = (0..60_000).map(|i| format!(r#""k{i}":0"#)).collect();
        let big = format!("{{{}}}", members.join(","));
        guard.json().inspect(big.as_bytes(), None).expect("benign");
        let after_big = kept().unwrap_or(0);
        assert!(after_big <= RETAIN_BYTES, "kept {after_big} bytes");
        // A small body's buffers stay for the next one.
        let small = br#"{"a":[1,{"b":"\"c\""}],"v":{"type":"Json","value":"{\"d\":[]}"}}"#;
        guard.json().inspect(small, None).expect("benign");
        assert!(kept().is_some_and(|bytes| bytes > 0));
        guard
            .json()
            .inspect(small, None)
            .expect("the same verdict again");
    }
}
