//! A long-running analysis (the language server's): the project stays
//! loaded, and a change re-runs the file stage only for the changed files
//! and the files whose answers read them, then the package stage.
//!
//! The file stage of each file runs under a [`deps::recording`], which
//! notes every file it read (its bases, the modules it imports, the
//! re-export chains it followed). After a change, a file is judged again
//! when it changed, when its record names a changed file, or when a fact
//! every file reads changed (see [`crate::project::Updated`]). The package
//! stage (applications, module graphs, ripples, settling) always runs in
//! full: it is a small part of the time (see `bench/lsp_latency.py`).
//!
//! Files can be added and removed too (see [`Change`]): a file keeps its
//! [`FileId`] for its whole life in the session, an added file gets a
//! fresh one and a removed file's is retired. Then every file is judged
//! again (none parsed again): an import that did not resolve may resolve
//! now, and no record names a lookup that failed.
//!
//! The answer is the one a fresh `check` of the same texts gives:
//! `tests/incremental.rs` checks it after random edit sequences.
//!
//! A session works on the [`Workers`] it is given: loading, updating and
//! judging run inside them, never on rayon's process-wide pool.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::deps::{self, Record};
use crate::engine::{self, Analysis, FileResult, RuleFilter};
use crate::files::FileSystem;
use crate::ids::FileId;
use crate::project::{Project, Reached};
use crate::walk::WalkedFile;
use crate::workers::Workers;

/// A loaded project, its file stage's results and what each read.
pub struct Session {
    project: Project,
    filter: RuleFilter,
    /// The file stage's result per file (`None`: nothing to add up).
    results: Vec<Option<Box<FileResult>>>,
    /// What each file's stage read.
    records: Vec<Record>,
    reached: Reached,
    /// Scanned files by path, as given to [`Session::update`].
    by_path: HashMap<PathBuf, FileId>,
    /// The files whose state changed in the last update (every file after
    /// loading).
    changed: Vec<FileId>,
    /// The worker threads every update runs on.
    workers: Workers,
}

/// One change [`Session::update`] takes.
#[derive(Debug, Clone)]
pub enum Change {
    /// A scanned file's new text (`path`: as walked).
    Text(PathBuf, String),
    /// A file a fresh load would scan now (the caller walked again to know:
    /// see [`crate::walk::walk`]) and its text. A file already scanned
    /// takes the text, as [`Change::Text`].
    Added(WalkedFile, String),
    /// A scanned file a fresh load would not scan any more (deleted).
    Removed(PathBuf),
    /// A scanned file's new text, when the file also came onto the disk or
    /// left it (an unsaved new buffer saved, or a file deleted under its
    /// open buffer): imports resolve against the disk, so what reaches it
    /// changes as when a file is added or removed.
    Moved(PathBuf, String),
}

/// Why [`Session::update`] could not apply a change: the caller loads the
/// project again (the session is no longer usable).
#[derive(Debug, PartialEq, Eq)]
pub enum Reload {
    /// A path the scan does not hold (a new file, or not a source file).
    Unknown(PathBuf),
    /// Which files a fresh load parses changed in a way only a fresh load
    /// works out: the aliases of a lock decorator changed, in a changed
    /// file (see [`Project::update_texts`]) or in one a second read parsed.
    Selection,
    /// A file added to or removed from the scan changes its packages: the
    /// first file of a package the project does not know, or the last
    /// file of one (see [`Project::add_file`], [`Project::remove_file`]).
    Packages(PathBuf),
}

impl Session {
    /// Runs the file stage of every file, recording what each read, and the
    /// package stage, on `workers` (which later updates run on too).
    pub fn new(project: Project, filter: RuleFilter, workers: &Workers) -> (Session, Analysis) {
        workers.install(|| Session::start(project, filter, workers.clone()))
    }

    fn start(project: Project, filter: RuleFilter, workers: Workers) -> (Session, Analysis) {
        let by_path = project
            .files
            .iter()
            .enumerate()
            .map(|(index, file)| (file.path.clone(), FileId::new(index)))
            .collect();
        let reached = project.reached();
        let all: Vec<FileId> = project.file_ids().collect();
        let mut session = Session {
            results: vec![None; project.files.len()],
            records: vec![Record::default(); project.files.len()],
            project,
            filter,
            reached,
            by_path,
            changed: all.clone(),
            workers,
        };
        session.judge(&all);
        let analysis = session.package_stage();
        (session, analysis)
    }

    /// The project as it stands.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// The files whose text or state changed in the last update, sorted
    /// (every file after loading, or when a fact every file reads changed):
    /// positions into any other file are as they were.
    pub fn last_changed(&self) -> &[FileId] {
        &self.changed
    }

    /// The rule filter in force.
    pub fn filter(&self) -> &RuleFilter {
        &self.filter
    }

    /// Whether the scan holds the file at `path` (as walked).
    pub fn scans(&self, path: &Path) -> bool {
        self.by_path.contains_key(path)
    }

    /// Applies `changes` (new texts, files added to the scan and removed
    /// from it), read through `fs` from now on (which must give those
    /// texts), and answers again. A file added gets a fresh id, a file
    /// removed has its id retired: no other file's id changes. After an
    /// error the session is unusable: load again.
    pub fn update(
        &mut self,
        changes: Vec<Change>,
        fs: Arc<dyn FileSystem>,
    ) -> Result<Analysis, Reload> {
        let workers = self.workers.clone();
        workers.install(|| self.apply(changes, fs))
    }

