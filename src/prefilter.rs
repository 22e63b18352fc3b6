//! The prefilter: builds a matcher for the configured names (`None` turns
//! prefiltering off, so that every file is parsed).
//!
//! The same cheap byte tests tell what a skipped file hints at (see
//! `SkipHints`) and find names as whole identifiers for second reads.

use aho_corasick::AhoCorasick;

use crate::config::Config;

/// The prefilter `config` asks for: a matcher of the names a file must
/// mention to be parsed (`None`: parse every file).
pub fn build_prefilter(config: &Config) -> Option<AhoCorasick> {
    if !config.prefilter {
        return None;
    }
    let names = config
        .interesting_names()
        .into_iter()
        .filter(|name| name != TESTING_MODULE_CALL);
    AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(names)
        .ok()
}

/// `Test.createTestingModule`'s method. A spec that names nothing else the
/// prefilter looks for matters only through the classes its testing
/// modules provide, so it is not parsed up front: it is a second read's
/// candidate (see [`SkipHints`]), parsed when it names a class that takes
/// (or may gain) an injected member, as a file that constructs one is. Most
/// specs test classes that have nothing to do with the lock.
const TESTING_MODULE_CALL: &str = "createTestingModule";

/// Whether `text` holds one of the names as a whole identifier, outside
/// what is surely a string, template text or comment (see [`standing`]).
/// A file that does not can import none of them, so it cannot produce a
/// finding and is not parsed. (Leftmost-longest matching: a shorter name at
/// the same spot is part of the same longer identifier, so nothing valid is
/// skipped.)
pub fn mentions_any(prefilter: &AhoCorasick, bytes: &[u8]) -> bool {
    whole_words(prefilter, bytes).any(|(start, end)| standing(bytes, start, end) != Standing::Text)
}

/// Whether `text` holds one of the names where an identifier may stand: as
/// [`mentions_any`], but a whole string counts only when it may be an
/// import or export specifier (`import { 'ReportJob' as R }`). For second
/// reads, whose names are class names and their aliases: the model knows a
/// class only through identifiers and specifiers.
pub(crate) fn mentions_as_code(matcher: &AhoCorasick, bytes: &[u8]) -> bool {
    whole_words(matcher, bytes).any(|(start, end)| match standing(bytes, start, end) {
        Standing::Code => true,
        Standing::WholeString => may_start_specifier(&bytes[..start - 1]),
        Standing::Text => false,
    })
}

/// Where a whole-word occurrence of a name stands, as far as the bytes
/// around it tell without a parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// Perhaps code: nothing rules it out.
    Code,
    /// A whole string (`'Cron'`): perhaps a specifier or an object key.
    WholeString,
    /// Surely inside a string, template text or comment: no reference.
    Text,
}

/// Where the occurrence at `start..end` of `bytes` stands. Each test that
/// answers [`Standing::Text`] holds whatever the line starts in (code, a
/// template, a block comment, a string continued from the line before),
/// so a parse of any text that parses agrees (a file with a syntax error
/// is the one difference the prefilter may make):
/// - A name right after a quote starts a string, a template or a regular
///   expression's class: a quote right before an identifier is a syntax
///   error (`new Logger('ReportJob')`).
/// - A line that starts with `//` and holds, up to the name, nothing that
///   could end a comment, a string, a template or JSX text: the name is in
///   a comment (or in the text of whatever the line started in).
/// - A line with no `/`, backtick, `{`, `<` or carriage return before the
///   name, not continued from the line before, whose quotes leave the name
///   inside a string (`description: 'Timeout in seconds'`).
fn standing(bytes: &[u8], start: usize, end: usize) -> Standing {
    if let Some(quote @ (b'\'' | b'"' | b'`')) = start.checked_sub(1).map(|i| bytes[i]) {
        return if bytes.get(end) == Some(&quote) {
            Standing::WholeString
        } else {
            Standing::Text
        };
    }
    let line_start = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
    let prefix = &bytes[line_start..start];
    if in_line_comment(prefix) || in_line_string(&bytes[..line_start], prefix) {
        Standing::Text
    } else {
        Standing::Code
    }
}

