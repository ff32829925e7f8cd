//! A strict RFC 8259 scanner: one pass, an explicit stack (no recursion),
//! no allocation per token. Strings are kept as [`Span`]s (offsets into the
//! text), so the stack, the key list and every other buffer carry no
//! lifetime and are reused across the documents of one request (see
//! [`Workspace`]).
//!
//! It rejects what a strict parser rejects (comments, single quotes, NaN,
//! leading zeros, trailing data, control characters, bad escapes, lone
//! surrogates) and, beyond RFC 8259, duplicate keys: Jackson keeps the last,
//! other parsers the first, so a guard that read one copy could be checking
//! a different document than the engine reads.
//!
//! What the values *mean* (typed variables, type ids) is `typed.rs`: the
//! scanner calls its hooks at each value, key and closed container.

use std::borrow::Cow;

use super::strings::{self, Escapes, StringError};
use super::typed::{Session, State};
use crate::violation::{Code, Violation};

/// Scanner errors are boxed: rare, and a small `Result` keeps the hot
/// paths cheap.
pub(super) type Fail = Box<Violation>;

/// A string as written in the document: `len` bytes after the opening
/// quote at `at`, holding escapes or not (when not, the raw text *is* the
/// value and nothing needs decoding).
///
/// One word (offset in the low 32 bits, length in the next 30, a flag for
/// strings whose only escapes are `\"` and one for escapes of any kind on
/// top): spans are returned and stored on the hottest path, and a struct of
/// narrower fields was written with narrow stores and read back with one
/// wide load, which the CPU cannot forward (a stall per string).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Span(u64);

const ESCAPED: u64 = 1 << 63;
const QUOTES_ONLY: u64 = 1 << 62;
const LENGTH: u64 = (1 << 30) - 1;

/// Documents up to this many bytes fit [`Span`]'s offsets and lengths.
const MAX_DOCUMENT: usize = 1 << 30;

impl Span {
    #[inline(always)]
    fn new(at: usize, len: usize, escaped: bool) -> Self {
        Span(at as u64 | (len as u64) << 32 | if escaped { ESCAPED } else { 0 })
    }

    fn with_escapes(at: usize, len: usize, escapes: Escapes) -> Self {
        match escapes {
            Escapes::None => Span::new(at, len, false),
            Escapes::QuotesOnly => Span(Span::new(at, len, true).0 | QUOTES_ONLY),
            Escapes::Other => Span::new(at, len, true),
        }
    }

    /// Offset of the opening quote.
    #[inline(always)]
    pub(super) fn at(self) -> usize {
        (self.0 & 0xFFFF_FFFF) as usize
    }

    #[inline(always)]
    pub(super) fn len(self) -> usize {
        ((self.0 >> 32) & LENGTH) as usize
    }

    /// Whether every escape is `\"` (see [`Parser`]'s quoted mode).
    pub(super) fn quotes_only(self) -> bool {
        self.0 & QUOTES_ONLY != 0
    }

    #[inline(always)]
    pub(super) fn escaped(self) -> bool {
        self.0 & ESCAPED != 0
    }

    /// The bytes between the quotes, as written.
    #[inline(always)]
    pub(super) fn raw_bytes(self, text: &[u8]) -> &[u8] {
        let from = self.at() + 1;
        text.get(from..from + self.len()).unwrap_or(&[])
    }

    /// The text between the quotes, as written. Documents are UTF-8 (the
    /// body was checked, and decoding a JSON string keeps it so) and both
    /// ends sit next to a quote; the check on this small slice only keeps
    /// that from resting on trust, and fails closed (an empty name).
    pub(super) fn raw(self, text: &[u8]) -> &str {
        let from = self.at() + 1;
        let bytes = text.get(from..from + self.len()).unwrap_or(&[]);
        std::str::from_utf8(bytes).unwrap_or("")
    }

    /// The value, escapes decoded; borrows when there are none.
    pub(super) fn text(self, text: &[u8]) -> Cow<'_, str> {
        let raw = self.raw(text);
        if self.escaped() {
            Cow::Owned(strings::unescape(raw))
        } else {
            Cow::Borrowed(raw)
        }
    }
}

