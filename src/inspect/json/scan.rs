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
//! What the values *mean* is not the scanner's business: it reports keys,
//! values and containers to a [`Hooks`] implementation, in the manner of
//! serde's `Visitor` or quick-xml's events. The hooks are a type parameter,
//! so each implementation gets its own copy of the scanner with the calls
//! inlined: a hook that ignores an event costs nothing, and the scanner
//! stays the same code it was when the rules lived inside it.

use std::borrow::Cow;
use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use super::strings::{self, Escapes, StringError};
use crate::policy::JsonPolicy;
use crate::violation::{Code, Violation};

/// Scanner errors are boxed: rare, and a small `Result` keeps the hot
/// paths cheap.
type Fail = Box<Violation>;

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

/// One open object or array. The scanner's bookkeeping is private; the
/// hooks see where it opened, what it is, how many members or elements it
/// has so far, and keep what they gather in `state`.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Frame<S> {
    /// Offset of the `{` or `[`.
    at: u32,
    /// Members or elements so far.
    count: u32,
    /// Where this object's keys start in [`Workspace::keys`].
    keys_from: u32,
    object: bool,
    /// Whether the keys are in [`Workspace::index`] yet.
    indexed: bool,
    /// Whether `key` names the member being read (for the JSON Pointer).
    has_key: bool,
    /// A bit per key read (objects up to [`PAIRWISE`] members): a key whose
    /// bit is clear is new, with no comparison.
    bloom: u64,
    key: Span,
    /// What the hooks gather about this container while it is read.
    pub(super) state: S,
}

impl<S> Frame<S> {
    /// Offset of the `{` or `[`.
    #[inline(always)]
    pub(super) fn at(&self) -> usize {
        self.at as usize
    }

    /// Members or elements read so far, the one being read included.
    #[inline(always)]
    pub(super) fn count(&self) -> u32 {
        self.count
    }

    /// An object (else an array).
    #[inline(always)]
    pub(super) fn is_object(&self) -> bool {
        self.object
    }
}

/// A scalar value as the hooks see it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Scalar {
    Str(Span),
    /// A number of `len` bytes, as written from the value's offset.
    Number(usize),
    /// `true` or `false`.
    Bool,
    Null,
}

/// A hook's objection to the document: what is wrong and where, with a
/// `tail` to add to the JSON Pointer of the value being read (the scanner
/// knows the path, the hook only what it judged). Boxed: rare, and a small
/// `Result` keeps the hot paths cheap.
#[derive(Debug)]
pub(super) struct Objection {
    code: Code,
    at: usize,
    message: Cow<'static, str>,
    tail: Cow<'static, str>,
    /// A refused class and the rule that refused it.
    decided_by: Option<(String, String)>,
}

impl Objection {
    /// The same objection, naming the refused class and its rule.
    pub(super) fn decided_by(mut self: Box<Self>, class: &str, rule: String) -> Reject {
        self.decided_by = Some((class.to_owned(), rule));
        self
    }
}

/// What a hook returns to reject the document.
pub(super) type Reject = Box<Objection>;

/// A hook's rejection of the document: `code` at byte `at`, the pointer of
/// the value being read plus `tail`.
#[cold]
pub(super) fn reject(
    code: Code,
    at: usize,
    message: impl Into<Cow<'static, str>>,
    tail: impl Into<Cow<'static, str>>,
) -> Reject {
    Box::new(Objection {
        code,
        at,
        message: message.into(),
        tail: tail.into(),
        decided_by: None,
    })
}

/// What the scanner tells the rules that give a document its meaning.
///
/// Events come in document order. `parent` is the innermost open container
/// (`None` for the document's root value); a value's member key was
/// reported by [`Hooks::key`] before it, and an element's place is its
/// parent's [`Frame::count`]. Strings are handed over as [`Span`]s of the
/// text: nothing is decoded or copied unless the hooks ask.
///
/// Every method is called from the scanner's innermost loop: implement
/// them `#[inline(always)]` and keep the common "nothing to see" case to
/// a test or two, leaving the rest to an out-of-line function.
pub(super) trait Hooks {
    /// What an open object or array gathers about itself, kept in its
    /// [`Frame`]: a few words, copied, never allocated.
    type State: Default + Copy;

    /// An object (`object`) or array opens at `at`, as the value of the
    /// member or element being read in `parent`. Returns the new
    /// container's state.
    fn open(
        &mut self,
        parent: Option<&mut Frame<Self::State>>,
        object: bool,
        at: usize,
    ) -> Result<Self::State, Reject>;

    /// A key of `object` was read (duplicates are refused before this):
    /// `key` is its bytes as a reader of the document sees them, escapes
    /// decoded, and `prefix` their first eight zero-padded (see
    /// [`prefix_of`]), which the scanner has at hand anyway.
    fn key(&mut self, object: &mut Frame<Self::State>, prefix: u64, key: &[u8]);

    /// A string, number, boolean or null at `at`, the value of the member
    /// or element being read in `parent`.
    fn scalar(
        &mut self,
        parent: Option<&mut Frame<Self::State>>,
        value: Scalar,
        at: usize,
    ) -> Result<(), Reject>;

    /// `closed` ended. It is off the stack already, so a rejection names
    /// the container itself, not its last member; `parent` is the
    /// container it is a value in.
    fn close(
        &mut self,
        closed: &Frame<Self::State>,
        parent: Option<&mut Frame<Self::State>>,
    ) -> Result<(), Reject>;
}

/// Hooks that want nothing: the bare scanner, for validation alone.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct NoHooks;

impl Hooks for NoHooks {
    type State = ();

    #[inline(always)]
    fn open(&mut self, _: Option<&mut Frame<()>>, _: bool, _: usize) -> Result<(), Reject> {
        Ok(())
    }

    #[inline(always)]
    fn key(&mut self, _: &mut Frame<()>, _: u64, _: &[u8]) {}

    #[inline(always)]
    fn scalar(&mut self, _: Option<&mut Frame<()>>, _: Scalar, _: usize) -> Result<(), Reject> {
        Ok(())
    }

