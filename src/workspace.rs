//! Packages: which package a file belongs to, what the package is called and
//! whether it is a library. A package root is, nearest first: a `root` of a
//! `nest-cli.json` with `"monorepo": true`, a directory with `project.json`
//! (Nx), a directory with `package.json`; else the scan root. Ancestors above
//! the scan root count too, so the answer does not depend on where a scan
//! starts.

use std::collections::HashMap;
use std::ffi::OsString;

// Every directory of a scan is looked up in these maps: FxHash, not SipHash,
// which was most of the time spent finding packages.
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::ids::PackageId;
use crate::paths::{
    absolute, display_join, normalize, relative_path, relative_specifier, strip_script_extension,
};

/// A package: the directory a file belongs to, as nest-cli, Nx or
/// package.json mark it (nest-cli and Nx call theirs projects).
#[derive(Debug, Clone)]
pub struct Package {
    /// Its name: from nest-cli.json or project.json, else the directory's.
    pub name: String,
    /// The directory as reached from the PATH argument.
    pub display: String,
    /// Absolute directory.
    pub dir: PathBuf,
    /// A library (nest-cli `"type": "library"`, Nx `"projectType": "library"`):
    /// judged through the applications that import it.
    pub is_library: bool,
    /// Modules the package imports lock names from, most used first.
    pub lock_sources: Vec<SourceKey>,
}

/// A module specifier made comparable across files: bare specifiers as
/// written, relative ones as the absolute path they point to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceKey {
    /// `@acme/cluster-lock`.
    Bare(String),
    /// `../lib/lock` from some file, resolved (extension dropped).
    Path(PathBuf),
}

impl SourceKey {
    /// The key of `specifier` as written in a file in `dir`.
    pub fn new(dir: &Path, specifier: &str) -> SourceKey {
        if specifier.starts_with('.') {
            let trimmed = strip_script_extension(specifier);
            SourceKey::Path(normalize(&dir.join(trimmed)))
        } else {
            SourceKey::Bare(specifier.to_string())
        }
    }

    /// How a file in `dir` writes this module.
    pub fn specifier_from(&self, dir: &Path) -> String {
        match self {
            SourceKey::Bare(s) => s.clone(),
            SourceKey::Path(target) => relative_specifier(dir, target),
        }
    }
}

/// What makes a directory a package root.
#[derive(Debug, Clone)]
struct RootMark {
    name: Option<String>,
    is_library: bool,
}

#[derive(Debug, Deserialize)]
struct NestCli {
    #[serde(default)]
    monorepo: bool,
    #[serde(default)]
    projects: HashMap<String, NestProject>,
}

/// One entry of nest-cli.json's `projects` (a package, in nest-cli's word).
#[derive(Debug, Deserialize)]
struct NestProject {
    root: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// An Nx `project.json` (a package, in Nx's word).
#[derive(Debug, Deserialize)]
struct NxProject {
    name: Option<String>,
    #[serde(rename = "projectType")]
    project_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PackageJson {
    name: Option<String>,
    types: Option<String>,
    typings: Option<String>,
    main: Option<String>,
}

/// A package of the workspace that other packages import by name.
#[derive(Debug, Clone)]
pub struct WorkspacePackage {
    /// Its `name` in package.json.
    pub name: String,
    /// Its directory.
    pub dir: PathBuf,
    /// The source file a bare import of the name reaches.
    pub entry: Option<PathBuf>,
}

/// The package marker files the walk saw, so that directories inside the
/// walked trees need no probing (a probe per directory per marker name was
/// a third of a 10k-file scan's system calls).
#[derive(Debug, Default, Clone)]
pub struct Markers {
    /// Walked directories (absolute, normalised).
    roots: Vec<PathBuf>,
    /// Marker files seen in them (absolute, normalised).
    files: FxHashSet<OsString>,
}

impl Markers {
    /// From the walk's directories and the markers it saw.
    pub fn new(walked_dirs: &[PathBuf], files: &[PathBuf]) -> Markers {
        let key = |p: &PathBuf| normalize(&absolute(p));
        Markers {
            roots: walked_dirs.iter().map(key).collect(),
            files: files.iter().map(|p| key(p).into_os_string()).collect(),
        }
    }

