//! Writing fixed files so that every file is wholly old or wholly new, and a
//! change that spans several files is written whole or not at all.
//!
//! Writing is two-phase: every file of the run is first *staged* (checked
//! against what was read, its new text written to a temporary beside it and
//! flushed to disk), and only once every file of a change set has staged are
//! the temporaries renamed over the originals. A rename is atomic, so an
//! interrupt leaves each file wholly old or wholly new.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::walk::describe_io;

/// Held while a temporary is created or renamed, and by the interrupt
/// handler from the moment it runs until the process exits.
static WRITE_GUARD: Mutex<()> = Mutex::new(());

/// Temporaries staged but not yet renamed: the interrupt handler removes
/// them (destructors do not run on `process::exit`).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the Ctrl-C / SIGTERM handler. It takes the write guard before it
/// exits: a rename under way is finished first, staged temporaries are
/// removed, and no other file is started, so every file is wholly old or
/// wholly new and no temporary is left behind.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        let _guard = lock(&WRITE_GUARD);
        for temp in lock(&PENDING).drain(..) {
            let _ = std::fs::remove_file(temp);
        }
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

fn io(e: std::io::Error) -> WriteError {
    WriteError::Io(describe_io(&e))
}

/// A file's new text, flushed to a temporary beside it, waiting to be
/// renamed over the original. Dropping it removes the temporary.
#[derive(Debug)]
pub struct Staged {
    temp: Option<tempfile::TempPath>,
    target: PathBuf,
}

/// Stages `new` for the file at `path` (following a symbolic link, which
/// stays), provided the file still holds `original`: the new text goes to a
/// temporary in the same directory, is flushed to disk and gets the
/// original's permissions. Nothing visible changes until [`commit`].
pub fn stage(path: &Path, original: &str, new: &str) -> Result<Staged, WriteError> {
    let target = match std::fs::canonicalize(path) {
        Ok(target) => target,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(WriteError::Vanished),
        Err(e) => return Err(io(e)),
    };
    let meta = std::fs::metadata(&target).map_err(io)?;
    if is_read_only(&meta) {
        return Err(WriteError::ReadOnly);
    }
    if std::fs::read(&target).map_err(io)? != original.as_bytes() {
        return Err(WriteError::ChangedOnDisk);
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let (mut file, temp) = {
        // Created and registered under the guard, so an interrupt removes it.
        let _guard = lock(&WRITE_GUARD);
        let temp = tempfile::Builder::new()
            .prefix(".cronlock-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(io)?;
        lock(&PENDING).push(temp.path().to_path_buf());
        temp.into_parts()
    };
    // From here on, dropping `staged` (an error below) removes the temporary.
    let staged = Staged {
        temp: Some(temp),
        target,
    };
    file.write_all(new.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    if let Some(temp) = &staged.temp {
        std::fs::set_permissions(temp, meta.permissions()).map_err(io)?;
    }
    Ok(staged)
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _guard = lock(&WRITE_GUARD);
            forget_pending(&temp);
            let _ = temp.close();
        }
    }
}

fn forget_pending(temp: &Path) {
    lock(&PENDING).retain(|pending| pending != temp);
}

/// Renames every staged temporary over its original, holding the write
/// guard throughout so an interrupt waits until the whole set is in place.
/// Returns, for each, whether the rename succeeded.
pub fn commit(staged: Vec<Staged>) -> Vec<Result<(), WriteError>> {
    let _guard = lock(&WRITE_GUARD);
    staged
        .into_iter()
        .map(|mut staged| {
            let Some(temp) = staged.temp.take() else {
                return Err(WriteError::Vanished);
            };
            forget_pending(&temp);
            temp.persist(&staged.target).map_err(|e| io(e.error))
        })
        .collect()
}

/// Stages and commits one file: see [`stage`].
pub fn write_atomically(path: &Path, original: &str, new: &str) -> Result<(), WriteError> {
    let staged = stage(path, original, new)?;
    commit(vec![staged]).pop().unwrap_or(Ok(()))
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