    #[inline(always)]
    fn close(&mut self, _: &Frame<()>, _: Option<&mut Frame<()>>) -> Result<(), Reject> {
        Ok(())
    }
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

/// The scanner's buffers for one document: reused by the next document
/// its owner scans (the JSON inspector keeps one per nesting level of
/// carried documents, per thread, and caps what it keeps).
pub(super) struct Workspace<S> {
    stack: Vec<Frame<S>>,
    keys: Vec<KeyEntry>,
    decoded_keys: Vec<u8>,
    /// The keys of objects past [`PAIRWISE`] members. One set serves every
    /// object of the document: the object's offset goes into each hash,
    /// and a closed object's entries are never asked for again.
    index: KeyIndex,
}

impl<S> Default for Workspace<S> {
    fn default() -> Self {
        Workspace {
            stack: Vec::new(),
            keys: Vec::new(),
            decoded_keys: Vec::new(),
            index: KeyIndex::default(),
        }
    }
}

impl<S> Workspace<S> {
    /// The memory its buffers hold.
    pub(super) fn retained_bytes(&self) -> usize {
        self.stack.capacity() * size_of::<Frame<S>>()
            + self.keys.capacity() * size_of::<KeyEntry>()
            + self.decoded_keys.capacity()
            + self.index.allocation_size()
    }

    fn clear(&mut self) {
        self.stack.clear();
        self.keys.clear();
        self.decoded_keys.clear();
        self.index.clear();
    }
}

/// The duplicate-key set of big objects: a `hashbrown` table of 64-bit
/// keyed hashes of (object offset, key). A hit is a duplicate or a
/// hash collision, and only then are the object's keys compared.
///
/// # Security (HashDoS)
///
/// Keys come from the client. With a hash function the client can compute
/// (FxHash, an unkeyed SipHash, ...) it could send an object whose keys
/// all share one probe sequence, and every insert would walk all the keys
/// before it: O(n²) work for an n-member body, a denial of service bought
/// with a few hundred kilobytes. The hash is therefore drawn at random
/// from a family the client cannot steer, under a secret key:
///
/// * Keys of up to 16 bytes (nearly all of them) are three 64-bit words
///   `x` (the object's offset and the key's length, then the key
///   zero-padded), hashed by *vector multiply-shift*: `h(x) = ((b + Σ aᵢxᵢ)
///   mod 2¹²⁸) >> 64` with `aᵢ`, `b` secret and uniform in 128 bits.
///   This family is strongly universal (Dietzfelbinger 1996; Thorup,
///   "High Speed Hashing for Integers and Strings", 2015): for any two
///   distinct keys, whatever they are, the two hashes are independent and
///   uniform over the draw of the key. So any set of keys a client picks
///   has, in expectation, exactly as many full collisions (n²/2⁶⁵) and
///   shared probe groups as random keys would: there is no set worth
///   sending. Strong universality bounds pairs, not how a whole set
///   spreads, and multiply-shift is linear: keys in arithmetic
///   progression (`order1`, `order2`, ...) map onto a lattice, and for
///   some draws of the key a lattice whose points crowd a few of the
///   table's slot groups (a property test saw one group of 1,024 take
///   7.5 times its share). A fixed bijection after it ([`finish`], the
///   MurmurHash3 finaliser) keeps every pair's independence (a bijection
///   of a uniform value is uniform, and of distinct values distinct) and
///   breaks the linear structure, so a crafted progression spreads as
///   random keys do. It costs a few multiplications, where SipHash took a
///   hundred instructions in a dependent chain that the table's lookup
///   waited for (19% of the scan of the 1 MiB body).
/// * Longer keys are hashed with SipHash-1-3 (std's `HashMap` function, a
///   keyed pseudorandom function) under a secret 128-bit key, which a
///   client cannot evaluate without the key.
///
/// Universality is a guarantee against a client that picks its keys
/// without seeing hashes, which holds here: the key is drawn afresh for
/// each document that used the set (from a fresh std `RandomState`,
/// seeded from the OS per thread and stepped per instance, whose own
/// SipHash of fixed constants gives the key words), and a document's keys
/// are all sent before any of them is hashed, so nothing learned (from
/// timings, over many requests) about one document's key says anything
/// about the next one's.
///
/// # Layout
///
/// A body's `variables` object can hold hundreds of thousands of members,
/// and every insert lands at a random place in a table of megabytes: the
/// cost is the cache miss, not the instructions. hashbrown's layout suits
/// that: an insert of a new key (nearly all of them) reads only the
/// one-byte control group of its slot, an array an eighth the size of the
/// hashes (half a megabyte for the largest bodies, which stays in L2), and
/// only *writes* the 8-byte hash, which the CPU does not wait for. (A
/// plain array of hashes, probed linearly, was tried: one miss per insert,
/// 24% of the scan on the 32 MiB body against 12% here.) The stored values
/// are the hashes themselves, so rehashing on growth is a copy and the
/// control bytes come from their top bits. The hash is computed inline
/// over the words the key already is (std's `Hasher` buffers bytes through
/// a generic `write`), and it is short: the lookup's first load waits for
/// it.
struct KeyIndex {
    table: HashTable<u64>,
    key: IndexKey,
}

/// The secret draw of [`KeyIndex`]'s hash: multiply-shift coefficients for
/// short keys, a SipHash key for long ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct IndexKey {
    a: [u128; 3],
    b: u128,
    sip: (u64, u64),
}

impl Default for KeyIndex {
    fn default() -> Self {
        KeyIndex {
            table: HashTable::new(),
            key: fresh_key(),
        }
    }
}

/// A fixed bijection of 64-bit words (the finaliser of MurmurHash3, as
/// splitmix64 uses it), applied to the multiply-shift hash: see
/// [`KeyIndex`] for why.
#[inline(always)]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A secret [`IndexKey`], new on every call (see [`KeyIndex`]).
fn fresh_key() -> IndexKey {
    let state = RandomState::new();
    let word = |i: u64| state.hash_one(0x6b65_7900_u64 | i);
    let wide = |i: u64| u128::from(word(2 * i)) << 64 | u128::from(word(2 * i + 1));
    IndexKey {
        a: [wide(0), wide(1), wide(2)],
        b: wide(3),
        sip: (word(8), word(9)),
    }
}

