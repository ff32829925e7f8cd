//! What JSON means to a Java engine: typed variables, polymorphic type ids,
//! Jackson wrapper arrays and query parameters, found wherever they are.
//!
//! A typed variable (`{"value": ..., "type": "Object", "valueInfo": {...}}`)
//! can sit under any key at any depth, with its members in any order, so
//! each object gathers what it learns about itself in its frame's
//! [`State`] while it is read and is judged when it closes. Class names are
//! checked the moment they are read: `objectTypeName` under any key (shape
//! or not) and every configured type-id key.
//!
//! All of it is [`Hooks`] the scanner calls; keys that mean nothing here
//! (nearly all of them) cost a table lookup, and their values nothing at
//! all.

use std::cell::Cell;

use super::scan::{self, Frame, Hooks, Reject, Scalar, Span, Workspace, prefix_of, reject};
use super::{JsonInspector, PagingMember};
use crate::classes::TypeDecision;
use crate::violation::{Code, Violation};

// The names these rules give a meaning to are Camunda 7's, and live in its
// engine profile; a second engine would bring its own.
use crate::engine::camunda7::json_names::*;

/// What a member's key means here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Key {
    Type,
    Value,
    ValueInfo,
    ObjectTypeName,
    SerializationDataFormat,
    /// A polymorphic type id (Jackson's `@class`, ...).
    TypeId,
    /// A .NET-style type id (`$type`, `__type`).
    DotnetTypeId,
    /// A task-query expression parameter, where expressions are forbidden.
    Expression,
    /// Paging members, on list queries ([`PAGING_KEYS`]; a variant each
    /// keeps `Key` one byte, which the scanner stores for every key).
    MaxResults,
    FirstResult,
    #[default]
    Other,
}

impl Key {
    /// A paging member's name.
    fn paging_name(self) -> Option<&'static str> {
        match self {
            Key::MaxResults => Some(PAGING_KEYS[0]),
            Key::FirstResult => Some(PAGING_KEYS[1]),
            _ => None,
        }
    }
}

/// The keys with a fixed meaning, with their first eight bytes: those of
/// typed variables, then the paging keys (which only list queries look
/// for).
const FIXED_KEYS: [(&[u8], u64, Key); 7] = [
    fixed(KEY_TYPE, Key::Type),
    fixed(KEY_VALUE, Key::Value),
    fixed(KEY_VALUE_INFO, Key::ValueInfo),
    fixed(KEY_OBJECT_TYPE_NAME, Key::ObjectTypeName),
    fixed(KEY_SERIALIZATION_DATA_FORMAT, Key::SerializationDataFormat),
    fixed(PAGING_KEYS[0], Key::MaxResults),
    fixed(PAGING_KEYS[1], Key::FirstResult),
];

/// Where the paging keys are in [`FIXED_KEYS`].
const PAGING_SLOTS: std::ops::Range<usize> = 5..7;

/// A [`FIXED_KEYS`] entry.
const fn fixed(name: &'static str, key: Key) -> (&'static [u8], u64, Key) {
    (name.as_bytes(), first_word(name.as_bytes()), key)
}

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
    /// Whether paging keys mean something (else they are data).
    paging: bool,
}

const MANY: u8 = u8::MAX;

impl<'i> KeyClasses<'i> {
    fn new(type_ids: &'i [String], expressions: bool, paging: bool) -> Self {
        let mut slots = [0u8; 256];
        let fixed = FIXED_KEYS
            .iter()
            .map(|&(name, _, class)| (name, class))
            .chain(type_ids.iter().map(|id| (id.as_bytes(), Key::Other)));
        for (i, (name, class)) in fixed.enumerate() {
            if class.paging_name().is_some() && !paging {
                continue;
            }
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
            paging,
        }
    }

