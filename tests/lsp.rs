//! `cronlock lsp` driven through its stdio as an editor drives it: JSON-RPC
//! with `Content-Length` framing, from initialize to exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

/// A scripted client.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<Value>,
    /// Messages received and not yet looked at.
    backlog: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cronlock"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("cronlock lsp starts");
        let stdout = child.stdout.take().expect("stdout");
        let stdin = child.stdin.take();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("server sends JSON");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            backlog: Vec::new(),
            next_id: 1,
        }
    }

    /// Started and initialized with `folders` and `capabilities`.
    fn initialized(folders: &[&Path], capabilities: Value) -> Client {
        let mut client = Client::start();
        let folders: Vec<Value> = folders
            .iter()
            .map(|f| json!({"uri": uri(f), "name": f.file_name().unwrap().to_string_lossy()}))
            .collect();
        let id = client.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities,
                   "workspaceFolders": folders}),
        );
        let response = client.response(id);
        assert!(
            response["result"]["capabilities"]["codeActionProvider"].is_object(),
            "{response}"
        );
        client.notify("initialized", json!({}));
        client
    }

    fn send_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(body).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, value: &Value) {
        self.send_raw(value.to_string().as_bytes());
    }

    fn request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The first message (old or new) that `wanted` accepts.
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(at);
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(message) if wanted(&message) => return message,
                Ok(message) => self.backlog.push(message),
                Err(_) => panic!("timed out waiting for {what}; got {:#?}", self.backlog),
            }
        }
    }

    fn response(&mut self, id: i64) -> Value {
        self.wait_for(&format!("response {id}"), |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        })
    }

    /// The next diagnostics published for `path` that `wanted` accepts.
    fn diagnostics(&mut self, path: &Path, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let uri = uri(path);
        let message = self.wait_for(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && wanted(m["params"]["diagnostics"].as_array().unwrap())
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn open(&mut self, path: &Path) {
        let text = std::fs::read_to_string(path).unwrap();
        self.open_text(path, &text);
    }

    fn open_text(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "typescript",
                   "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, path: &Path, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(path), "version": version},
                   "contentChanges": [{"text": text}]}),
        );
    }

    fn code_actions(&mut self, path: &Path, diagnostic: &Value, only: Option<&str>) -> Vec<Value> {
        let mut context = json!({"diagnostics": [diagnostic]});
        if let Some(kind) = only {
            context["only"] = json!([kind]);
        }
        let id = self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri(path)}, "range": diagnostic["range"],
                   "context": context}),
        );
        let response = self.response(id);
        response["result"]
            .as_array()
            .unwrap_or_else(|| panic!("{response}"))
            .clone()
    }

    /// shutdown, exit, and the exit code.
    fn shut_down(mut self) -> i32 {
        let id = self.request("shutdown", Value::Null);
        assert_eq!(self.response(id)["result"], Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    fn wait_exit(mut self) -> i32 {
        drop(self.stdin.take());
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for byte in path.to_str().unwrap().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn path_of(uri: &str) -> PathBuf {
    PathBuf::from(uri.strip_prefix("file://").unwrap().replace("%20", " "))
}

/// A copy of fixture `name` in a fresh temporary directory.
fn fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap().join(name);
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name),
        &root,
    );
    (dir, root)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// What `cronlock fix` writes: the fixture fixed on disk, in another copy.
fn fixed_by_cli(name: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = fixture(name);
    let status = Command::new(env!("CARGO_BIN_EXE_cronlock"))
        .args(["fix", "--quiet", "--allow-dirty"])
        .arg(&root)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.code().is_some_and(|c| c <= 1), "{status}");
    (dir, root)
}

/// `cronlock check --format json` on `root`.
fn check_json(root: &Path) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_cronlock"))
        .args(["check", "--format", "json"])
        .arg(root)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Applies LSP edits (UTF-16 positions, ranges into the original text).
