//! The dependency record: which files the file stage of one file read while
//! it answered (its bases, the modules it imports, the re-export chains it
//! followed). A long-running process (the language server's
//! [`crate::session::Session`]) uses it to know whose findings a changed
//! file can alter; a one-shot `check` never records.
//!
//! Recording is per thread and nests: a file stage that, through rayon,
//! runs another file's stage on the same thread records into that file's
//! record meanwhile, not into its own.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use crate::ids::FileId;

thread_local! {
    /// One record per file stage running on this thread, innermost last.
    static RECORDS: RefCell<Vec<Record>> = const { RefCell::new(Vec::new()) };
}

/// What one file stage read.
#[derive(Debug, Default, Clone)]
pub struct Record {
    /// Scanned files read by index.
    pub files: Vec<FileId>,
    /// Files looked up by absolute path (hit or miss): a file that is
    /// skipped, unparsed or outside the scan today may answer otherwise
    /// once it changes.
    pub keys: Vec<PathBuf>,
}

/// Runs `f`, recording every file it reads on this thread.
pub fn recording<R>(f: impl FnOnce() -> R) -> (R, Record) {
    RECORDS.with(|records| records.borrow_mut().push(Record::default()));
    let result = f();
    let record = RECORDS
        .with(|records| records.borrow_mut().pop())
        .unwrap_or_default();
    (result, record)
}

/// Notes that scanned file `index` was read (nothing when not recording).
pub fn read_file(index: FileId) {
    RECORDS.with(|records| {
        if let Ok(mut records) = records.try_borrow_mut()
            && let Some(record) = records.last_mut()
        {
            record.files.push(index);
        }
    });
}

/// Notes that the file at `key` was looked up (nothing when not recording).
pub fn read_key(key: &Path) {
    RECORDS.with(|records| {
        if let Ok(mut records) = records.try_borrow_mut()
            && let Some(record) = records.last_mut()
        {
            record.keys.push(key.to_path_buf());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_only_inside_and_nests() {
        read_file(FileId::new(1));
        let ((), outer) = recording(|| {
            read_file(FileId::new(2));
            let ((), inner) = recording(|| read_key(Path::new("/a.ts")));
            assert_eq!(inner.keys, vec![PathBuf::from("/a.ts")]);
            assert!(inner.files.is_empty());
            read_file(FileId::new(3));
        });
        assert_eq!(outer.files, vec![FileId::new(2), FileId::new(3)]);
        assert!(outer.keys.is_empty());
    }
}