    /// Whether the `i`th candidate is `key` (whose first eight bytes are
    /// `prefix`), and what it means. A slot names a paging key only when
    /// paging keys mean something, so only the search through all the
    /// candidates has to skip them.
    #[inline(always)]
    fn candidate(&self, i: usize, prefix: u64, key: &[u8]) -> Option<Key> {
        let (name, name_prefix, class) = match FIXED_KEYS.get(i) {
            Some(&fixed) => fixed,
            None => {
                let id = self.type_ids.get(i - FIXED_KEYS.len())?;
                let dotnet = id.starts_with('$') || id.starts_with("__");
                let class = if dotnet {
                    Key::DotnetTypeId
                } else {
                    Key::TypeId
                };
                (id.as_bytes(), prefix_of(id.as_bytes()), class)
            }
        };
        let same = name.len() == key.len() && name_prefix == prefix && rest_equal(name, key);
        same.then_some(class)
    }

    /// The meaning of `key`, whose first eight bytes are `prefix`.
    ///
    /// The keys of typed variables (`value`, `type`, `valueInfo`, ...)
    /// come in every variable, so a slot that names one fixed key is
    /// decided here, inline, by word compares; type ids, shared slots and
    /// misses go out of line.
    #[inline(always)]
    pub(super) fn classify(&self, prefix: u64, key: &[u8]) -> Key {
        let slot = self.slots[filter_bit(key)];
        if slot == 0 {
            if self.expressions && ends_with_expression(key) {
                return Key::Expression;
            }
            return Key::Other;
        }
        if let Some(&(name, name_prefix, class)) = FIXED_KEYS.get(usize::from(slot).wrapping_sub(1))
            && name.len() == key.len()
            && name_prefix == prefix
            && rest_equal(name, key)
        {
            return class;
        }
        self.classify_slow(slot, prefix, key)
    }

    #[inline(never)]
    fn classify_slow(&self, slot: u8, prefix: u64, key: &[u8]) -> Key {
        let found = if slot == MANY {
            (0..FIXED_KEYS.len() + self.type_ids.len())
                .filter(|i| self.paging || !PAGING_SLOTS.contains(i))
                .find_map(|i| self.candidate(i, prefix, key))
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

/// Whether `a` and `b`, of one length and with the same first eight
/// bytes, are the same: word compares (the last word overlapping the one
/// before it), no call to `memcmp` for a few bytes.
#[inline(always)]
fn rest_equal(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n <= 8 {
        return n == b.len();
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        if let Some(bytes) = s.get(at..at + 8) {
            w.copy_from_slice(bytes);
        }
        u64::from_le_bytes(w)
    };
    let mut at = 8;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    n == b.len() && word(a, n - 8) == word(b, n - 8)
}

/// Where a key falls in [`KeyClasses`]' filter.
#[inline(always)]
fn filter_bit(key: &[u8]) -> usize {
    let first = key.first().map_or(0, |&b| usize::from(b));
    (first + key.len().wrapping_mul(37)) & 255
}

fn ends_with_expression(key: &[u8]) -> bool {
    key.len() > EXPRESSION_SUFFIX.len() && key.ends_with(EXPRESSION_SUFFIX)
}

// What an object has shown of itself so far (bits of `State::seen`).
const TYPE: u32 = 1;
const VALUE_STR: u32 = 1 << 1;
const VALUE_NULL: u32 = 1 << 2;
const VALUE_OTHER: u32 = 1 << 3;
const VALUE: u32 = VALUE_STR | VALUE_NULL | VALUE_OTHER;
const VALUE_INFO: u32 = 1 << 4;
const OBJECT_TYPE_NAME: u32 = 1 << 5;
const FORMAT: u32 = 1 << 6;
const INFO_OBJECT_TYPE_NAME: u32 = 1 << 7;
const INFO_FORMAT: u32 = 1 << 8;
/// Arrays: the first element is a string (in `value`).
const FIRST_STR: u32 = 1 << 9;
/// The `type` names a serialized type (compared ignoring case, when read).
const TYPE_OBJECT: u32 = 1 << 10;
const TYPE_JSON: u32 = 1 << 11;
const TYPE_XML: u32 = 1 << 12;
const SERIALIZED: u32 = TYPE_OBJECT | TYPE_JSON | TYPE_XML;
/// The body's top-level object, on a list query: its paging members are
/// collected.
const PAGING_ROOT: u32 = 1 << 13;

/// What one object gathers about itself while it is read: the key of the
/// member being read, and the members that make it a typed variable.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct State {
    class: Key,
    /// A word, not the `u16` its bits need: `set_value` reads it right
    /// after `key` wrote `class`, and LLVM widened a `u16` read to 32 bits
    /// covering both, a load the CPU cannot forward from the two narrower
    /// stores before it. That stall, one per value, was a quarter of the
    /// scan loop's samples on the 32 MiB body (perf), 100 ms a scan
    /// against 79 ms now.
    seen: u32,
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
    fn set_value(&mut self, bit: u32) {
        self.seen = (self.seen & !VALUE) | bit;
    }
}

/// The buffers of one nesting level of carried documents: the scanner's,
/// and the decoded text of a document carried in a string at this level.
#[derive(Default)]
struct Level {
    ws: Workspace<State>,
    carried: Vec<u8>,
}

impl Level {
    /// The memory its buffers hold.
    fn retained_bytes(&self) -> usize {
        self.ws.retained_bytes() + self.carried.capacity()
    }
}

/// One inspection of a body and the documents it carries: the rules they
/// are read under, what they share, and the buffers of each nesting level,
/// kept for the next document at that level.
pub(crate) struct Session<'i> {
    rules: Rules<'i>,
    shared: Shared,
    /// Level `d` serves the documents carried `d` deep (0: the body). A
    /// document borrows its level where it lies and hands the deeper ones
    /// to what it carries: nothing is moved per document.
    levels: Vec<Level>,
}

/// What every document of a session reads.
struct Rules<'i> {
    inspector: &'i JsonInspector<'i>,
    keys: KeyClasses<'i>,
}

