//! Texts replaced during fixes: new texts parsed in place of the old, edits
//! spliced into texts left on disk, and the originals given back.

use std::path::Path;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use rayon::prelude::*;

use super::files::{Backing, FixedText, ParsedText};
use super::load::state_of;
use super::{FileState, Fingerprint, Project};
use crate::budget::ParseBudget;
use crate::files::{FileSystem, read_text};
use crate::fix::Edit;
use crate::ids::FileId;
use crate::source::SourceText;

/// A changed file's text before the fix loop changed it.
#[derive(Debug)]
pub enum Original {
    /// Held (the text the fix started from was not the file's on disk).
    Text(String),
    /// The file's text on disk, as parsed: read again when needed (see
    /// [`Project::original_text`]), so that a fix of many files does not
    /// hold every original text.
    OnDisk(Fingerprint),
}

impl Project {
    /// Replaces files' texts (after fixes), re-derives what depends on them,
    /// and gives back the texts they replaced (moved out, not copied: a fix
    /// of a large tree would otherwise hold every changed file three times).
    pub fn replace_texts(&mut self, texts: Vec<(FileId, String)>) -> Vec<(FileId, Original)> {
        // The old models go before the new ones are built. The new texts
        // were parsed once already, by the fix verifier; keeping those models
        // instead of parsing again costs ~20 MiB more at 50k files (every
        // changed file's old and new model alive at once), so they are rebuilt.
        let mut replaced = Vec::with_capacity(texts.len());
        for (index, _) in &texts {
            if let Some(file) = self.files.get_mut(index.index()) {
                match std::mem::replace(&mut file.state, FileState::Skipped) {
                    FileState::Parsed { text, .. } => match text.backing.print() {
                        // Callers replace texts they read, which matched
                        // the fingerprint; a file seen changed has none.
                        Some(print) if !text.changed() => {
                            replaced.push((*index, Original::OnDisk(print)));
                        }
                        Some(_) => {}
                        None => {
                            if let Some(source) = text.slot.into_inner().flatten() {
                                replaced.push((*index, Original::Text(source.into_text())));
                            }
                        }
                    },
                    FileState::Broken { source, .. } => {
                        replaced.push((*index, Original::Text(source.into_text())));
                    }
                    FileState::Skipped | FileState::Removed => {}
                }
            }
        }
        let prefilter = self.prefilter.as_ref();
        let budget = self.budget;
        let states: Vec<(FileId, FileState)> = texts
            .into_par_iter()
            .map(|(index, text)| {
                let state = state_of(budget, SourceText::new(text), prefilter, false);
                (index, state)
            })
            .collect();
        for (index, state) in states {
            if let Some(file) = self.files.get_mut(index.index()) {
                file.state = state;
            }
        }
        if let Ok(mut cache) = self.outside.lock() {
            cache.clear();
        }
        self.collect_lock_sources();
        replaced
    }

    /// Splices each file's edits (sorted and disjoint, as
    /// [`crate::fix::apply`] gives them: offsets into the file's current
    /// text) into its text, re-derives what depends on the texts, and gives
    /// back the texts they replaced, like [`Project::replace_texts`]. A file
    /// whose text is on disk keeps only the edits (see [`ParsedText`]), so
    /// that no fixed text is held; its text is rebuilt to be parsed, one file
    /// at a time per thread.
    pub fn splice_edits(
        &mut self,
        mut changes: Vec<(FileId, Vec<Edit>)>,
    ) -> Vec<(FileId, Original)> {
        changes.sort_by_key(|(index, _)| *index);
        let prefilter = self.prefilter.as_ref();
        let budget = self.budget;
        let fs = self.fs.as_ref();
        let changes = &changes;
        let replaced: Vec<(FileId, Original)> = self
            .files
            .par_iter_mut()
            .enumerate()
            .filter_map(|(index, file)| {
                let index = FileId::new(index);
                let at = changes.binary_search_by_key(&index, |(i, _)| *i).ok()?;
                let (state, original) = spliced(
                    std::mem::replace(&mut file.state, FileState::Skipped),
                    &changes[at].1,
                    fs,
                    &file.path,
                    prefilter,
                    budget,
                );
                file.state = state;
                Some((index, original?))
            })
            .collect();
        if let Ok(mut cache) = self.outside.lock() {
            cache.clear();
        }
        self.collect_lock_sources();
        replaced
    }

