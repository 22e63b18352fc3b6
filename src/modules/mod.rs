//! Applications and their module graphs. An application is a package with a
//! root module: the module passed to `NestFactory.create*` in its files, else
//! `AppModule`, else the module of `app.module.ts`, else the one module that
//! no other module of the package imports. Its graph is what the root
//! module's `imports` reach, followed across files through `links`; whether
//! it registers the lock module is decided on that graph alone, and a list
//! that cannot be read makes the answer unknown, never yes or no.

mod graph;
mod lists;
mod registration;
mod roots;

pub use graph::{ModuleReads, application};
pub use registration::{imports_lock_module, lock_module_is_global, provided_lock_users};
pub use roots::{Roots, root_modules};

use std::collections::HashSet;
use std::ops::Range;
use std::path::PathBuf;

use crate::ids::{ClassId, FileId, PackageId};
use crate::model::{Callee, ClassModel, Decorator, FileModel};
use crate::semantic::resolve_callee;

/// A class, identified across files: absolute path and its id in the
/// file's model.
pub type ClassKey = (PathBuf, ClassId);

/// The classes that use a lock decorator or inject the lock service.
#[derive(Debug, Default)]
pub struct LockUsers {
    classes: HashSet<ClassKey>,
    names: HashSet<String>,
}

impl LockUsers {
    /// Adds class `key`, declared as `name`.
    pub fn insert(&mut self, key: ClassKey, name: Option<&str>) {
        self.classes.insert(key);
        self.names.insert(name.unwrap_or("default").to_string());
    }

    /// Adds every name under which one of these classes may be exported or
    /// bound elsewhere (`export { Job as Task }`, ...), so that
    /// [`LockUsers::may_name`] holds through renames.
    pub fn with_aliases(mut self, project: &crate::project::Project) -> LockUsers {
        project.add_export_aliases(&mut self.names);
        self
    }

    /// Whether the class at `key` is one.
    pub fn contains(&self, key: &ClassKey) -> bool {
        self.classes.contains(key)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// Whether `local`, a name used in `model`, may name one: the cheap test
    /// before following it across files (which may read and parse files the
    /// prefilter skipped).
    pub fn may_name(&self, model: &FileModel, local: &str) -> bool {
        // A default import or an exported constant may stand for a class
        // of any name.
        let unnamed = model
            .imports
            .iter()
            .any(|i| i.default.as_deref() == Some(local))
            || model.consts.iter().any(|(n, _)| n == local);
        unnamed || self.names.contains(model.imported_name(local)) || self.names.contains(local)
    }

    /// [`LockUsers::may_name`] for a callee: a plain name, or a name of a
    /// namespace import (`ns.X`: the module exports one as `X`, or as its
    /// default).
    pub fn may_name_callee(&self, model: &FileModel, callee: &Callee) -> bool {
        match callee {
            Callee::Ident(local) => self.may_name(model, local),
            Callee::Member { object, property } => {
                model
                    .imports
                    .iter()
                    .any(|i| i.namespace.as_deref() == Some(object.as_str()))
                    && (property == "default" || self.names.contains(property))
            }
            Callee::Other => false,
        }
    }
}

/// A `@Module` class of a scanned file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleClass {
    /// Its file.
    pub file: FileId,
    /// The class in the file's model.
    pub class: ClassId,
    /// Index of the `@Module` decorator.
    pub decorator: usize,
}

/// Whether an application registers the lock module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Its graph reaches the lock module.
    Yes,
    /// Its graph was read in full and never reaches it.
    No,
    /// Its graph does not reach it as far as it could be read.
    Unknown,
}

impl Registration {
    /// The answer for several graphs judged together: any no is no, then
    /// any unknown is unknown.
    pub fn combine(items: impl IntoIterator<Item = Registration>) -> Option<Registration> {
        let mut out: Option<Registration> = None;
        for item in items {
            out = Some(match (out, item) {
                (_, Registration::No) | (Some(Registration::No), _) => Registration::No,
                (_, Registration::Unknown) | (Some(Registration::Unknown), _) => {
                    Registration::Unknown
                }
                _ => Registration::Yes,
            });
        }
        out
    }

    /// As the JSON field: `true`, `false` or `null`.
    pub fn as_option(self) -> Option<bool> {
        match self {
            Registration::Yes => Some(true),
            Registration::No => Some(false),
            Registration::Unknown => None,
        }
    }
}

/// An `imports` list (or one element of it) that cannot be read.
#[derive(Debug, Clone)]
pub struct Unreadable {
    /// The module whose list it is.
    pub module: ModuleClass,
    /// The list or element.
    pub range: Range<usize>,
    /// Why, in words.
    pub why: String,
}

/// A lock module that the graph reaches only in some branches of a spread
/// (`...(isDesktop() ? [] : [DistributedLockModule])`): registered only
/// under a condition.
#[derive(Debug, Clone)]
pub struct Conditional {
    /// The module whose list holds the spread.
    pub module: ModuleClass,
    /// The list whose spread sets the first condition on the way.
    pub range: Range<usize>,
    /// Each way the list holds it: the conditions, in words, all of which
    /// must hold (`a ? [L] : b ? [L] : []` holds it when `a` is true, or
    /// when `a` is false and `b` is true).
    pub when: Vec<Vec<String>>,
}

impl Conditional {
    /// When the list holds the lock module, in words: each way's
    /// conditions joined by "and", the ways by ", or when".
    pub fn describe(&self) -> String {
        self.when
            .iter()
            .map(|conditions| conditions.join(" and "))
            .collect::<Vec<_>>()
            .join(", or when ")
    }
}

/// One application: a root module and what its graph holds.
#[derive(Debug, Clone)]
pub struct Application {
    /// Index of its package.
    pub package: PackageId,
    /// The root module.
    pub root: ModuleClass,
    /// Whether the graph reaches the lock module.
    pub registration: Registration,
    /// Lists on the way that could not be read (scanned files only).
    pub unreadable: Vec<Unreadable>,
    /// Where the lock module is reached only under a condition (when it is
    /// never reached unconditionally).
    pub conditional: Vec<Conditional>,
    /// Lock-using classes the graph provides.
    pub reached: HashSet<ClassKey>,
}

impl Application {
    /// Why its registration is unknown, in words (empty when it is known).
    pub fn unknown_because(&self) -> Vec<String> {
        if self.registration != Registration::Unknown {
            return Vec::new();
        }
        let mut out: Vec<String> = self
            .conditional
            .iter()
            .map(|c| format!("registered only when {}", c.describe()))
            .collect();
        if !self.unreadable.is_empty() {
            out.push("an `imports` list cannot be read".to_string());
        }
        out.dedup();
        out
    }
}

/// The `@Module` decorator of a class, if it has one.
pub fn module_decorator(model: &FileModel, class: &ClassModel) -> Option<usize> {
    class
        .decorators
        .iter()
        .position(|d| is_named(model, d, "Module"))
}

/// Whether `decorator` is `@<name>(...)` imported under any local name.
pub fn is_named(model: &FileModel, decorator: &Decorator, name: &str) -> bool {
    resolve_callee(model, &decorator.callee).is_some_and(|(_, n)| n == name)
}