/// One open object or array.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Frame {
    /// Offset of the `{` or `[`.
    pub(super) at: u32,
    /// Members or elements so far.
    pub(super) count: u32,
    /// Where this object's keys start in [`Workspace::keys`].
    keys_from: u32,
    pub(super) object: bool,
    /// Whether the keys are in [`Workspace::index`] yet.
    indexed: bool,
    /// Whether `key` names the member being read (for the JSON Pointer).
    has_key: bool,
    /// A bit per key read (objects up to [`PAIRWISE`] members): a key whose
    /// bit is clear is new, with no comparison.
    bloom: u64,
    key: Span,
    /// What the members say about this object (`typed.rs`).
    pub(super) typed: State,
}

/// A key read in an open object, for the duplicate check: its first eight
/// bytes (zero-padded) decide most comparisons without touching the text.
/// `place` says where its bytes are, as a [`Span`] of the text or (escaped
/// keys, decoded) of [`Workspace::decoded_keys`] with the flag set.
#[derive(Debug, Clone, Copy)]
struct KeyEntry {
    prefix: u64,
    place: Span,
}

/// Objects up to this many members check duplicates pairwise; bigger ones
/// switch to a hash set, so a huge object costs O(n), not O(n²).
const PAIRWISE: u32 = 16;

/// The scanner's buffers for one nesting level: reused by every document
/// at that level in a request, and kept for the thread's next request (see
/// `Session` in `typed.rs`, which caps what it keeps).
#[derive(Default)]
pub(super) struct Workspace {
    pub(super) stack: Vec<Frame>,
    keys: Vec<KeyEntry>,
    decoded_keys: Vec<u8>,
    /// Keyed hashes of (object offset, key) for objects past [`PAIRWISE`].
    /// One set serves every object of the document: the offset tells the
    /// objects apart, and a closed object's entries are never asked for
    /// again.
    index: HashIndex,
    /// The decoded text of a document carried in a string of this one.
    pub(super) carried: Vec<u8>,
}

impl Workspace {
    /// The memory its buffers hold.
    pub(super) fn retained_bytes(&self) -> usize {
        self.stack.capacity() * size_of::<Frame>()
            + self.keys.capacity() * size_of::<KeyEntry>()
            + self.decoded_keys.capacity()
            + self.index.slots.capacity() * size_of::<u32>()
            + self.carried.capacity()
    }

    fn clear(&mut self) {
        self.stack.clear();
        self.keys.clear();
        self.decoded_keys.clear();
        self.index.clear();
    }
}

/// A set of keyed hashes: open addressing, linear probing. The hashes are
/// SipHash values under a per-request key, so their bits are uniform and no
/// client can pile keys onto one probe run; 32 of the 64 bits are kept, to
/// halve the memory (a 32-bit match that is no duplicate only costs a key
/// comparison, and comes about once in 2^32 / n keys).
#[derive(Default)]
struct HashIndex {
    /// 0 marks a free slot (a hash of 0 is stored as 1; that only merges
    /// two hash values, and a merge costs a key comparison, never a miss).
    slots: Vec<u32>,
    len: usize,
}

impl HashIndex {
    /// Empties the set for the next document. Zeroing costs time in
    /// proportion to the table, so a table much bigger than what its last
    /// document used is dropped instead: otherwise one big carried document
    /// would make every small one after it in the request pay for a
    /// megabytes-long memset (an attacker's amplifier).
    fn clear(&mut self) {
        if self.len == 0 {
            return;
        }
        if self.slots.len() > 8 * self.len + 256 {
            self.slots = Vec::new();
        } else {
            self.slots.fill(0);
        }
        self.len = 0;
    }

    /// Adds `hash`; `false` if it was there already.
    fn insert(&mut self, hash: u64) -> bool {
        self.insert_short(((hash >> 32) as u32).max(1))
    }

    fn insert_short(&mut self, hash: u32) -> bool {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = hash;
                    self.len += 1;
                    return true;
                }
                h if h == hash => return false,
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        // Four times at a time: big objects are what this is for, and each
        // growth re-inserts everything.
        let capacity = (self.slots.len() * 4).max(256);
        let old = std::mem::replace(&mut self.slots, vec![0; capacity]);
        self.len = 0;
        for hash in old {
            if hash != 0 {
                self.insert_short(hash);
            }
        }
    }
}

