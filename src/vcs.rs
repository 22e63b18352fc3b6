//! Uncommitted work is never overwritten by surprise. Inside a git work tree,
//! `fix` refuses to write a file that has uncommitted changes, the way
//! `cargo fix` does, unless told: `--allow-staged` accepts changes that are
//! staged (what a pre-commit hook sees), `--allow-dirty` accepts anything.
//! Outside a work tree, or where `git` cannot be run, nothing is refused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What git says of a file about to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uncommitted {
    /// Its changes are all staged.
    Staged,
    /// It has unstaged changes, or git does not track it.
    Dirty,
}

/// Which uncommitted changes `fix` may write over.
#[derive(Debug, Clone, Copy, Default)]
pub struct Allowance {
    /// `--allow-dirty`.
    pub dirty: bool,
    /// `--allow-staged`.
    pub staged: bool,
}

impl Allowance {
    fn permits(self, state: Uncommitted) -> bool {
        self.dirty || (self.staged && state == Uncommitted::Staged)
    }
}

/// The files among `paths` that `fix` must not write, and why.
pub fn refused(paths: &[&Path], allowance: Allowance) -> Vec<(PathBuf, Uncommitted)> {
    if allowance.dirty {
        return Vec::new();
    }
    let mut statuses: HashMap<PathBuf, Option<HashMap<PathBuf, Uncommitted>>> = HashMap::new();
    let mut out = Vec::new();
    for path in paths {
        let Ok(file) = path.canonicalize() else {
            continue;
        };
        let Some(top) = work_tree_of(&file) else {
            continue;
        };
        let status = statuses
            .entry(top.clone())
            .or_insert_with(|| status_of(&top));
        let Some(state) = status.as_ref().and_then(|s| s.get(&file)) else {
            continue;
        };
        if !allowance.permits(*state) {
            out.push((path.to_path_buf(), *state));
        }
    }
    out
}

/// The top of the git work tree holding `file` (where `.git` is).
fn work_tree_of(file: &Path) -> Option<PathBuf> {
    file.ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The top of the git work tree holding `path` (a directory or a file),
/// which should be canonical: the nearest of it and its ancestors that has
/// a `.git` (a directory, or a file in a linked work tree or submodule).
pub fn work_tree_holding(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Every uncommitted file of the work tree at `top` (absolute, canonical);
/// `None` when git cannot tell.
fn status_of(top: &Path) -> Option<HashMap<PathBuf, Uncommitted>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(top)
        .args(["status", "--porcelain=v1", "-z", "--untracked-files=all"])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(parse_porcelain(top, &output.stdout))
}

/// Reads `git status --porcelain=v1 -z`: `XY path\0`, with the original
/// path of a rename or copy in a second field.
fn parse_porcelain(top: &Path, text: &[u8]) -> HashMap<PathBuf, Uncommitted> {
    let mut out = HashMap::new();
    let mut fields = text.split(|&b| b == 0);
    while let Some(entry) = fields.next() {
        if entry.len() < 4 {
            continue;
        }
        let (index, worktree) = (entry[0], entry[1]);
        if matches!(index, b'R' | b'C') {
            fields.next();
        }
        let relative = String::from_utf8_lossy(&entry[3..]).into_owned();
        let state = if worktree == b' ' {
            Uncommitted::Staged
        } else {
            Uncommitted::Dirty
        };
        let path = top.join(relative);
        let path = path.canonicalize().unwrap_or(path);
        out.insert(path, state);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn porcelain_entries_are_classified() {
        let top = Path::new("/nonexistent-top");
        let text =
            b"M  staged.ts\0 M dirty.ts\0MM both.ts\0?? new.ts\0R  new-name.ts\0old-name.ts\0";
        let status = parse_porcelain(top, text);
        let state = |name: &str| status.get(&top.join(name)).copied();
        assert_eq!(state("staged.ts"), Some(Uncommitted::Staged));
        assert_eq!(state("dirty.ts"), Some(Uncommitted::Dirty));
        assert_eq!(state("both.ts"), Some(Uncommitted::Dirty));
        assert_eq!(state("new.ts"), Some(Uncommitted::Dirty));
        assert_eq!(state("new-name.ts"), Some(Uncommitted::Staged));
        assert_eq!(state("old-name.ts"), None);
    }

    #[test]
    fn allowances() {
        let none = Allowance::default();
        let staged = Allowance {
            staged: true,
            ..Allowance::default()
        };
        assert!(!none.permits(Uncommitted::Staged));
        assert!(staged.permits(Uncommitted::Staged));
        assert!(!staged.permits(Uncommitted::Dirty));
    }
}
