//! Incremental updates, for a long-running session: texts replaced in
//! place, and second reads decided again for what changed.

use std::sync::Arc;

use rayon::prelude::*;

use super::load::state_of;
use super::{FileState, Project, ScannedFile, SourceKey};
use crate::files::FileSystem;
use crate::ids::{FileId, PackageId};
use crate::paths::normalize;
use crate::prefilter::{SkipHints, is_kept, mentions_as_code, substring_matcher, word_matcher};
use crate::source::SourceText;
use crate::walk::WalkedFile;
use crate::workspace::PackageFinder;

/// What [`Project::update_texts`] changed.
#[derive(Debug, Default)]
pub struct Updated {
    /// Files whose state changed.
    pub files: Vec<FileId>,
    /// A fact that every file's stage may read changed (a package's lock
    /// sources): every file must be judged again.
    pub globals_changed: bool,
}

/// Why [`Project::update_texts`] cannot bring the project up to date in
/// place: which files a fresh load parses may have changed in a way only a
/// fresh load works out (see [`Project::update_texts`]). The project must
/// be loaded again.
#[derive(Debug, PartialEq, Eq)]
pub struct NeedsLoad;

/// The names second reads have followed (see
/// [`Project::parse_second_reads`]), kept between updates by a long-running
/// session.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reached {
    names: std::collections::BTreeSet<String>,
    sources: std::collections::BTreeSet<String>,
}

impl Reached {
    /// Whether every name and module `other` holds is held here too.
    pub fn includes(&self, other: &Reached) -> bool {
        self.names.is_superset(&other.names) && self.sources.is_superset(&other.sources)
    }
}

/// Incremental updates, for a long-running [`crate::session::Session`].
impl Project {
    /// Reads texts through `fs` from now on (the editor's buffers as they
    /// are now): files read again or on demand must be read as a fresh load
    /// would read them. Every file whose text differs between the two must
    /// go through [`Project::update_texts`].
    pub fn set_file_system(&mut self, fs: Arc<dyn FileSystem>) {
        self.fs = fs;
    }

    /// The names second reads follow today (everything reachable from the
    /// parsed files).
    pub fn reached(&self) -> Reached {
        let reach = self.reachable_names();
        Reached {
            names: reach.names.into_iter().collect(),
            sources: reach.default_sources.into_iter().collect(),
        }
    }

