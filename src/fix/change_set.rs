//! Which files' edits form one change: a class that gains a constructor
//! parameter and the files of its ripple sites (subclasses, testing
//! modules) must be written together or not at all, or the build breaks.

use std::collections::{BTreeMap, HashMap};

/// A union-find over file indices.
#[derive(Debug, Default)]
pub struct ChangeSets {
    parent: HashMap<usize, usize>,
}

impl ChangeSets {
    /// Puts `a` and `b` in one change.
    pub fn join(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.root(a), self.root(b));
        if ra != rb {
            self.parent.insert(ra.max(rb), ra.min(rb));
        }
    }

    /// The representative of `file`'s change.
    pub fn root(&mut self, file: usize) -> usize {
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
    pub fn same(&mut self, a: usize, b: usize) -> bool {
        self.root(a) == self.root(b)
    }

    /// `files` grouped by change, each group and the list sorted.
    pub fn group(&mut self, files: impl IntoIterator<Item = usize>) -> Vec<Vec<usize>> {
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for file in files {
            let root = self.root(file);
            groups.entry(root).or_default().push(file);
        }
        let mut groups: Vec<Vec<usize>> = groups.into_values().collect();
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

    #[test]
    fn joined_files_share_a_change_and_others_stay_alone() {
        let mut sets = ChangeSets::default();
        sets.join(4, 1);
        sets.join(1, 7);
        assert!(sets.same(7, 4));
        assert!(!sets.same(7, 2));
        assert_eq!(sets.group([7, 2, 4, 1]), vec![vec![1, 4, 7], vec![2]]);
    }
}
