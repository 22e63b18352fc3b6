//! Ids: indexes into the tables of a [`Project`](crate::project::Project),
//! each a type of its own, so that a package's index cannot be taken for a
//! file's, or either for a count.

/// A package of the scan: its index in `Project::packages`, in the order
/// the packages were first reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PackageId(u32);

impl PackageId {
    /// The id of the package at `index`.
    pub fn new(index: usize) -> PackageId {
        PackageId(u32::try_from(index).expect("fewer than 2^32 packages"))
    }

    /// Its index in `Project::packages`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