    /// The text `original` (of file `index`) stands for; `None` when it was
    /// left on disk and the file changed since it was parsed.
    pub fn original_text<'o>(
        &self,
        index: FileId,
        original: &'o Original,
    ) -> Option<std::borrow::Cow<'o, str>> {
        match original {
            Original::Text(text) => Some(std::borrow::Cow::Borrowed(text)),
            Original::OnDisk(print) => {
                let text = read_text(self.fs.as_ref(), &self.file(index)?.path)?;
                (Fingerprint::of(text.as_bytes()) == *print)
                    .then_some(std::borrow::Cow::Owned(text))
            }
        }
    }

    /// Records that cronlock itself wrote each file's new text (given by its
    /// fingerprint): from now on the file is expected to hold that text, so
    /// reading it again for the report of what the fix left (a finding's
    /// source frame) is no change on disk. A file another process changes
    /// after this write still is one.
    pub fn wrote(&mut self, written: &[(FileId, Fingerprint)]) {
        for &(index, print) in written {
            if let Some(FileState::Parsed { text, .. }) =
                self.files.get_mut(index.index()).map(|f| &mut f.state)
                && text.backing.print().is_some()
            {
                *text = ParsedText::on_disk(print);
            }
        }
    }
}

/// `state` with `edits` spliced into its text (see
/// [`Project::splice_edits`]), and the original text when it changed.
fn spliced(
    state: FileState,
    edits: &[Edit],
    fs: &dyn FileSystem,
    path: &Path,
    prefilter: Option<&AhoCorasick>,
    budget: ParseBudget,
) -> (FileState, Option<Original>) {
    // A text in memory is spliced and held, like any replaced text.
    let in_memory = |old: String, state: FileState| match crate::fix::splice(&old, edits) {
        Some(new) => (
            state_of(budget, SourceText::new(new), prefilter, false),
            Some(Original::Text(old)),
        ),
        None => (state, None),
    };
    match state {
        FileState::Parsed { text, model } => {
            let Some(print) = text.backing.print() else {
                let Some(source) = text.slot.get().and_then(Option::as_deref) else {
                    return (FileState::Parsed { text, model }, None);
                };
                let old = source.text().to_string();
                return in_memory(old, FileState::Parsed { text, model });
            };
            if text.changed() {
                return (FileState::Parsed { text, model }, None);
            }
            let mut rounds = match text.backing {
                Backing::Fixed(fixed) => fixed.rounds,
                _ => Vec::new(),
            };
            rounds.push(edits.into());
            let backing = Backing::Fixed(Box::new(FixedText { print, rounds }));
            let original = Some(Original::OnDisk(print));
            let Some(new) = backing.load(fs, path) else {
                // The file changed on disk since the fix read it: the old
                // model stays, the text is marked changed (reported as such).
                let text = ParsedText {
                    slot: OnceLock::from(None),
                    backing,
                };
                return (FileState::Parsed { text, model }, original);
            };
            drop(model);
            let state = match state_of(budget, SourceText::new(new), prefilter, false) {
                FileState::Parsed { model, .. } => FileState::Parsed {
                    text: ParsedText {
                        slot: OnceLock::new(),
                        backing,
                    },
                    model,
                },
                other => other,
            };
            (state, original)
        }
        FileState::Broken { source, error } => {
            let old = source.text().to_string();
            in_memory(old, FileState::Broken { source, error })
        }
        FileState::Skipped => (FileState::Skipped, None),
        FileState::Removed => (FileState::Removed, None),
    }
}