/// SipHash-1-3's state: one compression round per 8-byte word, three to
/// finish (Aumasson and Bernstein's construction, as std uses it).
struct Sip {
    v: [u64; 4],
    words: u64,
}

impl Sip {
    #[inline(always)]
    fn new((k0, k1): (u64, u64)) -> Self {
        Sip {
            v: [
                k0 ^ 0x736f_6d65_7073_6575,
                k1 ^ 0x646f_7261_6e64_6f6d,
                k0 ^ 0x6c79_6765_6e65_7261,
                k1 ^ 0x7465_6462_7974_6573,
            ],
            words: 0,
        }
    }

    #[inline(always)]
    fn round(&mut self) {
        let [v0, v1, v2, v3] = &mut self.v;
        *v0 = v0.wrapping_add(*v1);
        *v1 = v1.rotate_left(13) ^ *v0;
        *v0 = v0.rotate_left(32);
        *v2 = v2.wrapping_add(*v3);
        *v3 = v3.rotate_left(16) ^ *v2;
        *v0 = v0.wrapping_add(*v3);
        *v3 = v3.rotate_left(21) ^ *v0;
        *v2 = v2.wrapping_add(*v1);
        *v1 = v1.rotate_left(17) ^ *v2;
        *v2 = v2.rotate_left(32);
    }

    #[inline(always)]
    fn word(&mut self, m: u64) {
        self.v[3] ^= m;
        self.round();
        self.v[0] ^= m;
        self.words += 1;
    }

    /// The hash of the words written: SipHash-1-3 of their 8·n bytes
    /// (little-endian), with its final block holding the length.
    #[inline(always)]
    fn finish(mut self) -> u64 {
        let last = (self.words.wrapping_mul(8) & 0xff) << 56;
        self.v[3] ^= last;
        self.round();
        self.v[0] ^= last;
        self.v[2] ^= 0xff;
        self.round();
        self.round();
        self.round();
        let [v0, v1, v2, v3] = self.v;
        v0 ^ v1 ^ v2 ^ v3
    }
}

impl KeyIndex {
    /// Empties the set for the next document, under a fresh key. Clearing
    /// costs time in proportion to the table, so a table much bigger than
    /// what its last document used is dropped instead: otherwise one big
    /// carried document would make every small one after it in the request
    /// pay to clear a large table (an attacker's amplifier).
    fn clear(&mut self) {
        if self.table.is_empty() {
            return;
        }
        if self.table.capacity() > 8 * self.table.len() + 256 {
            self.table = HashTable::new();
        } else {
            self.table.clear();
        }
        self.key = fresh_key();
    }

    /// The bytes its table holds.
    fn allocation_size(&self) -> usize {
        self.table.allocation_size()
    }

    /// The keyed hash of the key at `place` of `source` in the object at
    /// `object_at`: of the offset and the key's length, then the key as
    /// zero-padded words (injective: the length says where the padding
    /// is). Keys of up to 16 bytes, nearly all of them, are three words,
    /// two of them read whole from the text (see [`prefix`]), hashed by
    /// multiply-shift; longer ones go through SipHash (see [`KeyIndex`]).
    /// `first` is the key's [`prefix`], which the caller has at hand.
    #[inline]
    fn hash(&self, object_at: u32, source: &[u8], place: Span, first: u64) -> u64 {
        let (from, len) = (place.at(), place.len());
        let head = u64::from(object_at) << 32 | len as u64;
        if len <= 16 {
            let second = if len > 8 {
                prefix(source, from + 8, len - 8)
            } else {
                0
            };
            let [a0, a1, a2] = self.key.a;
            let sum = self
                .key
                .b
                .wrapping_add(a0.wrapping_mul(u128::from(head)))
                .wrapping_add(a1.wrapping_mul(u128::from(first)))
                .wrapping_add(a2.wrapping_mul(u128::from(second)));
            return finish((sum >> 64) as u64);
        }
        self.hash_long(head, source, from, len)
    }

    /// [`Self::hash`] of a key longer than 16 bytes: SipHash-1-3.
    #[inline(never)]
    fn hash_long(&self, head: u64, source: &[u8], from: usize, len: usize) -> u64 {
        let mut sip = Sip::new(self.key.sip);
        sip.word(head);
        let end = from + len;
        let mut at = from;
        while at < end {
            sip.word(prefix(source, at, end - at));
            at += 8;
        }
        sip.finish()
    }

    /// Adds `hash`; `false` if it was there already.
    #[inline]
    fn insert(&mut self, hash: u64) -> bool {
        match self.table.entry(hash, |&held| held == hash, |&held| held) {
            Entry::Occupied(_) => false,
            Entry::Vacant(slot) => {
                slot.insert(hash);
                true
            }
        }
    }
}

/// Lists a plain (unescaped) key of the open object whose keys start at
/// `from` in the key list, unless `maybe_seen` (the index or the object's
/// filter has met its hash before) and an earlier key is the same one:
/// then `false`, a duplicate. Keys are only compared on such a hit.
#[inline(always)]
fn list_plain_key(
    keys: &mut Vec<KeyEntry>,
    decoded: &[u8],
    bytes: &[u8],
    from: usize,
    prefix: u64,
    place: Span,
    maybe_seen: bool,
) -> bool {
    if maybe_seen
        && keys
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .any(|other| same_key(bytes, decoded, other, prefix, place))
    {
        return false;
    }
    keys.push(KeyEntry { prefix, place });
    true
}