/// SipHash-1-3 (Aumasson and Bernstein) over a sequence of 64-bit words,
/// under a 128-bit key. Callers feed an injective encoding (the length
/// first), so distinct keys are distinct messages.
#[derive(Debug, Clone, Copy)]
pub(super) struct SipKey(u64, u64);

impl SipKey {
    /// A fresh key from the standard library's per-process random seed.
    pub(super) fn random() -> Self {
        use std::hash::BuildHasher;
        let state = std::hash::RandomState::new();
        SipKey(state.hash_one(0x5eed_u64), state.hash_one(0xfeed_u64))
    }

    #[inline]
    fn hash(self, words: impl IntoIterator<Item = u64>) -> u64 {
        let mut v = [
            self.0 ^ 0x736f_6d65_7073_6575,
            self.1 ^ 0x646f_7261_6e64_6f6d,
            self.0 ^ 0x6c79_6765_6e65_7261,
            self.1 ^ 0x7465_6462_7974_6573,
        ];
        for m in words {
            v[3] ^= m;
            sip_round(&mut v);
            v[0] ^= m;
        }
        v[2] ^= 0xff;
        sip_round(&mut v);
        sip_round(&mut v);
        sip_round(&mut v);
        v[0] ^ v[1] ^ v[2] ^ v[3]
    }
}

#[inline(always)]
fn sip_round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13) ^ v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16) ^ v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21) ^ v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17) ^ v[2];
    v[2] = v[2].rotate_left(32);
}

/// A scalar value as the hooks see it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Scalar {
    Str(Span),
    Null,
    /// `true`, `false` or a number.
    Other,
}

#[inline(always)]
fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    // Nothing above the space is whitespace: one compare for the usual
    // case of none.
    while let Some(&c) = bytes.get(pos) {
        if c > b' ' || !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        pos += 1;
    }
    pos
}

/// The first eight bytes of `key`, zero-padded.
pub(super) fn prefix_of(key: &[u8]) -> u64 {
    prefix(key, 0, key.len())
}

/// The first eight bytes of `bytes[from..from + len]`, zero-padded. Reads
/// a whole word when the text goes on that far (it usually does: the key is
/// followed by its quote and more), else builds it in a register; never
/// through memory, which would stall on the narrow stores.
#[inline(always)]
fn prefix(bytes: &[u8], from: usize, len: usize) -> u64 {
    if let Some(chunk) = bytes.get(from..from + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        if len >= 8 {
            w
        } else {
            w & ((1u64 << (8 * len)) - 1)
        }
    } else {
        let head = bytes.get(from..from + len.min(8)).unwrap_or(&[]);
        head.iter()
            .enumerate()
            .fold(0, |w, (i, &b)| w | u64::from(b) << (8 * i))
    }
}

/// Why a string could not be read: invalid, or longer than the policy
/// allows (with the offset of its opening quote).
#[derive(Debug, Clone, Copy)]
enum StringFault {
    Invalid(StringError, usize),
    TooLong(usize),
}

/// Reads the string whose opening quote is at `at`; returns it and the
/// offset after its closing quote (in quoted mode, the `"` of the opening
/// `\"`, and the offset after the closing `\"`).
#[inline(always)]
fn read_string<const QUOTED: bool>(
    bytes: &[u8],
    at: usize,
    max: usize,
) -> Result<(Span, usize), StringFault> {
    // Most strings hold no escape: find the closing quote directly.
    let end = strings::skip_plain(bytes, at + 1);
    let len = end - at - 1;
    if QUOTED {
        // The text's only backslashes open `\"`, so the first stop is the
        // closing quote; anything else breaks that promise and is refused.
        if bytes.get(end) == Some(&b'\\') && bytes.get(end + 1) == Some(&b'"') {
            if len > max {
                return Err(StringFault::TooLong(at));
            }
            return Ok((Span::new(at, len, false), end + 2));
        }
        let error = if end >= bytes.len() {
            StringError::Unterminated
        } else {
            StringError::BadEscape(end)
        };
        return Err(StringFault::Invalid(error, at));
    }
    if bytes.get(end) == Some(&b'"') && len <= max {
        return Ok((Span::new(at, len, false), end + 1));
    }
    read_string_slow(bytes, at, max)
}

