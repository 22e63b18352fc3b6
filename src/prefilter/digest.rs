//! The digest of a skipped file's words (see [`WordDigest`]): second reads
//! test new names against it instead of reading the file again.

use super::is_ascii_word_byte;
use super::standing::{Standing, after_quote};

/// The hashes of every identifier-like word of a text that
/// [`mentions_as_code`] may count (a word of ASCII identifier bytes that
/// starts as [`is_digest_start`] says, passed over when a string starts with
/// it), sorted, each once. A name made of such bytes is in the text, as
/// `mentions_as_code` finds it, only if its [`word_hash`] is here.
///
/// [`mentions_as_code`]: super::mentions_as_code
pub(crate) type WordDigest = Box<[u32]>;

/// The hashes of the names second reads look for (see [`WordDigest`]).
pub(crate) type NameHashes = rustc_hash::FxHashSet<u32>;

/// [`WordDigest`] of `bytes`.
pub(crate) fn word_digest(bytes: &[u8]) -> WordDigest {
    thread_local! {
        /// The hashes found so far, in memory reused from text to text: a
        /// digest is then allocated once, at its size.
        static WORDS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    WORDS.with(|words| match words.try_borrow_mut() {
        Ok(mut words) => digest_into(bytes, &mut words),
        Err(_) => digest_into(bytes, &mut Vec::new()),
    })
}

/// [`word_digest`], with `words` (cleared first) to collect the hashes in.
fn digest_into(bytes: &[u8], words: &mut Vec<u32>) -> WordDigest {
    words.clear();
    let mut push = |start: usize, end: usize| {
        if let Some(word) = digest_word(bytes, start, end) {
            words.push(word_hash(word));
        }
    };
    // Sixty-four bytes at a time (the last block padded with blanks): a bit
    // set for each byte that may start a word and follows no word byte
    // (most capitals are inside a camel-case word); the word ends at the
    // next byte that is not a word byte.
    let mut padded = [b' '; 64];
    let mut carry = 0u64;
    for (base, block) in (0..).step_by(64).zip(bytes.chunks(64)) {
        let block = if block.len() == 64 {
            block
        } else {
            padded[..block.len()].copy_from_slice(block);
            &padded[..]
        };
        let (start, word) = block_masks(block);
        let mut starts = start & !((word << 1) | carry);
        while starts != 0 {
            let at = starts.trailing_zeros();
            let rest = !word >> at;
            // A word that runs to the end of a whole block goes on after it.
            let end = if rest == 0 {
                word_end(bytes, base + 64)
            } else {
                base + (at + rest.trailing_zeros()) as usize
            };
            push(base + at as usize, end);
            starts &= starts - 1;
        }
        carry = word >> 63;
    }
    words.sort_unstable();
    words.dedup();
    Box::from(words.as_slice())
}

/// Where the word that goes on at `from` ends: the first byte from there
/// that is not an ASCII identifier byte.
fn word_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| !is_ascii_word_byte(b))
        .map_or(bytes.len(), |n| from + n)
}

/// Two masks of a block of 64 bytes, bit `i` for byte `i`: the bytes that
/// [`is_digest_start`], and the ASCII identifier bytes (see
/// `is_ascii_word_byte`). Sixteen bytes at a time with SSE2, which every
/// x86-64 processor has; one byte at a time elsewhere.
fn block_masks(block: &[u8]) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        let mut masks = (0u64, 0u64);
        for (i, lane) in block.chunks_exact(16).enumerate() {
            let (start, word) = lane_masks(lane);
            masks.0 |= u64::from(start) << (16 * i);
            masks.1 |= u64::from(word) << (16 * i);
        }
        masks
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        byte_masks(block)
    }
}

/// [`block_masks`] one byte at a time (the reference the SSE2 masks are
/// tested against).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn byte_masks(block: &[u8]) -> (u64, u64) {
    let mut start = 0u64;
    let mut word = 0u64;
    for (i, &b) in block.iter().enumerate() {
        start |= u64::from(is_digest_start(b)) << i;
        word |= u64::from(is_ascii_word_byte(b)) << i;
    }
    (start, word)
}

/// [`block_masks`] of 16 bytes with SSE2. Bytes from 0x80 up compare as
/// negative, below every ASCII range, so only ASCII bytes are marked.
#[cfg(target_arch = "x86_64")]
fn lane_masks(lane: &[u8]) -> (u16, u16) {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128 as and, _mm_cmpeq_epi8 as eq, _mm_cmpgt_epi8 as gt,
        _mm_cmplt_epi8 as lt, _mm_loadu_si128, _mm_movemask_epi8 as bits, _mm_or_si128 as or,
        _mm_set1_epi8,
    };
    assert!(lane.len() >= 16);
    let splat = |b: u8| i8::from_ne_bytes([b]);
    // SAFETY: `lane` holds at least 16 bytes (asserted), which an unaligned
    // load may read; SSE2, which the other calls need, is part of every
    // x86-64 target.
    unsafe {
        let v = _mm_loadu_si128(lane.as_ptr().cast::<__m128i>());
        let at = |b: u8| _mm_set1_epi8(splat(b));
        let upper = and(gt(v, at(b'A' - 1)), lt(v, at(b'Z' + 1)));
        let lower = and(gt(v, at(b'a' - 1)), lt(v, at(b'z' + 1)));
        let digit = and(gt(v, at(b'0' - 1)), lt(v, at(b'9' + 1)));
        let start = or(upper, or(eq(v, at(b'_')), eq(v, at(b'$'))));
        let word = or(start, or(lower, digit));
        // A movemask of 16 bytes sets the low 16 bits only.
        (bits(start) as u16, bits(word) as u16)
    }
}

