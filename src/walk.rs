//! Finding the files to scan: `*.ts`, `*.mts`, `*.cts` (never `*.d.ts`), with
//! the default skips, `.gitignore` inside a git work tree, and `--exclude`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::WalkBuilder;

/// Directories never entered.
pub const SKIPPED_DIRS: [&str; 5] = ["node_modules", "dist", "build", "coverage", ".git"];

/// A file to scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct WalkedFile {
    /// The path as reached from the PATH argument, with `/` separators.
    pub display: String,
    /// The path to open.
    pub path: PathBuf,
    /// Index of the PATH argument it was reached from.
    pub root: usize,
}

/// A path that could not be walked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkError {
    /// The path concerned.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// The result of walking every PATH argument.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files to scan, sorted by display path, each once.
    pub files: Vec<WalkedFile>,
    /// Paths that could not be walked.
    pub errors: Vec<WalkError>,
    /// Package markers seen on the way (`package.json`, `project.json`,
    /// `nest-cli.json`), so that finding packages needs no file probes
    /// inside the walked directories.
    pub markers: Vec<PathBuf>,
    /// The directories walked (as given), whose markers are all in `markers`.
    pub walked_dirs: Vec<PathBuf>,
}

/// File names that make a directory a package root.
pub const PACKAGE_MARKERS: [&str; 3] = ["package.json", "project.json", "nest-cli.json"];

/// Whether `path` names a file cronlock scans.
pub fn is_scanned_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let ends_with = |suffix: &str| {
        name.len() >= suffix.len()
            && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    (ends_with(".ts") || ends_with(".mts") || ends_with(".cts"))
        && !ends_with(".d.ts")
        && !ends_with(".d.mts")
        && !ends_with(".d.cts")
}

fn is_project_marker(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| PACKAGE_MARKERS.contains(&n))
}

/// Builds the `--exclude` / config `exclude` matcher. A glob matches a path
/// relative to the PATH argument or any of its trailing parts, so `legacy/**`
/// excludes `src/legacy/x.ts` as well.
pub fn exclude_set(globs: &[String]) -> Result<GlobSet, globset::Error> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(Glob::new(glob)?);
        if !glob.starts_with("**/") && !glob.starts_with('/') {
            builder.add(Glob::new(&format!("**/{glob}"))?);
        }
    }
    builder.build()
}

/// Walks every PATH (the result is sorted, so it does not depend on the order
/// in which directories list their entries). A file named explicitly is
/// scanned even when the walk would skip it. Symlinks are followed; only what
/// would be scanned can cause an error, so a symlink loop or a dangling link
/// that is not named like a scanned file (`.env -> ../.env`) is skipped
/// silently, while a dangling `*.ts` link is reported.
pub fn walk(paths: &[PathBuf], excludes: &GlobSet) -> Walk {
    walk_each(paths, excludes, &mut |_, _| {}).0
}

/// [`walk`], handing each file to `met` as soon as the walk meets it, with a
/// number of its own (0, 1, 2, ... in the order met), so that a caller can
/// start reading it while the walk goes on. Also gives the number each file
/// of the result was met under. A file can be met and not be in the result:
/// a second one of the same display path, or one met before the walk found a
/// repository inside the directory and walked it again with its `.gitignore`
/// rules (see `walk_dir`).
pub fn walk_each(
    paths: &[PathBuf],
    excludes: &GlobSet,
    met: &mut dyn FnMut(usize, &WalkedFile),
) -> (Walk, Vec<usize>) {
    let mut out = Walk::default();
    let mut found = Found {
        files: Vec::new(),
        next: 0,
        met,
    };
    for (root, path) in paths.iter().enumerate() {
        let shown = display_path(path);
        match std::fs::metadata(path) {
            Err(error) => out.errors.push(WalkError {
                path: shown,
                reason: describe_io(&error),
            }),
            Ok(meta) if meta.is_file() => found.push(WalkedFile {
                display: shown,
                path: path.clone(),
                root,
            }),
            Ok(_) => {
                out.walked_dirs.push(path.clone());
                walk_dir(path, root, excludes, &mut out, &mut found);
            }
        }
    }
    let mut files = found.files;
    files.sort();
    files.dedup_by(|a, b| a.0.display == b.0.display);
    let (files, numbers) = files.into_iter().unzip();
    out.files = files;
    (out, numbers)
}

