//! The readiness of each root, for the editor's status bar: the verdict
//! and the numbers of `cronlock check --format markdown`, from the same
//! code (see [`markdown::standing`]), made from the root's last analysis.
//!
//! - `cronlock/readiness` (server to client, a notification), after an
//!   analysis whose verdict or numbers differ from those last sent for the
//!   root: [`Status`];
//! - `cronlock/readinessReport` (client to server, a request), params
//!   `{ "root": <folder uri> }` (optional: the first root), answered
//!   `{ "markdown": <the report> }`, the text `cronlock check --format
//!   markdown <root>` prints. A root being analysed (or about to be)
//!   answers once its analysis ends; nothing is scanned again for it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_server::RequestId;
use lsp_types::Uri;
use serde::Serialize;
use serde_json::{Value, json};

use super::analysis::Loaded;
use super::documents::{path_to_uri, uri_to_path};
use crate::output::{Report, markdown};

/// The notification's method.
pub const NOTIFICATION: &str = "cronlock/readiness";

/// The request's method.
pub const REPORT_REQUEST: &str = "cronlock/readinessReport";

/// The notification's params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// The root (a workspace folder, or a file opened outside every folder).
    pub root: Uri,
    /// `summary.ready` of `--format json`: no findings, registration
    /// verified wherever it is needed.
    pub ready: bool,
    /// The markdown report's verdict: `READY`, `NOT STARTED`, `UNKNOWN` or
    /// `NOT READY` (docs/readiness.md).
    pub verdict: &'static str,
    /// Lock-decorated classes that have the lock service member.
    pub complete: usize,
    /// Classes with lock-decorated methods (over every package).
    pub needing: usize,
    /// What a status bar shows: `cronlock: NOT READY 11/38` (without the
    /// numbers when no class needs a lock).
    pub label: String,
}

/// The markdown report's settings: what `check --format markdown` uses.
fn with_report<T>(loaded: &Loaded, f: impl FnOnce(&Report<'_>) -> T) -> T {
    let project = loaded.project();
    let analysis = loaded.analysis();
    let comparison = loaded
        .baseline()
        .map(|b| b.compare(project, &analysis.findings));
    f(&Report {
        project,
        analysis,
        color: false,
        quiet: false,
        baseline: comparison.as_ref(),
    })
}

/// Where `root` stands, from its last analysis.
pub fn status(root: &Path, loaded: &Loaded) -> Option<Status> {
    let uri = path_to_uri(root)?;
    let project = loaded.project();
    let analysis = loaded.analysis();
    // The verdict does not depend on the baseline (it counts baselined
    // findings): no comparison needed.
    let report = Report {
        project,
        analysis,
        color: false,
        quiet: false,
        baseline: None,
    };
    let standing = markdown::standing(&report);
    let verdict = standing.verdict.as_str();
    let label = if standing.needing == 0 {
        format!("cronlock: {verdict}")
    } else {
        format!(
            "cronlock: {verdict} {}/{}",
            standing.complete, standing.needing
        )
    };
    Some(Status {
        root: uri,
        ready: analysis.is_ready(),
        verdict,
        complete: standing.complete,
        needing: standing.needing,
        label,
    })
}

/// The readiness report of the root's last analysis, as `cronlock check
/// --format markdown` prints it.
pub fn markdown(loaded: &Loaded) -> String {
    with_report(loaded, markdown::render)
}

/// How a root stands for a waiting report request.
pub enum RootState<'a> {
    /// No longer a root.
    Gone,
    /// Analysed, its session at hand.
    Loaded(&'a Loaded),
    /// Being analysed, or about to be.
    Busy,
    /// Its last analysis failed (the error, when one was shown).
    Failed(Option<&'a str>),
}

/// What was last sent per root, and the report requests waiting.
#[derive(Default)]
pub struct Readiness {
    sent: HashMap<PathBuf, Status>,
    waiting: Vec<(RequestId, PathBuf)>,
}

impl Readiness {
    /// The notification to send after an analysis of `root`, when its
    /// status changed since the last one sent. `roots`: the roots there
    /// are now (what was sent for the others is forgotten, so that a root
    /// added again is told again).
    pub fn changed(&mut self, root: &Path, loaded: &Loaded, roots: &[&Path]) -> Option<Status> {
        self.sent.retain(|path, _| roots.contains(&path.as_path()));
        let status = status(root, loaded)?;
        if self.sent.get(root) == Some(&status) {
            return None;
        }
        self.sent.insert(root.to_path_buf(), status.clone());
        Some(status)
    }

    /// A report request: it waits for its root (see [`Readiness::answers`]),
    /// or the error to answer at once.
    pub fn request(
        &mut self,
        id: RequestId,
        params: &Value,
        roots: &[&Path],
    ) -> Result<(), String> {
        let root = requested_root(params, roots)?;
        self.waiting.push((id, root));
        Ok(())
    }

    /// The answers to the waiting requests whose root can answer now
    /// (`state` says how each root stands); the others go on waiting.
    pub fn answers<'a>(
        &mut self,
        state: impl Fn(&Path) -> RootState<'a>,
    ) -> Vec<(RequestId, Result<Value, String>)> {
        let mut out = Vec::new();
        for (id, root) in std::mem::take(&mut self.waiting) {
            let answer = match state(&root) {
                RootState::Busy => {
                    self.waiting.push((id, root));
                    continue;
                }
                RootState::Loaded(loaded) => Ok(json!({ "markdown": markdown(loaded) })),
                RootState::Gone => Err(format!("{} is no longer a root", root.display())),
                RootState::Failed(error) => Err(error.map_or_else(
                    || format!("cronlock: {}: not analysed", root.display()),
                    str::to_string,
                )),
            };
            out.push((id, answer));
        }
        out
    }
}

/// The root a request names: the innermost root holding its `root` (a
/// root's URI, or any path in it), else the first root.
fn requested_root(params: &Value, roots: &[&Path]) -> Result<PathBuf, String> {
    let Some(named) = params.get("root").filter(|r| !r.is_null()) else {
        return roots
            .first()
            .map(|r| r.to_path_buf())
            .ok_or_else(|| "no workspace folder is open".to_string());
    };
    let path = named
        .as_str()
        .and_then(|s| s.parse::<Uri>().ok())
        .and_then(|uri| uri_to_path(&uri))
        .ok_or_else(|| format!("`root` is not a file URI: {named}"))?;
    roots
        .iter()
        .filter(|r| path.starts_with(r))
        .max_by_key(|r| r.components().count())
        .map(|r| r.to_path_buf())
        .ok_or_else(|| format!("{} is not in any root", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_named_or_the_first() {
        let a = Path::new("/w/a");
        let inner = Path::new("/w/a/packages/x");
        let b = Path::new("/w/b");
        let roots = [a, inner, b];
        let named = |uri: &str| requested_root(&json!({ "root": uri }), &roots);
        assert_eq!(named("file:///w/b"), Ok(b.to_path_buf()));
        assert_eq!(
            named("file:///w/a/packages/x/src/y.ts"),
            Ok(inner.to_path_buf())
        );
        assert_eq!(named("file:///w/a/src"), Ok(a.to_path_buf()));
        assert!(named("file:///elsewhere").is_err());
        assert!(named("not a uri").is_err());
        assert_eq!(requested_root(&Value::Null, &roots), Ok(a.to_path_buf()));
        assert_eq!(requested_root(&json!({}), &roots), Ok(a.to_path_buf()));
        assert!(requested_root(&json!({}), &[]).is_err());
    }
}
