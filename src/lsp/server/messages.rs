//! What the server sends: notifications, requests, replies and progress.

use lsp_server::{Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{Notification as NotificationTrait, Progress, ShowMessage};
use lsp_types::{
    MessageType, ProgressParams, ProgressParamsValue, ShowMessageParams, WorkDoneProgress,
};
use serde_json::Value;

use super::{SCAN_TOKEN, Server};
use crate::lsp::transport::Outgoing;

impl Server {
    pub(super) fn send_progress(&self, value: WorkDoneProgress) {
        self.notify(
            Progress::METHOD,
            ProgressParams {
                token: lsp_types::NumberOrString::String(SCAN_TOKEN.to_string()),
                value: ProgressParamsValue::WorkDone(value),
            },
        );
    }

    pub(super) fn show(&self, typ: MessageType, message: &str) {
        self.notify(
            ShowMessage::METHOD,
            ShowMessageParams {
                typ,
                message: message.to_string(),
            },
        );
    }

    pub(super) fn notify(&self, method: &str, params: impl serde::Serialize) {
        if let Ok(params) = serde_json::to_value(params) {
            let message = Notification::new(method.to_string(), params);
            let _ = self
                .out
                .send(Outgoing::Message(Message::Notification(message)));
        }
    }

    pub(super) fn request(&self, id: RequestId, method: &str, params: Value) {
        let message = Request::new(id, method.to_string(), params);
        let _ = self.out.send(Outgoing::Message(Message::Request(message)));
    }

    pub(super) fn reply(&self, id: RequestId, result: Value) {
        let _ = self
            .out
            .send(Outgoing::Message(Message::Response(Response::new_ok(
                id, result,
            ))));
    }

    pub(super) fn reply_error(&self, id: RequestId, code: i32, message: &str) {
        let _ = self
            .out
            .send(Outgoing::Message(Message::Response(Response::new_err(
                id,
                code,
                message.to_string(),
            ))));
    }
}
