//! Module resolution, the way TypeScript does it for NestJS layouts: relative
//! paths, the governing tsconfig's `paths` and `baseUrl` (following
//! `extends`), packages installed in node_modules, and workspace packages
//! found in the scanned tree (by their package.json `name`). The work is
//! `oxc_resolver`'s; this module only decides what counts as readable source.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use oxc_resolver::{
    ResolveError, ResolveOptions, Resolver as Oxc, TsconfigDiscovery, TsconfigOptions,
    TsconfigReferences,
};

use crate::tsconfig::NearestConfigs;
use crate::walk::is_scanned_name;
use crate::workspace::WorkspacePackage;

/// Where an import specifier leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// A TypeScript source file cronlock can read (absolute, normalised).
    File(PathBuf),
    /// A package outside the project (`@nestjs/common`, a `.d.ts`, a `.js`):
    /// what it exports is only known by name.
    External,
    /// A relative import or alias that leads nowhere: what it names is unknown.
    Unresolved,
}

/// Resolves specifiers; cheap to share between threads.
pub struct Resolver {
    oxc: Oxc,
    /// The same without tsconfig: for files whose tsconfig is broken (an
    /// `extends` that is not installed, bad JSON), relative imports and
    /// packages still resolve.
    plain: Oxc,
    /// Per tsconfig that `oxc` could not load as a whole: the same config
    /// read without its `references`. An Nx app's solution-style
    /// `tsconfig.json` (`"files": []`, `references` to `tsconfig.app.json`
    /// and a `tsconfig.spec.json` that may not exist) still carries the
    /// `paths` of the configs it `extends`; a missing reference must not
    /// cost them (`None`: that config cannot be loaded either).
    unreferenced: Mutex<HashMap<PathBuf, Option<Arc<Oxc>>>>,
    /// The importing files whose governing tsconfig `oxc` fails to load.
    /// `oxc` keeps no failure, so without this every import of such a file
    /// would read and parse the broken config again before falling back
    /// (the failure is the file's, whatever the specifier). Only failures
    /// are kept: a large tree resolves from many files.
    tsconfig_fails: Mutex<HashSet<PathBuf>>,
    /// The nearest `tsconfig.json` of each directory asked about.
    nearest_tsconfig: NearestConfigs,
    options: ResolveOptions,
    workspace: Vec<WorkspacePackage>,
    cache: Mutex<HashMap<(PathBuf, String), Resolved>>,
    /// For a project built in memory (see [`Resolver::in_memory`]): its
    /// files, which relative imports resolve to instead of the disk's.
    memory: Option<HashSet<PathBuf>>,
}

impl Resolver {
    /// A resolver that also knows the workspace packages of the scanned tree.
    pub fn new(workspace: Vec<WorkspacePackage>) -> Resolver {
        let strings = |items: &[&str]| items.iter().map(|s| (*s).to_string()).collect();
        let options = ResolveOptions {
            tsconfig: Some(TsconfigDiscovery::Auto),
            extensions: strings(&[
                ".ts", ".mts", ".cts", ".d.ts", ".js", ".mjs", ".cjs", ".json",
            ]),
            extension_alias: vec![
                (".js".to_string(), strings(&[".ts", ".js"])),
                (".mjs".to_string(), strings(&[".mts", ".mjs"])),
                (".cjs".to_string(), strings(&[".cts", ".cjs"])),
            ],
            main_fields: strings(&["types", "typings", "main"]),
            condition_names: strings(&["types", "import", "require", "node", "default"]),
            ..ResolveOptions::default()
        };
        let plain = ResolveOptions {
            tsconfig: None,
            ..options.clone()
        };
        Resolver {
            oxc: Oxc::new(options.clone()),
            plain: Oxc::new(plain),
            unreferenced: Mutex::new(HashMap::new()),
            tsconfig_fails: Mutex::new(HashSet::new()),
            nearest_tsconfig: NearestConfigs::default(),
            options,
            workspace,
            cache: Mutex::new(HashMap::new()),
            memory: None,
        }
    }

    /// A resolver for a project whose files are only in memory (absolute,
    /// normalised paths): a relative import leads to one of them, the way
    /// TypeScript finds a file (`./x` is `x.ts` or `x/index.ts`, `./x.js` is
    /// `x.ts`), or nowhere; any other import is a package outside the
    /// project. Nothing is read from the disk.
    pub fn in_memory(files: impl IntoIterator<Item = PathBuf>) -> Resolver {
        Resolver {
            memory: Some(files.into_iter().collect()),
            ..Resolver::new(Vec::new())
        }
    }

