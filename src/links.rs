//! How files refer to each other: a name used in one file followed, through
//! its import (relative, tsconfig alias, workspace package) and any barrels
//! on the way, to the declaration behind it; and what a class inherits.
//! Whatever cannot be followed is `Unknown`, and callers never guess past it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ids::{ClassId, FileId};
use crate::model::{Callee, ClassModel, FileModel, Import, declares_member};
use crate::paths::{relative_specifier, strip_script_extension};
use crate::project::{Project, SourceKey};
use crate::resolve::Resolved;

/// What a name refers to.
#[derive(Debug, Clone)]
pub enum Symbol {
    /// A class declared in a readable file.
    Class {
        /// The file (absolute, normalised).
        path: PathBuf,
        /// Its model.
        model: Arc<FileModel>,
        /// The class in `model`.
        class: ClassId,
    },
    /// Something else declared in a readable file (a function, a constant).
    Value {
        /// Its name where it is declared.
        name: String,
        /// The file (absolute, normalised).
        path: PathBuf,
        /// Its model.
        model: Arc<FileModel>,
    },
    /// A name exported by a package outside the project.
    External {
        /// The module specifier.
        source: String,
        /// The name it exports.
        name: String,
    },
    /// Could not be followed; why.
    Unknown(String),
}

/// What is known about a class's base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inheritance {
    /// The class extends nothing.
    NoBase,
    /// A base (or its base) has the member.
    Has,
    /// The base was read and has no such member.
    Lacks {
        /// The base's name.
        base: String,
    },
    /// The base could not be read.
    Unknown {
        /// The base's name as written.
        base: String,
        /// Why it could not be read.
        reason: String,
    },
}

/// How many files a chain of re-exports or base classes may cross.
pub(crate) const MAX_HOPS: usize = 16;

/// A class found in a readable file: the file, its model, the class.
pub type FoundClass = (PathBuf, Arc<FileModel>, ClassId);

impl Project {
    /// What `name` (as used in the file at `path`) refers to.
    pub fn symbol(&self, path: &Path, model: &Arc<FileModel>, name: &Callee) -> Symbol {
        self.symbol_in(path, model, name, 0)
    }

    fn symbol_in(&self, path: &Path, model: &Arc<FileModel>, name: &Callee, hops: usize) -> Symbol {
        if hops > MAX_HOPS {
            return Symbol::Unknown("the chain of imports is too long to follow".to_string());
        }
        let (import, exported) = match name {
            Callee::Ident(local) => {
                if let Some(class) = model.find_class(|c| c.name.as_deref() == Some(local)) {
                    return Symbol::Class {
                        path: path.to_path_buf(),
                        model: Arc::clone(model),
                        class,
                    };
                }
                let found = model.imports.iter().find_map(|import| {
                    if import.default.as_deref() == Some(local) {
                        return Some((import, "default".to_string()));
                    }
                    import
                        .named
                        .iter()
                        .find(|n| &n.local == local)
                        .map(|n| (import, n.imported.clone()))
                });
                match found {
                    Some(found) => found,
                    None => {
                        if let Some((_, head)) = model.consts.iter().find(|(n, _)| n == local) {
                            return self.const_symbol(path, model, local, head.as_ref(), hops);
                        }
                        if model.exports.iter().any(|e| &e.local == local) {
                            return Symbol::Value {
                                name: local.clone(),
                                path: path.to_path_buf(),
                                model: Arc::clone(model),
                            };
                        }
                        return Symbol::Unknown(format!(
                            "`{local}` is neither a class declared nor a name imported in this file"
                        ));
                    }
                }
            }
            Callee::Member { object, property } => {
                match model
                    .imports
                    .iter()
                    .find(|i| i.namespace.as_deref() == Some(object))
                {
                    Some(import) => (import, property.clone()),
                    None => {
                        return Symbol::Unknown(format!("`{object}` is not a namespace import"));
                    }
                }
            }
            Callee::Other => return Symbol::Unknown("it is not a plain name".to_string()),
        };
        self.imported_from(path, &import.source, exported, hops)
    }

    /// What module `source` (as written in the file at `path`) exports as `name`.
    fn imported_from(&self, path: &Path, source: &str, name: String, hops: usize) -> Symbol {
        match self.resolver.resolve(path, source) {
            Resolved::File(target) => self.export_of(&target, &name, hops + 1),
            Resolved::External => Symbol::External {
                source: source.to_string(),
                name,
            },
            Resolved::Unresolved => Symbol::Unknown(format!(
                "`{source}` does not resolve to a file cronlock can read"
            )),
        }
    }

    /// A constant stands for what its value starts with: `const Lock =
    /// DistributedLockModule.forRoot()` is the lock module, `export const
    /// ScheduledJob = ClusterSafeCron` the decorator. Anything else (an
    /// array, a literal) is a value of its own.
    fn const_symbol(
        &self,
        path: &Path,
        model: &Arc<FileModel>,
        name: &str,
        head: Option<&String>,
        hops: usize,
    ) -> Symbol {
        match head {
            Some(head) if head != name => {
                self.symbol_in(path, model, &Callee::Ident(head.clone()), hops + 1)
            }
            _ => Symbol::Value {
                name: name.to_string(),
                path: path.to_path_buf(),
                model: Arc::clone(model),
            },
        }
    }