/// What the documents of a session write.
#[derive(Default)]
struct Shared {
    /// The last Java type name that passed (empty: none yet; no name is
    /// empty): bodies repeat the same `objectTypeName` for many variables,
    /// and a repeat needs no parse. Its buffer is the thread's, kept
    /// between sessions, so the cache costs no allocation per request.
    last_allowed: String,
    /// The body's paging members, when they are asked for (list queries).
    paging: Option<Vec<PagingMember>>,
}

/// The buffers a thread keeps between inspections.
#[derive(Default)]
struct Spare {
    levels: Vec<Level>,
    last_allowed: String,
}

thread_local! {
    /// The buffers of this thread's last inspection, for its next one: in
    /// steady state a request allocates none. What a thread keeps is
    /// capped (see [`Workspace::retained_bytes`]), so one huge body does
    /// not pin its buffers for good.
    static SPARE: Cell<Spare> = const {
        Cell::new(Spare {
            levels: Vec::new(),
            last_allowed: String::new(),
        })
    };
}

/// The most buffer memory a thread keeps per nesting level between
/// inspections.
const RETAIN_BYTES: usize = 512 * 1024;

/// The longest class-name buffer a thread keeps (names are short; a huge
/// one was an attack or a mistake).
const RETAIN_NAME_BYTES: usize = 4096;

/// The most levels a session keeps ready. Policies rarely let documents
/// nest deeper (the default is 4); one nested deeper than this gets
/// buffers of its own, freed when it is done.
const READY_LEVELS: usize = 8;

impl<'i> Session<'i> {
    /// A session for plain inspection.
    pub(crate) fn new(inspector: &'i JsonInspector<'i>) -> Self {
        Self::with_paging(inspector, false)
    }

    /// A session that also collects the body's paging members (see
    /// [`Session::paging`]).
    pub(crate) fn list_query(inspector: &'i JsonInspector<'i>) -> Self {
        Self::with_paging(inspector, true)
    }

