//! The prefilter: builds a matcher for the configured names (`None` turns
//! prefiltering off, so that every file is parsed).
//!
//! The same cheap byte tests tell what a skipped file hints at (`hints`),
//! where a name stands (`standing`: code, or surely a string or comment),
//! and which words a skipped file holds (`digest`), for second reads.

mod digest;
mod hints;
mod standing;

pub(crate) use digest::name_hashes;
pub(crate) use hints::SkipHints;

use aho_corasick::AhoCorasick;
use memchr::memmem;

use crate::config::Config;
use standing::{Standing, standing};

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
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(names)
        .ok()
}

/// `Test.createTestingModule`'s method. A spec that names nothing else the
/// prefilter looks for matters only through the classes its testing
/// modules provide, so it is not parsed up front: it is a second read's
/// candidate (see [`SkipHints`]), parsed when it names a class that takes
/// (or may gain) an injected member, as a file that constructs one is. Most
/// specs test classes that have nothing to do with the lock.
pub(super) const TESTING_MODULE_CALL: &str = "createTestingModule";

/// Whether `text` holds one of the names as a whole identifier, outside
/// what is surely a string, template text or comment (see [`standing`](mod@standing)).
/// A file that does not can import none of them, so it cannot produce a
/// finding and is not parsed. (Leftmost-longest matching: a shorter name at
/// the same spot is part of the same longer identifier, so nothing valid is
/// skipped.)
pub fn mentions_any(prefilter: &AhoCorasick, bytes: &[u8]) -> bool {
    whole_words(prefilter, bytes).any(|(start, end)| standing(bytes, start, end) != Standing::Text)
}

/// Whether `text` holds one of the names where an identifier may stand: as
/// [`mentions_any`], but a whole string counts only where it may be an
/// import or export specifier (see [`Standing::may_name_class`]). For
/// second reads, whose names are class names and their aliases.
pub(crate) fn mentions_as_code(matcher: &AhoCorasick, bytes: &[u8]) -> bool {
    whole_words(matcher, bytes)
        .any(|(start, end)| standing(bytes, start, end).may_name_class(bytes, start))
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
pub(super) fn is_ascii_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Whether the text holds a `\u` escape: an escaped identifier
/// (`\u0043ron`) names what the prefilter looks for without spelling it,
/// so such a file is parsed.
fn has_escape(bytes: &[u8]) -> bool {
    keywords::ESCAPE.find(bytes).is_some()
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

/// Whether the text holds an `export` that may export a name it does not
/// declare (`export {`, `export *`, `export default`, `export const`, ...).
pub(super) fn may_rename(bytes: &[u8]) -> bool {
    keyword_follows(bytes, &keywords::EXPORT)
        .any(|next| !PLAIN_EXPORTS.iter().any(|w| next.starts_with(w.as_bytes())))
}

/// Whether a file with this text cannot export, under any name, a class
/// declared as `name`: it names `name` nowhere (not even through an
/// escape), so it declares no such class, and it has no `export` that may
/// pass on one declared elsewhere. Decides without parsing what a parse
/// would (see `Project::cannot_stand_for`).
pub(crate) fn cannot_export_class_named(bytes: &[u8], name: &str) -> bool {
    keyword_follows(bytes, &memmem::Finder::new(name))
        .next()
        .is_none()
        && !has_escape(bytes)
        && !may_rename(bytes)
}

/// Whether a file with this text exports nothing named `name`: it names
/// `name` nowhere (not even through an escape), and has no `export *` that
/// may pass on a name it does not write. Decides without parsing what a
/// parse would, for the modules an `export *` barrel names.
pub(crate) fn cannot_export_name(bytes: &[u8], name: &str) -> bool {
    keyword_follows(bytes, &memmem::Finder::new(name))
        .next()
        .is_none()
        && !has_escape(bytes)
        // A comment may stand between `export` and `*`.
        && !keyword_follows(bytes, &keywords::EXPORT).any(|next| matches!(next.first(), Some(b'*' | b'/')))
}

/// For each whole-word occurrence of `word` in `bytes`: the bytes after it,
/// from the first one that is not ASCII whitespace.
pub(super) fn keyword_follows<'a>(
    bytes: &'a [u8],
    word: &'a memmem::Finder<'a>,
) -> impl Iterator<Item = &'a [u8]> + 'a {
    let len = word.needle().len();
    word.find_iter(bytes).filter_map(move |at| {
        let end = at + len;
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

/// The finders of the keywords every skipped file is searched for, built
/// once (a finder built per search was a percent of a small scan's time).
pub(super) mod keywords {
    use std::sync::LazyLock;

    use memchr::memmem::Finder;

    pub(in crate::prefilter) static EXPORT: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new("export"));
    pub(in crate::prefilter) static IMPORT: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new("import"));
    pub(in crate::prefilter) static EXTENDS: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new("extends"));
    pub(in crate::prefilter) static NEW: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new("new"));
    pub(in crate::prefilter) static TESTING_MODULE: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new(super::TESTING_MODULE_CALL));
    /// Not a keyword: the `\u` of an escaped identifier, searched for in
    /// every file.
    pub(in crate::prefilter) static ESCAPE: LazyLock<Finder<'static>> =
        LazyLock::new(|| Finder::new("\\u"));
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
    use super::{cannot_export_class_named, cannot_export_name, mentions_as_code, word_matcher};

    /// Whether second reads find `name` in `text` (see [`mentions_as_code`]).
    pub(super) fn as_code(name: &str, text: &str) -> bool {
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