/// The files met so far, each with its number, and whom to tell.
struct Found<'a> {
    files: Vec<(WalkedFile, usize)>,
    /// The next file's number: never given twice, also when files met are
    /// dropped.
    next: usize,
    met: &'a mut dyn FnMut(usize, &WalkedFile),
}

impl Found<'_> {
    fn push(&mut self, file: WalkedFile) {
        let number = self.next;
        self.next += 1;
        (self.met)(number, &file);
        self.files.push((file, number));
    }
}

/// Walks `dir`. Outside a git work tree (no `.git` or `.jj` at or above
/// `dir`), `.gitignore` files mean nothing, so the walk reads none of them;
/// should it meet a nested repository (a `.git` or `.jj` below `dir`), whose
/// `.gitignore` files do apply beneath it, it walks again as a git walk (the
/// files the first walk met are dropped).
fn walk_dir(dir: &Path, root: usize, excludes: &GlobSet, out: &mut Walk, found: &mut Found<'_>) {
    let in_git = inside_vcs_work_tree(dir);
    let start = found.files.len();
    let mut walked = walk_dir_with(dir, root, excludes, in_git, found);
    if !in_git && walked.saw_vcs_dir {
        found.files.truncate(start);
        walked = walk_dir_with(dir, root, excludes, true, found);
    }
    let walked = walked.walk;
    out.markers.extend(walked.markers);
    let mut errors = walked.errors;
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    out.errors.extend(errors);
}

/// What one walk of a directory found.
struct DirWalk {
    walk: Walk,
    /// Whether an entry named `.git` or `.jj` was met: a repository inside
    /// the walked directory.
    saw_vcs_dir: bool,
}

/// The names `ignore` takes for a work tree's root: inside one, `.gitignore`
/// files apply.
const VCS_DIRS: [&str; 2] = [".git", ".jj"];

/// Whether `dir` or a directory above it holds `.git` or `.jj`, as `ignore`
/// tests it (following links).
fn inside_vcs_work_tree(dir: &Path) -> bool {
    let Ok(absolute) = std::path::absolute(dir) else {
        return true;
    };
    absolute
        .ancestors()
        .any(|a| VCS_DIRS.iter().any(|name| a.join(name).exists()))
}

/// Walks `dir` with `.gitignore` files honoured (`git`) or not read at all,
/// on this thread: the caller's workers are free to read the files met
/// meanwhile (a walk on two threads took as long, the system calls being most
/// of its time).
fn walk_dir_with(
    dir: &Path,
    root: usize,
    excludes: &GlobSet,
    git: bool,
    found: &mut Found<'_>,
) -> DirWalk {
    let root_for_filter = dir.to_path_buf();
    let excludes_for_filter = excludes.clone();
    let saw_vcs_dir = Arc::new(AtomicBool::new(false));
    let saw_in_filter = Arc::clone(&saw_vcs_dir);
    let walker = WalkBuilder::new(dir)
        .hidden(false)
        .parents(git)
        .ignore(false)
        .git_ignore(git)
        .git_global(false)
        .git_exclude(git)
        .require_git(true)
        .follow_links(true)
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let name = entry.file_name();
            if VCS_DIRS.iter().any(|vcs| name == *vcs) {
                saw_in_filter.store(true, Ordering::Relaxed);
            }
            if SKIPPED_DIRS.iter().any(|skipped| name == *skipped)
                && entry.file_type().is_some_and(|t| t.is_dir())
            {
                return false;
            }
            if excludes_for_filter.is_empty() {
                return true;
            }
            let relative = entry
                .path()
                .strip_prefix(&root_for_filter)
                .unwrap_or(entry.path());
            !excludes_for_filter.is_match(relative)
        })
        .build();
    let mut walked = Walk::default();
    for entry in walker {
        // A walk without git rules that met a repository is walked again
        // with them (see `walk_dir`): what is left of it is moot.
        if !git && saw_vcs_dir.load(Ordering::Relaxed) {
            break;
        }
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && is_project_marker(entry.path()) {
                    walked.markers.push(entry.path().to_path_buf());
                } else if is_file && is_scanned_name(entry.path()) {
                    found.push(WalkedFile {
                        display: display_path(entry.path()),
                        path: entry.into_path(),
                        root,
                    });
                }
            }
            Err(error) if is_unscanned_link(&error, dir, excludes) => {}
            Err(error) => walked.errors.push(walk_error(&error)),
        }
    }
    DirWalk {
        walk: walked,
        saw_vcs_dir: saw_vcs_dir.load(Ordering::Relaxed),
    }
}

