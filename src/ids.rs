//! Ids: indexes into the tables of a [`Project`](crate::project::Project)
//! and of a file's [`FileModel`](crate::model::FileModel), each a type of
//! its own, so that a package's index cannot be taken for a file's, a
//! class's for either, or any of them for a count. `Project::files` is
//! indexed by [`FileId`] directly; `Project::file` and `Project::package`
//! look one up, as `FileModel::class` does a [`ClassId`].

/// A package of the scan: its index in `Project::packages`, in the order
/// the packages were first reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackageId(u32);

impl PackageId {
    /// The id of the package at `index`.
    pub const fn new(index: usize) -> PackageId {
        assert!(index < u32::MAX as usize, "fewer than 2^32 - 1 packages");
        PackageId(index as u32)
    }

    /// Its index in `Project::packages`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A scanned file: its index in `Project::files`. Stable for the file's
/// whole life in a session: loaded files are numbered in display path
/// order, a file added later takes the next index and a removed file's
/// index is retired, never reused. So ids are not in display path order:
/// answers are ordered by `Project::rank` (or `Project::file_ids`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(u32);

impl FileId {
    /// No file of the table: stands in for a module outside the scan.
    pub const NONE: FileId = FileId(u32::MAX);

    /// The id of the file at `index`.
    pub const fn new(index: usize) -> FileId {
        assert!(index < u32::MAX as usize, "fewer than 2^32 - 1 files");
        FileId(index as u32)
    }

    /// Its index in `Project::files`.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The ids of a table of `len` files, in order.
    pub fn all(len: usize) -> impl DoubleEndedIterator<Item = FileId> + ExactSizeIterator + Clone {
        (0..len).map(FileId::new)
    }
}

/// A class of one file: its index in that file's `FileModel::classes`, in
/// source order. Meaningful only with the file (or model) it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClassId(u32);

impl ClassId {
    /// The id of the class at `index`.
    pub const fn new(index: usize) -> ClassId {
        assert!(index < u32::MAX as usize, "fewer than 2^32 - 1 classes");
        ClassId(index as u32)
    }

    /// Its index in `FileModel::classes`.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The ids of a table of `len` classes, in order.
    pub fn all(len: usize) -> impl DoubleEndedIterator<Item = ClassId> + ExactSizeIterator + Clone {
        (0..len).map(ClassId::new)
    }
}

/// The ids of a project's files in display path order (see
/// `Project::file_ids`): shares the project's list, so that asking for it
/// costs no copy of it.
#[derive(Debug, Clone)]
pub struct FileIds {
    order: std::sync::Arc<[FileId]>,
    front: usize,
    back: usize,
}

impl FileIds {
    /// Every id of `order`, in turn.
    pub fn new(order: std::sync::Arc<[FileId]>) -> FileIds {
        let back = order.len();
        FileIds {
            order,
            front: 0,
            back,
        }
    }
}

impl Iterator for FileIds {
    type Item = FileId;

    fn next(&mut self) -> Option<FileId> {
        if self.front >= self.back {
            return None;
        }
        let id = self.order.get(self.front).copied();
        self.front += 1;
        id
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.back - self.front;
        (left, Some(left))
    }
}

impl DoubleEndedIterator for FileIds {
    fn next_back(&mut self) -> Option<FileId> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.order.get(self.back).copied()
    }
}

impl ExactSizeIterator for FileIds {}
