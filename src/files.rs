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

    /// Reads the file at `path` into `scratch`, a buffer its caller reuses
    /// from file to file, and gives the file's length `n`: its bytes are
    /// `scratch[..n]`; what follows is left over from earlier reads.
    fn read_into(&self, path: &Path, scratch: &mut Vec<u8>) -> io::Result<usize> {
        *scratch = self.read(path)?;
        Ok(scratch.len())
    }
}

/// The disk.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsFileSystem;

impl FileSystem for OsFileSystem {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        std::fs::read(path).map_err(|error| on_directory(path, error))
    }

    /// Open, read to the end, close: no `fstat` for the size, since the
    /// scratch buffer (grown as needed, zeroed only when it grows) already
    /// holds most files whole. A directory answers `EISDIR` to the read.
    fn read_into(&self, path: &Path, scratch: &mut Vec<u8>) -> io::Result<usize> {
        const FIRST_SCRATCH: usize = 16 * 1024;
        let mut file = std::fs::File::open(path).map_err(|error| on_directory(path, error))?;
        if scratch.len() < FIRST_SCRATCH {
            scratch.resize(FIRST_SCRATCH, 0);
        }
        let mut filled = 0;
        loop {
            if filled == scratch.len() {
                scratch.resize(filled.saturating_mul(2), 0);
            }
            match file.read(&mut scratch[filled..]) {
                Ok(0) => return Ok(filled),
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

/// `error`, from opening or reading `path`, as Linux words it when `path`
/// is a directory (Windows cannot open one; `EISDIR` elsewhere).
fn on_directory(path: &Path, error: io::Error) -> io::Error {
    if error.kind() != io::ErrorKind::IsADirectory
        && std::fs::metadata(path).is_ok_and(|m| m.is_dir())
    {
        return is_a_directory();
    }
    error
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_into_gives_each_file_whole_from_one_reused_buffer() {
        let dir = tempfile::tempdir().unwrap();
        let large: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(dir.path().join("large.ts"), &large).unwrap();
        std::fs::write(dir.path().join("small.ts"), b"export class A {}\n").unwrap();
        std::fs::write(dir.path().join("empty.ts"), b"").unwrap();
        let mut scratch = Vec::new();
        let fs = OsFileSystem;
        let n = fs
            .read_into(&dir.path().join("large.ts"), &mut scratch)
            .unwrap();
        assert_eq!(&scratch[..n], &large[..]);
        let n = fs
            .read_into(&dir.path().join("small.ts"), &mut scratch)
            .unwrap();
        assert_eq!(&scratch[..n], b"export class A {}\n");
        let n = fs
            .read_into(&dir.path().join("empty.ts"), &mut scratch)
            .unwrap();
        assert_eq!(n, 0);
        assert_eq!(fs.read(&dir.path().join("large.ts")).unwrap(), large);
    }

    #[test]
    fn a_directory_or_a_missing_file_is_an_error_of_its_kind() {
        let dir = tempfile::tempdir().unwrap();
        let mut scratch = Vec::new();
        let fs = OsFileSystem;
        let error = fs.read_into(dir.path(), &mut scratch).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::IsADirectory);
        assert_eq!(
            fs.read(dir.path()).unwrap_err().kind(),
            io::ErrorKind::IsADirectory
        );
        let missing = dir.path().join("missing.ts");
        let error = fs.read_into(&missing, &mut scratch).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::NotFound);
    }
}
