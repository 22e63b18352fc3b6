//! `cronlock lsp`: a language server over stdio on the engine `check` and
//! `fix` use. Every analysis is `Project::load` + `engine::analyze` of a
//! workspace folder, reading open buffers through an overlay file system;
//! every quick fix is `engine::fix_project` on the same overlay, its texts
//! before and after turned into edits. No rule is implemented here.
//!
//! - [`transport`]: JSON-RPC framing on stdio that survives bad input;
//! - [`server`]: the loop, the roots, debouncing, publishing;
//! - [`documents`]: open buffers and the overlay file system;
//! - [`analysis`]: a root through the engine, as `check`/`fix` run it;
//! - [`diagnostics`]: findings as LSP diagnostics (positions, codes, links);
//! - [`actions`]: quick fixes, fix-all, suppression comments;
//! - [`readiness`]: the verdict for the status bar, and the markdown report.

pub mod actions;
pub mod analysis;
pub mod diagnostics;
pub mod documents;
pub mod readiness;
pub mod server;
pub mod transport;

use anyhow::{Context, Result};
use lsp_server::{ErrorCode, Message, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, InitializeParams,
    InitializeResult, PositionEncodingKind, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};

use actions::EditStyle;
use diagnostics::Encoding;
use server::{Ending, Server};
use transport::{Incoming, Outgoing, Transport};

use crate::workers::Workers;

/// JSON-RPC's `ServerNotInitialized`.
const SERVER_NOT_INITIALIZED: i32 = -32002;

/// Serves one client on stdin/stdout until it says `exit` (or goes away).
/// `Ok(true)` when it shut down as the protocol asks.
pub fn run() -> Result<bool> {
    // Analyses and fixes of every root run on the server's own workers,
    // with the deep stacks `check` gives them.
    let workers = Workers::new(None)?;
    let transport = Transport::stdio().context("starting the stdio transport")?;
    let ending = match initialize(&transport) {
        Some((params, style)) => {
            Server::new(transport.sender.clone(), &params, style, workers).run(&transport.receiver)
        }
        None => Ending::Abrupt,
    };
    transport.finish();
    Ok(matches!(ending, Ending::Clean))
}

/// Waits for `initialize` and answers it; `None` when the client leaves
/// first. Requests before it are refused, as the protocol says.
fn initialize(transport: &Transport) -> Option<(InitializeParams, EditStyle)> {
    loop {
        match transport.receiver.recv().ok()? {
            Incoming::Malformed { code, reason } => {
                let _ = transport.sender.send(Outgoing::Error {
                    code,
                    message: reason,
                });
            }
            Incoming::Message(Message::Request(request)) if request.method == "initialize" => {
                match serde_json::from_value::<InitializeParams>(request.params) {
                    Ok(params) => {
                        let style = style_for(&params);
                        let result = initialize_result(style.encoding);
                        let value = serde_json::to_value(result).ok()?;
                        send(transport, Response::new_ok(request.id, value));
                        return Some((params, style));
                    }
                    Err(error) => send(
                        transport,
                        Response::new_err(
                            request.id,
                            ErrorCode::InvalidParams as i32,
                            error.to_string(),
                        ),
                    ),
                }
            }
            Incoming::Message(Message::Request(request)) => send(
                transport,
                Response::new_err(
                    request.id,
                    SERVER_NOT_INITIALIZED,
                    "initialize first".to_string(),
                ),
            ),
            Incoming::Message(Message::Notification(n)) if n.method == "exit" => return None,
            Incoming::Message(_) => {}
        }
    }
}

fn send(transport: &Transport, response: Response) {
    let _ = transport
        .sender
        .send(Outgoing::Message(Message::Response(response)));
}

/// The position encoding (UTF-8 only when the client offers it) and whether
/// edits may carry document versions.
fn style_for(params: &InitializeParams) -> EditStyle {
    let utf8 = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8));
    let document_changes = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref())
        .and_then(|e| e.document_changes)
        .unwrap_or(false);
    EditStyle {
        encoding: if utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        },
        document_changes,
    }
}

fn initialize_result(encoding: Encoding) -> InitializeResult {
    InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(match encoding {
                Encoding::Utf8 => PositionEncodingKind::UTF8,
                Encoding::Utf16 => PositionEncodingKind::UTF16,
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::FULL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::from(actions::FIX_ALL),
                ]),
                ..CodeActionOptions::default()
            })),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(lsp_types::OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "cronlock".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    }
}
