//! The digest of a skipped file's words (see [`WordDigest`]): second reads
//! test new names against it instead of reading the file again.

use super::is_ascii_word_byte;
use super::standing::{Standing, after_quote};

/// The hashes of every identifier-like word of a text that
/// [`mentions_as_code`] may count (a word of ASCII identifier bytes that
/// starts as [`is_digest_start`] says, passed over when a string starts with
/// it), sorted, each once. A name made of such bytes is in the text, as
/// `mentions_as_code` finds it, only if its [`word_hash`] is here.
pub(crate) type WordDigest = Box<[u32]>;

/// The hashes of the names second reads look for (see [`WordDigest`]).
pub(crate) type NameHashes = rustc_hash::FxHashSet<u32>;

/// [`WordDigest`] of `bytes`.
pub(crate) fn word_digest(bytes: &[u8]) -> WordDigest {
    let mut words = Vec::new();
    let mut push_from = |at: usize| {
        if let Some(word) = digest_word_at(bytes, at) {
            words.push(word_hash(word));
        }
    };
    // Eight bytes at a time: a bit set in each byte that may start a word.
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut starts = digest_starts(u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])));
        while starts != 0 {
            push_from(base + starts.trailing_zeros() as usize / 8);
            starts &= starts - 1;
        }
        base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if is_digest_start(b) {
            push_from(base + i);
        }
    }
    words.sort_unstable();
    words.dedup();
    words.into_boxed_slice()
}

/// The high bit of each byte of `word` (eight bytes, little-endian) that
/// [`is_digest_start`]: an upper-case ASCII letter, `_` or `$`. Exact (no
/// carry crosses a byte: the sums are taken on the low seven bits).
fn digest_starts(word: u64) -> u64 {
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let each = |b: u8| u64::from_le_bytes([b; 8]);
    let low = word & LOW;
    let ascii = !word & HIGH;
    let at_least = |b: u8| (low + each(0x80 - b)) & HIGH;
    let equals = |b: u8| {
        let diff = word ^ each(b);
        !(((diff & LOW) + LOW) | diff) & HIGH
    };
    let upper = at_least(b'A') & !at_least(b'Z' + 1) & ascii;
    upper | equals(b'_') | equals(b'$')
}

/// The word of a [`WordDigest`] that starts at `start` (a byte that
/// [`is_digest_start`]), if one does: the byte before is no word byte,
/// and no string starts with it unless the word is a whole string that may
/// be a specifier (as [`mentions_as_code`] counts).
fn digest_word_at(bytes: &[u8], start: usize) -> Option<&[u8]> {
    debug_assert!(is_digest_start(bytes[start]));
    let before = start.checked_sub(1).map(|i| bytes[i]);
    if before.is_some_and(is_ascii_word_byte) {
        return None;
    }
    let end = bytes[start..]
        .iter()
        .position(|&b| !is_ascii_word_byte(b))
        .map_or(bytes.len(), |n| start + n);
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
    fn the_eight_byte_scan_finds_exactly_the_bytes_that_start_digest_words() {
        for b in 0..=255u8 {
            for at in 0..8 {
                let mut bytes = [b'a'; 8];
                bytes[at] = b;
                let starts = super::digest_starts(u64::from_le_bytes(bytes));
                let expected = if super::is_digest_start(b) {
                    0x80u64 << (8 * at)
                } else {
                    0
                };
                assert_eq!(starts, expected, "byte {b:#x} at {at}");
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
