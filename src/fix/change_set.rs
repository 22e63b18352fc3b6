//! Which files' edits form one change: a class that gains a constructor
//! parameter and the files of its ripple sites (subclasses, testing
//! modules) must be written together or not at all, or the build breaks.

use std::collections::{BTreeMap, HashMap};

use crate::ids::FileId;

/// A union-find over files.
#[derive(Debug, Default)]
pub struct ChangeSets {
    parent: HashMap<FileId, FileId>,
}

impl ChangeSets {
    /// Puts `a` and `b` in one change.
    pub fn join(&mut self, a: FileId, b: FileId) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb {
            self.parent.insert(ra.max(rb), ra.min(rb));
        }
    }

    /// The representative of `file`'s change.
    pub fn root(&mut self, file: FileId) -> FileId {
        let mut at = file;
        while let Some(&up) = self.parent.get(&at) {
            if up == at {
                break;
            }
            at = up;
        }
        // Path compression: point every step straight at the root.
        let mut step = file;
        while let Some(&up) = self.parent.get(&step) {
            if up == at {
                break;
            }
            self.parent.insert(step, at);
            step = up;
        }
        at
    }

    /// Whether `a` and `b` belong to one change.
    pub fn same(&mut self, a: FileId, b: FileId) -> bool {
        self.root(a) == self.root(b)
    }

    /// `files` grouped by change, each group and the list sorted.
    pub fn group(&mut self, files: impl IntoIterator<Item = FileId>) -> Vec<Vec<FileId>> {
        let mut groups: BTreeMap<FileId, Vec<FileId>> = BTreeMap::new();
        for file in files {
            let root = self.root(file);
            groups.entry(root).or_default().push(file);
        }
        let mut groups: Vec<Vec<FileId>> = groups.into_values().collect();
        for group in &mut groups {
            group.sort_unstable();
        }
        groups.sort();
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::ChangeSets;
    use crate::ids::FileId;

    #[test]
    fn joined_files_share_a_change_and_others_stay_alone() {
        let id = FileId::new;
        let mut sets = ChangeSets::default();
        sets.join(id(4), id(1));
        sets.join(id(1), id(7));
        assert!(sets.same(id(7), id(4)));
        assert!(!sets.same(id(7), id(2)));
        assert_eq!(
            sets.group([7, 2, 4, 1].map(id)),
            vec![vec![id(1), id(4), id(7)], vec![id(2)]]
        );
    }
}
