//! The server loop: the editor's messages, analyses run in the background
//! (one per root, debounced), diagnostics published where they changed,
//! and code actions answered from the analysis of the text the user sees.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    Cancel, DidChangeTextDocument, DidChangeWatchedFiles, DidChangeWorkspaceFolders,
    DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Exit,
    Notification as NotificationTrait, Progress, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, RegisterCapability, Request as RequestTrait, WorkDoneProgressCreate,
};
use lsp_types::{
    CodeActionOrCommand, CodeActionParams, Diagnostic, InitializeParams, MessageType,
    ProgressParams, ProgressParamsValue, PublishDiagnosticsParams, ShowMessageParams, Uri,
    WorkDoneProgress, WorkDoneProgressBegin, WorkDoneProgressEnd,
};
use serde_json::Value;

use super::actions::{self, EditStyle};
use super::analysis::{self, ChangeSets, Findings};
use super::documents::{Document, Documents, Overlay, uri_to_path};
use super::readiness::{self, Readiness, RootState};
use super::transport::{Incoming, Outgoing};
use crate::workers::Workers;

/// How long the buffers must be still before a root is loaded again: one
/// load per burst of keystrokes, not one per keystroke.
const DEBOUNCE: Duration = Duration::from_millis(120);

/// The same, for a root whose session judges only what changed (a few
/// milliseconds): no wait beyond the analysis under way, whose end starts
/// the next one with every edit made meanwhile.
const INCREMENTAL_DEBOUNCE: Duration = Duration::ZERO;

impl Root {
    /// How long to wait for the buffers to be still before analysing.
    fn debounce(&self) -> Duration {
        if self.loaded.is_some() || self.running {
            INCREMENTAL_DEBOUNCE
        } else {
            DEBOUNCE
        }
    }
}

/// The token of the first scan's progress report.
const SCAN_TOKEN: &str = "cronlock/scan";

/// The id of the request that creates it.
const CREATE_PROGRESS_ID: &str = "cronlock/create-progress";

/// JSON-RPC's `RequestCancelled`.
const REQUEST_CANCELLED: i32 = -32800;

/// What a background thread reports.
enum Done {
    /// An analysis of a root.
    Analysis {
        root: PathBuf,
        generation: u64,
        overlay: Overlay,
        result: Result<(Findings, Box<analysis::Loaded>), String>,
    },
    /// The fixes of a root, computed for a waiting code action.
    Fixes {
        root: PathBuf,
        generation: u64,
        result: Result<ChangeSets, String>,
    },
}

/// The last analysis of a root that matched its text.
struct Analysed {
    generation: u64,
    overlay: Overlay,
    findings: Findings,
}

/// A workspace folder, or a file opened outside every folder.
struct Root {
    path: PathBuf,
    /// Bumped at every change that can alter its findings.
    generation: u64,
    /// An analysis is running.
    running: bool,
    /// It must be analysed again.
    dirty: bool,
    /// It has been analysed at least once (for the first scan's progress).
    scanned: bool,
    latest: Option<Analysed>,
    /// The fixes for one generation, computed once for all code actions.
    fixes: Option<(u64, Arc<ChangeSets>)>,
    /// A fix computation is running for this generation.
    fixing: Option<u64>,
    /// The last error shown for it (a bad `cronlock.toml`), so that it is
    /// not shown again at every keystroke.
    shown_error: Option<String>,
    /// The engine's session, between analyses (an analysis under way holds
    /// it): the next analysis judges only what changed.
    loaded: Option<Box<analysis::Loaded>>,
    /// Files changed on disk since the last analysis started.
    on_disk: Vec<PathBuf>,
}

impl Root {
    fn new(path: PathBuf) -> Root {
        Root {
            path,
            generation: 0,
            running: false,
            dirty: true,
            scanned: false,
            latest: None,
            fixes: None,
            fixing: None,
            shown_error: None,
            loaded: None,
            on_disk: Vec::new(),
        }
    }
}

/// A code action waiting for its root's fixes.
struct Waiting {
    id: RequestId,
    params: CodeActionParams,
}

/// Where the first scan's progress report is.
#[derive(PartialEq, Eq)]
enum ScanProgress {
    /// The client shows no progress, or it is over.
    Off,
    /// Asked the client to create the token.
    Creating,
    /// `begin` sent.
    Begun,
}

