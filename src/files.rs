//! Where source texts come from. cronlock reads every source file through
//! this trait, so that a caller with its own view of the files (an editor's
//! unsaved buffers, an in-memory test) can serve them instead of the disk.
//! A file's id is its index in `Project::files`.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The texts of the files cronlock reads.
pub trait FileSystem: Send + Sync {
    /// The bytes of the file at `path`; an error for a directory.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;

    /// The bytes of the file at `path` into `buf` (cleared first), so that a
    /// caller reading many files reuses one allocation.
    fn read_into(&self, path: &Path, buf: &mut Vec<u8>) -> io::Result<()> {
        *buf = self.read(path)?;
        Ok(())
    }
}

/// The disk.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsFileSystem;

impl FileSystem for OsFileSystem {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.read_into(path, &mut buf)?;
        Ok(buf)
    }

    /// One path lookup (the open), then `fstat` for the size and to refuse a
    /// directory: stat-then-open would walk the path twice.
    fn read_into(&self, path: &Path, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.clear();
        let mut file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(error) => {
                // Where a directory cannot be opened (Windows), say so as
                // Linux would.
                if std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
                    return Err(is_a_directory());
                }
                return Err(error);
            }
        };
        let metadata = file.metadata()?;
        if metadata.is_dir() {
            return Err(is_a_directory());
        }
        // Reads straight into a buffer of the known size (one byte more, to
        // see the end): `File::read_to_end` would ask the size and the
        // position again, two more system calls per file.
        let len = usize::try_from(metadata.len()).unwrap_or(0);
        buf.resize(len.saturating_add(1), 0);
        let mut filled = 0;
        while filled < buf.len() {
            match file.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        buf.truncate(filled);
        if filled > len {
            // The file grew since it was measured.
            file.read_to_end(buf)?;
        }
        Ok(())
    }
}

/// Texts held in memory, by absolute path; no other file exists (see
/// [`crate::project::Project::from_texts`]).
#[derive(Debug, Default, Clone)]
pub struct MemoryFileSystem {
    files: HashMap<PathBuf, String>,
}

impl MemoryFileSystem {
    /// The file system of these files.
    pub fn new(files: impl IntoIterator<Item = (PathBuf, String)>) -> MemoryFileSystem {
        MemoryFileSystem {
            files: files.into_iter().collect(),
        }
    }
}

impl FileSystem for MemoryFileSystem {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(path)
            .map(|text| text.as_bytes().to_vec())
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
}

fn is_a_directory() -> io::Error {
    io::Error::new(io::ErrorKind::IsADirectory, "is a directory")
}

/// Reads a file as UTF-8 text (`None` when it cannot be read or is not UTF-8).
pub fn read_text(fs: &dyn FileSystem, path: &Path) -> Option<String> {
    String::from_utf8(fs.read(path).ok()?).ok()
}
