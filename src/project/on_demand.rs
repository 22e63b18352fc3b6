//! Models of files outside the scan (or skipped by the prefilter), read and
//! parsed on demand, once each; and what their texts show without a parse,
//! also read once per question.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use super::{FileState, Project};
use crate::budget::with_module_in_budget;
use crate::files::read_text;
use crate::model::{FileModel, build_model};
use crate::prefilter::{cannot_export_class_named, cannot_export_name};
use crate::source::SourceText;

/// A file read on demand: parsed by the first thread that asks (`None`:
/// unreadable or not parseable).
pub(super) type OnDemand = OnceLock<Option<Arc<FileModel>>>;

/// A question a file's text answers without a parse (see
/// [`Project::text_cannot_export`] and [`Project::text_exports_no`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextQuestion {
    CannotExportClass,
    ExportsNo,
}

/// What is known of files outside the parsed scan: their models, parsed on
/// demand, and the answers their texts gave. A module's `exports` are asked
/// about once per module that imports it (60 modules, 126 files and 791
/// questions in mx-exchange-service), so each answer is kept. Cleared
/// whenever a text or the set of files changes.
#[derive(Default)]
pub(super) struct OutsideScan {
    models: HashMap<PathBuf, Arc<OnDemand>>,
    answers: HashMap<PathBuf, Vec<(TextQuestion, Box<str>, bool)>>,
}

impl OutsideScan {
    /// Forgets every model and answer.
    pub(super) fn clear(&mut self) {
        self.models.clear();
        self.answers.clear();
    }

    /// Forgets the model of the file at `key` and its text's answers.
    pub(super) fn forget(&mut self, key: &Path) {
        self.models.remove(key);
        self.answers.remove(key);
    }
}

impl Project {
    /// The model of any file by absolute path: a scanned one, or one read on
    /// demand (a base class outside the scan, or in a file the prefilter
    /// skipped). Each on-demand file is read and parsed once, by whichever
    /// thread asks first; the map's lock is held only to find its slot.
    pub fn model_at(&self, key: &Path) -> Option<Arc<FileModel>> {
        crate::deps::read_key(key);
        if let Some(&index) = self.by_key.get(key)
            && let FileState::Parsed { model, .. } = &self.files[index].state
        {
            return Some(Arc::clone(model));
        }
        let slot = {
            let mut cache = self.outside.lock().ok()?;
            Arc::clone(cache.models.entry(key.to_path_buf()).or_default())
        };
        slot.get_or_init(|| {
            let source = Arc::new(SourceText::new(read_text(self.fs.as_ref(), key)?));
            with_module_in_budget(self.budget, &source, build_model)
                .ok()
                .map(Arc::new)
        })
        .clone()
    }

    /// Whether the file at `key`, read but not parsed, cannot export a class
    /// declared as `name` (see [`cannot_export_class_named`]). A file
    /// already parsed, or unreadable, is left to the parse: `false`.
    pub fn text_cannot_export(&self, key: &Path, name: &str) -> bool {
        self.text_shows(key, TextQuestion::CannotExportClass, name, |bytes| {
            cannot_export_class_named(bytes, name)
        })
    }

    /// Whether the file at `key`, read but not parsed, exports nothing
    /// named `name` (see [`cannot_export_name`]). A file already parsed, or
    /// unreadable, is left to the parse: `false`.
    pub fn text_exports_no(&self, key: &Path, name: &str) -> bool {
        self.text_shows(key, TextQuestion::ExportsNo, name, |bytes| {
            cannot_export_name(bytes, name)
        })
    }

    /// `test` (`question` about `name`) on the bytes of the file at `key`,
    /// when it is not parsed (a parsed file's model answers as cheaply) and
    /// can be read; the file is read once per question and name.
    fn text_shows(
        &self,
        key: &Path,
        question: TextQuestion,
        name: &str,
        test: impl FnOnce(&[u8]) -> bool,
    ) -> bool {
        if self.index_of(key).is_some() {
            return false;
        }
        crate::deps::read_key(key);
        let asked = |(q, n, _): &&(TextQuestion, Box<str>, bool)| *q == question && **n == *name;
        if let Ok(cache) = self.outside.lock()
            && let Some((_, _, answer)) = cache.answers.get(key).and_then(|a| a.iter().find(asked))
        {
            return *answer;
        }
        let answer = self.fs.read(key).is_ok_and(|bytes| test(&bytes));
        if let Ok(mut cache) = self.outside.lock() {
            let answers = cache.answers.entry(key.to_path_buf()).or_default();
            answers.push((question, name.into(), answer));
        }
        answer
    }
}