/// Whether a line that starts with `prefix` holds a name after it in a
/// line comment: `//` after blanks, then only letters, digits, blanks and
/// punctuation that cannot end a comment, a string, a template or JSX text
/// (no `*`, quote, backtick, `$`, `\\`, brace or angle bracket).
fn in_line_comment(prefix: &[u8]) -> bool {
    let blanks = prefix
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let Some(rest) = prefix[blanks..].strip_prefix(b"//") else {
        return false;
    };
    rest.iter().all(|&b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\t'
                    | b'.'
                    | b','
                    | b':'
                    | b';'
                    | b'!'
                    | b'?'
                    | b'('
                    | b')'
                    | b'-'
                    | b'_'
                    | b'='
                    | b'+'
                    | b'#'
                    | b'%'
                    | b'&'
                    | b'|'
                    | b'['
                    | b']'
                    | b'@'
                    | b'~'
                    | b'^'
                    | b'/'
            )
    })
}

/// Whether a name after `prefix` (the line so far; `before`: the text
/// before the line) is inside a string that opened on this line: the line
/// is not continued from the one before, holds no `/` (no comment or
/// regular expression), backtick, `{` or `<` (no template or JSX code) and
/// no carriage return, and its quotes leave a string open.
fn in_line_string(before: &[u8], prefix: &[u8]) -> bool {
    let continued = before.strip_suffix(b"\n").is_some_and(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.ends_with(b"\\")
    });
    if continued
        || prefix
            .iter()
            .any(|b| matches!(b, b'/' | b'`' | b'{' | b'<' | b'\r'))
    {
        return false;
    }
    let mut open: Option<u8> = None;
    let mut escaped = false;
    for &b in prefix {
        match open {
            Some(_) if escaped => escaped = false,
            Some(_) if b == b'\\' => escaped = true,
            Some(quote) if b == quote => open = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => open = Some(b),
            None => {}
        }
    }
    open.is_some()
}

/// Whether a string that starts after `head` may be an import or export
/// specifier: what comes before it (ASCII whitespace aside) is `{`, `,`,
/// `as`, the end of a comment, a byte that is not ASCII, or nothing.
fn may_start_specifier(head: &[u8]) -> bool {
    match head.iter().rev().find(|b| !b.is_ascii_whitespace()) {
        None => true,
        Some(&b) => matches!(b, b'{' | b',' | b'/') || is_ascii_word_byte(b) || !b.is_ascii(),
    }
}

/// Whether the prefilter keeps a file: it names one of the names, or may
/// name one through an escape.
pub(crate) fn is_kept(prefilter: &AhoCorasick, bytes: &[u8]) -> bool {
    mentions_any(prefilter, bytes) || has_escape(bytes)
}

/// The matches of `matcher` in `bytes` that are whole identifiers.
pub(crate) fn whole_words<'a>(
    matcher: &'a AhoCorasick,
    bytes: &'a [u8],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    matcher.find_iter(bytes).filter_map(move |m| {
        let before = m.start().checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(m.end()).copied();
        (!before.is_some_and(is_ascii_word_byte) && !after.is_some_and(is_ascii_word_byte))
            .then_some((m.start(), m.end()))
    })
}

/// Whether `b` is an ASCII identifier byte. A non-ASCII neighbour ends a
/// match here: it may be whitespace (NBSP, U+FEFF, U+2003), so a name next to
/// one counts, which at worst parses a file more.
fn is_ascii_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Whether the text holds a `\u` escape: an escaped identifier
/// (`\u0043ron`) names what the prefilter looks for without spelling it,
/// so such a file is parsed.
fn has_escape(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"\\u").is_some()
}

