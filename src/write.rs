//! Writing fixed files so that a file is always wholly old or wholly new.

use std::io::Write;
use std::path::Path;

use crate::walk::describe_io;

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
