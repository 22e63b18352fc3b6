//! The file table: each scanned file, what is held of it (skipped, parsed
//! with its text on disk or held, broken) and the fingerprint that tells a
//! text read again from the one that was parsed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::files::{FileSystem, read_text};
use crate::fix::Edit;
use crate::ids::PackageId;
use crate::model::FileModel;
use crate::parse::SyntaxError;
use crate::prefilter::SkipHints;
use crate::source::SourceText;

/// One file of the scan.
#[derive(Debug)]
pub struct ScannedFile {
    /// The path to open.
    pub path: PathBuf,
    /// The path as shown (from the PATH argument, `/` separators).
    pub display: String,
    /// Index of the package in [`Project::packages`].
    ///
    /// [`Project::packages`]: super::Project::packages
    pub package: PackageId,
    /// What was read.
    pub state: FileState,
    /// Absolute, normalised path, for lookups across files.
    pub(super) key: PathBuf,
    /// What a skipped file's text hints at: it is read again when it may
    /// extend, construct or rename a class that takes (or will take) the
    /// lock service.
    pub(super) hints: SkipHints,
    /// Parsed by a second read (or an alias round), not because the
    /// prefilter kept it: a session re-decides such files when fewer names
    /// are reachable (see [`Project::redo_second_reads`]).
    ///
    /// [`Project::redo_second_reads`]: super::Project::redo_second_reads
    pub(super) second_read: bool,
}

impl ScannedFile {
    /// The absolute, normalised path.
    pub fn key(&self) -> &Path {
        &self.key
    }
}

/// What cronlock holds of a file.
#[derive(Debug)]
pub enum FileState {
    /// The file mentions none of the configured names, so it cannot produce a
    /// finding and was not parsed.
    Skipped,
    /// Parsed.
    Parsed {
        /// The text: held, or left on disk until asked for.
        text: ParsedText,
        /// What the rules need (shared with base-class lookups).
        model: Arc<FileModel>,
    },
    /// Did not parse.
    Broken {
        /// The text.
        source: Box<SourceText>,
        /// Where and why (boxed: broken files are few, and every file's
        /// state is as large as its largest kind).
        error: Box<SyntaxError>,
    },
    /// Removed from the scan by a long-running session (see
    /// [`Project::remove_file`]): its id is retired, never reused, and no
    /// question about the scan sees it.
    ///
    /// [`Project::remove_file`]: super::Project::remove_file
    Removed,
}

/// The text of a parsed file. Most files are parsed only for their models
/// (modules, barrels, base classes) and their text is never looked at again,
/// so a file read from disk keeps only a fingerprint of its text; the text
/// is read again, once, when something asks for it (a finding's position, a
/// fix), and must match the fingerprint. A fixed file read from disk keeps
/// the fix's edits as well, and its text is rebuilt from the disk on demand.
/// Texts not on disk (in-memory projects) are held.
#[derive(Debug)]
pub struct ParsedText {
    /// The text once read again (or from the start, when held); `None`
    /// inside when the file changed on disk (or became unreadable) since it
    /// was parsed.
    pub(super) slot: OnceLock<Option<Box<SourceText>>>,
    /// Where the text comes from.
    pub(super) backing: Backing,
}

/// Where a [`ParsedText`] comes from.
#[derive(Debug)]
pub(super) enum Backing {
    /// The slot holds it.
    Held,
    /// The file on disk, which must match the fingerprint.
    OnDisk(Fingerprint),
    /// The file on disk (which must match the fingerprint) with the edits of
    /// each round of fixes spliced in, round after round: a fix of many
    /// files holds no fixed text (a 50k-file fix held ~30 MB of them).
    Fixed(Box<FixedText>),
}

/// A fixed text left on disk: the original's fingerprint and the edits.
#[derive(Debug)]
pub(super) struct FixedText {
    pub(super) print: Fingerprint,
    /// Each round's edits, sorted and disjoint, as offsets into the text
    /// the previous rounds left.
    pub(super) rounds: Vec<Box<[Edit]>>,
}