#[inline(never)]
fn read_string_slow(bytes: &[u8], at: usize, max: usize) -> Result<(Span, usize), StringFault> {
    let (end, escapes) = strings::scan(bytes, at).map_err(|e| StringFault::Invalid(e, at))?;
    let len = end - at - 1;
    if len > max {
        return Err(StringFault::TooLong(at));
    }
    Ok((Span::with_escapes(at, len, escapes), end + 1))
}

/// The bytes of a key (see [`KeyEntry`]): in the text, or decoded.
#[inline(always)]
fn key_bytes<'a>(text: &'a [u8], decoded: &'a [u8], place: Span) -> &'a [u8] {
    let source = if place.escaped() { decoded } else { text };
    source
        .get(place.at()..place.at() + place.len())
        .unwrap_or(&[])
}

/// Whether `other` is the key with first eight bytes `prefix` at `place`.
#[inline(always)]
fn same_key(text: &[u8], decoded: &[u8], other: &KeyEntry, prefix: u64, place: Span) -> bool {
    other.prefix == prefix
        && other.place.len() == place.len()
        // Up to eight bytes, the prefix is the whole key.
        && (place.len() <= 8
            || key_bytes(text, decoded, other.place) == key_bytes(text, decoded, place))
}

/// Scans one document, `embedded` documents deep (0: the body).
///
/// In *quoted* mode (`QUOTED`) the text is a carried document as written
/// inside its string, every quote escaped (`{\"a\":1}`), read where it lies
/// instead of decoded into a copy first. Only strings whose escapes are all
/// `\"` are read this way ([`Span::quotes_only`]): their decoded text has no
/// backslash at all, and is the written text with each `\"` read as `"`. So
/// wherever the grammar reads a `"` this mode reads `\"`, and it sees the
/// same tokens, strings, keys and structure as a scan of the decoded copy;
/// a tested property (the verdict on a document carried either way is the
/// verdict on the document itself) holds it to that.
pub(super) struct Parser<'t, 'w, 's, 'i, const QUOTED: bool = false> {
    /// The document: UTF-8, though only the slices the hooks report are
    /// read as `str`.
    pub(super) text: &'t [u8],
    bytes: &'t [u8],
    pub(super) ws: &'w mut Workspace,
    pub(super) session: &'s mut Session<'i>,
    pub(super) embedded: usize,
    max_depth: usize,
    max_string: usize,
    max_number: usize,
    max_members: u32,
}

impl<'t, 'w, 's, 'i, const QUOTED: bool> Parser<'t, 'w, 's, 'i, QUOTED> {
    pub(super) fn new(
        text: &'t [u8],
        ws: &'w mut Workspace,
        session: &'s mut Session<'i>,
        embedded: usize,
    ) -> Self {
        ws.clear();
        let policy = session.inspector.policy;
        Parser {
            text,
            bytes: text,
            ws,
            max_depth: policy.max_depth,
            max_string: policy.max_string_bytes,
            max_number: policy.max_number_length,
            max_members: u32::try_from(policy.max_members).unwrap_or(u32::MAX),
            session,
            embedded,
        }
    }