/// The server's state.
pub struct Server {
    out: Sender<Outgoing>,
    done_tx: Sender<Done>,
    done_rx: Receiver<Done>,
    documents: Documents,
    /// Workspace folders, then loose files, in no particular order.
    roots: Vec<Root>,
    /// Paths of loose-file roots (files opened outside every folder).
    loose: Vec<PathBuf>,
    style: EditStyle,
    progress: ScanProgress,
    watch_registration: bool,
    /// What was last published, per file.
    published: HashMap<PathBuf, (Uri, Vec<Diagnostic>)>,
    waiting: Vec<Waiting>,
    deadline: Option<Instant>,
    shutting_down: bool,
    /// The readiness last sent per root, and report requests waiting.
    readiness: Readiness,
    /// The worker threads analyses and fixes run on, shared by the roots.
    workers: Workers,
}

/// How the loop ended.
pub enum Ending {
    /// `exit` after `shutdown`.
    Clean,
    /// `exit` without `shutdown`, or the input closed.
    Abrupt,
}

impl Server {
    /// A server for a client that sent `params`, working on `workers`.
    pub fn new(
        out: Sender<Outgoing>,
        params: &InitializeParams,
        style: EditStyle,
        workers: Workers,
    ) -> Server {
        let (done_tx, done_rx) = unbounded();
        let capabilities = &params.capabilities;
        let progress = capabilities
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false);
        let watch_registration = capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        let roots = folder_paths(params).into_iter().map(Root::new).collect();
        Server {
            out,
            done_tx,
            done_rx,
            documents: Documents::default(),
            roots,
            loose: Vec::new(),
            style,
            progress: if progress {
                ScanProgress::Creating
            } else {
                ScanProgress::Off
            },
            watch_registration,
            published: HashMap::new(),
            waiting: Vec::new(),
            deadline: Some(Instant::now()),
            shutting_down: false,
            readiness: Readiness::default(),
            workers,
        }
    }

    /// Runs until `exit` or the end of input.
    pub fn run(mut self, incoming: &Receiver<Incoming>) -> Ending {
        self.start_up();
        loop {
            let timeout = self.deadline.map_or(Duration::from_secs(3600), |d| {
                d.saturating_duration_since(Instant::now())
            });
            let done_rx = self.done_rx.clone();
            select! {
                recv(incoming) -> message => match message {
                    Ok(message) => {
                        if let Some(ending) = self.guarded(|s| s.on_incoming(message)) {
                            return ending;
                        }
                    }
                    Err(_) => return Ending::Abrupt,
                },
                recv(done_rx) -> done => {
                    if let Ok(done) = done {
                        self.guarded(|s| { s.on_done(done); None });
                    }
                },
                default(timeout) => {},
            }
            self.guarded(|s| {
                s.start_due();
                None
            });
        }
    }

    /// Runs a handler; a bug in it is logged and the server goes on.
    fn guarded(&mut self, f: impl FnOnce(&mut Self) -> Option<Ending>) -> Option<Ending> {
        match std::panic::catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(ending) => ending,
            Err(_) => {
                self.show(MessageType::ERROR, "cronlock: internal error (see the log)");
                None
            }
        }
    }

    /// The first scan's progress, and the file watchers.
    fn start_up(&mut self) {
        if self.progress == ScanProgress::Creating {
            self.request(
                RequestId::from(CREATE_PROGRESS_ID.to_string()),
                WorkDoneProgressCreate::METHOD,
                serde_json::json!({ "token": SCAN_TOKEN }),
            );
        }
        if self.watch_registration {
            let globs = [
                "**/*.{ts,mts,cts}",
                "**/cronlock.toml",
                "**/cronlock-baseline.json",
                "**/tsconfig*.json",
                "**/package.json",
                "**/nest-cli.json",
                "**/project.json",
            ];
            let watchers: Vec<Value> = globs
                .iter()
                .map(|g| serde_json::json!({ "globPattern": g }))
                .collect();
            self.request(
                RequestId::from("cronlock/watch".to_string()),
                RegisterCapability::METHOD,
                serde_json::json!({ "registrations": [{
                    "id": "cronlock-watch",
                    "method": DidChangeWatchedFiles::METHOD,
                    "registerOptions": { "watchers": watchers },
                }]}),
            );
        }
    }

    fn on_incoming(&mut self, incoming: Incoming) -> Option<Ending> {
        match incoming {
            Incoming::Malformed { code, reason } => {
                let _ = self.out.send(Outgoing::Error {
                    code,
                    message: reason,
                });
                None
            }
            Incoming::Message(Message::Request(request)) => {
                self.on_request(request);
                None
            }
            Incoming::Message(Message::Notification(notification)) => {
                self.on_notification(notification)
            }
            Incoming::Message(Message::Response(response)) => {
                self.on_response(&response);
                None
            }
        }
    }

    fn on_request(&mut self, request: Request) {
        if self.shutting_down {
            self.reply_error(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "shutting down",
            );
            return;
        }
        match request.method.as_str() {
            "shutdown" => {
                self.shutting_down = true;
                self.reply(request.id, Value::Null);
            }
            CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(request.params) {
                    Ok(params) => self.code_action(request.id, params),
                    Err(error) => self.reply_error(
                        request.id,
                        ErrorCode::InvalidParams as i32,
                        &error.to_string(),
                    ),
                }
            }
            readiness::REPORT_REQUEST => self.readiness_report(request.id, &request.params),
            "initialize" => self.reply_error(
                request.id,
                ErrorCode::InvalidRequest as i32,
                "already initialized",
            ),
            method => self.reply_error(
                request.id,
                ErrorCode::MethodNotFound as i32,
                &format!("unknown method {method}"),
            ),
        }
    }

    fn on_notification(&mut self, notification: Notification) -> Option<Ending> {
        let params = notification.params;
        match notification.method.as_str() {
            Exit::METHOD => {
                return Some(if self.shutting_down {
                    Ending::Clean
                } else {
                    Ending::Abrupt
                });
            }
            DidOpenTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(params)
                {
                    self.did_open(
                        p.text_document.uri,
                        p.text_document.version,
                        p.text_document.text,
                    );
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(params)
                    && let Some(path) = uri_to_path(&p.text_document.uri)
                    && let Some(change) = p.content_changes.into_iter().last()
                    && self
                        .documents
                        .change(&path, p.text_document.version, change.text)
                {
                    self.touch(&path);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(params)
                    && let Some(path) = uri_to_path(&p.text_document.uri)
                {
                    self.touch(&path);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(params)
                    && let Some(path) = uri_to_path(&p.text_document.uri)
                {
                    self.did_close(&path);
                }
            }
            DidChangeWatchedFiles::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeWatchedFilesParams>(params)
                {
                    for change in p.changes {
                        if let Some(path) = uri_to_path(&change.uri) {
                            self.touch_on_disk(&path);
                        }
                    }
                }
            }
            DidChangeWorkspaceFolders::METHOD => {
                if let Ok(p) =
                    serde_json::from_value::<lsp_types::DidChangeWorkspaceFoldersParams>(params)
                {
                    self.change_folders(p.event);
                }
            }
            Cancel::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp_types::CancelParams>(params) {
                    self.cancel(p.id);
                }
            }
            // `initialized`, `$/setTrace` and anything else: nothing to do.
            _ => {}
        }
        None
    }

    fn on_response(&mut self, response: &Response) {
        let create = RequestId::from(CREATE_PROGRESS_ID.to_string());
        if response.id != create || self.progress != ScanProgress::Creating {
            return;
        }
        if response.response_result.is_err() {
            self.progress = ScanProgress::Off;
            return;
        }
        self.progress = ScanProgress::Begun;
        self.send_progress(WorkDoneProgress::Begin(WorkDoneProgressBegin {
            title: "cronlock".to_string(),
            message: Some(format!("scanning {} root(s)", self.roots.len())),
            cancellable: Some(false),
            percentage: None,
        }));
        self.end_scan_progress_if_done();
    }

    fn end_scan_progress_if_done(&mut self) {
        if self.progress == ScanProgress::Begun && self.roots.iter().all(|r| r.scanned) {
            self.progress = ScanProgress::Off;
            self.send_progress(WorkDoneProgress::End(WorkDoneProgressEnd {
                message: Some("scan complete".to_string()),
            }));
        }
    }

    fn did_open(&mut self, uri: Uri, version: i32, text: String) {
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

    fn did_close(&mut self, path: &Path) {
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
    fn touch(&mut self, path: &Path) {
        if let Some(at) = self.owner(path) {
            self.mark(at);
        }
    }

    /// A file changed on disk: every root that holds it, or every root when
    /// none does (a `cronlock.toml` or tsconfig above the folders).
    fn touch_on_disk(&mut self, path: &Path) {
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

    fn change_folders(&mut self, event: lsp_types::WorkspaceFoldersChangeEvent) {
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
    fn owner(&self, path: &Path) -> Option<usize> {
        (0..self.roots.len())
            .filter(|&i| path.starts_with(&self.roots[i].path))
            .max_by_key(|&i| self.roots[i].path.components().count())
    }

    /// Starts the analyses that are due: dirty, not running, and the
    /// buffers still for the debounce delay.
    fn start_due(&mut self) {
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

    fn on_done(&mut self, done: Done) {
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
    fn publish_all(&mut self) {
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

    /// Answers a code action from the latest analysis, when it was made
    /// from the text the client has now; otherwise nothing is offered.
    fn code_action(&mut self, id: RequestId, params: CodeActionParams) {
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

    fn fixed(&mut self, path: &Path, generation: u64, result: Result<ChangeSets, String>) {
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

    /// `cronlock/readiness` for a root just analysed, when it changed.
    fn send_readiness(&mut self, path: &Path) {
        let roots: Vec<&Path> = self.roots.iter().map(|r| r.path.as_path()).collect();
        let Some(root) = self.roots.iter().find(|r| r.path == path) else {
            return;
        };
        let Some(loaded) = &root.loaded else {
            return;
        };
        if let Some(status) = self.readiness.changed(path, loaded, &roots) {
            self.notify(readiness::NOTIFICATION, status);
        }
    }

    /// `cronlock/readinessReport`: answered from the root's session, now or
    /// when its analysis under way ends.
    fn readiness_report(&mut self, id: RequestId, params: &Value) {
        let roots: Vec<&Path> = self.roots.iter().map(|r| r.path.as_path()).collect();
        match self.readiness.request(id.clone(), params, &roots) {
            Ok(()) => self.answer_reports(),
            Err(message) => self.reply_error(id, ErrorCode::InvalidParams as i32, &message),
        }
    }

    /// Answers the report requests whose root can answer now.
    fn answer_reports(&mut self) {
        let roots = &self.roots;
        let answers = self
            .readiness
            .answers(|path| match roots.iter().find(|r| r.path == path) {
                None => RootState::Gone,
                Some(root) => match &root.loaded {
                    Some(loaded) => RootState::Loaded(loaded),
                    None if root.running || root.dirty => RootState::Busy,
                    None => RootState::Failed(root.shown_error.as_deref()),
                },
            });
        for (id, answer) in answers {
            match answer {
                Ok(value) => self.reply(id, value),
                Err(message) => self.reply_error(id, ErrorCode::RequestFailed as i32, &message),
            }
        }
    }

    fn cancel(&mut self, id: lsp_types::NumberOrString) {
        let id = match id {
            lsp_types::NumberOrString::Number(n) => RequestId::from(n),
            lsp_types::NumberOrString::String(s) => RequestId::from(s),
        };
        if let Some(at) = self.waiting.iter().position(|w| w.id == id) {
            let wait = self.waiting.remove(at);
            self.reply_error(wait.id, REQUEST_CANCELLED, "cancelled");
        }
    }

    fn send_progress(&self, value: WorkDoneProgress) {
        self.notify(
            Progress::METHOD,
            ProgressParams {
                token: lsp_types::NumberOrString::String(SCAN_TOKEN.to_string()),
                value: ProgressParamsValue::WorkDone(value),
            },
        );
    }

    fn show(&self, typ: MessageType, message: &str) {
        self.notify(
            ShowMessage::METHOD,
            ShowMessageParams {
                typ,
                message: message.to_string(),
            },
        );
    }

    fn notify(&self, method: &str, params: impl serde::Serialize) {
        if let Ok(params) = serde_json::to_value(params) {
            let message = Notification::new(method.to_string(), params);
            let _ = self
                .out
                .send(Outgoing::Message(Message::Notification(message)));
        }
    }

    fn request(&self, id: RequestId, method: &str, params: Value) {
        let message = Request::new(id, method.to_string(), params);
        let _ = self.out.send(Outgoing::Message(Message::Request(message)));
    }

    fn reply(&self, id: RequestId, result: Value) {
        let _ = self
            .out
            .send(Outgoing::Message(Message::Response(Response::new_ok(
                id, result,
            ))));
    }

    fn reply_error(&self, id: RequestId, code: i32, message: &str) {
        let _ = self
            .out
            .send(Outgoing::Message(Message::Response(Response::new_err(
                id,
                code,
                message.to_string(),
            ))));
    }
}

/// The workspace folders of the client (or its root, for an old client),
/// as normalized paths.
fn folder_paths(params: &InitializeParams) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| uri_to_path(&f.uri))
        .collect();
    #[allow(deprecated)] // The only way an old client names its folder.
    let root_uri = params.root_uri.as_ref();
    if paths.is_empty()
        && let Some(path) = root_uri.and_then(uri_to_path)
    {
        paths.push(path);
    }
    paths.dedup();
    paths
}

/// Runs `f`; an error or a panic (a bug: the engine itself catches the
/// parser's) comes back as a message instead of taking the server down.
fn guarded_run<T>(f: impl FnOnce() -> anyhow::Result<T>) -> Result<T, String> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(error
            .chain()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ")),
        Err(_) => Err("internal error while analysing (see the log)".to_string()),
    }
}
