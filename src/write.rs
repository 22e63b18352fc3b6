//! Writing fixed files so that a file is always wholly old or wholly new.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use crate::walk::describe_io;

/// Held while one file is being written, and by the interrupt handler from
/// the moment it runs until the process exits.
static WRITE_GUARD: Mutex<()> = Mutex::new(());

/// Installs the Ctrl-C / SIGTERM handler. It takes the write guard before it
/// exits: a file being written is finished first (renamed, or its temporary
/// removed), and no other file is started, so every file is wholly old or
/// wholly new and no temporary is left behind.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        let _guard = WRITE_GUARD
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let _ = writeln!(
            std::io::stderr(),
            "error: interrupted: stopped; every file is either wholly old or wholly new"
        );
        std::process::exit(130);
    });
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
    // Declared first so that it is released last, after the temporary is gone.
    let _guard = WRITE_GUARD
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
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