    /// Whether `dir` holds a file called `name`.
    fn has(&self, dir: &Path, name: &str) -> bool {
        let path = dir.join(name);
        if self.roots.iter().any(|root| is_within(dir, root)) {
            self.files.contains(path.as_os_str())
        } else {
            path.is_file()
        }
    }
}

/// Whether `dir` is `root` or below it. Both are normalised (no `.`, `..`,
/// repeated or trailing separators), so comparing bytes answers as
/// `Path::starts_with` would, without splitting either into components.
fn is_within(dir: &Path, root: &Path) -> bool {
    let (dir, root) = (
        dir.as_os_str().as_encoded_bytes(),
        root.as_os_str().as_encoded_bytes(),
    );
    let is_separator = |b: u8| std::path::is_separator(char::from(b));
    dir.starts_with(root)
        && (dir.len() == root.len()
            || root.last().is_some_and(|&b| is_separator(b))
            || is_separator(dir[root.len()]))
}

/// Finds and remembers packages.
#[derive(Default)]
pub struct PackageFinder {
    /// Marker files known from the walk.
    markers: Markers,
    /// Every package found, in the order first reached.
    pub packages: Vec<Package>,
    /// Named package.json files seen on the way (workspace packages).
    pub workspace: Vec<WorkspacePackage>,
    by_dir: FxHashMap<OsString, PackageId>,
    /// What is known of each directory asked about: one map, so that a
    /// directory's path is stored once (a 10k-file tree has 8k directories;
    /// the hash tables of three maps of them were an eighth of `fix
    /// --dry-run`'s heap peak there).
    dirs: FxHashMap<OsString, DirFacts>,
    /// Per PATH argument: its directory and how it is shown.
    scan_roots: FxHashMap<PathBuf, (PathBuf, String)>,
}

/// What [`PackageFinder`] knows of one directory, each part found the
/// first time it is asked for (`None`: not asked yet).
#[derive(Default)]
struct DirFacts {
    /// What makes it a package root (`Some(None)`: nothing does).
    mark: Option<Option<RootMark>>,
    /// The nearest package root at or above it (`Some(None)`: none).
    owner: Option<Option<Arc<Path>>>,
    /// The root marks of nest-cli.json files at or above it.
    nest_roots: Option<Arc<HashMap<PathBuf, RootMark>>>,
}

impl PackageFinder {
    /// A finder that trusts `markers` inside the walked directories.
    pub fn new(markers: Markers) -> PackageFinder {
        PackageFinder {
            markers,
            ..PackageFinder::default()
        }
    }

    /// The packages and workspace packages found; the caches go.
    pub fn into_parts(self) -> (Vec<Package>, Vec<WorkspacePackage>) {
        (self.packages, self.workspace)
    }

    /// The package of the file at `file_key` (absolute), reached from the
    /// PATH argument `root` (as given).
    pub fn package_of(&mut self, file_key: &Path, root: &Path) -> PackageId {
        let (root_dir, root_display) = self.scan_root(root);
        let found = file_key.parent().and_then(|dir| self.owner_of(dir));
        let dir = found.as_deref().unwrap_or(&root_dir);
        if let Some(&id) = self.by_dir.get(dir.as_os_str()) {
            return id;
        }
        let dir = dir.to_path_buf();
        let display = display_join(&root_display, &relative_path(&root_dir, &dir));
        // Read when the owner was found: a lookup now.
        let mark = found
            .as_deref()
            .and_then(|owner| self.mark_at(owner))
            .unwrap_or(RootMark {
                name: None,
                is_library: false,
            });
        let name = mark.name.clone().unwrap_or_else(|| {
            dir.file_name()
                .map_or_else(|| display.clone(), |n| n.to_string_lossy().into_owned())
        });
        self.packages.push(Package {
            name,
            display,
            dir: dir.clone(),
            is_library: mark.is_library,
            lock_sources: Vec::new(),
        });
        let id = PackageId::new(self.packages.len() - 1);
        self.by_dir.insert(dir.into_os_string(), id);
        id
    }

    /// The directory a PATH argument stands for (absolute) and how it is
    /// shown; a file's directory for a file.
    fn scan_root(&mut self, root: &Path) -> (PathBuf, String) {
        if let Some(known) = self.scan_roots.get(root) {
            return known.clone();
        }
        let key = normalize(&absolute(root));
        let is_file = key.is_file();
        let dir = if is_file {
            key.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            key
        };
        let shown = crate::walk::display_path(if is_file {
            root.parent().unwrap_or(Path::new("."))
        } else {
            root
        });
        self.scan_roots
            .insert(root.to_path_buf(), (dir.clone(), shown.clone()));
        (dir, shown)
    }

    /// The nearest package root at or above `dir`.
    fn owner_of(&mut self, dir: &Path) -> Option<Arc<Path>> {
        if let Some(known) = self.known(dir).and_then(|facts| facts.owner.clone()) {
            return known;
        }
        let found = if self.mark_at(dir).is_some() {
            Some(Arc::from(dir))
        } else {
            dir.parent().and_then(|parent| self.owner_of(parent))
        };
        self.learn(dir, |facts| facts.owner = Some(found.clone()));
        found
    }

    /// What makes `dir` a package root, if anything (read once per directory).
    fn mark_at(&mut self, dir: &Path) -> Option<RootMark> {
        if let Some(known) = self.known(dir).and_then(|facts| facts.mark.clone()) {
            return known;
        }
        let mark = self.read_mark(dir);
        self.learn(dir, |facts| facts.mark = Some(mark.clone()));
        mark
    }