/// Whether the open object at `object` has a member before the key whose
/// quote is at `until` named `key` (decoded bytes): asked only when the
/// key's hash hit [`KeyIndex`], which for a big object is the only record
/// of its keys. A hit is a duplicate, or a collision of 64-bit keyed
/// hashes, which no client can steer; so this runs about once per
/// document with a duplicate (which is then refused) and, in practice,
/// never otherwise, and one pass over the object costs no more than
/// reading it did.
///
/// The text from `object` to `until` has been scanned and accepted, so a
/// value is skipped by counting brackets outside strings, and strings end
/// where [`strings::scan`] says (in quoted mode, at the next `\"`: such
/// text holds no other backslash). Earlier keys are compared decoded, as
/// the engine reads them.
#[cold]
#[inline(never)]
fn seen_earlier<const QUOTED: bool>(bytes: &[u8], object: usize, until: usize, key: &[u8]) -> bool {
    // Where the string opening at `at` (its `"`) ends, past its closing
    // quote, and its decoded bytes.
    let string = |at: usize| -> (usize, std::borrow::Cow<'_, [u8]>) {
        if QUOTED {
            let end = memchr::memchr(b'\\', bytes.get(at + 1..).unwrap_or(&[]))
                .map_or(bytes.len(), |i| at + 1 + i);
            let raw = bytes.get(at + 1..end).unwrap_or(&[]);
            (end + 2, Cow::Borrowed(raw))
        } else {
            match strings::scan(bytes, at) {
                Ok((end, escapes)) => {
                    let raw = bytes.get(at + 1..end).unwrap_or(&[]);
                    let text = if escapes == Escapes::None {
                        Cow::Borrowed(raw)
                    } else {
                        let mut decoded = Vec::new();
                        strings::unescape_into(raw, &mut decoded);
                        Cow::Owned(decoded)
                    };
                    (end + 1, text)
                }
                Err(_) => (bytes.len(), Cow::Borrowed(&[][..])),
            }
        }
    };
    // The opening `"` of a string that starts at `at`, if one does.
    let opens = |at: usize| -> Option<usize> {
        match bytes.get(at) {
            Some(b'"') if !QUOTED => Some(at),
            Some(b'\\') if QUOTED && bytes.get(at + 1) == Some(&b'"') => Some(at + 1),
            _ => None,
        }
    };
    let mut pos = object + 1;
    loop {
        pos = skip_ws(bytes, pos);
        let Some(quote) = opens(pos) else {
            return false;
        };
        if quote >= until {
            return false;
        }
        let (after, name) = string(quote);
        if *name == *key {
            return true;
        }
        // `:` and the value, up to the `,` after it.
        pos = skip_ws(bytes, after);
        if bytes.get(pos) != Some(&b':') {
            return false;
        }
        pos += 1;
        let mut depth = 0usize;
        loop {
            if let Some(quote) = opens(pos) {
                pos = string(quote).0;
                continue;
            }
            match bytes.get(pos) {
                None => return false,
                Some(b'{' | b'[') => depth += 1,
                Some(b'}' | b']') if depth == 0 => return false,
                Some(b'}' | b']') => depth -= 1,
                Some(b',') if depth == 0 => break,
                Some(_) => {}
            }
            pos += 1;
        }
        pos += 1;
    }
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

/// The bytes a key's `place` points into (see [`KeyEntry`]): the text,
/// or the decoded keys.
#[inline(always)]
fn key_source<'a>(text: &'a [u8], decoded: &'a [u8], place: Span) -> &'a [u8] {
    if place.escaped() { decoded } else { text }
}

/// The bytes of a key (see [`KeyEntry`]): in the text, or decoded.
#[inline(always)]
fn key_bytes<'a>(text: &'a [u8], decoded: &'a [u8], place: Span) -> &'a [u8] {
    key_source(text, decoded, place)
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

/// Scans one document under `policy`'s limits, reporting to `hooks`; hands
/// the hooks back when the document passes.
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
///
/// The text is UTF-8 (the caller checked it); the scanner itself reads
/// bytes, and only the slices the hooks ask for are read as `str`.
pub(super) fn scan<const QUOTED: bool, H: Hooks>(
    text: &[u8],
    ws: &mut Workspace<H::State>,
    policy: &JsonPolicy,
    hooks: &mut H,
) -> Result<(), Violation> {
    ws.clear();
    let mut parser = Parser::<H, QUOTED> {
        bytes: text,
        ws,
        hooks,
        max_depth: policy.max_depth,
        max_string: policy.max_string_bytes,
        max_number: policy.max_number_length,
        max_members: u32::try_from(policy.max_members).unwrap_or(u32::MAX),
    };
    match parser.document() {
        Ok(()) => Ok(()),
        Err(fail) => Err(*fail),
    }
}

/// One scan in progress (see [`scan`]). The hooks are held by value, so
/// whatever they reach through is one load away, as it was when the rules
/// were methods of the parser.
struct Parser<'t, 'w, H: Hooks, const QUOTED: bool> {
    bytes: &'t [u8],
    ws: &'w mut Workspace<H::State>,
    hooks: &'w mut H,
    max_depth: usize,
    max_string: usize,
    max_number: usize,
    max_members: u32,
}

impl<H: Hooks, const QUOTED: bool> Parser<'_, '_, H, QUOTED> {
    /// The JSON Pointer (RFC 6901) of the member or element being read,
    /// plus `tail`.
    fn pointer(&self, tail: &str) -> String {
        let mut out = String::new();
        for frame in &self.ws.stack {
            if frame.object {
                if frame.has_key {
                    out.push('/');
                    for c in frame.key.text(self.bytes).chars() {
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
    fn fail(
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

    /// A hook's objection, placed: the pointer of the value being read
    /// plus the hook's tail.
    #[cold]
    #[inline(never)]
    fn rejected(&self, objection: Objection) -> Fail {
        let Objection {
            code,
            at,
            message,
            tail,
            decided_by,
        } = objection;
        let violation = Violation::new(code, self.pointer(&tail), message).at_offset(at);
        Box::new(match decided_by {
            Some((class, rule)) => violation.decided_by(&class, rule),
            None => violation,
        })
    }

    /// Reports a scalar at `at` to the hooks.
    #[inline(always)]
    fn scalar(&mut self, value: Scalar, at: usize) -> Result<(), Fail> {
        match self.hooks.scalar(self.ws.stack.last_mut(), value, at) {
            Ok(()) => Ok(()),
            Err(objection) => Err(self.rejected(*objection)),
        }
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
                    self.scalar(Scalar::Bool, at)?;
                }
                Some(b'f') => {
                    pos = self.literal(at, b"false")?;
                    self.scalar(Scalar::Bool, at)?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    pos = self.number(at)?;
                    self.scalar(Scalar::Number(pos - at), at)?;
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

    /// Opens an object or array at `at`. Inlined into its two callers: a
    /// call cost a fifth of its own instructions in saved registers.
    #[inline(always)]
    fn open(&mut self, object: bool, at: usize) -> Result<(), Fail> {
        if self.ws.stack.len() >= self.max_depth {
            return Err(self.fail(
                Code::JsonTooDeep,
                at,
                "objects and arrays nested too deeply",
                "",
            ));
        }
        let state = match self.hooks.open(self.ws.stack.last_mut(), object, at) {
            Ok(state) => state,
            Err(objection) => return Err(self.rejected(*objection)),
        };
        let keys_from = self.ws.keys.len() as u32;
        self.ws.stack.push(Frame {
            at: at as u32,
            count: 0,
            keys_from,
            object,
            indexed: false,
            has_key: false,
            bloom: 0,
            key: Span::default(),
            state,
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
        if frame.indexed && !key.escaped() && frame.count <= self.max_members {
            // A plain key of an object already indexed (past PAIRWISE
            // members): what `add_key` does for it, inline, with the
            // prefix read once for the hash, the key list and the hooks.
            let len = key.len();
            let place = Span::new(key.at() + 1, len, false);
            let prefix = prefix(bytes, place.at(), len);
            let hash = ws.index.hash(frame.at, bytes, place, prefix);
            // A hit is a duplicate or (a keyed hash: with odds no client
            // can steer) a collision; only then is the object read again.
            if !ws.index.insert(hash) {
                let name = bytes.get(place.at()..place.at() + len).unwrap_or(&[]);
                if seen_earlier::<QUOTED>(bytes, frame.at(), key.at(), name) {
                    return Err(self.fail(Code::JsonDuplicateKey, key.at(), "duplicate key", ""));
                }
            }
            let name = bytes.get(place.at()..place.at() + len).unwrap_or(&[]);
            self.hooks.key(frame, prefix, name);
        } else if key.escaped() || frame.count > PAIRWISE.min(self.max_members) {
            self.add_key(key)?;
        } else {
            let len = key.len();
            let prefix = prefix(bytes, key.at() + 1, len);
            let bit = 1u64 << ((prefix ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58);
            let maybe_seen = frame.bloom & bit != 0;
            frame.bloom |= bit;
            let place = Span::new(key.at() + 1, len, false);
            let from = frame.keys_from as usize;
            if !list_plain_key(
                &mut ws.keys,
                &ws.decoded_keys,
                bytes,
                from,
                prefix,
                place,
                maybe_seen,
            ) {
                return Err(self.fail(Code::JsonDuplicateKey, key.at(), "duplicate key", ""));
            }
            let name = bytes.get(place.at()..place.at() + len).unwrap_or(&[]);
            self.hooks.key(frame, prefix, name);
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
    #[inline(always)]
    fn close_object(&mut self) -> Result<(), Fail> {
        let Some(frame) = self.ws.stack.last() else {
            return Ok(());
        };
        let keys_from = frame.keys_from as usize;
        self.ws.keys.truncate(keys_from);
        self.closed()
    }

    /// Closes the innermost array (its `]` was read).
    #[inline]
    fn close_array(&mut self) -> Result<(), Fail> {
        self.closed()
    }

    /// Tells the hooks the innermost container closed, and takes it off
    /// the stack. The hooks read it where it lies (a frame is a hundred
    /// bytes, copied out by a pop on the hottest path); it is popped
    /// before a rejection is placed, so the pointer names the container
    /// itself, not its last member.
    #[inline(always)]
    fn closed(&mut self) -> Result<(), Fail> {
        let Some((frame, rest)) = self.ws.stack.split_last_mut() else {
            return Ok(());
        };
        let result = self.hooks.close(frame, rest.last_mut());
        self.ws.stack.pop();
        match result {
            Ok(()) => Ok(()),
            Err(objection) => Err(self.rejected(*objection)),
        }
    }

    /// Records `key` (already counted) in the innermost object, rejecting
    /// a duplicate, and reports it to the hooks: the general path,
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
        let decoded_from = self.ws.decoded_keys.len();
        let place = if key.escaped() {
            strings::unescape_into(key.raw_bytes(self.bytes), &mut self.ws.decoded_keys);
            Span::new(
                decoded_from,
                self.ws.decoded_keys.len() - decoded_from,
                true,
            )
        } else {
            Span::new(key.at() + 1, key.len(), false)
        };
        let prefix = prefix(
            key_source(self.bytes, &self.ws.decoded_keys, place),
            place.at(),
            place.len(),
        );
        let ws = &mut *self.ws;
        if members <= PAIRWISE {
            let bit =
                1u64 << ((prefix ^ place.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58);
            let Some(frame) = ws.stack.last_mut() else {
                return Ok(());
            };
            let maybe_seen = frame.bloom & bit != 0;
            frame.bloom |= bit;
            if maybe_seen
                && ws.keys[from..]
                    .iter()
                    .any(|other| same_key(self.bytes, &ws.decoded_keys, other, prefix, place))
            {
                return Err(self.fail(Code::JsonDuplicateKey, key.at(), "duplicate key", ""));
            }
            ws.keys.push(KeyEntry { prefix, place });
        } else {
            if !indexed {
                // Switch to hashing: index the keys read so far, and keep
                // no list of this object's keys from here on (see
                // `seen_earlier`): for the biggest objects the list was
                // megabytes, written, grown and copied for a comparison
                // that a hit alone asks for.
                for other in &ws.keys[from..] {
                    let source = key_source(self.bytes, &ws.decoded_keys, other.place);
                    let hash = ws.index.hash(object_at, source, other.place, other.prefix);
                    ws.index.insert(hash);
                }
                ws.keys.truncate(from);
                if let Some(frame) = ws.stack.last_mut() {
                    frame.indexed = true;
                }
            }
            let source = key_source(self.bytes, &ws.decoded_keys, place);
            let hash = ws.index.hash(object_at, source, place, prefix);
            // A hit is a duplicate or (a keyed hash: with odds no client
            // can steer) a collision; only then is the object read again.
            if !ws.index.insert(hash) {
                let name = key_bytes(self.bytes, &ws.decoded_keys, place);
                if seen_earlier::<QUOTED>(self.bytes, object_at as usize, key.at(), name) {
                    return Err(self.fail(Code::JsonDuplicateKey, key.at(), "duplicate key", ""));
                }
            }
        }
        let name = key_bytes(self.bytes, &ws.decoded_keys, place);
        if let Some(frame) = ws.stack.last_mut() {
            self.hooks.key(frame, prefix, name);
        }
        if members > PAIRWISE {
            // Listed nowhere: its decoded bytes are not needed again.
            ws.decoded_keys.truncate(decoded_from);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Unit tests only (never compiled into the library): an `unwrap` here
    //! is a test assertion on fixed inputs, not a path a request can reach.

    use super::*;

    /// The bare scanner's verdict on `text` under the default limits:
    /// `"ok"` or the code and location.
    fn verdict(text: &str) -> String {
        verdict_in::<false>(text.as_bytes())
    }

    /// The same, in quoted mode or not.
    fn verdict_in<const QUOTED: bool>(text: &[u8]) -> String {
        let mut ws = Workspace::default();
        match scan::<QUOTED, _>(text, &mut ws, &JsonPolicy::default(), &mut NoHooks) {
            Ok(()) => "ok".to_owned(),
            Err(v) => format!("{} at {}", v.code().as_str(), v.location()),
        }
    }

    /// An object of `n` members with keys `name(0)`, `name(1)`, ...
    fn object(n: usize, name: impl Fn(usize) -> String) -> String {
        let members: Vec<String> = (0..n).map(|i| format!("\"{}\":{i}", name(i))).collect();
        format!("{{{}}}", members.join(","))
    }

    /// `key`'s hash in the object at `object_at`.
    fn hash(index: &KeyIndex, object_at: u32, key: &[u8]) -> u64 {
        index.hash(
            object_at,
            key,
            Span::new(0, key.len(), false),
            prefix_of(key),
        )
    }

    #[test]
    fn key_index_finds_what_it_holds_across_growth() {
        let mut index = KeyIndex::default();
        let keys: Vec<String> = (0..10_000).map(|i| format!("k{i}")).collect();
        for key in &keys {
            let hash = hash(&index, 7, key.as_bytes());
            assert!(index.insert(hash), "{key} is new");
        }
        assert!(index.table.capacity() >= 10_000, "grown");
        for key in &keys {
            let hash = hash(&index, 7, key.as_bytes());
            assert!(!index.insert(hash), "{key} is held");
        }
        // The object's offset is part of the hash: the same key in another
        // object is another entry.
        let elsewhere = hash(&index, 8, b"k0");
        assert!(index.insert(elsewhere));
    }

    #[test]
    fn the_index_hash_is_siphash_1_3() {
        // std's `DefaultHasher::new()` is SipHash-1-3 under the zero key
        // (unspecified, but so since Rust 1.13; should that change, this
        // needs another reference): the inline one must give the same hash
        // of the same bytes, so it keeps SipHash's keyed strength.
        use std::hash::Hasher;
        for words in [
            &[][..],
            &[1],
            &[0x0123_4567_89ab_cdef, 42],
            &[7, 8, 9, 10, 11],
        ] {
            let mut sip = Sip::new((0, 0));
            let mut std = std::collections::hash_map::DefaultHasher::new();
            for &w in words {
                sip.word(w);
                std.write(&w.to_le_bytes());
            }
            assert_eq!(sip.finish(), std.finish(), "{words:?}");
        }
        // And keyed: two draws give two keys, and two hashes of one key.
        let (a, b) = (fresh_key().sip, fresh_key().sip);
        assert_ne!(a, b);
        let hash = |key| {
            let mut sip = Sip::new(key);
            sip.word(1);
            sip.finish()
        };
        assert_ne!(hash(a), hash(b));
    }

    #[test]
    fn short_keys_hash_by_multiply_shift_and_long_ones_by_siphash() {
        let index = KeyIndex {
            key: IndexKey {
                a: [3, 5 << 64, 7 << 64],
                b: 11 << 64,
                sip: (1, 2),
            },
            ..KeyIndex::default()
        };
        // (b + a0·head + a1·first + a2·second) >> 64, then the fixed
        // finaliser, worked by hand:
        // head = 9 << 32 | 9 (offset 9, length 9), first = "abcdefgh",
        // second = "i".
        let first = u64::from_le_bytes(*b"abcdefgh");
        let expected = (11u128 + 5 * u128::from(first) + 7 * u128::from(b'i'))
            .wrapping_add((3 * u128::from(9u64 << 32 | 9)) >> 64);
        assert_eq!(hash(&index, 9, b"abcdefghi"), finish(expected as u64));
        // Past 16 bytes: SipHash-1-3 of the same words under the SipHash key.
        let long = b"abcdefghijklmnopq";
        let mut sip = Sip::new((1, 2));
        for word in [
            17u64,
            u64::from_le_bytes(*b"abcdefgh"),
            u64::from_le_bytes(*b"ijklmnop"),
            u64::from(b'q'),
        ] {
            sip.word(word);
        }
        assert_eq!(hash(&index, 0, long), sip.finish());
        // Under a drawn key, every byte of a 16-byte key counts.
        let index = KeyIndex::default();
        let key = *b"0123456789abcdef";
        let base = hash(&index, 0, &key);
        for i in 0..16 {
            let mut other = key;
            other[i] ^= 1;
            assert_ne!(hash(&index, 0, &other), base, "byte {i}");
        }
    }

    #[test]
    fn the_finaliser_is_a_bijection_that_mixes() {
        // Its steps invert (an xor-shift by 33 of 64 bits undoes itself
        // when applied twice; the multipliers are odd), so distinct
        // hashes stay distinct; and neighbours land far apart.
        let unshift = |h: u64| h ^ (h >> 33);
        let inverse = |m: u64| {
            // Newton's iteration for the inverse of an odd number mod 2^64.
            let mut x = m;
            for _ in 0..5 {
                x = x.wrapping_mul(2u64.wrapping_sub(m.wrapping_mul(x)));
            }
            x
        };
        let (m1, m2) = (0xff51_afd7_ed55_8ccd_u64, 0xc4ce_b9fe_1a85_ec53_u64);
        for h in [0, 1, 2, 0x1234_5678_9abc_def0, u64::MAX] {
            let back = unshift(
                unshift(unshift(finish(h)).wrapping_mul(inverse(m2))).wrapping_mul(inverse(m1)),
            );
            assert_eq!(back, h);
            assert!((finish(h) ^ finish(h.wrapping_add(1))).count_ones() > 16);
        }
    }

    #[test]
    fn crafted_keys_spread_over_the_table() {
        // Keys that differ only in one byte, or only in their high bytes,
        // or only in length: whatever their pattern, their hashes spread
        // over the top bits (hashbrown's tags) and the low ones (its
        // slots) as random ones would. A bucket of 1,024 holding five
        // times its share would happen by chance with odds far below
        // 10⁻¹⁰⁰ for random hashes.
        let index = KeyIndex::default();
        let families: [Box<dyn Fn(u32) -> Vec<u8>>; 3] = [
            Box::new(|i| format!("order{i}").into_bytes()),
            Box::new(|i| {
                let mut key = vec![b'x'; 16];
                key[8..12].copy_from_slice(&i.to_be_bytes());
                key
            }),
            Box::new(|i| {
                vec![b'a'; (i % 16 + 1) as usize]
                    .into_iter()
                    .chain(i.to_le_bytes())
                    .collect()
            }),
        ];
        for family in &families {
            let mut low = vec![0u32; 1024];
            let mut tags = [0u32; 128];
            let n = 64 * 1024;
            for i in 0..n {
                let h = hash(&index, 0, &family(i));
                low[(h & 1023) as usize] += 1;
                tags[(h >> 57) as usize] += 1;
            }
            let (most_low, most_tag) = (low.iter().max(), tags.iter().max());
            assert!(most_low.is_some_and(|&m| m < 5 * n / 1024), "{most_low:?}");
            assert!(most_tag.is_some_and(|&m| m < 2 * n / 128), "{most_tag:?}");
        }
    }

    #[test]
    fn key_index_rekeys_and_sheds_a_big_table_when_cleared() {
        let mut index = KeyIndex::default();
        let before = hash(&index, 0, b"key");
        for i in 0..10_000u32 {
            let hash = hash(&index, i, b"key");
            index.insert(hash);
        }
        index.clear();
        assert!(index.table.is_empty());
        assert_ne!(
            hash(&index, 0, b"key"),
            before,
            "each document gets its own key"
        );
        // A document that used one entry does not leave the next one a
        // large table to clear: clearing costs what the document used.
        let one = hash(&index, 0, b"key");
        index.insert(one);
        index.clear();
        assert_eq!(index.table.capacity(), 0, "kept {}", index.table.capacity());
        // Hashes depend on every byte and on the length, short keys and
        // long ones, whatever follows the key in its text.
        assert_ne!(hash(&index, 0, b"ab"), hash(&index, 0, b"ac"));
        assert_ne!(hash(&index, 0, b"a"), hash(&index, 0, b"a\0"));
        assert_ne!(
            hash(&index, 0, b"abcdefgh-1"),
            hash(&index, 0, b"abcdefgh-2")
        );
        assert_ne!(hash(&index, 0, b"abcdefgh"), hash(&index, 0, b"abcdefgh\0"));
        let long = [b'x'; 40];
        assert_ne!(hash(&index, 0, &long[..29]), hash(&index, 0, &long[..30]));
        let text = b"key1key2 and more text after them";
        assert_eq!(
            index.hash(3, text, Span::new(0, 4, false), prefix_of(b"key1")),
            hash(&index, 3, b"key1")
        );
    }

    #[test]
    fn duplicates_are_found_in_small_and_big_objects() {
        for n in [2, 15, 16, 17, 100, 5_000] {
            // The last key repeats one read early, before the object
            // switched to hashing (for the big ones), and one read late.
            for dup in [0, n - 2] {
                let mut text = object(n - 1, |i| format!("key{i}"));
                text.insert_str(text.len() - 1, &format!(",\"key{dup}\":true"));
                assert_eq!(
                    verdict(&text),
                    format!("json-duplicate-key at /key{dup}"),
                    "{n} members, key{dup} twice"
                );
            }
            assert_eq!(verdict(&object(n, |i| format!("key{i}"))), "ok", "{n}");
        }
    }

    #[test]
    fn keys_sharing_eight_bytes_and_length_are_told_apart() {
        // Same first eight bytes, same length: only the tail differs, so
        // the prefix and the bloom bit say "maybe" every time.
        for n in [10, 16, 40, 3_000] {
            let text = object(n, |i| format!("abcdefgh{i:06}"));
            assert_eq!(verdict(&text), "ok", "{n} distinct keys");
            let mut text = object(n, |i| format!("abcdefgh{i:06}"));
            text.insert_str(text.len() - 1, &format!(",\"abcdefgh{:06}\":0", n / 2));
            assert_eq!(
                verdict(&text),
                format!("json-duplicate-key at /abcdefgh{:06}", n / 2)
            );
        }
        // Keys of up to eight bytes are their prefix: zero padding must not
        // make `a` and `a\u0000` one key, nor `ab` and `ab\u0000\u0000`.
        assert_eq!(verdict(r#"{"a":1,"a\u0000":2}"#), "ok");
        assert_eq!(verdict(r#"{"ab":1,"ab\u0000\u0000":2}"#), "ok");
    }

    #[test]
    fn escaped_and_plain_spellings_of_a_key_are_one_key() {
        assert_eq!(verdict(r#"{"a":1,"\u0061":2}"#), "json-duplicate-key at /a");
        assert_eq!(verdict(r#"{"\u0061":1,"a":2}"#), "json-duplicate-key at /a");
        assert_eq!(
            verdict(r#"{"t\/pe":1,"t/pe":2}"#),
            "json-duplicate-key at /t~1pe"
        );
        // Past the pairwise limit too, in either order, long keys as well.
        for (first, second) in [
            ("longer-than-eight", r"longer-than-\u0065ight"),
            (r"longer-than-\u0065ight", "longer-than-eight"),
            ("a", r"\u0061"),
        ] {
            let mut text = object(40, |i| format!("key{i}"));
            text.insert_str(
                text.len() - 1,
                &format!(",\"{first}\":1,\"pad\":2,\"{second}\":3"),
            );
            assert!(
                verdict(&text).starts_with("json-duplicate-key at /"),
                "{first} / {second}: {}",
                verdict(&text)
            );
        }
        assert_eq!(verdict(r#"{"\u0061":1,"\u0062":2}"#), "ok");
    }

    /// Member `i` of an object for the re-reading of big objects: values
    /// of every kind, with brackets, commas and quotes inside strings and
    /// the member's own key again in a nested object. `escapes` allows
    /// backslashes other than `\"` (not in quoted mode's text).
    fn tricky_member(i: usize, escapes: bool) -> String {
        match i % 6 {
            0 => format!(r#""k{i}":"a,b}}c]d{{[""#),
            1 => format!(r#""k{i}":{{"k{i}":1,"x":[1,{{"y":"}}"}}],"z":{{}}}}"#),
            2 if escapes => format!(r#""k{i}":["\"],\\",2,[]]"#),
            3 => format!("\"k{i}\" :\n true "),
            4 => format!(r#""k{i}":-1.5e3"#),
            _ => format!(r#""k{i}":null"#),
        }
    }

    /// The bare scanner's verdict on `text` read as a carried document in
    /// quoted mode (`text` has no backslash; each quote gets one).
    fn quoted_verdict(text: &str) -> String {
        verdict_in::<true>(text.replace('"', "\\\"").as_bytes())
    }

    #[test]
    fn big_objects_are_read_again_past_any_value_to_confirm_a_duplicate() {
        // A big object keeps no list of its keys: a hash hit is settled by
        // reading the object again. Every earlier key, repeated after
        // values of every kind, plainly or escaped, is found; a key that
        // is only repeated inside a nested object is no duplicate.
        for n in [17, 18, 40] {
            for escapes in [false, true] {
                let members: Vec<String> = (0..n).map(|i| tricky_member(i, escapes)).collect();
                let text = format!("{{{}}}", members.join(","));
                assert_eq!(verdict(&text), "ok", "{text}");
                if !escapes {
                    assert_eq!(quoted_verdict(&text), "ok", "{text}");
                }
                for dup in 0..n {
                    let spellings = if escapes {
                        vec![format!("k{dup}"), format!(r"\u006b{dup}")]
                    } else {
                        vec![format!("k{dup}")]
                    };
                    for spelling in spellings {
                        let text = format!("{{{},\"{spelling}\":0,\"last\":1}}", members.join(","));
                        let expected = format!("json-duplicate-key at /k{dup}");
                        assert_eq!(verdict(&text), expected, "{text}");
                        if !escapes {
                            assert_eq!(quoted_verdict(&text), expected, "{text}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn reading_an_object_again_finds_only_its_own_earlier_keys() {
        // As on a hash collision: the question is asked of keys that are
        // not there too.
        let members: Vec<String> = (0..20).map(|i| tricky_member(i, true)).collect();
        let text = format!("{{{},\"k5\":0}}", members.join(","));
        let until = text.rfind("\"k5\"").unwrap();
        let bytes = text.as_bytes();
        assert!(seen_earlier::<false>(bytes, 0, until, b"k5"));
        assert!(seen_earlier::<false>(bytes, 0, until, b"k19"));
        // Nested keys, values and the key being read are not earlier keys.
        for absent in [&b"x"[..], b"y", b"z", b"a,b}c]d{[", b"k20", b"k", b""] {
            assert!(!seen_earlier::<false>(bytes, 0, until, absent));
        }
        // Only the keys before `until` count.
        let early = text.find("\"k3\"").unwrap();
        assert!(seen_earlier::<false>(bytes, 0, early, b"k2"));
        assert!(!seen_earlier::<false>(bytes, 0, early, b"k3"));
        assert!(!seen_earlier::<false>(bytes, 0, early, b"k19"));
        // Quoted mode reads `\"` as the quote.
        let members: Vec<String> = (0..20).map(|i| tricky_member(i, false)).collect();
        let text = format!("{{{},\"k5\":0}}", members.join(",")).replace('"', "\\\"");
        let until = text.rfind("\"k5").unwrap();
        let bytes = text.as_bytes();
        assert!(seen_earlier::<true>(bytes, 0, until, b"k5"));
        assert!(seen_earlier::<true>(bytes, 0, until, b"k19"));
        for absent in [&b"x"[..], b"y", b"a,b}c]d{[", b"k20"] {
            assert!(!seen_earlier::<true>(bytes, 0, until, absent));
        }
    }

    #[test]
    fn the_same_keys_in_many_objects_are_no_duplicates() {
        // Sibling objects and nested ones share the index; each object's
        // keys are its own.
        let inner = object(20, |i| format!("field{i}"));
        let items: Vec<String> = (0..200).map(|_| inner.clone()).collect();
        let text = format!("{{\"items\":[{}],\"field0\":{inner}}}", items.join(","));
        assert_eq!(verdict(&text), "ok");
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