    /// The JSON Pointer (RFC 6901) of the member or element being read,
    /// plus `tail`.
    pub(super) fn pointer(&self, tail: &str) -> String {
        let mut out = String::new();
        for frame in &self.ws.stack {
            if frame.object {
                if frame.has_key {
                    out.push('/');
                    for c in frame.key.text(self.text).chars() {
                        match c {
                            '~' => out.push_str("~0"),
                            '/' => out.push_str("~1"),
                            c => out.push(c),
                        }
                    }
                }
            } else {
                out.push('/');
                out.push_str(&frame.count.saturating_sub(1).to_string());
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
    pub(super) fn fail(
        &self,
        code: Code,
        at: usize,
        message: impl Into<Cow<'static, str>>,
        tail: &str,
    ) -> Fail {
        Box::new(Violation::new(code, self.pointer(tail), message).at_offset(at))
    }

    #[cold]
    fn malformed(&self, at: usize, message: &'static str) -> Fail {
        self.fail(Code::JsonMalformed, at, message, "")
    }

    pub(super) fn run(mut self) -> Result<(), Violation> {
        self.document().map_err(|fail| *fail)
    }

    fn document(&mut self) -> Result<(), Fail> {
        // Offsets are kept in 32 bits and lengths in 30 (see `Span`); no
        // body limit comes near this.
        if self.bytes.len() >= MAX_DOCUMENT {
            return Err(self.fail(Code::JsonValueTooLarge, 0, "document too large", ""));
        }
        let b = self.bytes;
        let mut pos = 0;
        'value: loop {
            pos = skip_ws(b, pos);
            let at = pos;
            match b.get(at) {
                Some(b'{') => {
                    self.open(true, at)?;
                    pos = skip_ws(b, at + 1);
                    if b.get(pos) == Some(&b'}') {
                        self.close_object()?;
                        pos += 1;
                    } else {
                        pos = self.member(pos)?;
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    self.open(false, at)?;
                    pos = skip_ws(b, at + 1);
                    if b.get(pos) == Some(&b']') {
                        self.close_array()?;
                        pos += 1;
                    } else {
                        self.element(pos)?;
                        continue 'value;
                    }
                }
                Some(b'"') if !QUOTED => {
                    let (s, end) = self.string(at)?;
                    self.scalar(Scalar::Str(s), at)?;
                    pos = end;
                }
                Some(b'\\') if QUOTED && b.get(at + 1) == Some(&b'"') => {
                    let (s, end) = self.string(at + 1)?;
                    self.scalar(Scalar::Str(s), at + 1)?;
                    pos = end;
                }
                Some(b'n') => {
                    pos = self.literal(at, b"null")?;
                    self.scalar(Scalar::Null, at)?;
                }
                Some(b't') => {
                    pos = self.literal(at, b"true")?;
                    self.scalar(Scalar::Other, at)?;
                }
                Some(b'f') => {
                    pos = self.literal(at, b"false")?;
                    self.scalar(Scalar::Other, at)?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    pos = self.number(at)?;
                    self.scalar(Scalar::Other, at)?;
                }
                None => return Err(self.malformed(at, "unexpected end of JSON")),
                Some(_) => return Err(self.malformed(at, "not a JSON value")),
            }
            // A value ended: commas and closers until the next value.
            loop {
                pos = skip_ws(b, pos);
                let Some(top) = self.ws.stack.last() else {
                    if pos == b.len() {
                        return Ok(());
                    }
                    return Err(self.malformed(pos, "data after the JSON value"));
                };
                let object = top.object;
                match b.get(pos) {
                    Some(b',') => {
                        if object {
                            pos = skip_ws(b, pos + 1);
                            pos = self.member(pos)?;
                        } else {
                            pos += 1;
                            self.element(pos)?;
                        }
                        continue 'value;
                    }
                    Some(b'}') if object => {
                        self.close_object()?;
                        pos += 1;
                    }
                    Some(b']') if !object => {
                        self.close_array()?;
                        pos += 1;
                    }
                    None => return Err(self.malformed(pos, "unexpected end of JSON")),
                    Some(_) if object => return Err(self.malformed(pos, "expected `,` or `}`")),
                    Some(_) => return Err(self.malformed(pos, "expected `,` or `]`")),
                }
            }
        }
    }

    /// Opens an object or array at `at`.
    #[inline]
    fn open(&mut self, object: bool, at: usize) -> Result<(), Fail> {
        if self.ws.stack.len() >= self.max_depth {
            return Err(self.fail(
                Code::JsonTooDeep,
                at,
                "objects and arrays nested too deeply",
                "",
            ));
        }
        self.container_value(at)?;
        let keys_from = self.ws.keys.len() as u32;
        self.ws.stack.push(Frame {
            at: at as u32,
            object,
            keys_from,
            ..Frame::default()
        });
        Ok(())
    }

    fn literal(&self, at: usize, word: &[u8]) -> Result<usize, Fail> {
        if !self.bytes[at..].starts_with(word) {
            return Err(self.malformed(at, "not a JSON value"));
        }
        Ok(at + word.len())
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; returns the
    /// offset after it.
    #[inline]
    fn number(&self, start: usize) -> Result<usize, Fail> {
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
        if i - start > self.max_number {
            return Err(self.fail(Code::JsonValueTooLarge, start, "number too long", ""));
        }
        Ok(i)
    }

    /// Reads the string whose opening quote is at `at`; returns it and the
    /// offset after its closing quote.
    #[inline(always)]
    fn string(&self, at: usize) -> Result<(Span, usize), Fail> {
        read_string::<QUOTED>(self.bytes, at, self.max_string).map_err(|e| self.string_failed(e))
    }

    #[cold]
    #[inline(never)]
    fn string_failed(&self, fault: StringFault) -> Fail {
        match fault {
            StringFault::Invalid(StringError::Unterminated, at) => {
                self.malformed(at, "string is not closed")
            }
            StringFault::Invalid(StringError::Control(i), _) => {
                self.malformed(i, "control character in a string")
            }
            StringFault::Invalid(StringError::BadEscape(i), _) => {
                self.malformed(i, "invalid escape")
            }
            StringFault::Invalid(StringError::LoneSurrogate(i), _) => {
                self.malformed(i, "unpaired surrogate in a string")
            }
            StringFault::TooLong(at) => {
                self.fail(Code::JsonValueTooLarge, at, "string too long", "")
            }
        }
    }

    /// Reads `"key" :` at `at`; returns the offset of the value.
    ///
    /// The path every key takes, kept in one piece: a plain key in an
    /// object of up to [`PAIRWISE`] members is read, checked for a
    /// duplicate and classified with the top frame fetched once. Escaped
    /// keys, big objects and every error leave for [`Self::add_key`] and
    /// the cold paths.
    #[inline(always)]
    fn member(&mut self, at: usize) -> Result<usize, Fail> {
        let bytes = self.bytes;
        let ws = &mut *self.ws;
        let Some(frame) = ws.stack.last_mut() else {
            return Err(self.malformed(at, "expected a value"));
        };
        let quote = if QUOTED && bytes.get(at) == Some(&b'\\') {
            at + 1
        } else {
            at
        };
        if bytes.get(quote) != Some(&b'"') {
            // Problems before the key is read are the object's, not the
            // previous member's.
            frame.has_key = false;
            return Err(self.malformed(at, "expected a string key"));
        }
        let (key, end) = match read_string::<QUOTED>(bytes, quote, self.max_string) {
            Ok(read) => read,
            Err(fault) => {
                frame.has_key = false;
                return Err(self.string_failed(fault));
            }
        };
        frame.key = key;
        frame.has_key = true;
        frame.count += 1;
        if key.escaped() || frame.count > PAIRWISE.min(self.max_members) {
            self.add_key(key)?;
        } else {
            let len = key.len();
            let prefix = prefix(bytes, key.at() + 1, len);
            let bit = 1u64 << ((prefix ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58);
            let maybe_seen = frame.bloom & bit != 0;
            frame.bloom |= bit;
            let place = Span::new(key.at() + 1, len, false);
            let from = frame.keys_from as usize;
            if maybe_seen
                && ws.keys[from..]
                    .iter()
                    .any(|other| same_key(bytes, &ws.decoded_keys, other, prefix, place))
            {
                return Err(self.fail(Code::JsonDuplicateKey, key.at(), "duplicate key", ""));
            }
            ws.keys.push(KeyEntry { prefix, place });
            let name = bytes.get(place.at()..place.at() + len).unwrap_or(&[]);
            frame.typed.class = self.session.keys.classify(prefix, name);
        }
        let pos = skip_ws(bytes, end);
        if bytes.get(pos) != Some(&b':') {
            return Err(self.malformed(pos, "expected `:`"));
        }
        Ok(pos + 1)
    }

    /// Counts the next array element, which starts at `at`.
    #[inline]
    fn element(&mut self, at: usize) -> Result<(), Fail> {
        let max = self.max_members;
        let Some(frame) = self.ws.stack.last_mut() else {
            return Ok(());
        };
        frame.count += 1;
        if frame.count > max {
            return Err(self.fail(Code::JsonTooManyMembers, at, "too many array elements", ""));
        }
        Ok(())
    }

    /// Closes the innermost object (its `}` was read).
    #[inline]
    fn close_object(&mut self) -> Result<(), Fail> {
        // Popped first: the pointer now names the object itself, for what
        // the hooks find about it as a whole (a typed variable).
        let Some(frame) = self.ws.stack.pop() else {
            return Ok(());
        };
        self.ws.keys.truncate(frame.keys_from as usize);
        self.object_closed(&frame)
    }

    /// Closes the innermost array (its `]` was read).
    #[inline]
    fn close_array(&mut self) -> Result<(), Fail> {
        let Some(frame) = self.ws.stack.pop() else {
            return Ok(());
        };
        self.array_closed(&frame)
    }

    /// Records `key` (already counted) in the innermost object, rejecting
    /// a duplicate, and tells the hooks which key it is: the general path,
    /// for escaped keys and objects past [`PAIRWISE`] members.
    #[inline(never)]
    fn add_key(&mut self, key: Span) -> Result<(), Fail> {
        let max = self.max_members;
        let Some(frame) = self.ws.stack.last_mut() else {
            return Ok(());
        };
        let members = frame.count;
        let from = frame.keys_from as usize;
        let object_at = frame.at;
        let indexed = frame.indexed;
        if members > max {
            return Err(self.fail(
                Code::JsonTooManyMembers,
                key.at(),
                "too many object members",
                "",
            ));
        }
        // The key's bytes: in the text, or decoded (escaped keys are rare,
        // and suspicious: compare them as the engine will read them).
        let place = if key.escaped() {
            let decoded_from = self.ws.decoded_keys.len();
            strings::unescape_into(key.raw_bytes(self.text), &mut self.ws.decoded_keys);
            Span::new(
                decoded_from,
                self.ws.decoded_keys.len() - decoded_from,
                true,
            )
        } else {
            Span::new(key.at() + 1, key.len(), false)
        };
        let source: &[u8] = if place.escaped() {
            &self.ws.decoded_keys
        } else {
            self.bytes
        };
        let prefix = prefix(source, place.at(), place.len());
        let duplicate = if members <= PAIRWISE {
            let bit =
                1u64 << ((prefix ^ place.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58);
            let Some(frame) = self.ws.stack.last_mut() else {
                return Ok(());
            };
            let maybe_seen = frame.bloom & bit != 0;
            frame.bloom |= bit;
            maybe_seen
                && self.ws.keys[from..]
                    .iter()
                    .any(|other| same_key(self.bytes, &self.ws.decoded_keys, other, prefix, place))
        } else {
            if !indexed {
                // Switch to hashing: index the keys read so far.
                for i in from..self.ws.keys.len() {
                    let other = self.ws.keys[i];
                    let h = self.key_hash(object_at, other.prefix, other.place);
                    self.ws.index.insert(h);
                }
                if let Some(frame) = self.ws.stack.last_mut() {
                    frame.indexed = true;
                }
            }
            let h = self.key_hash(object_at, prefix, place);
            // A hit is a duplicate or (keyed SipHash: with odds no client
            // can steer) a collision; only then are keys compared.
            !self.ws.index.insert(h)
                && self.ws.keys[from..]
                    .iter()
                    .any(|other| same_key(self.bytes, &self.ws.decoded_keys, other, prefix, place))
        };
        if duplicate {
            return Err(self.fail(Code::JsonDuplicateKey, key.at(), "duplicate key", ""));
        }
        self.ws.keys.push(KeyEntry { prefix, place });
        let class = self.session.keys.classify(prefix, self.place_bytes(place));
        if let Some(frame) = self.ws.stack.last_mut() {
            frame.typed.class = class;
        }
        Ok(())
    }

    /// The bytes of a key (see [`KeyEntry`]).
    #[inline(always)]
    fn place_bytes(&self, place: Span) -> &[u8] {
        let source: &[u8] = if place.escaped() {
            &self.ws.decoded_keys
        } else {
            self.bytes
        };
        source
            .get(place.at()..place.at() + place.len())
            .unwrap_or(&[])
    }

    /// SipHash (keyed per request) of the key and its object: the object's
    /// offset and the key's length, then the key's bytes as words (read
    /// from the whole source, so that a short tail is still one load).
    fn key_hash(&mut self, object_at: u32, prefix: u64, place: Span) -> u64 {
        let key = self.session.hasher();
        let head = u64::from(object_at) << 32 | place.len() as u64;
        let (from, len) = (place.at(), place.len());
        if len <= 8 {
            // Most keys: the prefix is the whole key.
            return key.hash([head, prefix]);
        }
        let source: &[u8] = if place.escaped() {
            &self.ws.decoded_keys
        } else {
            self.bytes
        };
        if len <= 16 {
            return key.hash([head, prefix, self::prefix(source, from + 8, len - 8)]);
        }
        let rest = (8..len)
            .step_by(8)
            .map(|off| self::prefix(source, from + off, len - off));
        key.hash([head, prefix].into_iter().chain(rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_index_finds_what_it_holds_across_growth() {
        let key = SipKey(1, 2);
        let mut index = HashIndex::default();
        for i in 0..10_000u64 {
            assert!(index.insert(key.hash([i])), "{i} is new");
        }
        assert!(index.slots.len() >= 20_000, "grown past half full");
        for i in 0..10_000u64 {
            assert!(!index.insert(key.hash([i])), "{i} is held");
        }
        index.clear();
        assert!(index.insert(key.hash([7])));
        // A document that used one slot does not leave the next one a
        // large table to zero: clearing costs what the document used.
        index.clear();
        assert!(index.slots.is_empty(), "{} slots kept", index.slots.len());
        assert!(index.insert(key.hash([7])));
        // A hash of 0 is kept (as 1), not lost as a free slot.
        assert!(index.insert(0));
        assert!(!index.insert(0));
    }

    #[test]
    fn sip_key_hashes_depend_on_key_and_every_word() {
        let a = SipKey(1, 2);
        let b = SipKey(1, 3);
        assert_eq!(a.hash([1, 2, 3]), a.hash([1, 2, 3]));
        assert_ne!(a.hash([1, 2, 3]), b.hash([1, 2, 3]));
        assert_ne!(a.hash([1, 2, 3]), a.hash([1, 2, 4]));
        assert_ne!(a.hash([1, 2]), a.hash([1, 2, 0]));
        let (r1, r2) = (SipKey::random(), SipKey::random());
        assert_ne!((r1.0, r1.1), (r2.0, r2.1), "each request gets its own key");
    }

    #[test]
    fn prefixes_are_the_first_eight_bytes_zero_padded() {
        let text = b"abcdefghijkl";
        assert_eq!(prefix(text, 0, 0), 0);
        assert_eq!(prefix(text, 0, 1), u64::from(b'a'));
        assert_eq!(prefix(text, 0, 8), u64::from_le_bytes(*b"abcdefgh"));
        assert_eq!(prefix(text, 0, 12), u64::from_le_bytes(*b"abcdefgh"));
        // Near the end the word is built byte by byte, with the same result.
        assert_eq!(prefix(text, 9, 3), prefix(b"jkl_____", 0, 3));
        assert_eq!(prefix_of(b"jkl"), prefix(text, 9, 3));
    }

    #[test]
    fn spans_pack_offset_length_and_flag() {
        let span = Span::new(0xFFFF_FFFF, (1 << 30) - 1, true);
        assert_eq!(span.at(), 0xFFFF_FFFF);
        assert_eq!(span.len(), (1 << 30) - 1);
        assert!(span.escaped());
        let plain = Span::new(3, 5, false);
        assert_eq!((plain.at(), plain.len(), plain.escaped()), (3, 5, false));
        assert_eq!(plain.raw(b"abc\"hello\""), "hello");
        assert_eq!(Span::new(0, 9, true).text(br#""ty\u0070e""#), "type");
    }
}
