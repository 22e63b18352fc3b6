//! Models of files outside the scan (or skipped by the prefilter), read and
//! parsed on demand, once each.

use std::path::Path;
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
            Arc::clone(cache.entry(key.to_path_buf()).or_default())
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
        self.text_shows(key, |bytes| cannot_export_class_named(bytes, name))
    }

    /// Whether the file at `key`, read but not parsed, exports nothing
    /// named `name` (see [`cannot_export_name`]). A file already parsed, or
    /// unreadable, is left to the parse: `false`.
    pub fn text_exports_no(&self, key: &Path, name: &str) -> bool {
        self.text_shows(key, |bytes| cannot_export_name(bytes, name))
    }

    /// `test` on the bytes of the file at `key`, when it is not parsed
    /// (a parsed file's model answers as cheaply) and can be read.
    fn text_shows(&self, key: &Path, test: impl FnOnce(&[u8]) -> bool) -> bool {
        if self.index_of(key).is_some() {
            return false;
        }
        self.fs.read(key).is_ok_and(|bytes| test(&bytes))
    }
}
