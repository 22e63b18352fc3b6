//! The scanned files of one run: loading them (read, prefilter, parse in
//! parallel), the package each belongs to, and each package's lock source.
//! Questions that cross files are answered in `links`.
//!
//! One file per job: `files` (the file table), `load`, `second_reads`,
//! `texts` (replaced during fixes), `conventions` (lock sources, modifiers,
//! guard sources), `on_demand` (files outside the scan) and `incremental`;
//! the prefilter lives below, in `crate::prefilter`.

mod conventions;
mod files;
mod incremental;
mod load;
mod on_demand;
mod second_reads;
mod texts;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use aho_corasick::AhoCorasick;

use crate::budget::ParseBudget;
use crate::config::Config;
use crate::files::FileSystem;
use crate::ids::{FileId, PackageId};
use crate::model::FileModel;
use crate::resolve::Resolver;
use crate::source::SourceText;
use crate::tsconfig::Tsconfigs;

pub use self::files::{FileState, Fingerprint, ParsedText, ScannedFile, SourceRef};
pub use self::incremental::{NeedsLoad, Reached, Updated};
pub use self::load::LoadError;
pub use self::texts::Original;
// Moved below `project`; named here too, as before the split.
pub use crate::model::build_model;
pub use crate::prefilter::{build_prefilter, mentions_any};
pub use crate::workspace::{Package, SourceKey};

/// All files of one run and what is known about them.
pub struct Project {
    /// The configuration in force.
    pub config: Config,
    /// The time each parse may take (from `config`): this project's own,
    /// whatever other projects the process holds.
    budget: ParseBudget,
    /// Every scanned file, indexed by [`FileId`]: sorted by display path
    /// when loaded; a file a session adds later goes at the end, and one it
    /// removes stays as [`FileState::Removed`] (ids are never reused). Go
    /// through [`Project::file_ids`] for the files in display order.
    pub files: Vec<ScannedFile>,
    /// Every package a file belongs to.
    pub packages: Vec<Package>,
    /// Resolves import specifiers to files.
    pub resolver: Resolver,
    /// Where source texts are read from.
    fs: Arc<dyn FileSystem>,
    /// The tsconfig flags the fix depends on.
    tsconfigs: Tsconfigs,
    /// Names a lock decorator is re-exported under somewhere in the scan;
    /// only a decorator imported under one of them is followed to its
    /// declaration.
    pub lock_aliases: Vec<String>,
    by_key: HashMap<PathBuf, FileId>,
    /// Files read on demand (outside the scan, or skipped by the prefilter);
    /// each is parsed once, outside the map's lock, and each question its
    /// text answers is answered once.
    outside: Mutex<on_demand::OutsideScan>,
    prefilter: Option<AhoCorasick>,
    /// The ids of the files in the scan (not removed), sorted by display
    /// path: the order every answer is given in.
    order: Arc<[FileId]>,
    /// Per id: its place in `order` (`u32::MAX`: removed).
    rank: Vec<u32>,
    /// The PATH arguments and the package markers the walk saw: a file a
    /// session adds is placed in its package as loading placed the others.
    placement: Placement,
}

/// What placing a file in its package needs (see `load::place_in_packages`).
#[derive(Default)]
struct Placement {
    roots: Vec<PathBuf>,
    markers: crate::workspace::Markers,
}

/// The file table: what is held of each file, by index and by path.
impl Project {
    /// The model of file `index`, when it parsed.
    pub fn model(&self, index: FileId) -> Option<&FileModel> {
        crate::deps::read_file(index);
        match &self.file(index)?.state {
            FileState::Parsed { model, .. } => Some(model.as_ref()),
            _ => None,
        }
    }

    /// The text of file `index`, when it was read in full. A parsed file's
    /// text is read again from disk on first use (see [`ParsedText`]):
    /// `None` when the file changed on disk since it was parsed (see
    /// [`Project::changed_on_disk`]).
    pub fn source(&self, index: FileId) -> Option<&SourceText> {
        crate::deps::read_file(index);
        let file = self.file(index)?;
        match &file.state {
            FileState::Parsed { text, .. } => text.get(self.fs.as_ref(), &file.path),
            FileState::Broken { source, .. } => Some(source.as_ref()),
            FileState::Skipped | FileState::Removed => None,
        }
    }