fn apply(text: &str, edits: &[Value]) -> String {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let Some(&start) = starts.get(line) else {
            return text.len();
        };
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= p["character"].as_u64().unwrap() as usize || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

/// Applies a WorkspaceEdit with `documentChanges` on disk; the files changed.
fn apply_workspace_edit(edit: &Value, open: &[(PathBuf, i64)]) -> Vec<PathBuf> {
    let mut changed = Vec::new();
    for change in edit["documentChanges"].as_array().expect("documentChanges") {
        let path = path_of(change["textDocument"]["uri"].as_str().unwrap());
        let version = change["textDocument"]["version"].as_i64();
        let expected = open.iter().find(|(p, _)| *p == path).map(|(_, v)| *v);
        assert_eq!(version, expected, "version of {}", path.display());
        let text = std::fs::read_to_string(&path).unwrap();
        let edits = change["edits"].as_array().unwrap();
        std::fs::write(&path, apply(&text, edits)).unwrap();
        changed.push(path);
    }
    changed
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn versioned_edits() -> Value {
    json!({"workspace": {"workspaceEdit": {"documentChanges": true}}})
}

#[test]
fn initialize_shutdown_exit() {
    let client = Client::initialized(&[], json!({}));
    assert_eq!(client.shut_down(), 0);
    // `exit` without `shutdown`: exit code 1, as the protocol asks.
    let mut client = Client::initialized(&[], json!({}));
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit(), 1);
}

#[test]
fn requests_before_initialize_are_refused() {
    let mut client = Client::start();
    let id = client.request("textDocument/codeAction", json!({}));
    assert_eq!(client.response(id)["error"]["code"], -32002);
    let id = client.request("initialize", json!({"capabilities": {}}));
    assert!(client.response(id)["result"].is_object());
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn diagnostics_match_check_then_clear_when_the_buffer_is_fixed() {
    let (_dir, root) = fixture("fix-two-classes");
    let file = root.join("src/number-jobs.ts");
    let expected = check_json(&root);
    let mut client = Client::initialized(&[&root], json!({}));
    client.open(&file);
    let diagnostics = client.diagnostics(&file, |d| !d.is_empty());
    let findings = expected["findings"].as_array().unwrap();
    assert_eq!(diagnostics.len(), findings.len());
    for (diagnostic, finding) in diagnostics.iter().zip(findings) {
        assert_eq!(diagnostic["code"], finding["rule"]);
        assert_eq!(diagnostic["message"], finding["message"]);
        assert_eq!(diagnostic["source"], "cronlock");
        assert_eq!(diagnostic["severity"], 1);
        assert_eq!(
            diagnostic["range"]["start"]["line"].as_u64().unwrap() + 1,
            finding["line"].as_u64().unwrap()
        );
        assert_eq!(
            diagnostic["codeDescription"]["href"],
            "https://github.com/cronlock/cronlock/blob/main/docs/rules/missing-lock-service.md"
        );
    }
    // The buffer, not the disk: the fixed text, unsaved, clears them.
    let (_fixed_dir, fixed) = fixed_by_cli("fix-two-classes");
    let text = std::fs::read_to_string(fixed.join("src/number-jobs.ts")).unwrap();
    client.change(&file, 2, &text);
    client.diagnostics(&file, <[Value]>::is_empty);
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn quick_fix_spanning_files_equals_cronlock_fix() {
    let name = "super-call-missing-lock";
    let (_dir, root) = fixture(name);
    let (_fixed_dir, fixed) = fixed_by_cli(name);
    let base = root.join("src/sync/base-sync.job.ts");
    let mut client = Client::initialized(&[&root], versioned_edits());
    client.open(&base);
    let diagnostics = client.diagnostics(&base, |d| !d.is_empty());
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["code"], "missing-lock-service");
    // The ripple sites (subclasses, specs) are related information.
    assert!(
        diagnostic["relatedInformation"]
            .as_array()
            .is_some_and(|r| r.len() >= 2),
        "{diagnostic}"
    );
    let actions = client.code_actions(&base, diagnostic, None);
    let fix = actions
        .iter()
        .find(|a| a["kind"] == "quickfix" && a["isPreferred"] == true)
        .unwrap_or_else(|| panic!("{actions:#?}"));
    let changed = apply_workspace_edit(&fix["edit"], &[(base.clone(), 1)]);
    assert!(changed.len() > 1, "one edit across files: {changed:?}");
    for path in &changed {
        let relative = path.strip_prefix(&root).unwrap();
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            std::fs::read_to_string(fixed.join(relative)).unwrap(),
            "{}",
            relative.display()
        );
    }
    // The suppression comment goes above the finding's line, indented like it.
    let suppress = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Suppress"))
        .unwrap();
    let edit = &suppress["edit"]["documentChanges"][0]["edits"][0];
    assert_eq!(edit["newText"], "// cronlock-ignore missing-lock-service\n");
    assert_eq!(
        edit["range"]["start"]["line"],
        diagnostic["range"]["start"]["line"]
    );
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn fix_all_equals_cronlock_fix() {
    let name = "fix-two-classes";
    let (_dir, root) = fixture(name);
    let (_fixed_dir, fixed) = fixed_by_cli(name);
    let file = root.join("src/number-jobs.ts");
    let mut client = Client::initialized(&[&root], versioned_edits());
    client.open(&file);
    let diagnostics = client.diagnostics(&file, |d| d.len() == 2);
    let actions = client.code_actions(&file, &diagnostics[0], Some("source.fixAll"));
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.cronlock");
    apply_workspace_edit(&actions[0]["edit"], &[(file.clone(), 1)]);
    for relative in files_under(&root) {
        assert_eq!(
            std::fs::read(root.join(&relative)).unwrap(),
            std::fs::read(fixed.join(&relative)).unwrap(),
            "{}",
            relative.display()
        );
    }
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn actions_from_stale_text_are_not_offered() {
    let (_dir, root) = fixture("fix-two-classes");
    let file = root.join("src/number-jobs.ts");
    let mut client = Client::initialized(&[&root], versioned_edits());
    client.open(&file);
    let diagnostics = client.diagnostics(&file, |d| !d.is_empty());
    let text = std::fs::read_to_string(&file).unwrap();
    // The buffer moves on, and a request for the old diagnostic follows at
    // once. An edit is analysed in a few milliseconds, so the request may
    // come before or after that analysis: before, nothing is offered;
    // after, what is offered is built from version 2. Never from version 1.
    client.change(&file, 2, &format!("// edited\n{text}"));
    let actions = client.code_actions(&file, &diagnostics[0], None);
    for action in &actions {
        for change in action["edit"]["documentChanges"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert_eq!(change["textDocument"]["version"], 2, "{action:#?}");
        }
    }
    // Once analysed again, the actions are back, for version 2.
    let diagnostics = client.diagnostics(&file, |d| {
        !d.is_empty() && d[0]["range"]["start"]["line"] != diagnostics[0]["range"]["start"]["line"]
    });
    let actions = client.code_actions(&file, &diagnostics[0], Some("quickfix"));
    let fix = actions.iter().find(|a| a["isPreferred"] == true).unwrap();
    assert_eq!(
        fix["edit"]["documentChanges"][0]["textDocument"]["version"],
        2
    );
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn a_base_class_gaining_lock_service_clears_its_subclass() {
    let (_dir, root) = fixture("derived-no-constructor-relative");
    let job = root.join("src/jobs/report.job.ts");
    let base = root.join("src/base/base-job.ts");
    let mut client = Client::initialized(&[&root], json!({}));
    client.open(&job);
    let diagnostics = client.diagnostics(&job, |d| !d.is_empty());
    assert_eq!(diagnostics[0]["code"], "derived-class-without-constructor");
    client.open(&base);
    let text = std::fs::read_to_string(&base).unwrap();
    let with_lock = text.replace(
        "export abstract class BaseJob {\n",
        "import { DistributedLockService } from '@acme/cluster-lock';\n\nexport abstract class BaseJob {\n  constructor(protected readonly lockService: DistributedLockService) {}\n",
    );
    assert_ne!(text, with_lock);
    client.change(&base, 2, &with_lock);
    client.diagnostics(&job, <[Value]>::is_empty);
    // Closed unsaved: the disk speaks again, and the finding is back.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&base)}}),
    );
    client.diagnostics(&job, |d| !d.is_empty());
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn multi_root_workspaces_are_analysed_per_folder() {
    let (_a, first) = fixture("fix-two-classes");
    let (_b, second) = fixture("fix-derived-with-constructor");
    let mut client = Client::initialized(&[&first, &second], json!({}));
    let one = first.join("src/number-jobs.ts");
    let two = second.join("src/report.job.ts");
    client.open(&one);
    client.open(&two);
    assert_eq!(client.diagnostics(&one, |d| !d.is_empty()).len(), 2);
    let diagnostics = client.diagnostics(&two, |d| !d.is_empty());
    assert_eq!(diagnostics[0]["code"], "missing-lock-service");
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn a_file_outside_every_folder_is_analysed_alone() {
    let (_a, folder) = fixture("fix-two-classes");
    let (_b, elsewhere) = fixture("fix-derived-with-constructor");
    let file = elsewhere.join("src/report.job.ts");
    let mut client = Client::initialized(&[&folder], json!({}));
    client.open(&file);
    let diagnostics = client.diagnostics(&file, |d| !d.is_empty());
    assert_eq!(diagnostics[0]["code"], "missing-lock-service");
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&file)}}),
    );
    client.diagnostics(&file, <[Value]>::is_empty);
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn a_syntax_error_is_a_diagnostic_not_a_crash() {
    let (_dir, root) = fixture("fix-two-classes");
    let file = root.join("src/number-jobs.ts");
    let mut client = Client::initialized(&[&root], json!({}));
    client.open(&file);
    client.diagnostics(&file, |d| !d.is_empty());
    // It still mentions the lock names: a file that mentions none is not
    // parsed at all, as in `check` (see `--no-prefilter`).
    let text = std::fs::read_to_string(&file).unwrap();
    let broken = text.replace(
        "export class NumberAuditJob {",
        "export class {{{ ((( @@@\u{0}é😀",
    );
    client.change(&file, 2, &broken);
    let diagnostics = client.diagnostics(&file, |d| d.iter().any(|x| x["code"] == "parse-error"));
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn malformed_messages_get_errors_and_the_server_goes_on() {
    let mut client = Client::initialized(&[], json!({}));
    client.send_raw(b"{not json");
    let error = client.wait_for("parse error", |m| m["error"]["code"] == -32700);
    assert_eq!(error["id"], Value::Null);
    client.send_raw(b"[1,2]");
    client.wait_for("invalid request", |m| m["error"]["code"] == -32600);
    let id = client.request("cronlock/unknown", json!({}));
    assert_eq!(client.response(id)["error"]["code"], -32601);
    // Notifications nobody knows, and bad params, are ignored.
    client.notify("cronlock/whatever", json!([1]));
    client.notify("textDocument/didOpen", json!({"textDocument": 3}));
    let id = client.request("textDocument/codeAction", json!({"textDocument": 3}));
    assert_eq!(client.response(id)["error"]["code"], -32602);
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn a_document_closed_while_analysed_and_cancelled_requests() {
    let (_dir, root) = fixture("fix-two-classes");
    let file = root.join("src/number-jobs.ts");
    let mut client = Client::initialized(&[&root], versioned_edits());
    client.open(&file);
    let diagnostics = client.diagnostics(&file, |d| !d.is_empty());
    // A request cancelled at once: answered (result or RequestCancelled), never a crash.
    let id = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&file)}, "range": diagnostics[0]["range"],
               "context": {"diagnostics": []}}),
    );
    client.notify("$/cancelRequest", json!({"id": id}));
    client.notify("$/cancelRequest", json!({"id": 999}));
    let response = client.response(id);
    assert!(
        response["result"].is_array() || response["error"]["code"] == -32800,
        "{response}"
    );
    // Edited, and closed before the analysis of the edit is done.
    client.change(&file, 2, "export class Nothing {}\n");
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&file)}}),
    );
    // The file is still in the folder: its findings come from the disk, the
    // same as were published (so nothing new is), and once reopened, the
    // analysis of that text offers the fix again.
    client.open(&file);
    let deadline = Instant::now() + WAIT;
    loop {
        let actions = client.code_actions(&file, &diagnostics[0], Some("quickfix"));
        if actions.iter().any(|a| a["isPreferred"] == true) {
            break;
        }
        assert!(Instant::now() < deadline, "no fix offered after reopening");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn the_first_scan_reports_progress() {
    let (_dir, root) = fixture("fix-two-classes");
    let mut client = Client::initialized(&[&root], json!({"window": {"workDoneProgress": true}}));
    let create = client.wait_for("progress create", |m| {
        m["method"] == "window/workDoneProgress/create"
    });
    client.send(&json!({"jsonrpc": "2.0", "id": create["id"], "result": null}));
    let token = create["params"]["token"].clone();
    client.wait_for("progress begin", |m| {
        m["method"] == "$/progress"
            && m["params"]["token"] == token
            && m["params"]["value"]["kind"] == "begin"
    });
    client.wait_for("progress end", |m| {
        m["method"] == "$/progress"
            && m["params"]["token"] == token
            && m["params"]["value"]["kind"] == "end"
    });
    // Published for every file of the folder, open or not.
    client.diagnostics(&root.join("src/number-jobs.ts"), |d| d.len() == 2);
    assert_eq!(client.shut_down(), 0);
}

/// A source file created on disk is analysed once the watched-files
/// notification comes (its own diagnostics appear), and deleting it clears
/// them: both taken by the loaded session in place.
#[test]
fn a_file_created_on_disk_gets_diagnostics_and_deleting_it_clears_them() {
    let (_dir, root) = fixture("derived-no-constructor-relative");
    let job = root.join("src/jobs/report.job.ts");
    let created = root.join("src/jobs/a-nightly.job.ts");
    let mut client = Client::initialized(&[&root], json!({}));
    client.open(&job);
    client.diagnostics(&job, |d| !d.is_empty());
    let text = std::fs::read_to_string(&job)
        .unwrap()
        .replace("DailyReportJob", "NightlyJob");
    std::fs::write(&created, text).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&created), "type": 1}]}),
    );
    let diagnostics = client.diagnostics(&created, |d| !d.is_empty());
    assert_eq!(diagnostics[0]["code"], "derived-class-without-constructor");
    std::fs::remove_file(&created).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&created), "type": 3}]}),
    );
    client.diagnostics(&created, <[Value]>::is_empty);
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn a_bad_config_is_shown_and_a_watched_fix_of_it_is_picked_up() {
    let (_dir, root) = fixture("fix-two-classes");
    let config = root.join("cronlock.toml");
    std::fs::write(&config, "no-such-key = 1\n").unwrap();
    let mut client = Client::initialized(&[&root], json!({}));
    let file = root.join("src/number-jobs.ts");
    client.open(&file);
    let shown = client.wait_for("the config error", |m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .is_some_and(|s| s.contains("no-such-key"))
    });
    assert_eq!(shown["params"]["type"], 1);
    // Repaired on disk: the watched-files notification brings the findings.
    std::fs::write(&config, "").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    assert_eq!(client.diagnostics(&file, |d| !d.is_empty()).len(), 2);
    assert_eq!(client.shut_down(), 0);
}