    /// A file was added to the scan or removed from it (`key`: absolute,
    /// normalised): every answer given so far may change (an import that
    /// failed may resolve now, and the other way round), so every cache
    /// goes, oxc_resolver's (what it knows of the file system) included.
    pub fn file_added_or_removed(&mut self, key: &Path, added: bool) {
        if let Some(files) = &mut self.memory {
            if added {
                files.insert(key.to_path_buf());
            } else {
                files.remove(key);
            }
        }
        self.forget();
    }

    /// Forgets every answer given so far: what the file system holds
    /// changed (a file came onto the disk or left it).
    pub fn forget(&mut self) {
        if let Ok(cache) = self.cache.get_mut() {
            cache.clear();
        }
        if let Ok(unreferenced) = self.unreferenced.get_mut() {
            unreferenced.clear();
        }
        if let Ok(fails) = self.tsconfig_fails.get_mut() {
            fails.clear();
        }
        self.nearest_tsconfig.clear();
        self.oxc.clear_cache();
        self.plain.clear_cache();
    }

    /// The workspace packages of the scanned tree.
    pub fn workspace_packages(&self) -> &[WorkspacePackage] {
        &self.workspace
    }

    /// Where `specifier`, imported by the file at `from` (absolute), leads.
    pub fn resolve(&self, from: &Path, specifier: &str) -> Resolved {
        let dir = from.parent().unwrap_or(Path::new("/")).to_path_buf();
        let key = (dir, specifier.to_string());
        if let Some(known) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return known;
        }
        let resolved = self.resolve_uncached(from, specifier);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(key, resolved.clone());
        }
        resolved
    }

    fn resolve_uncached(&self, from: &Path, specifier: &str) -> Resolved {
        let relative = specifier.starts_with('.') || specifier.starts_with('/');
        if let Some(files) = &self.memory {
            if !relative {
                return Resolved::External;
            }
            return in_memory_file(files, from, specifier)
                .map_or(Resolved::Unresolved, Resolved::File);
        }
        let known_broken = self.tsconfig_fails.lock().is_ok_and(|f| f.contains(from));
        let found = if known_broken {
            self.resolve_past_tsconfig(from, specifier)
        } else {
            match self.oxc.resolve_file(from, specifier) {
                Ok(resolution) => Some(resolution.path().to_path_buf()),
                Err(ResolveError::NotFound(_)) => None,
                Err(_) => {
                    self.note_tsconfig_failure(from);
                    self.resolve_past_tsconfig(from, specifier)
                }
            }
        };
        if let Some(path) = &found
            && is_source(path)
        {
            return Resolved::File(crate::paths::normalize(path));
        }
        if relative {
            return if found.is_some() {
                Resolved::External
            } else {
                Resolved::Unresolved
            };
        }
        if let Some(resolved) = self.workspace_package(specifier) {
            return resolved;
        }
        Resolved::External
    }

    /// Where `specifier` leads when the governing tsconfig could not be
    /// loaded whole: through the nearest `tsconfig.json` without its
    /// `references` (and with its `extends`), else without any tsconfig
    /// (an `extends` that is not installed, bad JSON): relative imports and
    /// packages still resolve.
    fn resolve_past_tsconfig(&self, from: &Path, specifier: &str) -> Option<PathBuf> {
        let dir = from.parent().unwrap_or(Path::new("/"));
        if let Some(oxc) = self.unreferenced_for(dir) {
            match oxc.resolve(dir, specifier) {
                Ok(resolution) => return Some(resolution.path().to_path_buf()),
                Err(ResolveError::NotFound(_)) => return None,
                Err(_) => {}
            }
        }
        self.plain
            .resolve(dir, specifier)
            .ok()
            .map(|r| r.path().to_path_buf())
    }

    /// After `resolve_file` failed from `from` (not as "not found"): notes
    /// `from` when the failure is its tsconfig's, which `resolve_file`
    /// looks up before anything else and so gives for every specifier.
    fn note_tsconfig_failure(&self, from: &Path) {
        if self.oxc.find_tsconfig(from).is_err()
            && let Ok(mut fails) = self.tsconfig_fails.lock()
        {
            fails.insert(from.to_path_buf());
        }
    }

    /// The resolver for the nearest `tsconfig.json` above `dir`, read
    /// without `references`; `None` when there is no such config or it
    /// cannot be loaded even so.
    fn unreferenced_for(&self, dir: &Path) -> Option<Arc<Oxc>> {
        let config = self.nearest_tsconfig.of(dir)?;
        let mut cache = self.unreferenced.lock().ok()?;
        cache
            .entry(config.clone())
            .or_insert_with(|| {
                let options = ResolveOptions {
                    tsconfig: Some(TsconfigDiscovery::Manual(TsconfigOptions {
                        config_file: config.clone(),
                        references: TsconfigReferences::Disabled,
                    })),
                    ..self.options.clone()
                };
                let oxc = Oxc::new(options);
                // A config that fails to load without references is broken
                // in itself: leave it to the resolver without tsconfig.
                oxc.resolve_tsconfig(&config).ok().map(|_| Arc::new(oxc))
            })
            .clone()
    }

    /// A bare specifier naming a workspace package (or a path inside one).
    fn workspace_package(&self, specifier: &str) -> Option<Resolved> {
        let package = self.workspace.iter().find(|p| {
            specifier == p.name
                || specifier
                    .strip_prefix(p.name.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })?;
        let rest = &specifier[package.name.len()..];
        if rest.is_empty() {
            return Some(
                package
                    .entry
                    .clone()
                    .map_or(Resolved::Unresolved, Resolved::File),
            );
        }
        let inside = format!(".{rest}");
        let anchor = package.dir.join("package.json");
        let found = self.oxc.resolve_file(&anchor, &inside).ok();
        Some(match found {
            Some(r) if is_source(r.path()) => Resolved::File(crate::paths::normalize(r.path())),
            _ => Resolved::Unresolved,
        })
    }
}