    /// Whether the class that `local`, a name `model` (of `path`) imports,
    /// stands for cannot be one declared as `name`, judged from the text of
    /// the file it is imported from, without parsing it: that file names
    /// `name` nowhere and passes on nothing it does not declare. The cheap
    /// test before [`Project::symbol`] when only one class matters (a
    /// module's exports are mostly services, read only to learn that they
    /// are not the lock module). `false` when unsure.
    pub fn cannot_stand_for(
        &self,
        path: &Path,
        model: &FileModel,
        local: &str,
        name: &str,
    ) -> bool {
        let Some(import) = model.imports.iter().find(|i| {
            i.named
                .iter()
                .any(|n| n.local == local && n.imported != name)
        }) else {
            return false;
        };
        if model
            .find_class(|c| c.name.as_deref() == Some(local))
            .is_some()
        {
            return false;
        }
        match self.resolver.resolve(path, &import.source) {
            Resolved::File(target) => self.text_cannot_export(&target, name),
            _ => false,
        }
    }

    /// Whether the module `source` (of an `export * from` in `path`) is a
    /// file whose text shows, without parsing it, that it exports no
    /// `name`: the answer a parse gives, for a barrel's every other
    /// module (see `prefilter::cannot_export_name`).
    fn star_source_lacks(&self, path: &Path, source: &str, name: &str) -> bool {
        match self.resolver.resolve(path, source) {
            Resolved::File(target) => self.text_exports_no(&target, name),
            _ => false,
        }
    }

    /// What the file at `path` exports as `exported`.
    fn export_of(&self, path: &Path, exported: &str, hops: usize) -> Symbol {
        // A re-export chain that loops (`export * from './a'` in a.ts, or
        // through other files) ends here, as a chain of imports does.
        if hops > MAX_HOPS {
            return Symbol::Unknown("the chain of re-exports is too long to follow".to_string());
        }
        let Some(model) = self.model_at(path) else {
            return Symbol::Unknown(format!("{} could not be read or parsed", path.display()));
        };
        if let Some(export) = model.exports.iter().find(|e| e.exported == exported) {
            let local = export.local.clone();
            if local == "default"
                && let Some(class) = model.find_class(|c| c.name.is_none())
            {
                return Symbol::Class {
                    path: path.to_path_buf(),
                    model,
                    class,
                };
            }
            let declared_here = model
                .classes
                .iter()
                .any(|c| c.name.as_deref() == Some(&local))
                || model.imports.iter().any(|i| {
                    i.default.as_deref() == Some(&local) || i.named.iter().any(|n| n.local == local)
                });
            if declared_here {
                return self.symbol_in(path, &model, &Callee::Ident(local), hops + 1);
            }
            return Symbol::Value {
                name: local,
                path: path.to_path_buf(),
                model,
            };
        }
        for reexport in &model.reexports {
            let original = match &reexport.names {
                None => exported.to_string(),
                Some(pairs) => match pairs.iter().find(|(e, _)| e == exported) {
                    Some((_, original)) => original.clone(),
                    None => continue,
                },
            };
            if reexport.names.is_none() && self.star_source_lacks(path, &reexport.source, exported)
            {
                continue;
            }
            let found = self.imported_from(path, &reexport.source, original, hops);
            // `export *` from a module that lacks the name: try the next one.
            if reexport.names.is_none() && matches!(found, Symbol::Unknown(_)) {
                continue;
            }
            return found;
        }
        Symbol::Unknown(format!("{} exports no `{exported}`", path.display()))
    }

    /// The module specifier file `index` should import `name` (a lock
    /// name: the service, the module, a decorator) from. The configured
    /// `import-source` wins. Else the package's lock sources, best ranked
    /// first, that export `name` (or that cronlock cannot read: a package
    /// exports what it exports); a module that is known to lack the name is
    /// skipped, so that `DistributedLockModule` never comes from the file
    /// that only declares the service. Else the file in the scanned tree
    /// that declares `name` (through its workspace package's entry when it
    /// lies in another package). Else the best-ranked lock source.
    pub fn source_for_name(&self, index: FileId, name: &str) -> Option<String> {
        if let Some(source) = &self.config.import_source {
            return Some(source.clone());
        }
        let from = self.file(index)?.key().to_path_buf();
        let dir = self.dir_of(index);
        let sources = &self.package(self.file(index)?.package)?.lock_sources;
        let specifiers = || sources.iter().map(|key| key.specifier_from(&dir));
        specifiers()
            .find(|specifier| {
                !matches!(
                    self.imported_from(&from, specifier, name.to_string(), 0),
                    Symbol::Unknown(_)
                )
            })
            .or_else(|| self.declaring_specifier(&from, name))
            .or_else(|| specifiers().next())
    }

