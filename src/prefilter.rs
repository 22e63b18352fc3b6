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
    AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(config.interesting_names())
        .ok()
}

/// Whether `text` holds one of the names as a whole identifier. A file that
/// does not can import none of them, so it cannot produce a finding and is
/// not parsed. (Leftmost-longest matching: a shorter name at the same spot
/// is part of the same longer identifier, so nothing valid is skipped.)
pub fn mentions_any(prefilter: &AhoCorasick, bytes: &[u8]) -> bool {
    whole_words(prefilter, bytes).next().is_some()
}

/// Whether the prefilter keeps a file: it names one of the names, or may
/// name one through an escape.
pub(crate) fn is_kept(prefilter: &AhoCorasick, bytes: &[u8]) -> bool {
    mentions_any(prefilter, bytes) || has_escape(bytes)
}

/// Starts of the matches of `matcher` in `bytes` that are whole identifiers.
pub(crate) fn whole_words<'a>(
    matcher: &'a AhoCorasick,
    bytes: &'a [u8],
) -> impl Iterator<Item = usize> + 'a {
    matcher.find_iter(bytes).filter_map(move |m| {
        let before = m.start().checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(m.end()).copied();
        (!before.is_some_and(is_ascii_word_byte) && !after.is_some_and(is_ascii_word_byte))
            .then_some(m.start())
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
/// it, or by exporting it under another name (`None` when the text can do
/// none of these, as for most files: one pointer in every `ScannedFile`).
#[derive(Debug, Default)]
pub(crate) struct SkipHints(Option<Box<Hints>>);

/// See [`SkipHints`].
#[derive(Debug, Clone, Copy)]
struct Hints {
    /// `extends` appears: a subclass may be declared (with or without a
    /// constructor of its own: one without runs its base's, so its own
    /// subclasses, specs and `new` calls still matter).
    subclasses: bool,
    /// `new` appears: a construction, with any spacing, may be written.
    constructs: bool,
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
        let hints = Hints {
            subclasses: has("extends"),
            constructs: has("new"),
            renames: may_rename(bytes),
            binds_freely: keyword_follows(bytes, "import").any(|next| {
                !matches!(next.first(), Some(b'{' | b'*' | b'\'' | b'"' | b'(' | b'.'))
            }),
        };
        if !hints.subclasses && !hints.constructs && !hints.renames {
            return SkipHints::default();
        }
        SkipHints(Some(Box::new(hints)))
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
        (h.subclasses || h.constructs || h.renames)
            && (names() || ((h.binds_freely || h.renames) && default_sources()))
    }

    /// Whether the text may do any of these (the file is a candidate for a
    /// second read).
    pub(crate) fn may_matter(&self) -> bool {
        self.0.is_some()
    }
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
    use super::{cannot_export_class_named, cannot_export_name};

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