    fn with_paging(inspector: &'i JsonInspector<'i>, paging: bool) -> Self {
        // Empty when this thread has none (or another session holds them):
        // then the buffers are allocated as they fill.
        let Spare {
            mut levels,
            mut last_allowed,
        } = SPARE.try_with(Cell::take).unwrap_or_default();
        // The name belongs to the session that allowed it: another guard's
        // class filter may say otherwise.
        last_allowed.clear();
        let ready = inspector.policy.max_embedded_depth.min(READY_LEVELS) + 1;
        if levels.len() < ready {
            levels.resize_with(ready, Level::default);
        }
        Session {
            rules: Rules {
                inspector,
                keys: KeyClasses::new(
                    &inspector.policy.type_id_keys,
                    inspector.forbid_expressions,
                    paging,
                ),
            },
            shared: Shared {
                last_allowed,
                paging: paging.then(Vec::new),
            },
            levels,
        }
    }

    /// The paging members of the body's top-level object, in document
    /// order (for a session made by [`Session::list_query`]).
    pub(crate) fn paging(&mut self) -> Vec<PagingMember> {
        self.shared.paging.take().unwrap_or_default()
    }

    /// Inspects a body's JSON text.
    pub(crate) fn inspect(&mut self, text: &[u8]) -> Result<(), Violation> {
        inspect_document::<false>(&self.rules, &mut self.shared, &mut self.levels, text, 0)
    }
}

/// Inspects JSON text carried `depth` documents deep (0: the body) with
/// the first of `levels`' buffers, handing the rest to what it carries; in
/// quoted mode, text as written inside a string whose only escapes are
/// `\"` (see [`scan::scan`]).
fn inspect_document<const QUOTED: bool>(
    rules: &Rules<'_>,
    shared: &mut Shared,
    levels: &mut [Level],
    text: &[u8],
    depth: usize,
) -> Result<(), Violation> {
    let mut own;
    let (level, deeper) = match levels.split_first_mut() {
        Some(split) => split,
        None => {
            own = Level::default();
            (&mut own, &mut [][..])
        }
    };
    let policy = rules.inspector.policy;
    let mut document = Document {
        rules,
        shared,
        carried: &mut level.carried,
        deeper,
        text,
        depth,
        expressions: rules.keys.expressions,
        wrapper_arrays: policy.wrapper_arrays,
    };
    scan::scan::<QUOTED, _>(text, &mut level.ws, policy, &mut document)
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let mut levels = std::mem::take(&mut self.levels);
        for level in &mut levels {
            if level.retained_bytes() > RETAIN_BYTES {
                *level = Level::default();
            }
        }
        let mut last_allowed = std::mem::take(&mut self.shared.last_allowed);
        if last_allowed.capacity() > RETAIN_NAME_BYTES {
            last_allowed = String::new();
        }
        let spare = Spare {
            levels,
            last_allowed,
        };
        // During thread teardown the slot may be gone: then the buffers are
        // simply freed.
        let _ = SPARE.try_with(|slot| slot.set(spare));
    }
}

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

/// What a paging member's scalar value says: `None` leaves the member out
/// (`null` means "not given"); else the text an engine would read as an
/// int (a number as written, a string's text, which Jackson coerces), or
/// `None` inside for any other kind of value.
fn paging_value(text: &[u8], value: Scalar, at: usize) -> Option<Option<String>> {
    match value {
        Scalar::Null => None,
        Scalar::Str(s) => Some(Some(s.text(text).into_owned())),
        Scalar::Number(len) => Some(
            text.get(at..at + len)
                .and_then(|number| std::str::from_utf8(number).ok())
                .map(str::to_owned),
        ),
        Scalar::Bool => Some(None),
    }
}

/// The rules applied to one document of a session (see [`Hooks`]).
struct Document<'d, 'i> {
    rules: &'d Rules<'i>,
    shared: &'d mut Shared,
    /// Where a document carried in one of this one's strings is decoded.
    carried: &'d mut Vec<u8>,
    /// The buffers of the levels below this one.
    deeper: &'d mut [Level],
    text: &'d [u8],
    /// How many documents deep this one is carried (0: the body).
    depth: usize,
    /// The session's settings that hooks read for every value, at hand
    /// rather than behind the session pointer.
    expressions: bool,
    wrapper_arrays: bool,
}

