//! Where source texts come from. cronlock reads every source file through
//! this trait, so that a caller with its own view of the files (an editor's
//! unsaved buffers, an in-memory test) can serve them instead of the disk.
//! A file's id is its index in `Project::files`.

use std::io;
use std::path::Path;

/// The texts of the files cronlock reads.
pub trait FileSystem: Send + Sync {
    /// The bytes of the file at `path`; an error for a directory.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
}

/// The disk.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsFileSystem;

impl FileSystem for OsFileSystem {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        if std::fs::metadata(path)?.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "is a directory",
            ));
        }
        std::fs::read(path)
    }
}

/// Reads a file as UTF-8 text (`None` when it cannot be read or is not UTF-8).
pub fn read_text(fs: &dyn FileSystem, path: &Path) -> Option<String> {
    String::from_utf8(fs.read(path).ok()?).ok()
}
