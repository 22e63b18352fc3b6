//! JSON-RPC over stdio with `Content-Length` framing. lsp-server's own
//! stdio transport stops reading at the first malformed payload, which
//! would leave the editor with a dead server; this one answers a bad
//! message with a JSON-RPC error and reads on.

use std::io::{self, BufRead, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender, unbounded};
use lsp_server::Message;
use serde_json::{Value, json};

/// What the reader hands the server loop.
#[derive(Debug)]
pub enum Incoming {
    /// A well-formed message.
    Message(Message),
    /// A frame whose body is not JSON-RPC; answered by the loop.
    Malformed {
        /// JSON-RPC's code: parse error or invalid request.
        code: i32,
        /// What was wrong.
        reason: String,
    },
}

/// What the writer sends.
#[derive(Debug)]
pub enum Outgoing {
    /// A message.
    Message(Message),
    /// A JSON-RPC error that answers no request id (`id: null`).
    Error {
        /// The error code.
        code: i32,
        /// The message.
        message: String,
    },
}

/// JSON-RPC's code for a body that is not JSON.
pub const PARSE_ERROR: i32 = -32700;
/// JSON-RPC's code for JSON that is not a request, response or notification.
pub const INVALID_REQUEST: i32 = -32600;

/// The two ends of the stdio connection, and the threads behind them.
pub struct Transport {
    /// Messages to the client.
    pub sender: Sender<Outgoing>,
    /// Messages from the client; closed at end of input.
    pub receiver: Receiver<Incoming>,
    writer: thread::JoinHandle<()>,
}

impl Transport {
    /// Starts reading stdin and writing stdout on threads of their own.
    pub fn stdio() -> io::Result<Transport> {
        let (in_tx, in_rx) = unbounded();
        let (out_tx, out_rx) = unbounded::<Outgoing>();
        thread::Builder::new()
            .name("cronlock-lsp-reader".into())
            .spawn(move || read_loop(&mut io::stdin().lock(), &in_tx))?;
        let writer = thread::Builder::new()
            .name("cronlock-lsp-writer".into())
            .spawn(move || {
                let mut out = io::stdout().lock();
                for message in out_rx {
                    if write_frame(&mut out, &message).is_err() {
                        return;
                    }
                }
            })?;
        Ok(Transport {
            sender: out_tx,
            receiver: in_rx,
            writer,
        })
    }

    /// Waits for every queued message to be written.
    pub fn finish(self) {
        drop(self.sender);
        let _ = self.writer.join();
    }
}

/// Reads frames until end of input (or an I/O error).
fn read_loop(input: &mut impl BufRead, sink: &Sender<Incoming>) {
    loop {
        let incoming = match read_frame(input) {
            Ok(Some(Ok(body))) => parse(&body),
            Ok(Some(Err(reason))) => Incoming::Malformed {
                code: PARSE_ERROR,
                reason,
            },
            Ok(None) | Err(_) => return,
        };
        if sink.send(incoming).is_err() {
            return;
        }
    }
}

/// A body as a message, or why it is not one.
fn parse(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => {
            return Incoming::Malformed {
                code: PARSE_ERROR,
                reason: format!("not JSON: {error}"),
            };
        }
    };
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Incoming::Message(message),
        Err(error) => Incoming::Malformed {
            code: INVALID_REQUEST,
            reason: format!("not a JSON-RPC message: {error}"),
        },
    }
}

/// One frame's body; `Ok(None)` at end of input, `Ok(Some(Err))` for a
/// header that is not understood (the frame is skipped).
fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Result<Vec<u8>, String>>> {
    let mut length: Option<usize> = None;
    let mut saw_header = false;
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok();
        }
    }
    let Some(length) = length else {
        return Ok(Some(Err("a frame without a valid Content-Length".into())));
    };
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    Ok(Some(Ok(body)))
}

fn write_frame(out: &mut impl Write, message: &Outgoing) -> io::Result<()> {
    let body = match message {
        Outgoing::Message(message) => serde_json::to_string(message)?,
        Outgoing::Error { code, message } => json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": { "code": code, "message": message },
        })
        .to_string(),
    };
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_frames_are_reported_and_reading_goes_on() {
        let good = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "Content-Length: 5\r\n\r\n{{bad}}Content-Length: 2\r\n\r\n[]X-Other: 1\r\n\r\nContent-Length: {}\r\n\r\n{good}",
            good.len()
        );
        let (tx, rx) = unbounded();
        read_loop(&mut input.as_bytes(), &tx);
        let got: Vec<Incoming> = rx.try_iter().collect();
        assert!(matches!(
            got[0],
            Incoming::Malformed {
                code: PARSE_ERROR,
                ..
            }
        ));
        assert!(matches!(
            got[1],
            Incoming::Malformed {
                code: INVALID_REQUEST,
                ..
            }
        ));
        assert!(matches!(
            got[2],
            Incoming::Malformed {
                code: PARSE_ERROR,
                ..
            }
        ));
        assert!(matches!(
            got[3],
            Incoming::Message(Message::Notification(_))
        ));
    }
}