impl Backing {
    /// The fingerprint of the original text on disk, if the text is there.
    pub(super) fn print(&self) -> Option<Fingerprint> {
        match self {
            Backing::Held => None,
            Backing::OnDisk(print) => Some(*print),
            Backing::Fixed(fixed) => Some(fixed.print),
        }
    }

    /// The text, read through `fs` from `path`; `None` when it is held, or
    /// when the file no longer holds the text that was parsed.
    pub(super) fn load(&self, fs: &dyn FileSystem, path: &Path) -> Option<String> {
        let print = self.print()?;
        let text = read_text(fs, path).filter(|t| Fingerprint::of(t.as_bytes()) == print)?;
        match self {
            Backing::Fixed(fixed) => fixed
                .rounds
                .iter()
                .try_fold(text, |text, edits| crate::fix::splice(&text, edits)),
            _ => Some(text),
        }
    }
}

impl ParsedText {
    /// A text kept in memory.
    pub(super) fn held(source: SourceText) -> ParsedText {
        ParsedText {
            slot: OnceLock::from(Some(Box::new(source))),
            backing: Backing::Held,
        }
    }

    /// A text left on disk, read again on demand.
    pub(super) fn on_disk(print: Fingerprint) -> ParsedText {
        ParsedText {
            slot: OnceLock::new(),
            backing: Backing::OnDisk(print),
        }
    }

    /// The text, read again through `fs` from `path` on first use; `None`
    /// when the file no longer holds the text that was parsed.
    pub(super) fn get(&self, fs: &dyn FileSystem, path: &Path) -> Option<&SourceText> {
        self.slot
            .get_or_init(|| {
                self.backing
                    .load(fs, path)
                    .map(|text| Box::new(SourceText::new(text)))
            })
            .as_deref()
    }

    /// The text for one use: the held (or cached) one, else read again
    /// through `fs` from `path` and not kept; `None` when the file no longer
    /// holds the text that was parsed (then that is remembered).
    pub(super) fn peek(&self, fs: &dyn FileSystem, path: &Path) -> Option<SourceRef<'_>> {
        if let Some(held) = self.slot.get() {
            return held.as_deref().map(SourceRef::Held);
        }
        self.backing.print()?;
        match self.backing.load(fs, path) {
            Some(text) => Some(SourceRef::Read(Box::new(SourceText::new(text)))),
            None => {
                let _ = self.slot.set(None);
                None
            }
        }
    }

    /// The file was read again and no longer holds the text that was parsed.
    pub(super) fn changed(&self) -> bool {
        matches!(self.slot.get(), Some(None))
    }
}

/// A file's text for one use: the project's, or read again for the caller
/// alone (dropped with it, so that reading every file with a finding does
/// not keep every such text).
#[derive(Debug)]
pub enum SourceRef<'a> {
    /// Held by the project.
    Held(&'a SourceText),
    /// Read again from disk.
    Read(Box<SourceText>),
}

impl std::ops::Deref for SourceRef<'_> {
    type Target = SourceText;

    fn deref(&self) -> &SourceText {
        match self {
            SourceRef::Held(source) => source,
            SourceRef::Read(source) => source,
        }
    }
}

/// Length and 64-bit hash of a file's bytes: enough to tell that a file read
/// again is the one that was parsed.
///
/// Made of 4-byte parts (the length saturates; the hash tells longer files
/// apart), so that the tag of an enum holding one fits beside it: every
/// [`ScannedFile`] holds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    len: u32,
    /// The 64-bit hash, in halves.
    hash: [u32; 2],
}

impl Fingerprint {
    /// The fingerprint of `bytes`.
    pub fn of(bytes: &[u8]) -> Fingerprint {
        use std::hash::Hasher;
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(bytes);
        let hash = hasher.finish();
        Fingerprint {
            len: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
            hash: [(hash >> 32) as u32, hash as u32],
        }
    }
}

impl std::ops::Index<crate::ids::FileId> for Vec<ScannedFile> {
    type Output = ScannedFile;

    fn index(&self, id: crate::ids::FileId) -> &Self::Output {
        &self[id.index()]
    }
}

impl std::ops::IndexMut<crate::ids::FileId> for Vec<ScannedFile> {
    fn index_mut(&mut self, id: crate::ids::FileId) -> &mut Self::Output {
        &mut self[id.index()]
    }
}