    /// Adds a file to the scan (one a fresh walk finds now: the caller
    /// decides that), with a fresh id at the end of the table, placed in
    /// its package as loading places files. Its state is [`FileState::Skipped`]
    /// until its text comes through [`Project::update_texts`]. A file that
    /// is already scanned, or whose package holds no scanned file (a fresh
    /// load would find a package, and maybe a workspace package, that this
    /// project does not know) is [`NeedsLoad`]; nothing changed then.
    pub fn add_file(&mut self, walked: WalkedFile) -> Result<FileId, NeedsLoad> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let key = normalize(&cwd.join(&walked.path));
        if self.by_key.contains_key(&key) || self.file_ids().any(|i| self.files[i].key == key) {
            return Err(NeedsLoad);
        }
        let root = self
            .placement
            .roots
            .get(walked.root)
            .cloned()
            .ok_or(NeedsLoad)?;
        let mut finder = PackageFinder::new(self.placement.markers.clone());
        let found = finder.package_of(&key, &root);
        let dir = finder
            .packages
            .get(found.index())
            .map(|p| p.dir.clone())
            .ok_or(NeedsLoad)?;
        let package = self
            .packages
            .iter()
            .position(|p| p.dir == dir)
            .map(PackageId::new)
            .ok_or(NeedsLoad)?;
        let id = FileId::new(self.files.len());
        self.files.push(ScannedFile {
            path: walked.path,
            display: walked.display,
            package,
            state: FileState::Skipped,
            key: key.clone(),
            hints: SkipHints::default(),
            second_read: false,
        });
        self.insert_in_order(id);
        self.forget_lookups(&key, true);
        Ok(id)
    }

    /// Removes file `id` from the scan: its id is retired (the file stays
    /// in the table as [`FileState::Removed`]), no other id changes. The
    /// last file of its package is [`NeedsLoad`] (a fresh load would not
    /// know the package); the project must then be loaded again.
    pub fn remove_file(&mut self, id: FileId) -> Result<(), NeedsLoad> {
        let Some(file) = self.files.get_mut(id.index()) else {
            return Err(NeedsLoad);
        };
        if matches!(file.state, FileState::Removed) {
            return Err(NeedsLoad);
        }
        file.state = FileState::Removed;
        file.second_read = false;
        let (key, package) = (file.key.clone(), file.package);
        self.by_key.remove(&key);
        self.take_out_of_order(id);
        self.forget_lookups(&key, false);
        if !self.order.iter().any(|&i| self.files[i].package == package) {
            return Err(NeedsLoad);
        }
        Ok(())
    }

    /// A file came or went: imports resolve again, and files read on
    /// demand are read again.
    fn forget_lookups(&mut self, key: &std::path::Path, added: bool) {
        self.resolver.file_added_or_removed(key, added);
        self.forget_disk();
    }

    /// A scanned file came onto the disk or left it while its text stayed
    /// in an editor's buffer (an unsaved new file saved, or a file deleted
    /// under its buffer): imports that reach it resolve otherwise (the
    /// resolver reads the disk), so every lookup is made again.
    pub fn forget_disk(&mut self) {
        self.resolver.forget();
        if let Ok(cache) = self.outside.get_mut() {
            cache.clear();
        }
    }

    /// Replaces the texts of scanned files (an editor's buffers, or files
    /// changed on disk) and brings what depends on them up to date, reading
    /// no other file. A changed file the prefilter keeps is parsed; one it
    /// skips is left skipped, for [`Project::second_reads_of`] to decide
    /// once every change is in. A new or lost alias of a lock decorator is
    /// [`NeedsLoad`]: the project is then half updated, and must be loaded
    /// again.
    pub fn update_texts(&mut self, changes: Vec<(FileId, String)>) -> Result<Updated, NeedsLoad> {
        // Texts read on demand from now on are the new ones.
        if let Ok(mut cache) = self.outside.lock() {
            for (index, _) in &changes {
                if let Some(file) = self.file(*index) {
                    cache.forget(&file.key);
                }
            }
        }
        // Loading ran the alias rounds to their end, and an update that
        // changes them is refused below: the names known are the fixpoint.
        let mut aliases_before = self.lock_aliases.clone();
        aliases_before.sort();
        let mut parse = Vec::with_capacity(changes.len());
        let mut skip = Vec::new();
        for (index, text) in changes {
            let kept = self
                .prefilter
                .as_ref()
                .is_none_or(|p| is_kept(p, text.as_bytes()));
            if kept {
                parse.push((index, text));
            } else {
                // Whether a second read wants it is decided once every
                // change is in (see `Session::update`).
                skip.push(index);
            }
        }
        let sources_before: Vec<Vec<SourceKey>> = self
            .packages
            .iter()
            .map(|p| p.lock_sources.clone())
            .collect();
        let budget = self.budget;
        let mut states: Vec<(FileId, FileState)> = parse
            .into_par_iter()
            .map(|(index, text)| (index, state_of(budget, SourceText::new(text), None, false)))
            .collect();
        states.extend(skip.into_iter().map(|index| (index, FileState::Skipped)));
        let mut updated = Updated::default();
        for (index, state) in states {
            let Some(file) = self.files.get_mut(index.index()) else {
                continue;
            };
            if matches!(state, FileState::Parsed { .. }) {
                self.by_key.insert(file.key.clone(), index);
            } else {
                self.by_key.remove(&file.key);
            }
            file.state = state;
            file.second_read = false;
            updated.files.push(index);
        }
        if self.alias_fixpoint() != aliases_before {
            return Err(NeedsLoad);
        }
        self.collect_lock_sources();
        updated.globals_changed = self
            .packages
            .iter()
            .zip(&sources_before)
            .any(|(p, before)| p.lock_sources != *before);
        updated.files.sort_unstable();
        updated.files.dedup();
        Ok(updated)
    }

    /// Reads `files` (skipped ones) again and parses those a second read
    /// wants given everything reachable now (see [`SkipHints::wanted`]), or
    /// that name an alias of a lock decorator; gives the files parsed.
    pub fn second_reads_of(&mut self, files: Vec<FileId>, reached: &Reached) -> Vec<FileId> {
        if self.prefilter.is_none() {
            return Vec::new();
        }
        let candidates: Vec<FileId> = files
            .into_iter()
            .filter(|&i| {
                self.file(i)
                    .is_some_and(|f| matches!(f.state, FileState::Skipped))
            })
            .collect();
        if candidates.is_empty() {
            return Vec::new();
        }
        let names: Vec<String> = reached.names.iter().cloned().collect();
        let sources: Vec<String> = reached.sources.iter().cloned().collect();
        let (names, sources) = (word_matcher(&names), substring_matcher(&sources));
        let aliases = word_matcher(&self.lock_aliases);
        self.parse_if(candidates, |_, bytes| {
            aliases.as_ref().is_some_and(|m| mentions_as_code(m, bytes))
                || SkipHints::text_wanted(
                    bytes,
                    || names.as_ref().is_some_and(|m| mentions_as_code(m, bytes)),
                    || sources.as_ref().is_some_and(|m| m.is_match(bytes)),
                )
        })
    }

    /// Decides again, from the files the prefilter keeps, which files
    /// second reads parse, as loading does: every file parsed by a second
    /// read goes back to skipped, then the alias rounds and the second-read
    /// rounds run from nothing. For when fewer names are reachable than
    /// before (a fresh load would parse fewer files). Gives the files whose
    /// state changed.
    pub fn redo_second_reads(&mut self) -> Vec<FileId> {
        let demoted: Vec<FileId> = self
            .file_ids()
            .filter(|&i| self.files[i].second_read)
            .collect();
        for &index in &demoted {
            let file = &mut self.files[index];
            file.state = FileState::Skipped;
            file.second_read = false;
            self.by_key.remove(&file.key);
        }
        if let Ok(mut cache) = self.outside.lock() {
            cache.clear();
        }
        self.lock_aliases.clear();
        let mut changed = demoted;
        changed.extend(self.parse_alias_users());
        changed.extend(self.second_reads_since(&mut Reached::default()));
        self.collect_lock_sources();
        changed.sort_unstable();
        changed.dedup();
        changed
    }

    /// Whether the aliases of lock decorators known are those the parsed
    /// files give today: a file parsed since the alias rounds ran (by a
    /// second read) may rename a lock decorator once more.
    pub fn aliases_settled(&self) -> bool {
        let mut known = self.lock_aliases.clone();
        known.sort();
        self.alias_fixpoint() == known
    }

    /// Every name a lock decorator is re-exported under, sorted, as the
    /// parsed files say today (without reading skipped files).
    fn alias_fixpoint(&self) -> Vec<String> {
        let mut known: Vec<String> = Vec::new();
        loop {
            let new: Vec<String> = self
                .lock_decorator_aliases(&known)
                .into_iter()
                .filter(|a| !known.contains(a))
                .collect();
            if new.is_empty() {
                known.sort();
                return known;
            }
            known.extend(new);
        }
    }

    /// Second reads for the names that became reachable since `reached`
    /// (see [`Project::parse_second_reads`]), round after round, as loading
    /// runs them: skipped files are read again and parsed when their hints
    /// want them. Gives the files parsed.
    pub fn second_reads_since(&mut self, reached: &mut Reached) -> Vec<FileId> {
        let mut parsed = Vec::new();
        loop {
            let reach = self.reachable_names();
            let new_names: Vec<String> = reach
                .names
                .into_iter()
                .filter(|n| reached.names.insert(n.clone()))
                .collect();
            let new_sources: Vec<String> = reach
                .default_sources
                .into_iter()
                .filter(|s| reached.sources.insert(s.clone()))
                .collect();
            if self.prefilter.is_none() {
                return parsed;
            }
            let names = word_matcher(&new_names);
            let sources = substring_matcher(&new_sources);
            if names.is_none() && sources.is_none() {
                return parsed;
            }
            let candidates: Vec<FileId> = self
                .file_ids()
                .filter(|&i| matches!(self.files[i].state, FileState::Skipped))
                .collect();
            parsed.extend(self.parse_if(candidates, |_, bytes| {
                SkipHints::text_wanted(
                    bytes,
                    || names.as_ref().is_some_and(|m| mentions_as_code(m, bytes)),
                    || sources.as_ref().is_some_and(|m| m.is_match(bytes)),
                )
            }));
        }
    }
}
