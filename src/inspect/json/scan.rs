//! A strict RFC 8259 scanner: one pass, an explicit stack (no recursion),
//! borrowing every key and string from the input, reporting structure to a
//! [`Visitor`].
//!
//! It rejects what a strict parser rejects (comments, single quotes, NaN,
//! leading zeros, trailing data, control characters, bad escapes, lone
//! surrogates) and, beyond RFC 8259, duplicate keys: Jackson keeps the last,
//! other parsers the first, so a guard that read one copy could be checking
//! a different document than the engine reads.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};

use super::strings::{self, Str, StringError};
use crate::policy::JsonPolicy;
use crate::violation::{Code, Violation};

/// What the scanner reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event<'a> {
    BeginObject,
    EndObject,
    BeginArray,
    EndArray,
    Key(Str<'a>),
    String(Str<'a>),
    Null,
    /// `true`, `false` or a number.
    Scalar,
}

/// A problem the visitor found. `tail` is appended to the JSON Pointer of
/// the place the scanner is at (the member whose value just ended, or the
/// object that just closed), e.g. `valueInfo/objectTypeName`.
#[derive(Debug)]
pub(crate) struct Fault {
    pub(crate) violation: Violation,
    pub(crate) tail: String,
}

/// Scanner errors are boxed: rare, and a small `Result` keeps the hot
/// paths cheap.
type Fail = Box<Violation>;

pub(crate) trait Visitor<'a> {
    /// Faults are boxed: they are rare, and a small `Result` keeps the
    /// per-event call cheap.
    fn event(&mut self, event: Event<'a>, at: usize) -> Result<(), Box<Fault>>;
}

/// One segment of the path to the value being read.
#[derive(Debug, Clone, Copy)]
enum Seg<'a> {
    Key(Str<'a>),
    Index(usize),
    /// An object whose first key has not been read yet.
    None,
}

struct Object {
    members: usize,
    /// Where this object's keys start in `Scanner::keys`.
    keys_from: usize,
    /// Hashes of the keys, once the object is too big for pairwise checks.
    index: Option<HashSet<u64, BuildHasherDefault<Prehashed>>>,
}

/// The index holds SipHash values already (keyed per scan); hashing them
/// again would only cost time.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

enum Container {
    Object(Object),
    Array(usize),
}

/// Objects up to this many members check duplicates pairwise; bigger ones
/// switch to a hash set, so a huge object costs O(n), not O(n²).
const PAIRWISE: usize = 16;

#[derive(Clone, Copy)]
enum Next {
    Value,
    FirstKeyOrEnd,
    FirstValueOrEnd,
    CommaOrEnd,
}

pub(crate) struct Scanner<'a, 'p> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    policy: &'p JsonPolicy,
    stack: Vec<Container>,
    path: Vec<Seg<'a>>,
    keys: Vec<(Str<'a>, u64)>,
    /// Keyed per scan: hashes an attacker cannot predict.
    hasher: Option<RandomState>,
}

impl<'a, 'p> Scanner<'a, 'p> {
    pub(crate) fn new(text: &'a str, policy: &'p JsonPolicy) -> Self {
        Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            policy,
            stack: Vec::new(),
            path: Vec::new(),
            keys: Vec::new(),
            hasher: None,
        }
    }

    /// The JSON Pointer (RFC 6901) of the current position, plus `tail`.
    fn pointer(&self, tail: &str) -> String {
        let mut out = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(key) => {
                    out.push('/');
                    for c in key.text().chars() {
                        match c {
                            '~' => out.push_str("~0"),
                            '/' => out.push_str("~1"),
                            c => out.push(c),
                        }
                    }
                }
                Seg::Index(i) => {
                    out.push('/');
                    out.push_str(&i.to_string());
                }
                Seg::None => {}
            }
        }
        if !tail.is_empty() {
            out.push('/');
            out.push_str(tail);
        }
        if out.is_empty() {
            out.push('/');
        }
        out
    }

    #[cold]
    fn fail(&self, code: Code, at: usize, message: &'static str) -> Fail {
        Box::new(Violation::new(code, self.pointer(""), message).at_offset(at))
    }

    #[cold]
    fn malformed(&self, at: usize, message: &'static str) -> Fail {
        self.fail(Code::JsonMalformed, at, message)
    }

    #[inline]
    fn visit<V: Visitor<'a>>(
        &self,
        visitor: &mut V,
        event: Event<'a>,
        at: usize,
    ) -> Result<(), Fail> {
        visitor
            .event(event, at)
            .map_err(|fault| self.located(*fault, at))
    }

    #[cold]
    fn located(&self, fault: Fault, at: usize) -> Fail {
        Box::new({
            let location = self.pointer(&fault.tail);
            let v = fault.violation;
            Violation::new(v.code(), location, v.message().to_owned())
                .at_offset(v.offset().unwrap_or(at))
        })
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    pub(crate) fn run<V: Visitor<'a>>(self, visitor: &mut V) -> Result<(), Violation> {
        self.run_boxed(visitor).map_err(|fail| *fail)
    }

    fn run_boxed<V: Visitor<'a>>(mut self, visitor: &mut V) -> Result<(), Fail> {
        let mut next = Next::Value;
        loop {
            self.skip_ws();
            next = match next {
                Next::Value => self.value(visitor)?,
                Next::FirstKeyOrEnd => {
                    if self.bytes.get(self.pos) == Some(&b'}') {
                        self.close(visitor)?
                    } else {
                        self.member(visitor)?
                    }
                }
                Next::FirstValueOrEnd => {
                    if self.bytes.get(self.pos) == Some(&b']') {
                        self.close(visitor)?
                    } else {
                        self.element()?
                    }
                }
                Next::CommaOrEnd => {
                    let at = self.pos;
                    match (self.stack.last(), self.bytes.get(at)) {
                        (None, None) => return Ok(()),
                        (None, Some(_)) => {
                            return Err(self.malformed(at, "data after the JSON value"));
                        }
                        (Some(Container::Object(_)), Some(b',')) => {
                            self.pos += 1;
                            self.skip_ws();
                            self.member(visitor)?
                        }
                        (Some(Container::Array(_)), Some(b',')) => {
                            self.pos += 1;
                            self.element()?
                        }
                        (Some(Container::Object(_)), Some(b'}'))
                        | (Some(Container::Array(_)), Some(b']')) => self.close(visitor)?,
                        (Some(_), None) => return Err(self.malformed(at, "unexpected end of JSON")),
                        (Some(Container::Object(_)), Some(_)) => {
                            return Err(self.malformed(at, "expected `,` or `}`"));
                        }
                        (Some(Container::Array(_)), Some(_)) => {
                            return Err(self.malformed(at, "expected `,` or `]`"));
                        }
                    }
                }
            };
        }
    }

    /// Reads one value; containers are opened, not read.
    fn value<V: Visitor<'a>>(&mut self, visitor: &mut V) -> Result<Next, Fail> {
        let at = self.pos;
        match self.bytes.get(at) {
            Some(b'{') | Some(b'[') => {
                if self.stack.len() >= self.policy.max_depth {
                    return Err(self.fail(
                        Code::JsonTooDeep,
                        at,
                        "objects and arrays nested too deeply",
                    ));
                }
                self.pos += 1;
                if self.bytes[at] == b'{' {
                    self.visit(visitor, Event::BeginObject, at)?;
                    self.stack.push(Container::Object(Object {
                        members: 0,
                        keys_from: self.keys.len(),
                        index: None,
                    }));
                    self.path.push(Seg::None);
                    Ok(Next::FirstKeyOrEnd)
                } else {
                    self.visit(visitor, Event::BeginArray, at)?;
                    self.stack.push(Container::Array(0));
                    self.path.push(Seg::Index(0));
                    Ok(Next::FirstValueOrEnd)
                }
            }
            Some(b'"') => {
                let s = self.string()?;
                self.visit(visitor, Event::String(s), at)?;
                Ok(Next::CommaOrEnd)
            }
            Some(b'n') => self.literal(b"null", Event::Null, visitor),
            Some(b't') => self.literal(b"true", Event::Scalar, visitor),
            Some(b'f') => self.literal(b"false", Event::Scalar, visitor),
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
                self.visit(visitor, Event::Scalar, at)?;
                Ok(Next::CommaOrEnd)
            }
            None => Err(self.malformed(at, "unexpected end of JSON")),
            Some(_) => Err(self.malformed(at, "not a JSON value")),
        }
    }

    fn literal<V: Visitor<'a>>(
        &mut self,
        word: &[u8],
        event: Event<'a>,
        visitor: &mut V,
    ) -> Result<Next, Fail> {
        let at = self.pos;
        if !self.bytes[at..].starts_with(word) {
            return Err(self.malformed(at, "not a JSON value"));
        }
        self.pos += word.len();
        self.visit(visitor, event, at)?;
        Ok(Next::CommaOrEnd)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<(), Fail> {
        let start = self.pos;
        let bytes = self.bytes;
        let mut i = start;
        let digits = |mut i: usize| {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            i
        };
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        match bytes.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => i = digits(i + 1),
            _ => return Err(self.malformed(start, "invalid number")),
        }
        if bytes.get(i) == Some(&b'.') {
            let after = digits(i + 1);
            if after == i + 1 {
                return Err(self.malformed(i, "invalid number"));
            }
            i = after;
        }
        if let Some(b'e' | b'E') = bytes.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = bytes.get(i) {
                i += 1;
            }
            let after = digits(i);
            if after == i {
                return Err(self.malformed(i, "invalid number"));
            }
            i = after;
        }
        if i - start > self.policy.max_number_length {
            return Err(self.fail(Code::JsonValueTooLarge, start, "number too long"));
        }
        self.pos = i;
        Ok(())
    }

    #[inline]
    fn string(&mut self) -> Result<Str<'a>, Fail> {
        let at = self.pos;
        // Most strings hold no escape: find the closing quote directly.
        let end = strings::skip_plain(self.bytes, at + 1);
        if self.bytes.get(end) == Some(&b'"') && end - at - 1 <= self.policy.max_string_bytes {
            self.pos = end + 1;
            if let Some(raw) = self.text.get(at + 1..end) {
                return Ok(Str::new(raw, at, false));
            }
        }
        self.string_slow(at)
    }

    #[inline(never)]
    fn string_slow(&mut self, at: usize) -> Result<Str<'a>, Fail> {
        let (end, escaped) = match strings::scan(self.bytes, at) {
            Ok(found) => found,
            Err(StringError::Unterminated) => {
                return Err(self.malformed(at, "string is not closed"));
            }
            Err(StringError::Control(i)) => {
                return Err(self.malformed(i, "control character in a string"));
            }
            Err(StringError::BadEscape(i)) => return Err(self.malformed(i, "invalid escape")),
            Err(StringError::LoneSurrogate(i)) => {
                return Err(self.malformed(i, "unpaired surrogate in a string"));
            }
        };
        if end - at - 1 > self.policy.max_string_bytes {
            return Err(self.fail(Code::JsonValueTooLarge, at, "string too long"));
        }
        self.pos = end + 1;
        Ok(Str::new(&self.text[at + 1..end], at, escaped))
    }

    /// Reads `"key" :` of the next member; the value follows.
    fn member<V: Visitor<'a>>(&mut self, visitor: &mut V) -> Result<Next, Fail> {
        let at = self.pos;
        // Until the key is read, problems are the object's, not the
        // previous member's.
        if let Some(seg) = self.path.last_mut() {
            *seg = Seg::None;
        }
        if self.bytes.get(at) != Some(&b'"') {
            return Err(self.malformed(at, "expected a string key"));
        }
        let key = self.string()?;
        if let Some(seg) = self.path.last_mut() {
            *seg = Seg::Key(key);
        }
        self.add_key(key)?;
        self.visit(visitor, Event::Key(key), at)?;
        self.skip_ws();
        if self.bytes.get(self.pos) != Some(&b':') {
            return Err(self.malformed(self.pos, "expected `:`"));
        }
        self.pos += 1;
        Ok(Next::Value)
    }

    /// Counts the next array element.
    fn element(&mut self) -> Result<Next, Fail> {
        let max = self.policy.max_members;
        let Some(Container::Array(len)) = self.stack.last_mut() else {
            return Err(self.malformed(self.pos, "expected a value"));
        };
        let index = *len;
        *len += 1;
        let over = *len > max;
        if let Some(seg) = self.path.last_mut() {
            *seg = Seg::Index(index);
        }
        if over {
            return Err(self.fail(
                Code::JsonTooManyMembers,
                self.pos,
                "too many array elements",
            ));
        }
        Ok(Next::Value)
    }

    /// Closes the innermost container (the closer is at `pos`).
    fn close<V: Visitor<'a>>(&mut self, visitor: &mut V) -> Result<Next, Fail> {
        let at = self.pos;
        self.pos += 1;
        let event = match self.stack.last() {
            Some(Container::Object(_)) => Event::EndObject,
            _ => Event::EndArray,
        };
        // The path now names the container itself, for the visitor's
        // findings about it as a whole (a typed variable, a wrapper array).
        self.path.pop();
        self.visit(visitor, event, at)?;
        if let Some(Container::Object(object)) = self.stack.pop() {
            self.keys.truncate(object.keys_from);
        }
        Ok(Next::CommaOrEnd)
    }

    fn hash(&mut self, key: &Str<'a>) -> u64 {
        let state = self.hasher.get_or_insert_with(RandomState::new);
        let mut h = state.build_hasher();
        h.write(key.text().as_bytes());
        h.write_u8(0xff);
        h.finish()
    }

    /// Records `key` in the innermost object, rejecting a duplicate.
    fn add_key(&mut self, key: Str<'a>) -> Result<(), Fail> {
        let max = self.policy.max_members;
        let Some(Container::Object(object)) = self.stack.last_mut() else {
            return Ok(());
        };
        object.members += 1;
        let members = object.members;
        let from = object.keys_from;
        let indexed = object.index.is_some();
        if members > max {
            return Err(self.fail(
                Code::JsonTooManyMembers,
                key.at(),
                "too many object members",
            ));
        }
        let duplicate = if members <= PAIRWISE {
            self.keys[from..]
                .iter()
                .any(|(other, _)| same_key(other, &key))
        } else {
            if !indexed {
                // Switch to hashing: index the keys read so far.
                let mut index =
                    HashSet::with_capacity_and_hasher(members * 2, BuildHasherDefault::default());
                for i in from..self.keys.len() {
                    let existing = self.keys[i].0;
                    let h = self.hash(&existing);
                    self.keys[i].1 = h;
                    index.insert(h);
                }
                if let Some(Container::Object(object)) = self.stack.last_mut() {
                    object.index = Some(index);
                }
            }
            let h = self.hash(&key);
            let fresh = match self.stack.last_mut() {
                Some(Container::Object(Object {
                    index: Some(index), ..
                })) => index.insert(h),
                _ => true,
            };
            let duplicate = !fresh
                && self.keys[from..]
                    .iter()
                    .any(|(other, other_hash)| *other_hash == h && same_key(other, &key));
            self.keys.push((key, h));
            if duplicate {
                return Err(self.fail(Code::JsonDuplicateKey, key.at(), "duplicate key"));
            }
            return Ok(());
        };
        if duplicate {
            return Err(self.fail(Code::JsonDuplicateKey, key.at(), "duplicate key"));
        }
        self.keys.push((key, 0));
        Ok(())
    }
}

/// Whether two keys are equal once unescaped.
fn same_key(a: &Str<'_>, b: &Str<'_>) -> bool {
    if !a.escaped() && !b.escaped() {
        a.raw == b.raw
    } else {
        a.text() == b.text()
    }
}