impl Hooks for Document<'_, '_> {
    type State = State;

    #[inline(always)]
    fn open(
        &mut self,
        parent: Option<&mut Frame<State>>,
        object: bool,
        at: usize,
    ) -> Result<State, Reject> {
        let Some(parent) = parent else {
            return Ok(self.root(object));
        };
        if !parent.is_object() {
            return Ok(State::default());
        }
        let state = &mut parent.state;
        match state.class {
            Key::Value => {
                state.set_value(VALUE_OTHER);
                state.value_at = at as u32;
            }
            // A class name is a string; anything else is no name the guard
            // can check.
            Key::ObjectTypeName => {
                return Err(reject(
                    Code::TypedVariableInvalid,
                    at,
                    "objectTypeName must be a string",
                    "",
                ));
            }
            Key::MaxResults | Key::FirstResult if state.seen & PAGING_ROOT != 0 => {
                self.paging_member(state.class, None);
            }
            _ => {}
        }
        Ok(State::default())
    }

    #[inline(always)]
    fn key(&mut self, object: &mut Frame<State>, prefix: u64, key: &[u8]) {
        object.state.class = self.rules.keys.classify(prefix, key);
    }

    #[inline(always)]
    fn scalar(
        &mut self,
        parent: Option<&mut Frame<State>>,
        value: Scalar,
        at: usize,
    ) -> Result<(), Reject> {
        if self.expressions
            && let Scalar::Str(s) = value
            && crate::inspect::query::carries_expression(&s.text(self.text))
        {
            return Err(reject(
                Code::ExpressionNotAllowed,
                at,
                "expressions are not accepted in queries",
                "",
            ));
        }
        let Some(frame) = parent else {
            return Ok(());
        };
        if frame.is_object() {
            if frame.state.class == Key::Other {
                return Ok(());
            }
            return self.member_value(&mut frame.state, value, at);
        }
        if frame.count() == 1
            && let Scalar::Str(s) = value
        {
            frame.state.seen |= FIRST_STR;
            frame.state.value = s;
        }
        Ok(())
    }

    #[inline(always)]
    fn close(
        &mut self,
        closed: &Frame<State>,
        parent: Option<&mut Frame<State>>,
    ) -> Result<(), Reject> {
        if closed.is_object() {
            self.object_closed(closed, parent)
        } else {
            self.array_closed(closed)
        }
    }
}

impl Document<'_, '_> {
    /// The state of the document's root container: the body's top-level
    /// object collects paging members when they are asked for.
    fn root(&self, object: bool) -> State {
        let mut state = State::default();
        if object && self.depth == 0 && self.shared.paging.is_some() {
            state.seen = PAGING_ROOT;
        }
        state
    }

    #[cold]
    fn paging_member(&mut self, key: Key, value: Option<String>) {
        if let (Some(members), Some(name)) = (&mut self.shared.paging, key.paging_name()) {
            members.push((name, value));
        }
    }