/// The word `start..end` (a whole word that starts with a byte that
/// [`is_digest_start`]), if it goes in a [`WordDigest`]: unless a string
/// starts with it, or it is a whole string that may not be a specifier (as
/// [`mentions_as_code`] counts).
///
/// [`mentions_as_code`]: super::mentions_as_code
fn digest_word(bytes: &[u8], start: usize, end: usize) -> Option<&[u8]> {
    debug_assert!(is_digest_start(bytes[start]));
    // Only the quote test of `standing`: the digest may hold more words than
    // the text test counts, never fewer.
    let standing = after_quote(bytes, start, end).unwrap_or(Standing::Code);
    standing
        .may_name_class(bytes, start)
        .then(|| &bytes[start..end])
}

/// The hashes of `names` for [`SkipHints::may_want`], or `None` when one of
/// them is not a word a [`WordDigest`] holds (a string specifier's name, a
/// name with non-ASCII letters).
///
/// [`SkipHints::may_want`]: super::hints::SkipHints::may_want
pub(crate) fn name_hashes(names: &[String]) -> Option<NameHashes> {
    names
        .iter()
        .map(|name| {
            let bytes = name.as_bytes();
            let is_word = bytes.first().is_some_and(|&b| is_digest_start(b))
                && bytes.iter().all(|&b| is_ascii_word_byte(b));
            is_word.then(|| word_hash(bytes))
        })
        .collect()
}

/// Whether a word that starts with `b` goes in a [`WordDigest`]: one that
/// starts with an upper-case letter, `_` or `$`, as class names and the
/// names they are exported under almost always do. Leaving out the words
/// that start with a lower-case letter (most of a text's) makes the digest
/// cheap to build and small to keep; a round that looks for such a name
/// reads the files again instead.
fn is_digest_start(b: u8) -> bool {
    b.wrapping_sub(b'A') < 26 || b == b'_' || b == b'$'
}

/// A word's hash in a [`WordDigest`].
fn word_hash(word: &[u8]) -> u32 {
    use std::hash::Hasher;
    let mut hasher = rustc_hash::FxHasher::default();
    hasher.write(word);
    let hash = hasher.finish();
    (hash ^ (hash >> 32)) as u32
}

#[cfg(test)]
mod tests {
    use super::{name_hashes, word_digest};
    use crate::prefilter::tests::as_code;
    use proptest::prelude::*;

    /// What the texts of the digest's property are made of.
    const PIECES: [&str; 25] = [
        "A", "AB", "B", "a", "$_1", "_a", "'", "\"", "`", "{", "}", ",", "(", ".", " ", "/*c*/",
        "é", "\n", "as ", "1", "'A'", "\"AB\"", "`B`", "'$_1'", "'_a'",
    ];

    proptest! {
        /// The digest never loses a name the text test finds, so second
        /// reads that consult it first parse the same files.
        #[test]
        fn the_digest_holds_every_name_the_text_test_finds(
            pieces in prop::collection::vec(prop::sample::select(&PIECES[..]), 0..24),
            name in prop::sample::select(&["A", "AB", "B", "$_1", "_a"][..]),
        ) {
            let text = pieces.concat();
            let hashes = name_hashes(&[name.to_string()]).expect("a word");
            let digest = word_digest(text.as_bytes());
            if as_code(name, &text) {
                prop_assert!(digest.iter().any(|w| hashes.contains(w)));
            }
        }
    }

    #[test]
    fn the_block_masks_mark_exactly_the_starts_and_the_word_bytes() {
        for b in 0..=255u8 {
            for at in [0, 1, 31, 62, 63] {
                let mut block = [b' '; 64];
                block[at] = b;
                let (start, word) = super::block_masks(&block);
                assert_eq!((start, word), super::byte_masks(&block));
                let bit = |on: bool| if on { 1u64 << at } else { 0 };
                assert_eq!(start, bit(super::is_digest_start(b)), "byte {b:#x} at {at}");
                assert_eq!(
                    word,
                    bit(crate::prefilter::is_ascii_word_byte(b)),
                    "byte {b:#x} at {at}"
                );
            }
        }
    }

    #[test]
    fn a_word_is_found_whole_at_every_offset_and_length() {
        for name in ["R", "ReportJob", &format!("L{}", "o".repeat(150))] {
            let hashes = name_hashes(&[name.to_string()]).expect("a word");
            for pad in 0..140 {
                for after in ["", " ", "x"] {
                    let text = format!("{}{name}{after}", ".".repeat(pad));
                    let digest = word_digest(text.as_bytes());
                    let found = digest.iter().any(|w| hashes.contains(w));
                    // `x` right after makes it another, longer word.
                    assert_eq!(found, after != "x", "{name} at {pad}, then {after:?}");
                }
                // Inside a word, it is no word of its own.
                let text = format!("{}a{name} ", ".".repeat(pad));
                assert!(
                    !word_digest(text.as_bytes())
                        .iter()
                        .any(|w| hashes.contains(w))
                );
            }
        }
    }

    #[test]
    fn names_that_are_not_words_leave_the_digest_out() {
        assert!(name_hashes(&["a b".to_string()]).is_none());
        assert!(name_hashes(&["Café".to_string()]).is_none());
        assert!(name_hashes(&["1st".to_string()]).is_none());
        assert!(name_hashes(&["reportJob".to_string()]).is_none());
        assert!(name_hashes(&["ReportJob".to_string(), "$_x".to_string()]).is_some());
    }
}