/// Cheap facts about a file the prefilter skipped, each an
/// over-approximation (comments and strings count too): a skipped file can
/// matter to a class of a parsed file only by extending it, by constructing
/// it, by providing it in a testing module, or by exporting it under another
/// name (`None` when the text can do none of these, as for most files: one
/// pointer in every `ScannedFile`).
#[derive(Debug, Default)]
pub(crate) struct SkipHints(Option<Box<Hints>>);

/// See [`SkipHints`].
#[derive(Debug, Clone)]
struct Hints {
    /// The words of the text where an identifier may stand, as
    /// [`word_digest`] gives them: second reads test new names against it
    /// instead of reading the file again, and read only the files it may
    /// hold one of (then test the text itself).
    words: WordDigest,
    /// `extends` appears: a subclass may be declared (with or without a
    /// constructor of its own: one without runs its base's, so its own
    /// subclasses, specs and `new` calls still matter).
    subclasses: bool,
    /// `new` appears: a construction, with any spacing, may be written.
    constructs: bool,
    /// `createTestingModule` appears: a testing module may provide a class.
    tests: bool,
    /// An `export` that may rename (`export {`, `export *`, `export default`,
    /// `export const`, ...): a barrel or an alias.
    renames: bool,
    /// An `import` that may bind a name of its own choosing (`import X from`,
    /// `import X = require(...)`): the file may name a class without
    /// mentioning its name, but not without naming the module it comes from.
    binds_freely: bool,
}

/// What follows `export` in a declaration that cannot rename a class.
const PLAIN_EXPORTS: [&str; 6] = [
    "class",
    "function",
    "interface",
    "enum",
    "abstract",
    "async",
];

impl SkipHints {
    /// Hints from a file's bytes (keywords are ASCII and cannot be escaped,
    /// so no UTF-8 is decoded).
    pub(crate) fn of(bytes: &[u8]) -> SkipHints {
        let has = |word: &str| keyword_follows(bytes, word).next().is_some();
        let (subclasses, constructs, renames) = (has("extends"), has("new"), may_rename(bytes));
        let tests = has(TESTING_MODULE_CALL);
        if !subclasses && !constructs && !renames && !tests {
            return SkipHints::default();
        }
        SkipHints(Some(Box::new(Hints {
            words: word_digest(bytes),
            subclasses,
            constructs,
            tests,
            renames,
            binds_freely: keyword_follows(bytes, "import").any(|next| {
                !matches!(next.first(), Some(b'{' | b'*' | b'\'' | b'"' | b'(' | b'.'))
            }),
        })))
    }

    /// Whether the file may be wanted (see [`SkipHints::wanted`]) for one
    /// of the names of `names` or for a module name, without reading it:
    /// `false` only when the text surely names none of them (its digest
    /// holds none of their hashes) and no module name is asked for that it
    /// may import or re-export freely. `names`: `None` when some name is not
    /// an identifier, so the digest cannot tell.
    pub(crate) fn may_want(&self, names: Option<&NameHashes>, default_sources: bool) -> bool {
        let Some(h) = self.0.as_deref() else {
            return false;
        };
        let named = names.is_none_or(|names| h.words.iter().any(|w| names.contains(w)));
        named || (default_sources && (h.binds_freely || h.renames))
    }

    /// Whether the file must be parsed. `names`: whether the text names a
    /// class that takes (or may gain) an injected member, or a name it is
    /// exported under; `default_sources`: whether the text mentions a
    /// module that default-exports such a class (the only way to reach one
    /// without naming it: a default import, or `export { default as X }`).
    pub(crate) fn wanted(
        &self,
        names: impl FnOnce() -> bool,
        default_sources: impl FnOnce() -> bool,
    ) -> bool {
        let Some(h) = self.0.as_deref() else {
            return false;
        };
        (h.subclasses || h.constructs || h.tests || h.renames)
            && (names() || ((h.binds_freely || h.renames) && default_sources()))
    }
}

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
    let counts = match before {
        Some(quote @ (b'\'' | b'"' | b'`')) => {
            bytes.get(end) == Some(&quote) && may_start_specifier(&bytes[..start - 1])
        }
        _ => true,
    };
    counts.then(|| &bytes[start..end])
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

