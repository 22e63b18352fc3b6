//! Applications and their module graphs. An application is a project with a
//! root module: the module passed to `NestFactory.create*` in its files, else
//! `AppModule`, else the module of `app.module.ts`, else the one module that
//! no other module of the project imports. Its graph is what the root
//! module's `imports` reach, followed across files through `links`; whether
//! it registers the lock module is decided on that graph alone, and a list
//! that cannot be read makes the answer unknown, never yes or no.

use std::collections::{HashSet, VecDeque};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::links::Symbol;
use crate::model::{Callee, ClassModel, Decorator, FileModel, ModuleList};
use crate::project::Project;
use crate::semantic::resolve_callee;

/// A class, identified across files: absolute path and index in its model.
pub type ClassKey = (PathBuf, usize);

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

    /// Whether the class at `key` is one.
    pub fn contains(&self, key: &ClassKey) -> bool {
        self.classes.contains(key)
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
}

/// A `@Module` class of a scanned file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleClass {
    /// File index.
    pub file: usize,
    /// Class index in the file's model.
    pub class: usize,
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

/// One application: a root module and what its graph holds.
#[derive(Debug, Clone)]
pub struct Application {
    /// Index of its project.
    pub package: usize,
    /// The root module.
    pub root: ModuleClass,
    /// Whether the graph reaches the lock module.
    pub registration: Registration,
    /// Lists on the way that could not be read (scanned files only).
    pub unreadable: Vec<Unreadable>,
    /// Lock-using classes the graph provides.
    pub reached: HashSet<ClassKey>,
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

/// The root modules of a project, and how they were found.
#[derive(Debug, Default)]
pub struct Roots {
    /// The root modules.
    pub modules: Vec<ModuleClass>,
    /// Found by the last resort (the modules no other imports): such a root
    /// is only judged when its graph provides a lock-using class.
    pub guessed: bool,
}

/// Finds the root modules of project `package` among its `modules`;
/// `entries` are the files that call `NestFactory.create*`.
pub fn root_modules(
    project: &Project,
    package: usize,
    modules: &[ModuleClass],
    entries: &[usize],
) -> Roots {
    if project.packages.get(package).is_some_and(|p| p.is_library) || modules.is_empty() {
        return Roots::default();
    }
    let mut roots = bootstrapped(project, package, modules, entries);
    if roots.is_empty() {
        roots.extend(
            modules
                .iter()
                .find(|m| class_name(project, m) == Some("AppModule")),
        );
    }
    if roots.is_empty() {
        roots.extend(modules.iter().find(|m| in_app_module_file(project, m)));
    }
    let guessed = roots.is_empty();
    if guessed {
        roots = top_modules(project, modules);
    }
    roots.sort_by_key(|m| (m.file, m.class));
    roots.dedup();
    Roots {
        modules: roots,
        guessed,
    }
}

/// Modules passed to `NestFactory.create*` in the project's entry files
/// (spec and test files aside: they bootstrap for tests, not for production).
fn bootstrapped(
    project: &Project,
    package: usize,
    modules: &[ModuleClass],
    entries: &[usize],
) -> Vec<ModuleClass> {
    let mut roots = Vec::new();
    for &index in entries {
        let Some(file) = project.files.get(index) else {
            continue;
        };
        if file.package != package || is_test_file(&file.display) {
            continue;
        }
        let Some((path, model)) = project.file_model(index) else {
            continue;
        };
        for (factory, module) in &model.bootstraps {
            let is_factory = model.imports.iter().any(|i| {
                i.source == "@nestjs/core"
                    && i.named
                        .iter()
                        .any(|n| &n.local == factory && n.imported == "NestFactory")
            });
            if !is_factory {
                continue;
            }
            if let Symbol::Class { path, class, .. } =
                project.symbol(&path, &model, &Callee::Ident(module.clone()))
                && let Some(found) = modules
                    .iter()
                    .find(|m| m.class == class && project.files[m.file].key() == path)
            {
                roots.push(*found);
            }
        }
    }
    roots
}

fn is_test_file(display: &str) -> bool {
    display.contains(".spec.") || display.contains(".test.") || display.contains(".e2e-spec.")
}

fn class_name<'a>(project: &'a Project, module: &ModuleClass) -> Option<&'a str> {
    project
        .model(module.file)?
        .classes
        .get(module.class)?
        .name
        .as_deref()
}