/// Whether `error` is about a symlink that could never be a file to scan, and
/// so is skipped silently: a symlink loop (a link to a directory that contains
/// it, not a file), or a link whose target cannot be reached (dangling, or a
/// chain of links that loops) when the link's own name is not a scanned name
/// (`.env -> ../.env`) or `--exclude` matches it. `ignore` follows links before
/// `filter_entry` sees them, so the exclude globs are applied here as well.
/// A dangling `*.ts` link is not skipped: it is reported, naming the link.
fn is_unscanned_link(error: &ignore::Error, root_dir: &Path, excludes: &GlobSet) -> bool {
    let mut path = None;
    let mut current = error;
    loop {
        match current {
            ignore::Error::Loop { .. } => return true,
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert(p.as_path());
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = err;
            }
            _ => break,
        }
    }
    let Some(path) = path else {
        return false;
    };
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if !is_link || std::fs::metadata(path).is_ok() {
        return false;
    }
    let relative = path.strip_prefix(root_dir).unwrap_or(path);
    !is_scanned_name(path) || excludes.is_match(relative)
}

fn walk_error(error: &ignore::Error) -> WalkError {
    let mut path = None;
    let mut current = error;
    loop {
        match current {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| display_path(p));
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = err;
            }
            ignore::Error::Io(io) => {
                return WalkError {
                    path: path.unwrap_or_default(),
                    reason: describe_io(io),
                };
            }
            other => {
                return WalkError {
                    path: path.unwrap_or_default(),
                    reason: other.to_string(),
                };
            }
        }
    }
}

/// A path for people and machines: `/` separators, no leading `./`.
pub fn display_path(path: &Path) -> String {
    let lossy = path.to_string_lossy();
    if !lossy.contains('\\') && !lossy.starts_with("./") && !lossy.is_empty() {
        return lossy.into_owned();
    }
    let shown = lossy.replace('\\', "/");
    let mut shown = shown.as_str();
    while let Some(rest) = shown.strip_prefix("./") {
        shown = rest;
    }
    if shown.is_empty() {
        ".".to_string()
    } else {
        shown.to_string()
    }
}

/// An I/O error in words, without the `(os error N)` suffix.
pub fn describe_io(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => {
            let text = error.to_string();
            match text.find(" (os error") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{display_path, is_scanned_name};
    use std::path::Path;

    #[test]
    fn scanned_names_are_typescript_sources_in_any_case_but_declarations() {
        for name in ["a.ts", "A.TS", "b.mts", "c.Cts", ".ts", "dir/x.ts"] {
            assert!(is_scanned_name(Path::new(name)), "{name}");
        }
        for name in [
            "a.d.ts", "A.D.TS", "b.d.mts", "c.d.cts", "ts", "a.tsx", "a.js", "a.ts/",
        ] {
            let scanned = is_scanned_name(Path::new(name));
            // `a.ts/` names the file `a.ts` to std::path.
            assert_eq!(scanned, name == "a.ts/", "{name}");
        }
    }

    #[test]
    fn display_paths_use_slashes_and_no_leading_dot() {
        assert_eq!(display_path(Path::new("src/a.ts")), "src/a.ts");
        assert_eq!(display_path(Path::new("./././src/a.ts")), "src/a.ts");
        assert_eq!(display_path(Path::new("src\\a.ts")), "src/a.ts");
        assert_eq!(display_path(Path::new("./")), ".");
        assert_eq!(display_path(Path::new("")), ".");
        assert_eq!(display_path(Path::new("/abs/a.ts")), "/abs/a.ts");
    }
}