/// An unsaved `cronlock.toml` buffer is the configuration, as an unsaved
/// source file is the source: turning a rule off in it clears that rule's
/// diagnostics before the file is ever written; closing it brings them back.
#[test]
fn an_unsaved_cronlock_toml_is_the_configuration() {
    let (_dir, root) = fixture("fix-two-classes");
    let config = root.join("cronlock.toml");
    assert!(!config.exists());
    let mut client = Client::initialized(&[&root], json!({}));
    let file = root.join("src/number-jobs.ts");
    client.open(&file);
    assert_eq!(client.diagnostics(&file, |d| !d.is_empty()).len(), 2);
    client.open_text(&config, "[rules]\nmissing-lock-service = \"off\"\n");
    assert!(client.diagnostics(&file, |d| d.is_empty()).is_empty());
    assert!(!config.exists(), "nothing is written");
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    assert_eq!(client.diagnostics(&file, |d| !d.is_empty()).len(), 2);
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn columns_are_utf16_units_unless_the_client_negotiates_utf8() {
    let (_dir, root) = fixture("fix-two-classes");
    let file = root.join("src/number-jobs.ts");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "export class NumberAuditJob",
        "/* é😀 */ export class NumberAuditJob",
    );
    std::fs::write(&file, &text).unwrap();
    for (encodings, expected, character) in [
        (json!(["utf-16"]), "utf-16", 23),
        (json!(["utf-8", "utf-16"]), "utf-8", 26),
    ] {
        let mut client = Client::start();
        let id = client.request(
            "initialize",
            json!({"capabilities": {"general": {"positionEncodings": encodings}},
                   "workspaceFolders": [{"uri": uri(&root), "name": "root"}]}),
        );
        let response = client.response(id);
        assert_eq!(
            response["result"]["capabilities"]["positionEncoding"],
            expected
        );
        client.notify("initialized", json!({}));
        client.open(&file);
        let diagnostics = client.diagnostics(&file, |d| d.len() == 2);
        let audit = diagnostics
            .iter()
            .find(|d| d["message"].as_str().unwrap().contains("NumberAuditJob"))
            .unwrap();
        assert_eq!(
            audit["range"]["start"]["character"], character,
            "{expected}"
        );
        assert_eq!(client.shut_down(), 0);
    }
}