fn in_app_module_file(project: &Project, module: &ModuleClass) -> bool {
    project.files.get(module.file).is_some_and(|f| {
        Path::new(&f.display)
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("app.module."))
    })
}

/// The modules no other module of the list imports.
fn top_modules(project: &Project, modules: &[ModuleClass]) -> Vec<ModuleClass> {
    let mut imported: HashSet<ClassKey> = HashSet::new();
    for module in modules {
        let Some((path, model)) = project.file_model(module.file) else {
            continue;
        };
        let Some(list) = module_list(&model, module, |o| o.imports.as_ref()) else {
            continue;
        };
        for head in list.elements.iter().filter_map(|(_, h)| h.as_ref()) {
            if let Symbol::Class { path, class, .. } =
                project.symbol(&path, &model, &Callee::Ident(head.clone()))
            {
                imported.insert((path, class));
            }
        }
    }
    modules
        .iter()
        .filter(|m| !imported.contains(&(project.files[m.file].key().to_path_buf(), m.class)))
        .copied()
        .collect()
}

fn module_list<'m>(
    model: &'m FileModel,
    module: &ModuleClass,
    pick: impl Fn(&'m crate::model::ObjectArg) -> Option<&'m ModuleList>,
) -> Option<&'m ModuleList> {
    let decorator = model
        .classes
        .get(module.class)?
        .decorators
        .get(module.decorator)?;
    pick(decorator.object_arg.as_ref()?)
}

/// What an element of an `imports` list is.
enum Imported {
    /// The lock module (plain or `.forRoot(...)` etc.).
    LockModule,
    /// Another module class, to follow.
    Module(ClassKey, Arc<FileModel>, usize),
    /// A package's module that is not the lock module (`ConfigModule`).
    Other,
    /// Cannot be read; why.
    Unknown(String),
}

/// Follows one `imports` element.
fn imported(
    project: &Project,
    path: &Path,
    model: &Arc<FileModel>,
    head: Option<&String>,
) -> Imported {
    let lock_module = project.config.lock_module.as_str();
    let Some(head) = head else {
        return Imported::Unknown("an element that is not a module name".to_string());
    };
    match project.symbol(path, model, &Callee::Ident(head.clone())) {
        Symbol::Class { path, model, class } => {
            let Some(decl) = model.classes.get(class) else {
                return Imported::Other;
            };
            if decl.name.as_deref() == Some(lock_module) {
                return Imported::LockModule;
            }
            match module_decorator(&model, decl) {
                Some(decorator) => Imported::Module((path, class), model, decorator),
                None => Imported::Other,
            }
        }
        Symbol::External { name, .. } if name == lock_module => Imported::LockModule,
        Symbol::External { .. } => Imported::Other,
        Symbol::Value { name } => Imported::Unknown(format!("`{name}` is not a module class")),
        Symbol::Unknown(why) => Imported::Unknown(why),
    }
}

/// Walks the graph of `root` (a module of project `package`).
pub fn application(
    project: &Project,
    package: usize,
    root: ModuleClass,
    lock_users: &LockUsers,
) -> Application {
    let mut app = Application {
        package,
        root,
        registration: Registration::No,
        unreadable: Vec::new(),
        reached: HashSet::new(),
    };
    let Some((root_path, root_model)) = project.file_model(root.file) else {
        app.registration = Registration::Unknown;
        return app;
    };
    let root_range = root_model
        .classes
        .get(root.class)
        .and_then(|c| c.decorators.get(root.decorator))
        .map_or(0..0, |d| d.range.clone());
    let mut registered = false;
    let mut seen: HashSet<ClassKey> = HashSet::new();
    let mut queue: VecDeque<(PathBuf, Arc<FileModel>, usize, usize)> = VecDeque::new();
    seen.insert((root_path.clone(), root.class));
    queue.push_back((root_path, root_model, root.class, root.decorator));
    while let Some((path, model, class, decorator)) = queue.pop_front() {
        let scanned = project.index_of(&path).map(|file| ModuleClass {
            file,
            class,
            decorator,
        });
        let Some(object) = model
            .classes
            .get(class)
            .and_then(|c| c.decorators.get(decorator))
            .and_then(|d| d.object_arg.as_ref())
        else {
            continue;
        };
        for list in [&object.providers, &object.controllers]
            .into_iter()
            .flatten()
        {
            for head in list.elements.iter().filter_map(|(_, h)| h.as_ref()) {
                if !lock_users.may_name(&model, head) {
                    continue;
                }
                if let Symbol::Class { path, class, .. } =
                    project.symbol(&path, &model, &Callee::Ident(head.clone()))
                    && lock_users.contains(&(path.clone(), class))
                {
                    app.reached.insert((path, class));
                }
            }
        }
        let Some(list) = &object.imports else {
            continue;
        };
        let mut unreadable = |range: Range<usize>, why: String| {
            // A list outside the scan still makes the answer unknown; it
            // is reported at the root module.
            let module = scanned.unwrap_or(root);
            let range = if scanned.is_some() {
                range
            } else {
                root_range.clone()
            };
            app.unreadable.push(Unreadable { module, range, why });
        };
        if list.unreadable {
            let why = if list.brackets.is_some() {
                "it spreads a value into the list"
            } else {
                "it is not an array literal"
            };
            unreadable(list.range.clone(), why.to_string());
        }
        for (range, head) in &list.elements {
            match imported(project, &path, &model, head.as_ref()) {
                Imported::LockModule => registered = true,
                Imported::Module(key, next_model, next_decorator) => {
                    if seen.insert(key.clone()) {
                        queue.push_back((key.0, next_model, key.1, next_decorator));
                    }
                }
                Imported::Other => {}
                Imported::Unknown(why) => unreadable(range.clone(), why),
            }
        }
    }
    app.registration = if registered {
        Registration::Yes
    } else if app.unreadable.is_empty() {
        Registration::No
    } else {
        Registration::Unknown
    };
    app
}

