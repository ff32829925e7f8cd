//! Carried JSON's string scan (`strings::skip_quoted_words`), 32 bytes a
//! step with AVX2 where the CPU has it (detected at run time). A document
//! carried in a string is its body's longest run of string bytes, and it
//! has a `\"` every few bytes, which the word loop settles eight bytes at
//! a time.
//!
//! The block loop stops at the first block it cannot settle and hands back
//! where it got to, with its carry; the word loop (which every CPU runs,
//! and which stays the definition) finishes from there. So the answer is
//! the word loop's whichever path ran: a block is settled only when each
//! of its four words would have been, and the tests here and in `strings`
//! hold both paths to a byte-at-a-time reading.
//!
//! Only this scan: the same blocks for plain strings (`skip_plain`) were
//! tried and cost more than they saved (19.7M -> 20.0M instructions per
//! inspection of the 1 MiB bench body), its strings being mostly keys
//! and short values that the first words settle, where a block is a call
//! (a `target_feature` function is not inlined into its caller) and a
//! detection check.
//!
//! # `unsafe`
//!
//! This is the crate's only module allowed `unsafe`, for two things:
//!
//! * calling a `#[target_feature(enable = "avx2")]` function, which is
//!   sound only on a CPU with AVX2: every call sits behind
//!   [`avx2_detected`], std's run-time check (`cpuid`, cached);
//! * `_mm256_loadu_si256`, an unaligned 32-byte load through a pointer:
//!   each reads a `chunk` that `get(from..from + 32)` just proved to be 32
//!   bytes of the slice.
//!
//! Everything else (compares, masks) is safe to call inside the
//! `target_feature` functions.

/// Whether this CPU runs the AVX2 paths (x86-64 only). Tests can turn
/// them off on their thread ([`scalar_only`]), so the word loops that other
/// CPUs run stay tested on this one.
#[inline(always)]
pub(super) fn avx2_detected() -> bool {
    #[cfg(test)]
    if SCALAR_ONLY.with(std::cell::Cell::get) {
        return false;
    }
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(test)]
thread_local! {
    static SCALAR_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with the AVX2 paths off on this thread (tests only).
#[cfg(test)]
pub(super) fn scalar_only<T>(f: impl FnOnce() -> T) -> T {
    SCALAR_ONLY.with(|s| s.set(true));
    let out = f();
    SCALAR_ONLY.with(|s| s.set(false));
    out
}

/// Skips 32-byte blocks of carried-JSON text from `from` (see
/// `strings::skip_quoted_words`): blocks in which every backslash is
/// followed by a quote and every quote follows a backslash, with no control
/// character. `carry` is 1 when the byte before `from` is a backslash whose
/// quote is still to come. Returns the start of the first block that breaks
/// the pattern (or is not wholly in `bytes`) and the carry into it. Returns
/// `(from, carry)` itself on a CPU without AVX2.
#[inline]
pub(super) fn skip_quoted_blocks(bytes: &[u8], from: usize, carry: u32) -> (usize, u32) {
    #[cfg(target_arch = "x86_64")]
    if avx2_detected() {
        // SAFETY: AVX2 was detected on this CPU just above.
        return unsafe { x86::skip_quoted_blocks(bytes, from, carry) };
    }
    let _ = bytes;
    (from, carry)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_max_epu8, _mm256_movemask_epi8,
        _mm256_set1_epi8,
    };

    /// The three masks a block yields: a bit per byte that is `"`, `\`, or
    /// below 0x20.
    #[target_feature(enable = "avx2")]
    fn masks(chunk: &[u8; 32]) -> (u32, u32, u32) {
        // SAFETY: `chunk` is 32 readable bytes, and `loadu` has no
        // alignment requirement.
        let v: __m256i = unsafe { _mm256_loadu_si256(chunk.as_ptr().cast()) };
        let quotes = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'"' as i8));
        let backslashes = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\\' as i8));
        // Unsigned `v <= 0x1f` as `max(v, 0x1f) == 0x1f`: AVX2 compares
        // bytes as signed, and bytes from 0x80 up (UTF-8) must not count.
        let low = _mm256_set1_epi8(0x1f);
        let controls = _mm256_cmpeq_epi8(_mm256_max_epu8(v, low), low);
        (
            _mm256_movemask_epi8(quotes) as u32,
            _mm256_movemask_epi8(backslashes) as u32,
            _mm256_movemask_epi8(controls) as u32,
        )
    }

    /// The block of `bytes` at `from`, if it is wholly there.
    #[inline(always)]
    fn block(bytes: &[u8], from: usize) -> Option<&[u8; 32]> {
        bytes.get(from..from + 32).and_then(|c| c.try_into().ok())
    }

    #[target_feature(enable = "avx2")]
    pub(super) fn skip_quoted_blocks(
        bytes: &[u8],
        mut from: usize,
        mut carry: u32,
    ) -> (usize, u32) {
        while let Some(chunk) = block(bytes, from) {
            let (quotes, backslashes, controls) = masks(chunk);
            // Every quote right after a backslash (or after the carried
            // one), and nothing else a quote: a pair `\\` fails this, its
            // second backslash standing where a quote must be.
            if quotes != (backslashes << 1 | carry) || controls != 0 {
                break;
            }
            carry = backslashes >> 31;
            from += 32;
        }
        (from, carry)
    }
}

