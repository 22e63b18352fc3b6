//! What a file the prefilter skipped hints at: whether a second read may
//! want it, and the digest of its words that spares re-reading it.

use super::digest::{NameHashes, WordDigest, word_digest};
use super::{keyword_follows, keywords, may_rename};

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
    /// What the text may do.
    facts: Facts,
}

/// What a skipped file's text may do, from its keywords (see [`SkipHints`]).
#[derive(Debug, Clone, Copy)]
struct Facts {
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

impl Facts {
    /// The facts of a text (keywords are ASCII and cannot be escaped, so no
    /// UTF-8 is decoded); `None` when it can do none of these things.
    fn of(bytes: &[u8]) -> Option<Facts> {
        let has = |word| keyword_follows(bytes, word).next().is_some();
        let (subclasses, constructs) = (has(&keywords::EXTENDS), has(&keywords::NEW));
        let (renames, tests) = (may_rename(bytes), has(&keywords::TESTING_MODULE));
        if !subclasses && !constructs && !renames && !tests {
            return None;
        }
        Some(Facts {
            subclasses,
            constructs,
            tests,
            renames,
            binds_freely: keyword_follows(bytes, &keywords::IMPORT).any(|next| {
                !matches!(next.first(), Some(b'{' | b'*' | b'\'' | b'"' | b'(' | b'.'))
            }),
        })
    }

    /// See [`SkipHints::wanted`].
    fn wanted(self, names: impl FnOnce() -> bool, default_sources: impl FnOnce() -> bool) -> bool {
        (self.subclasses || self.constructs || self.tests || self.renames)
            && (names() || ((self.binds_freely || self.renames) && default_sources()))
    }
}

impl SkipHints {
    /// Hints from a file's bytes, with the digest of its words.
    pub(crate) fn of(bytes: &[u8]) -> SkipHints {
        SkipHints(Facts::of(bytes).map(|facts| {
            Box::new(Hints {
                words: word_digest(bytes),
                facts,
            })
        }))
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
        named || (default_sources && (h.facts.binds_freely || h.facts.renames))
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
        self.0
            .as_deref()
            .is_some_and(|h| h.facts.wanted(names, default_sources))
    }

    /// [`SkipHints::wanted`] for a text read now and not kept: its hints
    /// without the digest, which nothing would consult.
    pub(crate) fn text_wanted(
        bytes: &[u8],
        names: impl FnOnce() -> bool,
        default_sources: impl FnOnce() -> bool,
    ) -> bool {
        Facts::of(bytes).is_some_and(|facts| facts.wanted(names, default_sources))
    }
}
