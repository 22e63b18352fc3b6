//! The readiness report and the status-bar verdict, and cancelled requests.

use std::path::Path;

use lsp_server::{ErrorCode, RequestId};
use serde_json::Value;

use super::{REQUEST_CANCELLED, Server};
use crate::lsp::readiness::{self, RootState};

impl Server {
    /// `cronlock/readiness` for a root just analysed, when it changed.
    pub(super) fn send_readiness(&mut self, path: &Path) {
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
    pub(super) fn readiness_report(&mut self, id: RequestId, params: &Value) {
        let roots: Vec<&Path> = self.roots.iter().map(|r| r.path.as_path()).collect();
        match self.readiness.request(id.clone(), params, &roots) {
            Ok(()) => self.answer_reports(),
            Err(message) => self.reply_error(id, ErrorCode::InvalidParams as i32, &message),
        }
    }

    /// Answers the report requests whose root can answer now.
    pub(super) fn answer_reports(&mut self) {
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

    pub(super) fn cancel(&mut self, id: lsp_types::NumberOrString) {
        let id = match id {
            lsp_types::NumberOrString::Number(n) => RequestId::from(n),
            lsp_types::NumberOrString::String(s) => RequestId::from(s),
        };
        if let Some(at) = self.waiting.iter().position(|w| w.id == id) {
            let wait = self.waiting.remove(at);
            self.reply_error(wait.id, REQUEST_CANCELLED, "cancelled");
        }
    }
}
