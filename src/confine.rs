//! `fix` writes only inside what it was asked to scan. A scanned file may be
//! a symbolic link (or lie under a linked directory) whose target is
//! anywhere: reading through it is harmless, but writing through it would let
//! a repository steer cronlock's edits outside itself (`src/job.ts ->
//! ../../outside/job.ts`). So a file is written only when its real path lies
//! under the real path of a scanned PATH, or under the git work tree that
//! holds one; any other file is reported with both paths and left alone,
//! together with the rest of its change set (a change is whole or nothing:
//! see [`crate::engine::fix_project_within`]).

use std::path::{Path, PathBuf};

/// The directories (and named files) `fix` may write under, all canonical.
#[derive(Debug, Clone, Default)]
pub struct Bounds {
    allowed: Vec<PathBuf>,
}

impl Bounds {
    /// The bounds of a scan of `roots` (the PATH arguments): each root's real
    /// path and the git work tree holding it. A root that cannot be resolved
    /// (it was reported when walked) bounds nothing.
    pub fn new(roots: &[PathBuf]) -> Bounds {
        let mut allowed = Vec::new();
        for root in roots {
            let Ok(real) = root.canonicalize() else {
                continue;
            };
            if let Some(top) = crate::vcs::work_tree_holding(&real) {
                allowed.push(top);
            }
            allowed.push(real);
        }
        allowed.sort();
        allowed.dedup();
        Bounds { allowed }
    }

    /// The real path of `path` when it lies outside every bound; `None` when
    /// it may be written, or when it cannot be resolved (writing then fails
    /// on its own, with its own message).
    pub fn escape(&self, path: &Path) -> Option<PathBuf> {
        let real = path.canonicalize().ok()?;
        if self.allowed.iter().any(|bound| real.starts_with(bound)) {
            None
        } else {
            Some(real)
        }
    }
}

/// Why `fix` leaves the file at `path` alone, when it leads outside
/// `bounds`: both paths are named (the display path by the caller).
pub fn refusal(bounds: &Bounds, path: &Path) -> Option<String> {
    let real = bounds.escape(path)?;
    Some(format!(
        "links to {}, outside the scanned paths; not written",
        real.display()
    ))
}