/// `cronlock check --format markdown` on `root`, with its baseline named
/// by its absolute path when it has one (so that the report shows it as
/// the server does: see `readiness_report_equals_check_markdown`).
fn check_markdown(root: &Path) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cronlock"));
    command.args(["check", "--format", "markdown"]);
    let baseline = root.join("cronlock-baseline.json");
    if baseline.is_file() {
        command.arg("--baseline").arg(&baseline);
    }
    let output = command.arg(root).output().unwrap();
    assert!(output.status.code().is_some_and(|c| c <= 1), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// The verdict of a markdown report: `NOT READY` in `**Verdict: NOT READY**: ...`.
fn verdict_of(markdown: &str) -> String {
    let line = markdown
        .lines()
        .find(|l| l.starts_with("**Verdict: "))
        .unwrap_or_else(|| panic!("no verdict line in {markdown}"));
    line["**Verdict: ".len()..line.find("**:").unwrap()].to_string()
}

/// Checks a `cronlock/readiness` notification for `root` against `cronlock
/// check` on `checked` (the same texts, maybe in another copy): `ready` is
/// the JSON's `summary.ready`, the counts its packages' sums, the verdict
/// the markdown report's.
fn assert_readiness_as_check(status: &Value, root: &Path, checked: &Path) {
    let json = check_json(checked);
    let packages = json["packages"].as_array().unwrap();
    let sum = |key: &str| -> u64 { packages.iter().map(|p| p[key].as_u64().unwrap()).sum() };
    let (complete, needing) = (sum("classes_complete"), sum("classes_needing_lock"));
    let verdict = verdict_of(&check_markdown(checked));
    let params = &status["params"];
    assert_eq!(params["root"], uri(root), "{status}");
    assert_eq!(params["ready"], json["summary"]["ready"], "{status}");
    assert_eq!(params["verdict"], verdict.as_str(), "{status}");
    assert_eq!(params["complete"], complete, "{status}");
    assert_eq!(params["needing"], needing, "{status}");
    let label = if needing == 0 {
        format!("cronlock: {verdict}")
    } else {
        format!("cronlock: {verdict} {complete}/{needing}")
    };
    assert_eq!(params["label"], label, "{status}");
}

impl Client {
    /// The next `cronlock/readiness` notification for `root`.
    fn readiness(&mut self, root: &Path) -> Value {
        let uri = uri(root);
        self.wait_for(&format!("readiness of {uri}"), |m| {
            m["method"] == "cronlock/readiness" && m["params"]["root"] == uri.as_str()
        })
    }

    /// The `cronlock/readinessReport` answer to `params`.
    fn readiness_report(&mut self, params: Value) -> Value {
        let id = self.request("cronlock/readinessReport", params);
        self.response(id)
    }
}

#[test]
fn readiness_is_sent_after_the_scan_and_again_only_when_it_changes() {
    let name = "fix-two-classes";
    let (_dir, root) = fixture(name);
    let file = root.join("src/number-jobs.ts");
    let text = std::fs::read_to_string(&file).unwrap();
    // The same tree with one class fixed by hand, and with both fixed by
    // `cronlock fix`, each in another copy for `cronlock check`.
    let one_fixed = text
        .replace(
            "ClusterSafeCronEveryDay }",
            "ClusterSafeCronEveryDay, DistributedLockService }",
        )
        .replace(
            "constructor(private readonly numbers: NumberRepository) {}",
            "constructor(private readonly numbers: NumberRepository, \
             private readonly lockService: DistributedLockService) {}",
        );
    assert_ne!(one_fixed, text);
    let (_one_dir, one) = fixture(name);
    std::fs::write(one.join("src/number-jobs.ts"), &one_fixed).unwrap();
    let (_all_dir, all) = fixed_by_cli(name);
    let all_fixed = std::fs::read_to_string(all.join("src/number-jobs.ts")).unwrap();

    let mut client = Client::initialized(&[&root], json!({}));
    // After the first scan, whether or not a file is open.
    let status = client.readiness(&root);
    assert_readiness_as_check(&status, &root, &root);
    assert_eq!(status["params"]["label"], "cronlock: NOT READY 0/2");
    assert_eq!(status["params"]["ready"], false);
    client.open(&file);
    let before = client.diagnostics(&file, |d| d.len() == 2);
    let line = before[0]["range"]["start"]["line"].as_u64().unwrap();
    // An edit that changes no count: diagnostics move, no readiness is sent
    // (had it been, it would be the next one read below, with 0/2).
    client.change(&file, 2, &format!("// edited\n{text}"));
    client.diagnostics(&file, |d| {
        d.len() == 2 && d[0]["range"]["start"]["line"].as_u64() == Some(line + 1)
    });
    // One class fixed in the buffer (unsaved): 1/2.
    client.change(&file, 3, &one_fixed);
    let status = client.readiness(&root);
    assert_readiness_as_check(&status, &root, &one);
    assert_eq!(status["params"]["label"], "cronlock: NOT READY 1/2");
    // The report is made from that analysis: `check` of the same text.
    let report = client.readiness_report(json!({"root": uri(&root)}));
    let expected = check_markdown(&one).replace(one.to_str().unwrap(), root.to_str().unwrap());
    assert_eq!(report["result"]["markdown"], expected.as_str(), "{report}");
    // Both fixed: READY.
    client.change(&file, 4, &all_fixed);
    let status = client.readiness(&root);
    assert_readiness_as_check(&status, &root, &all);
    assert_eq!(status["params"]["label"], "cronlock: READY 2/2");
    assert_eq!(status["params"]["ready"], true);
    assert_eq!(client.shut_down(), 0);
}

#[test]
fn readiness_report_equals_check_markdown() {
    // Every verdict, a ripple section, a baseline, several packages.
    let names = [
        "fix-two-classes",
        "super-call-missing-lock",
        "baseline-partial-progress",
        "layout-nest-monorepo",
        "lock-base-unknown",
        "unlocked-cron-basic",
        "config-lock-call",
        "module-registered-forroot",
    ];
    let copies: Vec<(tempfile::TempDir, PathBuf)> = names.iter().map(|n| fixture(n)).collect();
    let roots: Vec<&Path> = copies.iter().map(|(_, root)| root.as_path()).collect();
    let mut client = Client::initialized(&roots, json!({}));
    // Asked before the first scan ends: answered once it has.
    let first = client.readiness_report(Value::Null);
    let mut verdicts = Vec::new();
    for root in &roots {
        let expected = check_markdown(root);
        let report = client.readiness_report(json!({"root": uri(root)}));
        assert_eq!(
            report["result"]["markdown"],
            expected.as_str(),
            "{}",
            root.display()
        );
        let status = client.readiness(root);
        assert_readiness_as_check(&status, root, root);
        verdicts.push(verdict_of(&expected));
    }
    verdicts.sort();
    verdicts.dedup();
    assert_eq!(
        verdicts,
        ["NOT READY", "NOT STARTED", "READY", "UNKNOWN"],
        "the fixtures cover every verdict"
    );
    // Without a root: the first folder's.
    assert_eq!(
        first["result"]["markdown"],
        check_markdown(roots[0]).as_str()
    );
    // A file in a folder names that folder.
    let report = client.readiness_report(json!({"root": uri(&roots[1].join("src"))}));
    assert_eq!(
        report["result"]["markdown"],
        check_markdown(roots[1]).as_str()
    );
    // Outside every folder: an error, and the server goes on.
    let report = client.readiness_report(json!({"root": "file:///no/such/folder"}));
    assert_eq!(report["error"]["code"], -32602, "{report}");
    assert_eq!(client.shut_down(), 0);
}
