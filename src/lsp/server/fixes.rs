//! Code actions: computed from a fix run on the text the user sees, once per
//! version of a root, and answered when they are ready.

use std::path::Path;
use std::sync::Arc;

use lsp_server::RequestId;
use lsp_types::{CodeActionOrCommand, CodeActionParams, MessageType, Uri};
use serde_json::Value;

use super::{Done, Server, Waiting, guarded_run};
use crate::lsp::actions::{self};
use crate::lsp::analysis::{self, ChangeSets};
use crate::lsp::documents::uri_to_path;

impl Server {
    /// Answers a code action from the latest analysis, when it was made
    /// from the text the client has now; otherwise nothing is offered.
    pub(super) fn code_action(&mut self, id: RequestId, params: CodeActionParams) {
        let Some(at) = self.current_root(&params.text_document.uri) else {
            self.reply(id, Value::Array(Vec::new()));
            return;
        };
        let wants_fixes = self.wants_fixes(at, &params);
        let root = &mut self.roots[at];
        let generation = root.generation;
        let ready = root
            .fixes
            .as_ref()
            .filter(|(g, _)| *g == generation)
            .map(|(_, sets)| Arc::clone(sets));
        match (wants_fixes, ready) {
            (false, _) => self.answer(id, &params, None),
            (true, Some(sets)) => self.answer(id, &params, Some(&sets)),
            (true, None) => {
                self.waiting.push(Waiting { id, params });
                self.compute_fixes(at);
            }
        }
    }

    /// The root whose latest analysis matches the document's current text.
    fn current_root(&self, uri: &Uri) -> Option<usize> {
        let path = uri_to_path(uri)?;
        let document = self.documents.get(&path)?;
        let at = self.owner(&path)?;
        let root = &self.roots[at];
        let latest = root.latest.as_ref()?;
        (latest.generation == root.generation
            && !root.dirty
            && latest.overlay.version(&path) == Some(document.version))
        .then_some(at)
    }

    /// Whether the answer needs the root's fixes: a fixable finding in the
    /// range, or the file-wide fix asked for.
    fn wants_fixes(&self, at: usize, params: &CodeActionParams) -> bool {
        let Some(path) = uri_to_path(&params.text_document.uri) else {
            return false;
        };
        let only = params.context.only.as_ref();
        let fix_all = only.is_some_and(|kinds| {
            kinds
                .iter()
                .any(|k| actions::FIX_ALL.starts_with(k.as_str()))
        });
        let fixable: Vec<&lsp_types::Range> = self.roots[at]
            .latest
            .as_ref()
            .and_then(|l| l.findings.files.get(&path))
            .map(|(_, shown)| {
                shown
                    .iter()
                    .filter(|s| s.fixable)
                    .map(|s| &s.diagnostic.range)
                    .collect()
            })
            .unwrap_or_default();
        // Nothing here `cronlock fix` repairs: no fix to compute.
        if fixable.is_empty() {
            return false;
        }
        fix_all || only.is_none() || fixable.iter().any(|r| actions::overlaps(r, &params.range))
    }

    fn compute_fixes(&mut self, at: usize) {
        let root = &mut self.roots[at];
        if root.fixing == Some(root.generation) {
            return;
        }
        let Some(latest) = &root.latest else {
            return;
        };
        root.fixing = Some(root.generation);
        let path = root.path.clone();
        let overlay = latest.overlay.clone();
        let generation = root.generation;
        let done = self.done_tx.clone();
        let workers = self.workers.clone();
        let _ = std::thread::Builder::new()
            .name("cronlock-fix".into())
            .stack_size(crate::parse::WORKER_STACK)
            .spawn(move || {
                let result = guarded_run(|| analysis::fix(&path, &overlay, &workers));
                let _ = done.send(Done::Fixes {
                    root: path,
                    generation,
                    result,
                });
            });
    }

    pub(super) fn fixed(
        &mut self,
        path: &Path,
        generation: u64,
        result: Result<ChangeSets, String>,
    ) {
        let sets = match result {
            Ok(sets) => Arc::new(sets),
            Err(error) => {
                self.show(MessageType::ERROR, &format!("cronlock: fix: {error}"));
                Arc::new(Vec::new())
            }
        };
        if let Some(root) = self.roots.iter_mut().find(|r| r.path == path) {
            root.fixing = None;
            if root.generation == generation {
                root.fixes = Some((generation, Arc::clone(&sets)));
            }
        }
        let waiting = std::mem::take(&mut self.waiting);
        for wait in waiting {
            // Stale (the text moved on since): refused, nothing offered.
            let current = self.current_root(&wait.params.text_document.uri);
            let fresh = current.is_some_and(|at| {
                self.roots[at].path == path && self.roots[at].generation == generation
            });
            if fresh {
                self.answer(wait.id, &wait.params, Some(&sets));
            } else if current.is_some() && self.roots.iter().any(|r| r.path == path) {
                self.waiting.push(wait);
            } else {
                self.reply(wait.id, Value::Array(Vec::new()));
            }
        }
        // Code actions still waiting need the newer generation's fixes.
        let pending: Vec<usize> = self
            .waiting
            .iter()
            .filter_map(|w| self.current_root(&w.params.text_document.uri))
            .collect();
        for at in pending {
            self.compute_fixes(at);
        }
    }

    /// Builds and sends the actions for `params`.
    fn answer(&self, id: RequestId, params: &CodeActionParams, sets: Option<&ChangeSets>) {
        let actions = self.actions(params, sets).unwrap_or_default();
        let value = serde_json::to_value(actions).unwrap_or(Value::Array(Vec::new()));
        self.reply(id, value);
    }

    fn actions(
        &self,
        params: &CodeActionParams,
        sets: Option<&ChangeSets>,
    ) -> Option<Vec<CodeActionOrCommand>> {
        let uri = &params.text_document.uri;
        let path = uri_to_path(uri)?;
        let document = self.documents.get(&path)?;
        let at = self.current_root(uri)?;
        let latest = self.roots[at].latest.as_ref()?;
        let wants = |kind: &str| {
            params
                .context
                .only
                .as_ref()
                .is_none_or(|only| only.iter().any(|k| kind.starts_with(k.as_str())))
        };
        let empty = Vec::new();
        let sets = sets.unwrap_or(&empty);
        let mut out = Vec::new();
        if let Some((_, shown)) = latest.findings.files.get(&path) {
            for finding in shown {
                if !actions::overlaps(&finding.diagnostic.range, &params.range)
                    || !wants("quickfix")
                {
                    continue;
                }
                if let Some(fix) =
                    actions::quick_fix(finding, &path, sets, &latest.overlay, self.style)
                {
                    out.push(CodeActionOrCommand::CodeAction(fix));
                }
                if let Some(suppress) = actions::suppress(
                    &finding.diagnostic,
                    uri,
                    &document.text,
                    document.version,
                    self.style,
                ) {
                    out.push(CodeActionOrCommand::CodeAction(suppress));
                }
            }
        }
        if wants(actions::FIX_ALL)
            && let Some(all) = actions::fix_all(&path, sets, &latest.overlay, self.style)
        {
            out.push(CodeActionOrCommand::CodeAction(all));
        }
        Some(out)
    }
}
