//! The fix's conventions per file: each package's lock sources, ranked,
//! the module to import a guard from, and the lock member's modifier.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::{FileState, Project, SourceKey};
use crate::config::Config;
use crate::ids::FileId;
use crate::model::{Callee, FileModel, Import};
use crate::paths::{absolute, normalize};

impl Project {
    /// The lock source of file `near`'s package as seen from file `index`,
    /// for a file whose own package imports no lock name (a spec in an
    /// application whose jobs all live in a library): `near` declares the
    /// class whose new parameter reaches file `index`, and that parameter's
    /// type comes from there.
    pub fn lock_source_near(&self, index: FileId, near: FileId) -> Option<String> {
        let package = self.package(self.file(near)?.package)?;
        let dir = self.dir_of(index);
        package
            .lock_sources
            .first()
            .map(|key| key.specifier_from(&dir))
    }

    /// Whether `import` of file `index` comes from its package's lock source
    /// (or the configured `import-source`).
    pub fn is_lock_source(&self, index: FileId, import: &Import) -> bool {
        if self.config.import_source.as_deref() == Some(import.source.as_str()) {
            return true;
        }
        let Some(file) = self.file(index) else {
            return false;
        };
        let key = SourceKey::new(&self.dir_of(index), &import.source);
        self.package(file.package)
            .is_some_and(|p| p.lock_sources.contains(&key))
    }

    /// The module specifier to import guard `guard`'s type from in file
    /// `index`: its `import-source`, made relative to the file when it names
    /// a file relative to the configuration's directory (`src/redlock`),
    /// else as written (a package, a path alias).
    pub fn guard_source_for(&self, index: FileId, guard: usize) -> Option<String> {
        let source = self.config.guards.get(guard)?.import_source.as_deref()?;
        let config_dir = self.config.path.as_deref().and_then(Path::parent);
        let target = config_dir.and_then(|dir| {
            let base = dir.join(source);
            let candidates = [".ts", ".tsx", ".mts", "/index.ts"].map(|ext| {
                let mut path = base.clone().into_os_string();
                path.push(ext);
                PathBuf::from(path)
            });
            candidates
                .into_iter()
                .any(|p| p.is_file())
                .then(|| normalize(&absolute(&base)))
        });
        Some(match target {
            Some(target) => crate::paths::relative_specifier(&self.dir_of(index), &target),
            None => source.to_string(),
        })
    }

    /// Ranks each package's lock sources: modules that provide the lock
    /// service or module first, then those of the built-in decorators, then
    /// modules of configured extra decorators; more imports rank higher.
    pub(super) fn collect_lock_sources(&mut self) {
        let mut ranks: Vec<HashMap<SourceKey, (SourceRole, usize)>> =
            vec![HashMap::new(); self.packages.len()];
        for (index, file) in self.files.iter().enumerate() {
            let FileState::Parsed { model, .. } = &file.state else {
                continue;
            };
            let dir = self.dir_of(FileId::new(index));
            for import in &model.imports {
                let role = source_role(model, import, &self.config);
                if role == SourceRole::None {
                    continue;
                }
                let entry = ranks[file.package.index()]
                    .entry(SourceKey::new(&dir, &import.source))
                    .or_insert((role, 0));
                entry.0 = entry.0.max(role);
                entry.1 += 1;
            }
        }
        for (package, ranks) in self.packages.iter_mut().zip(ranks) {
            let mut sources: Vec<(SourceKey, (SourceRole, usize))> = ranks.into_iter().collect();
            sources.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            package.lock_sources = sources.into_iter().map(|(key, _)| key).collect();
        }
    }

    /// The modifier an injected lock service member gets in file `index`:
    /// the configured one, else `protected readonly` when the file's tsconfig
    /// sets `noUnusedLocals`, else `private readonly`.
    pub fn lock_modifier(&self, index: FileId) -> &str {
        let strict = self.config.lock_service_modifier.is_none()
            && self
                .file(index)
                .is_some_and(|f| self.tsconfigs.no_unused_locals(&f.key));
        self.config.member_modifier(strict)
    }
}

/// What an import says about its module as a source of lock names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum SourceRole {
    /// Nothing lock-related.
    None,
    /// A configured extra lock decorator.
    ExtraDecorator,
    /// A built-in `ClusterSafeCron*` decorator.
    Decorator,
    /// The lock service type or the lock module.
    Service,
}

fn source_role(model: &FileModel, import: &Import, config: &Config) -> SourceRole {
    let role_of = |name: &str| {
        if name == config.lock_service_type || name == config.lock_module {
            SourceRole::Service
        } else if !config.marks_lock_source(name) {
            SourceRole::None
        } else if crate::config::DEFAULT_LOCK_DECORATORS.contains(&name) {
            SourceRole::Decorator
        } else {
            SourceRole::ExtraDecorator
        }
    };
    let named = import.named.iter().map(|n| role_of(&n.imported)).max();
    let through_namespace = import.namespace.as_ref().and_then(|namespace| {
        model
            .classes
            .iter()
            .flat_map(|c| c.methods.iter().flat_map(|m| &m.decorators))
            .filter_map(|d| match &d.callee {
                Callee::Member { object, property } if object == namespace => {
                    Some(role_of(property))
                }
                _ => None,
            })
            .max()
    });
    named.max(through_namespace).unwrap_or(SourceRole::None)
}
