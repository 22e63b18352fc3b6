//! Analyses in the background: starting those that are due, taking their
//! results, and publishing diagnostics where they changed.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use lsp_types::notification::{Notification as NotificationTrait, PublishDiagnostics};
use lsp_types::{
    Diagnostic, MessageType, PublishDiagnosticsParams, Uri, WorkDoneProgress, WorkDoneProgressEnd,
};

use super::{Analysed, Done, ScanProgress, Server, guarded_run};
use crate::lsp::analysis::{self, Findings};
use crate::lsp::documents::Overlay;

impl Server {
    pub(super) fn end_scan_progress_if_done(&mut self) {
        if self.progress == ScanProgress::Begun && self.roots.iter().all(|r| r.scanned) {
            self.progress = ScanProgress::Off;
            self.send_progress(WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some("scan complete".to_string()),
            }));
        }
    }

    /// Starts the analyses that are due: dirty, not running, and the
    /// buffers still for the debounce delay.
    pub(super) fn start_due(&mut self) {
        let Some(deadline) = self.deadline else {
            return;
        };
        if Instant::now() < deadline {
            return;
        }
        self.deadline = None;
        let encoding = self.style.encoding;
        for root in &mut self.roots {
            if !root.dirty || root.running {
                continue;
            }
            root.dirty = false;
            root.running = true;
            let overlay = self.documents.snapshot();
            let path = root.path.clone();
            let generation = root.generation;
            let done = self.done_tx.clone();
            let previous = root.loaded.take();
            let on_disk = std::mem::take(&mut root.on_disk);
            let workers = self.workers.clone();
            let spawned = std::thread::Builder::new()
                .name("cronlock-analysis".into())
                .stack_size(crate::parse::WORKER_STACK)
                .spawn(move || {
                    let result = guarded_run(|| {
                        analysis::analyze(&path, &overlay, encoding, previous, &on_disk, &workers)
                    });
                    let _ = done.send(Done::Analysis {
                        root: path,
                        generation,
                        overlay,
                        result,
                    });
                });
            if spawned.is_err() {
                root.running = false;
                root.dirty = true;
            }
        }
    }

    pub(super) fn on_done(&mut self, done: Done) {
        match done {
            Done::Analysis {
                root,
                generation,
                overlay,
                result,
            } => self.analysed(&root, generation, overlay, result),
            Done::Fixes {
                root,
                generation,
                result,
            } => self.fixed(&root, generation, result),
        }
    }

    fn analysed(
        &mut self,
        path: &Path,
        generation: u64,
        overlay: Overlay,
        result: Result<(Findings, Box<analysis::Loaded>), String>,
    ) {
        let Some(root) = self.roots.iter_mut().find(|r| r.path == path) else {
            self.answer_reports();
            return;
        };
        root.running = false;
        root.scanned = true;
        // A session that answered for an older generation is still up to
        // date with the texts it was given: the next analysis goes on from
        // it.
        let result = result.map(|(findings, loaded)| {
            root.loaded = Some(loaded);
            findings
        });
        if root.dirty {
            // Superseded: the newer text is analysed once things settle.
            self.deadline
                .get_or_insert_with(|| Instant::now() + root.debounce());
        }
        match result {
            Ok(findings) if generation == root.generation => {
                root.shown_error = None;
                root.latest = Some(Analysed {
                    generation,
                    overlay,
                    findings,
                });
                self.publish_all();
                self.send_readiness(path);
            }
            Ok(_) => {}
            Err(error) => {
                let message = format!("cronlock: {}: {error}", path.display());
                if root.shown_error.as_ref() != Some(&message) {
                    root.shown_error = Some(message.clone());
                    self.show(MessageType::ERROR, &message);
                }
            }
        }
        self.end_scan_progress_if_done();
        self.answer_reports();
    }

    /// Publishes every file whose diagnostics differ from what was last
    /// published (a file's diagnostics come from the root that owns it).
    /// Diagnostics are compared in place and cloned only to be sent.
    pub(super) fn publish_all(&mut self) {
        let mut wanted: HashSet<&PathBuf> = HashSet::new();
        let mut changed: Vec<(PathBuf, Uri, Vec<Diagnostic>, Option<i32>)> = Vec::new();
        for (at, root) in self.roots.iter().enumerate() {
            let Some(latest) = &root.latest else {
                continue;
            };
            for (path, (uri, shown)) in &latest.findings.files {
                if self.owner(path) != Some(at) {
                    continue;
                }
                wanted.insert(path);
                let same = self.published.get(path).is_some_and(|(_, published)| {
                    published.len() == shown.len()
                        && published.iter().zip(shown).all(|(p, s)| *p == s.diagnostic)
                });
                if !same {
                    let diagnostics = shown.iter().map(|s| s.diagnostic.clone()).collect();
                    changed.push((
                        path.clone(),
                        uri.clone(),
                        diagnostics,
                        latest.overlay.version(path),
                    ));
                }
            }
        }
        let gone: Vec<PathBuf> = self
            .published
            .keys()
            .filter(|p| !wanted.contains(*p))
            .cloned()
            .collect();
        for path in gone {
            if let Some((uri, _)) = self.published.remove(&path) {
                self.publish(uri, Vec::new(), None);
            }
        }
        for (path, uri, diagnostics, version) in changed {
            self.publish(uri.clone(), diagnostics.clone(), version);
            self.published.insert(path, (uri, diagnostics));
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        self.notify(
            PublishDiagnostics::METHOD,
            PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            },
        );
    }
}