/// Whether the `imports` of `module` bring the lock module in: directly, or
/// through a module whose `exports` list it. `None` when the list cannot be
/// read.
pub fn imports_lock_module(project: &Project, module: &ModuleClass) -> Option<bool> {
    let (path, model) = project.file_model(module.file)?;
    let Some(list) = module_list(&model, module, |o| o.imports.as_ref()) else {
        return Some(false);
    };
    let mut unknown = list.unreadable;
    for (_, head) in &list.elements {
        match imported(project, &path, &model, head.as_ref()) {
            Imported::LockModule => return Some(true),
            Imported::Module((next_path, class), next_model, decorator) => {
                let next = ModuleClass {
                    file: usize::MAX,
                    class,
                    decorator,
                };
                if exports_lock_module(project, &next_path, &next_model, &next) {
                    return Some(true);
                }
            }
            Imported::Other => {}
            Imported::Unknown(_) => unknown = true,
        }
    }
    (!unknown).then_some(false)
}

fn exports_lock_module(
    project: &Project,
    path: &Path,
    model: &Arc<FileModel>,
    module: &ModuleClass,
) -> bool {
    let Some(list) = module_list(model, module, |o| o.exports.as_ref()) else {
        return false;
    };
    list.elements.iter().any(|(_, head)| {
        matches!(
            imported(project, path, model, head.as_ref()),
            Imported::LockModule
        )
    })
}

/// Whether the lock module in the scanned tree, if there is one, is global
/// (`@Global()`, or a dynamic module with `global: true`). `None` when the
/// tree does not declare it.
pub fn lock_module_is_global(project: &Project, modules: &[ModuleClass]) -> Option<bool> {
    let lock_module = project.config.lock_module.as_str();
    let mut found = None;
    for module in modules {
        let Some(model) = project.model(module.file) else {
            continue;
        };
        let Some(class) = model.classes.get(module.class) else {
            continue;
        };
        if class.name.as_deref() != Some(lock_module) {
            continue;
        }
        let global = class.sets_global
            || class
                .decorators
                .iter()
                .any(|d| is_named(model, d, "Global"));
        found = Some(found.unwrap_or(false) || global);
    }
    found
}

/// The lock-using classes a module lists in `providers`.
pub fn provided_lock_users(
    project: &Project,
    module: &ModuleClass,
    lock_users: &LockUsers,
) -> Vec<ClassKey> {
    let Some((path, model)) = project.file_model(module.file) else {
        return Vec::new();
    };
    let Some(list) = module_list(&model, module, |o| o.providers.as_ref()) else {
        return Vec::new();
    };
    list.elements
        .iter()
        .filter_map(|(_, head)| {
            let head = head.as_ref().filter(|h| lock_users.may_name(&model, h))?;
            let Symbol::Class { path, class, .. } =
                project.symbol(&path, &model, &Callee::Ident(head.clone()))
            else {
                return None;
            };
            lock_users
                .contains(&(path.clone(), class))
                .then_some((path, class))
        })
        .collect()
}