    /// What is known of `dir` so far.
    fn known(&self, dir: &Path) -> Option<&DirFacts> {
        self.dirs.get(dir.as_os_str())
    }

    /// Fills in a fact of `dir` (its path is copied only the first time).
    fn learn(&mut self, dir: &Path, fill: impl FnOnce(&mut DirFacts)) {
        match self.dirs.get_mut(dir.as_os_str()) {
            Some(facts) => fill(facts),
            None => {
                let mut facts = DirFacts::default();
                fill(&mut facts);
                self.dirs.insert(dir.as_os_str().to_owned(), facts);
            }
        }
    }

    fn read_mark(&mut self, dir: &Path) -> Option<RootMark> {
        if let Some(mark) = self.nest_roots_for(dir).get(dir) {
            return Some(mark.clone());
        }
        if self.markers.has(dir, "project.json")
            && let Some(nx) = read_json::<NxProject>(&dir.join("project.json"))
        {
            let is_library = nx.project_type.as_deref() == Some("library");
            return Some(RootMark {
                name: nx.name,
                is_library,
            });
        }
        let package_json = dir.join("package.json");
        if self.markers.has(dir, "package.json") {
            self.note_workspace_package(dir, &package_json);
            return Some(RootMark {
                name: None,
                is_library: false,
            });
        }
        None
    }

    /// The nest-cli monorepo roots declared at or above `dir` (shared
    /// between directories: most trees have none, and one map serves all).
    fn nest_roots_for(&mut self, dir: &Path) -> Arc<HashMap<PathBuf, RootMark>> {
        if let Some(known) = self.known(dir).and_then(|facts| facts.nest_roots.as_ref()) {
            return Arc::clone(known);
        }
        let inherited = match dir.parent() {
            Some(parent) => self.nest_roots_for(parent),
            None => Arc::default(),
        };
        let roots = match self.read_nest_cli(dir) {
            Some(declared) => {
                let mut roots = (*inherited).clone();
                roots.extend(declared);
                Arc::new(roots)
            }
            None => inherited,
        };
        self.learn(dir, |facts| facts.nest_roots = Some(Arc::clone(&roots)));
        roots
    }

    /// The package roots a monorepo `nest-cli.json` in `dir` declares.
    fn read_nest_cli(&self, dir: &Path) -> Option<Vec<(PathBuf, RootMark)>> {
        if !self.markers.has(dir, "nest-cli.json") {
            return None;
        }
        let cli = read_json::<NestCli>(&dir.join("nest-cli.json"))?;
        if !cli.monorepo {
            return None;
        }
        let roots = cli.projects.into_iter().filter_map(|(name, entry)| {
            let key = normalize(&dir.join(entry.root?));
            let mark = RootMark {
                name: Some(name),
                is_library: entry.kind.as_deref() == Some("library"),
            };
            Some((key, mark))
        });
        Some(roots.collect())
    }

    fn note_workspace_package(&mut self, dir: &Path, package_json: &Path) {
        let Some(manifest) = read_json::<PackageJson>(package_json) else {
            return;
        };
        let Some(name) = manifest.name else { return };
        if self.workspace.iter().any(|w| w.dir == dir) {
            return;
        }
        let declared = [manifest.types, manifest.typings, manifest.main];
        let entry = declared
            .iter()
            .flatten()
            .find_map(|target| source_of(dir, target))
            .or_else(|| {
                ["src/index.ts", "index.ts"]
                    .iter()
                    .map(|f| dir.join(f))
                    .find(|p| p.is_file())
            });
        self.workspace.push(WorkspacePackage {
            name,
            dir: dir.to_path_buf(),
            entry,
        });
    }
}

/// The TypeScript source behind a package.json `types`/`main` target:
/// the file itself when it is a scanned name, else the same stem as `.ts`.
fn source_of(dir: &Path, target: &str) -> Option<PathBuf> {
    let path = normalize(&dir.join(target));
    if crate::walk::is_scanned_name(&path) && path.is_file() {
        return Some(path);
    }
    let text = path.to_string_lossy();
    let stem = [".d.ts", ".js", ".mjs", ".cjs"]
        .iter()
        .find_map(|ext| text.strip_suffix(ext))?;
    let candidate = PathBuf::from(format!("{stem}.ts"));
    candidate.is_file().then_some(candidate)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Option<T> {
    let text = std::fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_answers_as_path_starts_with_on_normalised_paths() {
        let cases = [
            ("/repo", "/repo"),
            ("/repo/apps/api", "/repo"),
            ("/repository", "/repo"),
            ("/rep", "/repo"),
            ("/repo", "/"),
            ("/", "/"),
            ("/repo/a", "/repo/a/b"),
        ];
        for (dir, root) in cases {
            assert_eq!(
                is_within(Path::new(dir), Path::new(root)),
                Path::new(dir).starts_with(root),
                "{dir} within {root}"
            );
        }
    }
}