#[cfg(test)]
mod tests {
    //! Unit tests only: an `unwrap` here is a test failure, not a path a
    //! request can reach.

    use super::*;

    /// A byte at a time: whether `bytes[from..to]` is all `\"` pairs and
    /// plain bytes, given a pending backslash before `from`.
    fn quoted_run(bytes: &[u8], from: usize, to: usize, carry: u32) -> bool {
        let mut expect_quote = carry == 1;
        for &b in &bytes[from..to] {
            match (expect_quote, b) {
                (true, b'"') => expect_quote = false,
                (true, _) | (false, b'"' | 0..=0x1f) => return false,
                (false, b'\\') => expect_quote = true,
                (false, _) => {}
            }
        }
        true
    }

    /// Texts with the bytes that matter at every place of two blocks.
    fn texts() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for len in [0, 1, 31, 32, 33, 63, 64, 65, 96] {
            for special in [b'"', b'\\', 0x00, 0x1f, 0x20, 0x7f, 0x80, 0xff, b'a'] {
                for at in 0..len.min(70) {
                    let mut text = vec![b'x'; len];
                    text[at] = special;
                    out.push(text);
                }
            }
            // Carried text: `\"` pairs, one of them broken at each place.
            let mut carried: Vec<u8> = b"\\\"ab".iter().copied().cycle().take(len).collect();
            out.push(carried.clone());
            for at in 0..len.min(70) {
                let saved = carried[at];
                for bad in [b'\\', b'"', 0x01, b'y'] {
                    carried[at] = bad;
                    out.push(carried.clone());
                }
                carried[at] = saved;
            }
        }
        out
    }

    #[test]
    fn quoted_blocks_pass_only_quote_pairs() {
        for text in texts() {
            for (from, carry) in [(0, 0), (1, 0), (1, 1), (2, 1)] {
                if from > text.len() {
                    continue;
                }
                let (got, carry_out) = skip_quoted_blocks(&text, from, carry);
                if !avx2_detected() {
                    assert_eq!((got, carry_out), (from, carry));
                    continue;
                }
                assert!(got >= from && (got - from) % 32 == 0);
                // What was skipped is carried text, and the carry says
                // whether it ended inside a pair.
                assert!(quoted_run(&text, from, got, carry), "{text:?} {from} {got}");
                if got > from {
                    assert_eq!(carry_out, u32::from(text[got - 1] == b'\\'));
                }
                // The block it stopped at is broken, or not wholly there.
                if got + 32 <= text.len() {
                    assert!(
                        !quoted_run(&text, got, got + 32, carry_out),
                        "{text:?} {from} {got}"
                    );
                }
            }
        }
    }
}