    /// The text of file `index` for one use, like [`Project::source`] but
    /// not kept by the project when it had to be read again.
    pub fn read_source(&self, index: FileId) -> Option<SourceRef<'_>> {
        crate::deps::read_file(index);
        let file = self.file(index)?;
        match &file.state {
            FileState::Parsed { text, .. } => text.peek(self.fs.as_ref(), &file.path),
            FileState::Broken { source, .. } => Some(SourceRef::Held(source)),
            FileState::Skipped | FileState::Removed => None,
        }
    }

    /// Files whose text was read again and no longer matched the text that
    /// was parsed: they changed on disk during the run, so nothing about
    /// them (positions, fixes) can be trusted.
    pub fn changed_on_disk(&self) -> Vec<FileId> {
        self.file_ids()
            .filter(|&i| matches!(&self.files[i].state, FileState::Parsed { text, .. } if text.changed()))
            .collect()
    }

    /// Directory of file `index` (absolute).
    pub fn dir_of(&self, index: FileId) -> PathBuf {
        self.file(index)
            .and_then(|f| f.key.parent())
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// The absolute path and shared model of scanned file `index`.
    pub fn file_model(&self, index: FileId) -> Option<(PathBuf, Arc<FileModel>)> {
        crate::deps::read_file(index);
        let file = self.file(index)?;
        match &file.state {
            FileState::Parsed { model, .. } => Some((file.key.clone(), Arc::clone(model))),
            _ => None,
        }
    }

    /// The ids of every scanned file (removed ones left out), in display
    /// path order.
    pub fn file_ids(&self) -> crate::ids::FileIds {
        crate::ids::FileIds::new(Arc::clone(&self.order))
    }

    /// Where file `id` comes in display path order (the order of
    /// [`Project::file_ids`]): what answers are sorted by, as ids are not
    /// in that order once a session added a file. Removed files come last.
    pub fn rank(&self, id: FileId) -> u32 {
        self.rank.get(id.index()).copied().unwrap_or(u32::MAX)
    }

    /// Scanned file `id` (`None` when removed).
    pub fn file(&self, id: FileId) -> Option<&ScannedFile> {
        self.files
            .get(id.index())
            .filter(|f| !matches!(f.state, FileState::Removed))
    }

    /// Puts every file in `order` (loaded files come sorted by display
    /// path, or in the order given for an in-memory project) and works out
    /// each id's rank.
    fn reorder(&mut self) {
        self.order = self.file_ids_in_table_order().collect();
        self.rerank();
    }

    fn file_ids_in_table_order(&self) -> impl Iterator<Item = FileId> + '_ {
        FileId::all(self.files.len())
            .filter(|&i| !matches!(self.files[i].state, FileState::Removed))
    }

    /// Places file `id` (just added) in `order` by its display path.
    fn insert_in_order(&mut self, id: FileId) {
        let files = &self.files;
        let display = files[id].display.as_str();
        let at = self
            .order
            .partition_point(|&i| files[i].display.as_str() < display);
        let mut order = self.order.to_vec();
        order.insert(at, id);
        self.order = order.into();
        self.rerank();
    }

    /// Takes file `id` (just removed) out of `order`.
    fn take_out_of_order(&mut self, id: FileId) {
        self.order = self.order.iter().copied().filter(|&i| i != id).collect();
        self.rerank();
    }

    fn rerank(&mut self) {
        let mut rank = vec![u32::MAX; self.files.len()];
        for (place, id) in self.order.iter().enumerate() {
            rank[id.index()] = u32::try_from(place).unwrap_or(u32::MAX);
        }
        self.rank = rank;
    }

    /// The parse budget every parse of this project is held to.
    pub fn budget(&self) -> ParseBudget {
        self.budget
    }

    /// Package `id`.
    pub fn package(&self, id: PackageId) -> Option<&Package> {
        self.packages.get(id.index())
    }

    /// The scanned, parsed file at an absolute path.
    pub fn index_of(&self, key: &Path) -> Option<FileId> {
        crate::deps::read_key(key);
        self.by_key.get(key).copied()
    }
}