    /// Where `--migrate-cron` imports `ClusterSafeCron` from in file
    /// `index`; `None`: a `@Cron` there cannot be migrated, so its class
    /// never gains the lock service.
    pub fn migration_source(&self, index: FileId) -> Option<String> {
        self.source_for_name(index, crate::config::MIGRATED_DECORATOR)
    }

    /// Whether `import` of file `index` comes from the module
    /// [`Project::source_for_name`] names for `name`.
    pub fn imports_from_source_of(&self, index: FileId, import: &Import, name: &str) -> bool {
        let dir = self.dir_of(index);
        self.source_for_name(index, name).is_some_and(|source| {
            SourceKey::new(&dir, &source) == SourceKey::new(&dir, &import.source)
        })
    }

    /// How the file at `from` imports `name` from the scanned file that
    /// declares it: by its workspace package's name when that file lies in
    /// another workspace package whose entry exports it, else by a relative
    /// path.
    fn declaring_specifier(&self, from: &Path, name: &str) -> Option<String> {
        let declaring = self.file_ids().find_map(|i| {
            let model = self.model(i)?;
            declares_export(model, name).then(|| self.files[i].key().to_path_buf())
        })?;
        let package = self
            .resolver
            .workspace_packages()
            .iter()
            .find(|p| declaring.starts_with(&p.dir) && !from.starts_with(&p.dir))
            .filter(|p| {
                !matches!(
                    self.imported_from(from, &p.name, name.to_string(), 0),
                    Symbol::Unknown(_)
                )
            });
        if let Some(package) = package {
            return Some(package.name.clone());
        }
        let dir = from.parent()?;
        let target = declaring.to_string_lossy();
        let target = Path::new(strip_script_extension(&target));
        Some(relative_specifier(dir, target))
    }

    /// The class whose constructor runs when class `class` of the file at
    /// `path` is built: the class itself when it declares one, else the
    /// nearest base that does (a class without a constructor takes its
    /// base's parameters, so `super(...)` and `new` calls must pass what that
    /// one takes). `None` when no class on the way declares one, or a base
    /// cannot be read.
    pub fn constructing_class(
        &self,
        path: &Path,
        model: &Arc<FileModel>,
        class: ClassId,
    ) -> Option<FoundClass> {
        let (mut path, mut model, mut class) = (path.to_path_buf(), Arc::clone(model), class);
        for _ in 0..=MAX_HOPS {
            let declared = model.class(class)?;
            if declared.constructor.is_some() {
                return Some((path, model, class));
            }
            let base = declared.super_class.as_ref()?;
            let Symbol::Class {
                path: base_path,
                model: base_model,
                class: base_class,
            } = self.symbol(&path, &model, base)
            else {
                return None;
            };
            (path, model, class) = (base_path, base_model, base_class);
        }
        None
    }

    /// Whether `class` of file `index` inherits a member named one of `names`.
    pub fn inheritance(&self, index: FileId, class: &ClassModel, names: &[&str]) -> Inheritance {
        let Some((path, model)) = self.file_model(index) else {
            return Inheritance::NoBase;
        };
        self.inheritance_in(&path, &model, class, names, 0)
    }

    fn inheritance_in(
        &self,
        path: &Path,
        model: &Arc<FileModel>,
        class: &ClassModel,
        names: &[&str],
        depth: usize,
    ) -> Inheritance {
        let Some(base) = &class.super_class else {
            return Inheritance::NoBase;
        };
        let written = match base {
            Callee::Ident(name) => name.clone(),
            Callee::Member { object, property } => format!("{object}.{property}"),
            Callee::Other => "(expression)".to_string(),
        };
        if depth > MAX_HOPS {
            return Inheritance::Unknown {
                base: written,
                reason: "the chain of base classes is too deep to follow".to_string(),
            };
        }
        match self.symbol(path, model, base) {
            Symbol::Class {
                path: base_path,
                model: base_model,
                class: base_id,
            } => {
                let base_class = &base_model.classes[base_id];
                if declares_member(base_class, names) {
                    return Inheritance::Has;
                }
                match self.inheritance_in(&base_path, &base_model, base_class, names, depth + 1) {
                    Inheritance::NoBase | Inheritance::Lacks { .. } => {
                        Inheritance::Lacks { base: written }
                    }
                    other => other,
                }
            }
            Symbol::External { source, .. } => Inheritance::Unknown {
                base: written,
                reason: format!("it is imported from `{source}`, which cronlock does not read"),
            },
            Symbol::Value { name, .. } => Inheritance::Unknown {
                base: written,
                reason: format!("`{name}` is not a class declaration"),
            },
            Symbol::Unknown(reason) => Inheritance::Unknown {
                base: written,
                reason,
            },
        }
    }
}

/// Whether `model` declares `name` itself (a class, function or constant,
/// not an import) and exports it under that name.
fn declares_export(model: &FileModel, name: &str) -> bool {
    let exported = model
        .exports
        .iter()
        .any(|e| e.exported == name && e.local == name);
    let imported = model
        .imports
        .iter()
        .any(|i| i.named.iter().any(|n| n.local == name) || i.default.as_deref() == Some(name));
    exported && !imported
}
