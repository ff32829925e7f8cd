//! An immutable open-addressing table keyed by ASCII-case-folded names, with
//! a hash that can be computed incrementally over a name's prefixes.
//!
//! The class filter looks up every `.`/`$`/`+` prefix of a class name. With
//! an incremental hash, walking `com.acme.model.Order` costs one pass over
//! its bytes plus one probe per prefix, instead of rehashing each prefix.
//!
//! # Security
//!
//! The table is built once from policy and gadget data; request data only
//! ever *looks up*. Probe sequences are bounded by the longest cluster the
//! fixed keys form (load factor at most 1/2), so crafted names cannot make a
//! lookup slower than the worst key already in the table.

/// Case-folding hash of a name's prefixes, computed in one forward pass.
///
/// The name is read eight bytes at a time; each word is lower-cased with
/// SWAR arithmetic and mixed FxHash-style (rotate, xor, multiply), so a
/// 40-byte name costs five multiplies however many prefixes are asked for.
/// A prefix's hash is the mix of its whole words, its zero-padded tail and
/// its length, then a finaliser so that short prefixes spread well.
use std::borrow::Cow;

pub(crate) struct PrefixHasher<'a> {
    bytes: &'a [u8],
    full: u64,
    done: usize,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

#[inline]
fn mix(h: u64, w: u64) -> u64 {
    (h.rotate_left(5) ^ w).wrapping_mul(SEED)
}

/// `u64::from_le_bytes(chunk).to_ascii_lowercase()` per byte, branch-free.
#[inline]
fn fold_word(w: u64) -> u64 {
    let low7 = w & !HIGH;
    let ge_a = low7.wrapping_add((0x80 - u64::from(b'A')) * ONES);
    let gt_z = low7.wrapping_add((0x80 - u64::from(b'Z') - 1) * ONES);
    let upper = ge_a & !gt_z & !w & HIGH;
    w | (upper >> 2)
}

#[inline(always)]
fn read_word(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    if let Some(chunk) = bytes.get(at..at + 8) {
        word.copy_from_slice(chunk);
    }
    u64::from_le_bytes(word)
}

impl<'a> PrefixHasher<'a> {
    pub(crate) fn new(name: &'a str) -> Self {
        PrefixHasher {
            bytes: name.as_bytes(),
            full: 0,
            done: 0,
        }
    }

    /// The hash of `name[..end]`. Calls must not decrease `end`.
    #[inline(always)]
    pub(crate) fn hash_to(&mut self, end: usize) -> u64 {
        let end = end.min(self.bytes.len());
        while self.done + 8 <= end {
            self.full = mix(self.full, fold_word(read_word(self.bytes, self.done)));
            self.done += 8;
        }
        let n = end - self.done;
        let tail = if n == 0 {
            0
        } else if end >= 8 {
            // One read of the eight bytes ending at `end`, shifted so only
            // the last `n` remain (zero-padded like the slow path below).
            read_word(self.bytes, end - 8) >> (8 * (8 - n))
        } else {
            let mut tail = 0u64;
            for (k, &b) in self.bytes[..end].iter().enumerate() {
                tail |= u64::from(b) << (8 * k);
            }
            tail
        };
        let h = mix(mix(self.full, fold_word(tail)), end as u64);
        let h = h ^ (h >> 29);
        h.wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
    }

    pub(crate) fn of(key: &str) -> u64 {
        PrefixHasher::new(key).hash_to(key.len())
    }
}

/// Slots hold only a hash tag and an index, eight bytes each, so the probe
/// array of a thousand-rule policy stays in L1 cache; keys and values live
/// beside it and are touched only when the tag matches.
pub(crate) struct FoldTable<V> {
    slots: Box<[Slot]>,
    entries: Box<[(Cow<'static, str>, V)]>,
    mask: usize,
}

#[derive(Clone, Copy)]
struct Slot {
    tag: u32,
    index: u32,
}

const EMPTY: u32 = u32::MAX;

impl<V> FoldTable<V> {
    /// Builds a table from entries whose keys are distinct after ASCII case
    /// folding (the caller merges duplicates). Entries past `u32::MAX - 1`
    /// are dropped; policies are nowhere near that size.
    pub(crate) fn build(entries: Vec<(Cow<'static, str>, V)>) -> Self {
        let capacity = (entries.len() * 2).next_power_of_two().max(8);
        let mut slots = vec![
            Slot {
                tag: 0,
                index: EMPTY
            };
            capacity
        ];
        let mask = capacity - 1;
        let mut kept = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let Ok(index) = u32::try_from(kept.len()) else {
                break;
            };
            if index == EMPTY {
                break;
            }
            let hash = PrefixHasher::of(&key);
            // Truncation is intended: the low bits pick the slot.
            let mut i = hash as usize & mask;
            while slots[i].index != EMPTY {
                i = (i + 1) & mask;
            }
            slots[i] = Slot {
                tag: (hash >> 32) as u32,
                index,
            };
            kept.push((key, value));
        }
        FoldTable {
            slots: slots.into_boxed_slice(),
            entries: kept.into_boxed_slice(),
            mask,
        }
    }

    /// Looks `key` up, given `hash == PrefixHasher::of(key)`.
    #[inline(always)]
    pub(crate) fn get(&self, hash: u64, key: &str) -> Option<&V> {
        let tag = (hash >> 32) as u32;
        let mut i = hash as usize & self.mask;
        loop {
            let slot = self.slots.get(i)?;
            if slot.index == EMPTY {
                return None;
            }
            if slot.tag == tag
                && let Some((k, v)) = self.entries.get(slot.index as usize)
                && k.eq_ignore_ascii_case(key)
            {
                return Some(v);
            }
            i = (i + 1) & self.mask;
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_folded_lookup() {
        let t = FoldTable::build(vec![("Com.Acme".into(), 1), ("org".into(), 2)]);
        assert_eq!(t.get(PrefixHasher::of("com.acme"), "com.acme"), Some(&1));
        assert_eq!(t.get(PrefixHasher::of("COM.ACME"), "COM.ACME"), Some(&1));
        assert_eq!(t.get(PrefixHasher::of("com.acm"), "com.acm"), None);
        assert_eq!(t.get(PrefixHasher::of("org"), "org"), Some(&2));
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn prefixes_hash_like_whole_keys() {
        let name = "Org.Apache.Commons.Collections.Functors$X";
        let mut h = PrefixHasher::new(name);
        for end in [0, 3, 10, 17, 30, 38, name.len()] {
            assert_eq!(
                h.hash_to(end),
                PrefixHasher::of(&name[..end].to_ascii_lowercase())
            );
        }
    }

    #[test]
    fn fold_word_is_ascii_lowercase() {
        for b in 0..=255u8 {
            let w = u64::from_le_bytes([b, b'Z', b'@', b'[', 0xC4, b'a', b'A', b' ']);
            let mut expected = w.to_le_bytes();
            expected.make_ascii_lowercase();
            assert_eq!(fold_word(w), u64::from_le_bytes(expected), "byte {b:#x}");
        }
    }
}