/// Whether the text holds an `export` that may export a name it does not
/// declare (`export {`, `export *`, `export default`, `export const`, ...).
fn may_rename(bytes: &[u8]) -> bool {
    keyword_follows(bytes, "export")
        .any(|next| !PLAIN_EXPORTS.iter().any(|w| next.starts_with(w.as_bytes())))
}

/// Whether a file with this text cannot export, under any name, a class
/// declared as `name`: it names `name` nowhere (not even through an
/// escape), so it declares no such class, and it has no `export` that may
/// pass on one declared elsewhere. Decides without parsing what a parse
/// would (see `Project::cannot_stand_for`).
pub(crate) fn cannot_export_class_named(bytes: &[u8], name: &str) -> bool {
    keyword_follows(bytes, name).next().is_none() && !has_escape(bytes) && !may_rename(bytes)
}

/// Whether a file with this text exports nothing named `name`: it names
/// `name` nowhere (not even through an escape), and has no `export *` that
/// may pass on a name it does not write. Decides without parsing what a
/// parse would, for the modules an `export *` barrel names.
pub(crate) fn cannot_export_name(bytes: &[u8], name: &str) -> bool {
    keyword_follows(bytes, name).next().is_none()
        && !has_escape(bytes)
        // A comment may stand between `export` and `*`.
        && !keyword_follows(bytes, "export").any(|next| matches!(next.first(), Some(b'*' | b'/')))
}

/// For each whole-word occurrence of `word` in `bytes`: the bytes after it,
/// from the first one that is not ASCII whitespace.
fn keyword_follows<'a>(bytes: &'a [u8], word: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
    memchr::memmem::find_iter(bytes, word.as_bytes()).filter_map(move |at| {
        let end = at + word.len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(end).copied();
        if before.is_some_and(is_ascii_word_byte) || after.is_some_and(is_ascii_word_byte) {
            return None;
        }
        let rest = &bytes[end..];
        let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        Some(&rest[skip..])
    })
}

/// An automaton that finds `names` as whole identifiers (see
/// [`mentions_any`]); `None` when there are none or it cannot be built.
pub(crate) fn word_matcher(names: &[String]) -> Option<AhoCorasick> {
    if names.is_empty() {
        return None;
    }
    AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(names)
        .ok()
}

/// An automaton that finds any of `needles` anywhere.
pub(crate) fn substring_matcher(needles: &[String]) -> Option<AhoCorasick> {
    if needles.is_empty() {
        return None;
    }
    AhoCorasick::new(needles).ok()
}

#[cfg(test)]
mod tests {
    use super::{
        cannot_export_class_named, cannot_export_name, mentions_as_code, name_hashes, word_digest,
        word_matcher,
    };
    use proptest::prelude::*;

    fn as_code(name: &str, text: &str) -> bool {
        let matcher = word_matcher(&[name.to_string()]).expect("a matcher for one name");
        mentions_as_code(&matcher, text.as_bytes())
    }

    #[test]
    fn a_name_that_starts_a_string_is_no_reference() {
        for text in [
            "private readonly logger = new Logger('ReportJob');",
            "const label = \"ReportJob\" + `ReportJob runs`;",
            "throw new Error('ReportJob failed');",
            "const names = ['ReportJob', 'Other'];",
            "// ReportJobs, aReportJob, ReportJob_2",
        ] {
            assert!(!as_code("ReportJob", text), "{text}");
        }
    }