/// The file of `files` that the relative `specifier`, imported by the file
/// at `from`, leads to.
fn in_memory_file(files: &HashSet<PathBuf>, from: &Path, specifier: &str) -> Option<PathBuf> {
    let dir = from.parent().unwrap_or(Path::new("/"));
    let target = crate::paths::normalize(&dir.join(specifier));
    let target = target.to_string_lossy();
    let aliased = [(".js", ".ts"), (".mjs", ".mts"), (".cjs", ".cts")]
        .iter()
        .find_map(|(js, ts)| Some(format!("{}{ts}", target.strip_suffix(js)?)));
    let suffixes = [
        "",
        ".ts",
        ".mts",
        ".cts",
        "/index.ts",
        "/index.mts",
        "/index.cts",
    ];
    aliased
        .into_iter()
        .chain(suffixes.iter().map(|suffix| format!("{target}{suffix}")))
        .map(PathBuf::from)
        .find(|candidate| files.contains(candidate) && is_source(candidate))
}

/// A file cronlock can read: a scanned name outside node_modules.
fn is_source(path: &Path) -> bool {
    is_scanned_name(path) && !path.components().any(|c| c.as_os_str() == "node_modules")
}

#[cfg(test)]
mod tests {
    use super::{Resolved, Resolver};

    /// A file whose tsconfig cannot be loaded (its `extends` is not
    /// installed) is noted after its first import: every later import of it
    /// skips the tsconfig and must still resolve as the first did, as a
    /// fresh resolver resolves it.
    #[test]
    fn imports_after_a_tsconfig_failure_resolve_as_the_first_did() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = crate::paths::normalize(&std::fs::canonicalize(dir.path()).expect("path"));
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            std::fs::write(path, text).expect("write");
        };
        write(
            "tsconfig.json",
            r#"{ "extends": "@not-installed/tsconfig" }"#,
        );
        write("src/a.ts", "export class A {}\n");
        write("src/b/index.ts", "export class B {}\n");
        write("src/job.ts", "");
        let from = root.join("src/job.ts");
        let specifiers = ["./a", "./b", "./a.js", "./missing", "@nestjs/common"];
        let resolver = Resolver::new(Vec::new());
        let first: Vec<Resolved> = specifiers
            .iter()
            .map(|s| resolver.resolve(&from, s))
            .collect();
        assert!(
            resolver
                .tsconfig_fails
                .lock()
                .expect("lock")
                .contains(&from)
        );
        let fresh: Vec<Resolved> = specifiers
            .iter()
            .map(|s| Resolver::new(Vec::new()).resolve(&from, s))
            .collect();
        assert_eq!(first, fresh);
        assert_eq!(
            first,
            [
                Resolved::File(root.join("src/a.ts")),
                Resolved::File(root.join("src/b/index.ts")),
                Resolved::File(root.join("src/a.ts")),
                Resolved::Unresolved,
                Resolved::External,
            ]
        );
    }
}
