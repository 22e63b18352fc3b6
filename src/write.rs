//! Writing fixed files so that a file is always wholly old or wholly new.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::walk::describe_io;

static WRITING: AtomicBool = AtomicBool::new(false);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the Ctrl-C / SIGTERM handler: outside the write phase the process
/// exits at once (nothing has been written); during it, the file being
/// written is finished (renamed or its temporary removed) and the run stops
/// before the next one, so no file is half-written and no temporary is left.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if WRITING.load(Ordering::SeqCst) {
            INTERRUPTED.store(true, Ordering::SeqCst);
        } else {
            std::process::exit(130);
        }
    });
}

/// Marks the start or end of the write phase.
pub fn set_writing(on: bool) {
    WRITING.store(on, Ordering::SeqCst);
}

/// Whether Ctrl-C arrived during the write phase.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Why a fixed file was not written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WriteError {
    /// The file has no write permission bit.
    #[error("read-only file; left unchanged")]
    ReadOnly,
    /// The file changed between reading and writing.
    #[error("changed on disk since it was read; left unchanged")]
    ChangedOnDisk,
    /// The file disappeared.
    #[error("vanished during the run; not written")]
    Vanished,
    /// Another I/O problem.
    #[error("{0}; left unchanged")]
    Io(String),
}

/// Replaces the file at `path` (following a symbolic link, which stays) with
/// `new`, provided it still holds `original`: the new text goes to a
/// temporary file in the same directory, is flushed to disk, gets the
/// original's permissions, then is renamed over the original.
pub fn write_atomically(path: &Path, original: &str, new: &str) -> Result<(), WriteError> {
    let io = |e: std::io::Error| WriteError::Io(describe_io(&e));
    let target = match std::fs::canonicalize(path) {
        Ok(target) => target,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(WriteError::Vanished),
        Err(e) => return Err(io(e)),
    };
    let meta = std::fs::metadata(&target).map_err(io)?;
    if is_read_only(&meta) {
        return Err(WriteError::ReadOnly);
    }
    let current = std::fs::read(&target).map_err(io)?;
    if current != original.as_bytes() {
        return Err(WriteError::ChangedOnDisk);
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(".cronlock-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    temp.write_all(new.as_bytes()).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    std::fs::set_permissions(temp.path(), meta.permissions()).map_err(io)?;
    temp.persist(&target).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn is_read_only(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o222 == 0
}

#[cfg(not(unix))]
fn is_read_only(meta: &std::fs::Metadata) -> bool {
    meta.permissions().readonly()
}