    #[test]
    fn a_name_in_code_or_a_string_specifier_counts() {
        for text in [
            "new ReportJob();",
            "new jobs.ReportJob();",
            "class X extends ReportJob {}",
            "import { 'ReportJob' as R } from './report.job';",
            "import { Other, \"ReportJob\" as R } from './report.job';",
            "export { R as 'ReportJob' };",
            "import { /* c */ 'ReportJob' as R } from './report.job';",
            "'ReportJob'",
            "`${ReportJob}`",
            "x = '' + ReportJob;",
        ] {
            assert!(as_code("ReportJob", text), "{text}");
        }
    }

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

    fn prefilter_keeps(text: &str) -> bool {
        let matcher = word_matcher(&["Timeout".to_string()]).expect("a matcher for one name");
        super::mentions_any(&matcher, text.as_bytes())
    }

    #[test]
    fn a_name_surely_inside_a_string_or_comment_keeps_no_file() {
        for text in [
            "      description: 'Timeout in seconds',",
            "  title: 'Connection Timeout',",
            "  // Timeout for the nightly export (see #12)",
            "const m = 'it\\'s a Timeout';",
            "const m = \"say \\\"Timeout\\\" twice\";",
            "x = 1;\n  // a Timeout, again: retry",
        ] {
            assert!(!prefilter_keeps(text), "{text}");
        }
    }

    #[test]
    fn a_name_that_may_be_code_keeps_the_file() {
        for text in [
            "@Timeout(1000)",
            "import { Timeout } from '@nestjs/schedule';",
            "const a = \"it's\"; Timeout();",
            "const a = 'it\\'s'; Timeout();",
            "x = 'a' + Timeout;",
            "/* 'x */ Timeout",
            "// it's\u{2028}Timeout",
            "// it's\rTimeout",
            "const t = `\n'${Timeout}'`;",
            "const s = 'abc\\\n def' + Timeout;",
            "const s = 'abc\\\r\n def' + Timeout;",
            "<p>Don't {Timeout}</p>",
            "<p>Don't <Timeout /></p>",
            "// see {Timeout}",
            "// see <Timeout />",
            "// done `; 'x' Timeout",
            "const name = 'Timeout';",
            "type T = \"Timeout\";",
        ] {
            assert!(prefilter_keeps(text), "{text}");
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

    const LOCK: &str = "DistributedLockModule";

    #[test]
    fn a_plain_service_cannot_export_the_lock_module() {
        let text = b"import { Injectable } from '@nestjs/common';\n\
@Injectable()\nexport class WrapService {}\n";
        assert!(cannot_export_class_named(text, LOCK));
    }

    #[test]
    fn any_file_that_may_pass_on_a_class_is_parsed() {
        for text in [
            "export class DistributedLockModule {}",
            "export { DistributedLockModule } from './lock';",
            "export * from './lock';",
            "export { X as Y } from './lock';",
            "import { L } from './lock';\nexport default L;",
            "export const Lock = L;",
            "export /* a */ { Y };",
            "export class \\u0044istributedLockModule {}",
        ] {
            assert!(!cannot_export_class_named(text.as_bytes(), LOCK), "{text}");
        }
    }

    #[test]
    fn a_module_of_constants_exports_no_class_of_another_name() {
        let text =
            b"export const MIN_LENGTH = 3;\nexport function check() {}\nexport { a as b };\n";
        assert!(cannot_export_name(text, "AliasDto"));
        for text in [
            "export class AliasDto {}",
            "export { Dto as AliasDto } from './dto';",
            "export * from './dtos';",
            "export /* all */ * from './dtos';",
            "export const \\u0041liasDto = 1;",
        ] {
            assert!(!cannot_export_name(text.as_bytes(), "AliasDto"), "{text}");
        }
    }

    #[test]
    fn a_longer_word_is_not_the_name() {
        let text = b"export class DistributedLockModuleOptions {}";
        assert!(cannot_export_class_named(text, LOCK));
    }
}