    /// A scalar for a member whose key means something here.
    #[inline(always)]
    fn member_value(&mut self, state: &mut State, value: Scalar, at: usize) -> Result<(), Reject> {
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
                let kind = if name.eq_ignore_ascii_case(TYPE_OBJECT_NAME) {
                    TYPE_OBJECT
                } else if name.eq_ignore_ascii_case(TYPE_JSON_NAME) {
                    TYPE_JSON
                } else if name.eq_ignore_ascii_case(TYPE_XML_NAME) {
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
            (Key::Value, Scalar::Number(_) | Scalar::Bool) => {
                state.set_value(VALUE_OTHER);
                state.value_at = at as u32;
            }
            (Key::ObjectTypeName, Scalar::Str(s)) => {
                state.seen |= OBJECT_TYPE_NAME;
                state.object_type_name = s;
                return self.check_class(s, false, "");
            }
            (Key::ObjectTypeName, Scalar::Null) => {}
            (Key::ObjectTypeName, Scalar::Number(_) | Scalar::Bool) => {
                return Err(reject(
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
            (Key::TypeId, Scalar::Str(s)) => return self.check_class(s, false, ""),
            (Key::DotnetTypeId, Scalar::Str(s)) => return self.check_class(s, true, ""),
            (Key::Expression, Scalar::Str(_)) => {
                return Err(reject(
                    Code::ExpressionNotAllowed,
                    at,
                    "expressions are not accepted in queries",
                    "",
                ));
            }
            (Key::MaxResults | Key::FirstResult, value) if state.seen & PAGING_ROOT != 0 => {
                if let Some(value) = paging_value(self.text, value, at) {
                    self.paging_member(state.class, value);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// An object closed: judge it if it is a typed variable, and hand it
    /// to its parent if it is a `valueInfo`.
    #[inline(always)]
    fn object_closed(
        &mut self,
        frame: &Frame<State>,
        parent: Option<&mut Frame<State>>,
    ) -> Result<(), Reject> {
        let state = &frame.state;
        // Variables of every other type (`String`, `Long`, ...) ignore
        // `valueInfo`: nothing to judge, and no call for most variables.
        let seen = state.seen;
        if seen & SERIALIZED != 0 || (seen & TYPE == 0 && seen & INFO_FORMAT != 0) {
            self.typed_variable(frame)?;
        }
        if let Some(parent) = parent
            && parent.is_object()
            && parent.state.class == Key::ValueInfo
        {
            let info = &mut parent.state;
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
    fn check_class(&mut self, name: Span, dotnet: bool, tail: &'static str) -> Result<(), Reject> {
        let raw = name.raw_bytes(self.text);
        let cacheable = !dotnet && !name.escaped();
        let shared = &mut *self.shared;
        if cacheable && !raw.is_empty() && shared.last_allowed.as_bytes() == raw {
            return Ok(());
        }
        let text = name.text(self.text);
        let filter = self.rules.inspector.classes;
        let decision = if dotnet {
            filter.check_dotnet(&text)
        } else {
            filter.check(&text)
        };
        match decision {
            TypeDecision::Allowed => {
                if cacheable {
                    shared.last_allowed.clear();
                    shared.last_allowed.push_str(&text);
                }
                Ok(())
            }
            TypeDecision::Denied { class, decision } => Err(reject(
                Code::ClassNotAllowed,
                name.at(),
                format!("class {} is not allowed", quoted(class)),
                tail,
            )
            .decided_by(class, decision.rule_text())),
            TypeDecision::Malformed(_) => Err(reject(
                Code::ClassNotAllowed,
                name.at(),
                format!("{} is not a type name", quoted(&text)),
                tail,
            )
            .decided_by(&text, "not a type name".to_owned())),
        }
    }

    /// Judges an object that just closed and is a typed variable of a
    /// serialized type (`Object`, `Json`, `Xml`), or has no type and a
    /// `valueInfo.serializationDataFormat`.
    fn typed_variable(&mut self, frame: &Frame<State>) -> Result<(), Reject> {
        let state = frame.state;
        let seen = state.seen;
        let object = seen & TYPE_OBJECT != 0;
        let json = seen & TYPE_JSON != 0;
        let xml = seen & TYPE_XML != 0;
        let untyped = seen & TYPE == 0;
        let non_null = seen & (VALUE_STR | VALUE_OTHER) != 0;
        if (object || json || xml) && seen & VALUE_OTHER != 0 {
            return Err(reject(
                Code::TypedVariableInvalid,
                state.value_at as usize,
                "the value of a serialized variable must be a string or null",
                KEY_VALUE,
            ));
        }
        let has_format = seen & INFO_FORMAT != 0;
        if object && non_null {
            if seen & INFO_OBJECT_TYPE_NAME == 0 {
                return Err(reject(
                    Code::TypedVariableInvalid,
                    frame.at(),
                    "an Object value needs valueInfo.objectTypeName",
                    KEY_VALUE_INFO,
                ));
            }
            if !has_format {
                return Err(reject(
                    Code::TypedVariableInvalid,
                    frame.at(),
                    "an Object value needs valueInfo.serializationDataFormat",
                    KEY_VALUE_INFO,
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
            if format.eq_ignore_ascii_case(FORMAT_JAVA) {
                if !self.rules.inspector.allow_java_serialization {
                    return Err(reject(
                        Code::JavaSerializationNotAllowed,
                        at,
                        "Java serialization is not accepted",
                        TAIL_FORMAT,
                    ));
                }
            } else if format.eq_ignore_ascii_case(FORMAT_JSON) {
                return self.embedded(value, Carried::Json);
            } else if format.eq_ignore_ascii_case(FORMAT_XML) {
                return self.embedded(value, Carried::Xml);
            } else if object {
                return Err(reject(
                    Code::TypedVariableInvalid,
                    at,
                    "unknown serializationDataFormat",
                    TAIL_FORMAT,
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
    fn embedded(&mut self, value: Option<Span>, carried: Carried) -> Result<(), Reject> {
        let Some(s) = value else {
            return Ok(());
        };
        let inspector = self.rules.inspector;
        let inner_depth = self.depth + 1;
        if inner_depth > inspector.policy.max_embedded_depth {
            return Err(reject(
                Code::JsonTooDeep,
                s.at(),
                "documents carried in strings are nested too deeply",
                KEY_VALUE,
            ));
        }
        let raw = s.raw_bytes(self.text);
        // JSON whose only escapes are `\"` is read where it lies.
        let quoted = s.quotes_only() && matches!(carried, Carried::Json);
        let text: &[u8] = if s.escaped() && !quoted {
            self.carried.clear();
            super::strings::unescape_into(raw, self.carried);
            self.carried
        } else {
            raw
        };
        let (rules, shared, deeper) = (self.rules, &mut *self.shared, &mut *self.deeper);
        let result = match carried {
            Carried::Json if quoted => {
                inspect_document::<true>(rules, shared, deeper, text, inner_depth)
            }
            Carried::Json => inspect_document::<false>(rules, shared, deeper, text, inner_depth),
            // Decoded JSON string content is UTF-8 (as the body was); the
            // XML inspector takes it as text.
            Carried::Xml => match std::str::from_utf8(text) {
                Ok(text) => inspector.xml.inspect_str(text),
                Err(_) => Err(Violation::new(
                    Code::XmlMalformed,
                    "",
                    "the carried document is not UTF-8",
                )),
            },
        };
        result.map_err(|inner| {
            // The inner location continues the outer pointer.
            let inner_location = inner.location().trim_start_matches('/');
            let tail = if inner_location.is_empty() {
                KEY_VALUE.to_owned()
            } else {
                format!("{KEY_VALUE}/{inner_location}")
            };
            reject(inner.code(), s.at(), inner.message().to_owned(), tail)
        })
    }

    /// An array closed: judge Jackson's `WRAPPER_ARRAY` form,
    /// `["com.acme.Order", {...}]`, when the policy asks for it.
    #[inline(always)]
    fn array_closed(&mut self, frame: &Frame<State>) -> Result<(), Reject> {
        if !self.wrapper_arrays || frame.count() != 2 || frame.state.seen & FIRST_STR == 0 {
            return Ok(());
        }
        self.wrapper_array(frame.state.value)
    }

    fn wrapper_array(&mut self, first: Span) -> Result<(), Reject> {
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
    use crate::classes::ClassFilter;
    use crate::inspect::xml::XmlInspector;
    use crate::policy::Policy;

    /// Runs `f` with an inspector under the empty policy.
    fn with_inspector<R>(f: impl FnOnce(&JsonInspector<'_>) -> R) -> R {
        let policy = Policy::from_toml("").expect("the empty policy");
        let classes = ClassFilter::new(policy.classes.allow.clone(), []);
        let xml = XmlInspector::new(policy.xml.clone());
        f(&JsonInspector::new(&policy, &classes, &xml))
    }

    /// The most buffer memory any level this thread keeps holds.
    fn kept() -> Option<usize> {
        SPARE.with(|slot| {
            let spare = slot.take();
            let most = spare.levels.iter().map(Level::retained_bytes).max();
            slot.set(spare);
            most
        })
    }

    #[test]
    fn rest_equal_compares_every_byte_past_the_first_eight() {
        for name in [
            "value",
            "valueInfo",
            "objectTypeName",
            "serializationDataFormat",
        ] {
            let name = name.as_bytes();
            assert!(rest_equal(name, name));
            for i in 8..name.len() {
                let mut other = name.to_vec();
                other[i] ^= 0x20;
                assert!(!rest_equal(name, &other), "byte {i}");
            }
        }
        assert!(!rest_equal(b"abcdefghij", b"abcdefghi"));
        let mut keys = KeyClasses::new(&[], false, false);
        for (name, _, class) in FIXED_KEYS.iter().take(PAGING_SLOTS.start) {
            assert_eq!(keys.classify(prefix_of(name), name), *class);
            let mut near = name.to_vec();
            if let Some(last) = near.last_mut() {
                *last ^= 1;
            }
            assert_eq!(keys.classify(prefix_of(&near), &near), Key::Other);
        }
        keys = KeyClasses::new(&[], false, true);
        assert_eq!(
            keys.classify(prefix_of(b"maxResults"), b"maxResults"),
            Key::MaxResults
        );
    }

    #[test]
    fn fixed_keys_carry_the_prefix_the_scanner_reads() {
        for (name, prefix, _) in FIXED_KEYS {
            assert_eq!(prefix, prefix_of(name), "{}", String::from_utf8_lossy(name));
        }
        for (i, (_, _, class)) in FIXED_KEYS.into_iter().enumerate() {
            assert_eq!(class.paging_name().is_some(), PAGING_SLOTS.contains(&i));
        }
        let keys = KeyClasses::new(&[], false, false);
        for (name, prefix, class) in FIXED_KEYS {
            let paging = class.paging_name().is_some();
            let expected = if paging { Key::Other } else { class };
            assert_eq!(keys.classify(prefix, name), expected);
        }
        assert_eq!(keys.classify(prefix_of(b"typo"), b"typo"), Key::Other);
        // Paging keys mean something only where they are asked for.
        let max = b"maxResults";
        assert_eq!(keys.classify(prefix_of(max), max), Key::Other);
        let type_ids = ["@class".to_owned(), "$type".to_owned()];
        let keys = KeyClasses::new(&type_ids, true, true);
        assert_eq!(keys.classify(prefix_of(max), max), Key::MaxResults);
        let first = b"firstResult";
        assert_eq!(keys.classify(prefix_of(first), first), Key::FirstResult);
        assert_eq!(
            keys.classify(prefix_of(b"$type"), b"$type"),
            Key::DotnetTypeId
        );
        assert_eq!(keys.classify(prefix_of(b"@class"), b"@class"), Key::TypeId);
        let expression = b"dueDateExpression";
        assert_eq!(
            keys.classify(prefix_of(expression), expression),
            Key::Expression
        );
        assert_eq!(
            keys.classify(prefix_of(b"maxResult"), b"maxResult"),
            Key::Other
        );
    }

    #[test]
    fn a_thread_keeps_buffers_up_to_the_cap() {
        with_inspector(|json| {
            // 60,000 keys need a key list of about 1 MiB: freed afterwards.
            let members: Vec<String> = (0..60_000).map(|i| format!(r#""k{i}":0"#)).collect();
            let big = format!("{{{}}}", members.join(","));
            json.inspect(big.as_bytes(), None).expect("benign");
            let after_big = kept().unwrap_or(0);
            assert!(after_big <= RETAIN_BYTES, "kept {after_big} bytes");
            // A small body's buffers stay for the next one.
            let small = br#"{"a":[1,{"b":"\"c\""}],"v":{"type":"Json","value":"{\"d\":[]}"}}"#;
            json.inspect(small, None).expect("benign");
            assert!(kept().is_some_and(|bytes| bytes > 0));
            json.inspect(small, None).expect("the same verdict again");
        });
    }
}
