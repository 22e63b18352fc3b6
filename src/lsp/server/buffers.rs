//! Open buffers and roots: a buffer opened, changed, saved or closed marks
//! its root for a new analysis; workspace folders come and go.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use lsp_types::Uri;
use serde_json::Value;

use super::{Root, Server};
use crate::lsp::documents::{Document, uri_to_path};

impl Server {
    pub(super) fn did_open(&mut self, uri: Uri, version: i32, text: String) {
        let Some(path) = uri_to_path(&uri) else {
            return;
        };
        self.documents.open(
            path.clone(),
            Document {
                uri,
                version,
                text: Arc::from(text),
            },
        );
        if self.owner(&path).is_none() && crate::walk::is_scanned_name(&path) {
            self.loose.push(path.clone());
            self.roots.push(Root::new(path.clone()));
        }
        self.touch(&path);
    }

    pub(super) fn did_close(&mut self, path: &Path) {
        if self.documents.close(path).is_none() {
            return;
        }
        if let Some(at) = self.loose.iter().position(|p| p == path) {
            self.loose.remove(at);
            self.roots.retain(|r| r.path != path);
            self.publish_all();
            return;
        }
        // From now on the disk's text counts.
        self.touch(path);
    }

    /// A buffer changed: its root is analysed again soon.
    pub(super) fn touch(&mut self, path: &Path) {
        if let Some(at) = self.owner(path) {
            self.mark(at);
        }
    }

    /// A file changed on disk: every root that holds it, or every root when
    /// none does (a `cronlock.toml` or tsconfig above the folders).
    pub(super) fn touch_on_disk(&mut self, path: &Path) {
        let holding: Vec<usize> = (0..self.roots.len())
            .filter(|&i| path.starts_with(&self.roots[i].path))
            .collect();
        let all: Vec<usize> = if holding.is_empty() {
            (0..self.roots.len()).collect()
        } else {
            holding
        };
        for at in all {
            if let Some(root) = self.roots.get_mut(at) {
                root.on_disk.push(path.to_path_buf());
            }
            self.mark(at);
        }
    }

    fn mark(&mut self, at: usize) {
        if let Some(root) = self.roots.get_mut(at) {
            root.generation += 1;
            root.dirty = true;
            self.deadline = Some(Instant::now() + root.debounce());
            self.refuse_waiting(at);
        }
    }

    /// Code actions waiting for fixes of a root whose text just changed:
    /// their fixes would be stale, so nothing is offered.
    fn refuse_waiting(&mut self, at: usize) {
        let waiting = std::mem::take(&mut self.waiting);
        for wait in waiting {
            let owner = uri_to_path(&wait.params.text_document.uri).and_then(|p| self.owner(&p));
            if owner == Some(at) {
                self.reply(wait.id, Value::Array(Vec::new()));
            } else {
                self.waiting.push(wait);
            }
        }
    }

    pub(super) fn change_folders(&mut self, event: lsp_types::WorkspaceFoldersChangeEvent) {
        for removed in event.removed {
            if let Some(path) = uri_to_path(&removed.uri) {
                self.roots.retain(|r| r.path != path);
            }
        }
        for added in event.added {
            if let Some(path) = uri_to_path(&added.uri)
                && !self.roots.iter().any(|r| r.path == path)
            {
                self.roots.push(Root::new(path));
                self.deadline = Some(Instant::now());
            }
        }
        self.publish_all();
    }

    /// The root a file belongs to: the innermost folder holding it, or its
    /// own loose root.
    pub(super) fn owner(&self, path: &Path) -> Option<usize> {
        (0..self.roots.len())
            .filter(|&i| path.starts_with(&self.roots[i].path))
            .max_by_key(|&i| self.roots[i].path.components().count())
    }
}