    fn apply(&mut self, changes: Vec<Change>, fs: Arc<dyn FileSystem>) -> Result<Analysis, Reload> {
        let mut indexed = Vec::with_capacity(changes.len());
        // Files came or went: imports may resolve otherwise anywhere, and
        // nothing records a lookup that failed, so every file is judged
        // again (none is parsed again).
        let mut files_changed = false;
        for change in changes {
            match change {
                Change::Text(path, text) => match self.by_path.get(&path) {
                    Some(&index) => indexed.push((index, text)),
                    None => return Err(Reload::Unknown(path)),
                },
                Change::Moved(path, text) => match self.by_path.get(&path) {
                    Some(&index) => {
                        indexed.push((index, text));
                        self.project.forget_disk();
                        files_changed = true;
                    }
                    None => return Err(Reload::Unknown(path)),
                },
                Change::Added(walked, text) => {
                    if let Some(&index) = self.by_path.get(&walked.path) {
                        indexed.push((index, text));
                        continue;
                    }
                    let path = walked.path.clone();
                    let index = self
                        .project
                        .add_file(walked)
                        .map_err(|_| Reload::Packages(path.clone()))?;
                    self.by_path.insert(path, index);
                    self.results.push(None);
                    self.records.push(Record::default());
                    indexed.push((index, text));
                    files_changed = true;
                }
                Change::Removed(path) => {
                    let Some(index) = self.by_path.remove(&path) else {
                        return Err(Reload::Unknown(path));
                    };
                    self.project
                        .remove_file(index)
                        .map_err(|_| Reload::Packages(path))?;
                    if let Some(result) = self.results.get_mut(index.index()) {
                        *result = None;
                    }
                    if let Some(record) = self.records.get_mut(index.index()) {
                        *record = Record::default();
                    }
                    files_changed = true;
                }
            }
        }
        self.project.set_file_system(fs);
        let updated = self
            .project
            .update_texts(indexed)
            .map_err(|_| Reload::Selection)?;
        let mut changed = updated.files;
        let reached = self.project.reached();
        let mut globals_changed = updated.globals_changed || files_changed;
        // Whether a second read parsed a file: `update_texts` settled the
        // aliases of lock decorators over the files parsed before.
        let second_read = if reached.includes(&self.reached) {
            // Changed files the prefilter skips may be wanted by any name
            // reachable now; then new names may want more files.
            let mut parsed = self.project.second_reads_of(changed.clone(), &reached);
            parsed.extend(self.project.second_reads_since(&mut self.reached));
            let any = !parsed.is_empty();
            changed.extend(parsed);
            any
        } else {
            // Fewer names: files parsed for the lost ones go back to skipped.
            changed.extend(self.project.redo_second_reads());
            self.reached = self.project.reached();
            globals_changed = true;
            true
        };
        // A file a second read parsed may rename a lock decorator again (a
        // barrel created anew: `export { ScheduledJob as NightlyJob }`): a
        // new alias, as in `update_texts`, calls for a fresh load.
        if second_read && !self.project.aliases_settled() {
            return Err(Reload::Selection);
        }
        changed.sort_unstable();
        changed.dedup();
        self.changed = if globals_changed {
            self.project.file_ids().collect()
        } else {
            changed.clone()
        };
        let affected: Vec<FileId> = if globals_changed {
            self.project.file_ids().collect()
        } else {
            self.readers_of(&changed)
        };
        self.judge(&affected);
        Ok(self.package_stage())
    }

    /// The files whose stage must run again after `changed` changed: those
    /// files, and every file whose record names one of them.
    fn readers_of(&self, changed: &[FileId]) -> Vec<FileId> {
        let indexes: HashSet<FileId> = changed.iter().copied().collect();
        let keys: HashSet<&Path> = changed
            .iter()
            .filter_map(|&i| self.project.file(i))
            .map(|f| f.key())
            .collect();
        FileId::all(self.records.len())
            .filter(|i| {
                indexes.contains(i) || {
                    let record = &self.records[i.index()];
                    record.files.iter().any(|f| indexes.contains(f))
                        || record.keys.iter().any(|k| keys.contains(k.as_path()))
                }
            })
            .collect()
    }

    /// Runs the file stage of `files` (in parallel), recording what each
    /// read.
    fn judge(&mut self, files: &[FileId]) {
        let project = &self.project;
        let judged: Vec<(FileId, Option<Box<FileResult>>, Record)> = files
            .par_iter()
            .map(|&index| {
                let (result, mut record) =
                    deps::recording(|| engine::check_file(project, index).into_boxed());
                record.files.sort_unstable();
                record.files.dedup();
                record.files.retain(|&f| f != index);
                record.keys.sort_unstable();
                record.keys.dedup();
                record.files.shrink_to_fit();
                record.keys.shrink_to_fit();
                (index, result, record)
            })
            .collect();
        for (index, result, record) in judged {
            self.results[index.index()] = result;
            self.records[index.index()] = record;
        }
    }

    fn package_stage(&self) -> Analysis {
        let analysis = engine::package_stage(&self.project, &self.filter, &self.results);
        self.keep_texts(&analysis);
        analysis
    }

    /// Keeps the texts (and their line indexes) of the files findings and
    /// their related sites point into: every answer works out their
    /// positions, and a text left on disk would be read again each time.
    fn keep_texts(&self, analysis: &Analysis) {
        let mut files: Vec<FileId> = analysis
            .findings
            .iter()
            .flat_map(|f| std::iter::once(f.file).chain(f.related.iter().map(|r| r.file)))
            .collect();
        files.sort_unstable();
        files.dedup();
        for file in files {
            let _ = self.project.source(file);
        }
    }
}
