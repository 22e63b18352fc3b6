//! The server loop: the editor's messages, analyses run in the background
//! (one per root, debounced), diagnostics published where they changed,
//! and code actions answered from the analysis of the text the user sees.

mod buffers;
mod fixes;
mod messages;
mod reports;
mod scans;

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, select, unbounded};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    Cancel, DidChangeTextDocument, DidChangeWatchedFiles, DidChangeWorkspaceFolders,
    DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Exit,
    Notification as NotificationTrait,
};
use lsp_types::request::{
    CodeActionRequest, RegisterCapability, Request as RequestTrait, WorkDoneProgressCreate,
};
use lsp_types::{
    CodeActionParams, Diagnostic, InitializeParams, MessageType, Uri, WorkDoneProgress,
    WorkDoneProgressBegin,
};
use serde_json::Value;

use super::actions::EditStyle;
use super::analysis::{self, ChangeSets, Findings};
use super::documents::{Documents, Overlay, uri_to_path};
use super::readiness::{self, Readiness};
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
