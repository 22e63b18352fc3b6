//! Applications and their module graphs. An application is a package with a
//! root module: the module passed to `NestFactory.create*` in its files, else
//! `AppModule`, else the module of `app.module.ts`, else the one module that
//! no other module of the package imports. Its graph is what the root
//! module's `imports` reach, followed across files through `links`; whether
//! it registers the lock module is decided on that graph alone, and a list
//! that cannot be read makes the answer unknown, never yes or no.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::ids::{ClassId, FileId, PackageId};
use crate::links::Symbol;
use crate::model::{Callee, ClassModel, Decorator, FileModel, Listed, ModuleList};
use crate::project::Project;
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

/// One element an `imports` list holds once its spreads are read.
struct Entry {
    /// Where it is reported: the element itself, or (for what a spread
    /// holds) the list, in the list's own file.
    range: Range<usize>,
    /// The file its name is read in (the elements of an imported `const`
    /// array are named in that array's file).
    path: PathBuf,
    model: Arc<FileModel>,
    /// The identifier it starts with.
    head: Option<String>,
    /// The conditions under which the list holds it (none: always).
    conditions: Vec<String>,
}

/// An `imports` list read branch by branch: every element any branch may
/// hold, and the spreads that cannot be read.
#[derive(Default)]
struct ReadList {
    entries: Vec<Entry>,
    unreadable: Vec<(Range<usize>, String)>,
}

/// How many names and nested spreads are followed from one spread.
const MAX_SPREAD_HOPS: usize = 32;

/// Reads `list` (of the file at `path`): its elements, and what each spread
/// may bring in, branch by branch (see [`crate::model::Listed`]).
fn read_list(
    project: &Project,
    path: &Path,
    model: &Arc<FileModel>,
    list: &ModuleList,
) -> ReadList {
    let mut out = ReadList::default();
    if list.brackets.is_none() {
        out.unreadable
            .push((list.range.clone(), "it is not an array literal".to_string()));
        return out;
    }
    for (range, head) in &list.elements {
        out.entries.push(Entry {
            range: range.clone(),
            path: path.to_path_buf(),
            model: Arc::clone(model),
            head: head.clone(),
            conditions: Vec::new(),
        });
    }
    for spread in &list.spreads {
        // Reported at the list, as before spreads were read, so that a
        // `cronlock-ignore` above the list keeps working.
        let mut reader = SpreadReader {
            project,
            at: list.range.clone(),
            out: &mut out,
        };
        reader.read(path, model, &spread.value, &[], 0);
    }
    out
}

/// Reads one spread of a list into a [`ReadList`].
struct SpreadReader<'a> {
    project: &'a Project,
    /// Where what it finds is reported: the list, in its own file.
    at: Range<usize>,
    out: &'a mut ReadList,
}

impl SpreadReader<'_> {
    fn read(
        &mut self,
        path: &Path,
        model: &Arc<FileModel>,
        listed: &Listed,
        conditions: &[String],
        hops: usize,
    ) {
        if hops > MAX_SPREAD_HOPS {
            return self.unreadable("it nests spreads and names too deep to follow".to_string());
        }
        match listed {
            Listed::Array { elements, spreads } => {
                for (_, head) in elements {
                    self.out.entries.push(Entry {
                        range: self.at.clone(),
                        path: path.to_path_buf(),
                        model: Arc::clone(model),
                        head: head.clone(),
                        conditions: conditions.to_vec(),
                    });
                }
                for spread in spreads {
                    self.read(path, model, &spread.value, conditions, hops + 1);
                }
            }
            Listed::Branches(branches) => {
                // In every branch: held whichever branch is taken.
                if let Some((at_path, at_model, head)) =
                    self.surely_holds(path, model, listed, hops)
                {
                    self.out.entries.push(Entry {
                        range: self.at.clone(),
                        path: at_path,
                        model: at_model,
                        head: Some(head),
                        conditions: conditions.to_vec(),
                    });
                }
                for (condition, value) in branches {
                    let mut all = conditions.to_vec();
                    all.push(condition.clone());
                    self.read(path, model, value, &all, hops + 1);
                }
            }
            Listed::Name(name) => self.read_name(path, model, name, conditions, hops),
            Listed::Unreadable(why) => self.unreadable(why.clone()),
        }
    }

    /// A lock module element `listed` holds whichever branch of it is
    /// taken (`c ? [LockModule.forRoot(a)] : [LockModule.forRoot(b)]`), with
    /// the file it is named in: one of its own elements, or one held by a
    /// spread of it, or by every branch of a conditional (`c && [...]` has
    /// an empty branch, so never).
    fn surely_holds(
        &self,
        path: &Path,
        model: &Arc<FileModel>,
        listed: &Listed,
        hops: usize,
    ) -> Option<(PathBuf, Arc<FileModel>, String)> {
        if hops > MAX_SPREAD_HOPS {
            return None;
        }
        match listed {
            Listed::Array { elements, spreads } => elements
                .iter()
                .filter_map(|(_, head)| head.as_ref())
                .find(|head| {
                    matches!(
                        imported(self.project, path, model, Some(head)),
                        Imported::LockModule
                    )
                })
                .map(|head| (path.to_path_buf(), Arc::clone(model), head.clone()))
                .or_else(|| {
                    spreads
                        .iter()
                        .find_map(|s| self.surely_holds(path, model, &s.value, hops + 1))
                }),
            Listed::Branches(branches) => {
                let mut held = branches
                    .iter()
                    .map(|(_, value)| self.surely_holds(path, model, value, hops + 1));
                let first = held.next()??;
                held.all(|h| h.is_some()).then_some(first)
            }
            Listed::Name(name) => {
                match self
                    .project
                    .symbol(path, model, &Callee::Ident(name.to_string()))
                {
                    Symbol::Value { name, path, model } => {
                        let (_, listed) = model.const_lists.iter().find(|(n, _)| *n == name)?;
                        self.surely_holds(&path, &model, listed, hops + 1)
                    }
                    _ => None,
                }
            }
            Listed::Unreadable(_) => None,
        }
    }

    /// A spread name: a `const` array of this file or an imported one,
    /// read in the file that declares it.
    fn read_name(
        &mut self,
        path: &Path,
        model: &Arc<FileModel>,
        name: &str,
        conditions: &[String],
        hops: usize,
    ) {
        match self
            .project
            .symbol(path, model, &Callee::Ident(name.to_string()))
        {
            Symbol::Value { name, path, model } => {
                match model.const_lists.iter().find(|(n, _)| *n == name) {
                    Some((_, listed)) => self.read(&path, &model, listed, conditions, hops + 1),
                    None => self.unreadable(format!("`{name}` is not an array cronlock can read")),
                }
            }
            Symbol::Class { .. } => self.unreadable(format!("`{name}` is a class, not an array")),
            Symbol::External { source, .. } => self.unreadable(format!(
                "`{name}` comes from `{source}`, which cronlock does not read"
            )),
            Symbol::Unknown(why) => self.unreadable(why),
        }
    }

    fn unreadable(&mut self, why: String) {
        self.out.unreadable.push((self.at.clone(), why));
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

/// The root modules of a package, and how they were found.
#[derive(Debug, Default)]
pub struct Roots {
    /// The root modules.
    pub modules: Vec<ModuleClass>,
    /// Found by the last resort (the modules no other imports): such a root
    /// is only judged when its graph provides a lock-using class.
    pub guessed: bool,
}

/// Finds the root modules of package `package` among its `modules`;
/// `entries` are the files that call `NestFactory.create*`.
pub fn root_modules(
    project: &Project,
    package: PackageId,
    modules: &[ModuleClass],
    entries: &[FileId],
) -> Roots {
    if project.package(package).is_some_and(|p| p.is_library) || modules.is_empty() {
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
    roots.sort_by_key(|m| (project.rank(m.file), m.class));
    roots.dedup();
    Roots {
        modules: roots,
        guessed,
    }
}

/// Modules passed to `NestFactory.create*` in the package's entry files
/// (spec and test files aside: they bootstrap for tests, not for production).
fn bootstrapped(
    project: &Project,
    package: PackageId,
    modules: &[ModuleClass],
    entries: &[FileId],
) -> Vec<ModuleClass> {
    let mut roots = Vec::new();
    for &index in entries {
        let Some(file) = project.file(index) else {
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
        .class(module.class)?
        .name
        .as_deref()
}

fn in_app_module_file(project: &Project, module: &ModuleClass) -> bool {
    project.file(module.file).is_some_and(|f| {
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
        for entry in read_list(project, &path, &model, list).entries {
            let Some(head) = entry.head else {
                continue;
            };
            if let Symbol::Class { path, class, .. } =
                project.symbol(&entry.path, &entry.model, &Callee::Ident(head))
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
        .class(module.class)?
        .decorators
        .get(module.decorator)?;
    pick(decorator.object_arg.as_ref()?)
}

/// What an element of an `imports` list is.
#[derive(Clone)]
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
            let Some(decl) = model.class(class) else {
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
        Symbol::Value { name, .. } => Imported::Unknown(format!("`{name}` is not a module class")),
        Symbol::Unknown(why) => Imported::Unknown(why),
    }
}

/// A module on the way, waiting to be read.
struct Pending {
    path: PathBuf,
    model: Arc<FileModel>,
    class: ClassId,
    decorator: usize,
    /// The conditions under which the graph holds it (none: always).
    conditions: Vec<String>,
    /// Where the first of them arises (module and list).
    origin: Option<(ModuleClass, Range<usize>)>,
}

/// What one module of an application's graph says, read on its own: the
/// lock-using classes it provides, each element of its `imports` with what
/// it is, and the parts of that list that cannot be read.
struct ModuleRead {
    reached: HashSet<ClassKey>,
    entries: Vec<(Entry, Imported)>,
    unreadable: Vec<(Range<usize>, String)>,
}

/// A module class in a graph: its file, class and `@Module` decorator.
type ModuleKey = (PathBuf, ClassId, usize);

/// A module's read, made by the first thread that asks (`None`: the
/// module has no object argument).
type ReadSlot = Arc<OnceLock<Option<Arc<ModuleRead>>>>;

/// The modules of applications' graphs, each read once for every graph
/// walked with the same lock-using classes: the applications of a monorepo
/// share most of their modules (mx-exchange-service walks 7 applications
/// through mostly the same 60), and reading one resolves every import it
/// names. A module is read by the first thread that asks.
#[derive(Default)]
pub struct ModuleReads {
    reads: Mutex<HashMap<ModuleKey, ReadSlot>>,
}

impl ModuleReads {
    /// The read of the module `pending` names (`None`: it has no object
    /// argument).
    fn read(
        &self,
        project: &Project,
        pending: &Pending,
        lock_users: &LockUsers,
    ) -> Option<Arc<ModuleRead>> {
        let key = (pending.path.clone(), pending.class, pending.decorator);
        let slot = match self.reads.lock() {
            Ok(mut reads) => Arc::clone(reads.entry(key).or_default()),
            Err(_) => Arc::default(),
        };
        slot.get_or_init(|| read_module(project, pending, lock_users).map(Arc::new))
            .clone()
    }
}

/// Reads the module `pending` names (`None`: it has no object argument).
fn read_module(project: &Project, pending: &Pending, lock_users: &LockUsers) -> Option<ModuleRead> {
    let Pending {
        path,
        model,
        class,
        decorator,
        ..
    } = pending;
    let object = model
        .class(*class)
        .and_then(|c| c.decorators.get(*decorator))
        .and_then(|d| d.object_arg.as_ref())?;
    let mut reached = HashSet::new();
    reach_providers(project, path, model, object, lock_users, &mut reached);
    let Some(list) = &object.imports else {
        return Some(ModuleRead {
            reached,
            entries: Vec::new(),
            unreadable: Vec::new(),
        });
    };
    let read = read_list(project, path, model, list);
    let entries = read
        .entries
        .into_iter()
        .map(|entry| {
            let imported = imported(project, &entry.path, &entry.model, entry.head.as_ref());
            (entry, imported)
        })
        .collect();
    Some(ModuleRead {
        reached,
        entries,
        unreadable: read.unreadable,
    })
}

/// Walks the graph of `root` (a module of package `package`). A module the
/// graph holds only under a condition (through a branch of a spread) is
/// read too, with its conditions: a lock module found only there is a
/// conditional registration, and its providers count as reached.
pub fn application(
    project: &Project,
    package: PackageId,
    root: ModuleClass,
    lock_users: &LockUsers,
    reads: &ModuleReads,
) -> Application {
    let mut app = Application {
        package,
        root,
        registration: Registration::No,
        unreadable: Vec::new(),
        conditional: Vec::new(),
        reached: HashSet::new(),
    };
    let Some((root_path, root_model)) = project.file_model(root.file) else {
        app.registration = Registration::Unknown;
        return app;
    };
    let root_range = root_model
        .class(root.class)
        .and_then(|c| c.decorators.get(root.decorator))
        .map_or(0..0, |d| d.range.clone());
    let mut registered = false;
    // Each module, and whether it was reached without a condition: one
    // first reached under a condition is read again when reached without.
    let mut seen: HashMap<ClassKey, bool> = HashMap::new();
    let mut queue: VecDeque<Pending> = VecDeque::new();
    seen.insert((root_path.clone(), root.class), true);
    queue.push_back(Pending {
        path: root_path,
        model: root_model,
        class: root.class,
        decorator: root.decorator,
        conditions: Vec::new(),
        origin: None,
    });
    while let Some(pending) = queue.pop_front() {
        let Some(read) = reads.read(project, &pending, lock_users) else {
            continue;
        };
        app.reached.extend(read.reached.iter().cloned());
        let scanned = project.index_of(&pending.path).map(|file| ModuleClass {
            file,
            class: pending.class,
            decorator: pending.decorator,
        });
        // A list outside the scan is reported at the root module.
        let locate = |range: &Range<usize>| match scanned {
            Some(module) => (module, range.clone()),
            None => (root, root_range.clone()),
        };
        for (range, why) in &read.unreadable {
            let (module, range) = locate(range);
            let why = why.clone();
            app.unreadable.push(Unreadable { module, range, why });
        }
        for (entry, imported) in &read.entries {
            let mut conditions = pending.conditions.clone();
            conditions.extend(entry.conditions.iter().cloned());
            let origin = pending
                .origin
                .clone()
                .or_else(|| (!entry.conditions.is_empty()).then(|| locate(&entry.range)));
            match imported.clone() {
                Imported::LockModule => match origin {
                    Some((module, range)) if !conditions.is_empty() => {
                        app.conditional.push(Conditional {
                            module,
                            range,
                            when: vec![conditions],
                        });
                    }
                    _ => registered = true,
                },
                Imported::Module(key, next_model, next_decorator) => {
                    let always = conditions.is_empty();
                    let first = match seen.get(&key) {
                        None => true,
                        Some(&was_always) => always && !was_always,
                    };
                    if first {
                        seen.insert(key.clone(), always);
                        queue.push_back(Pending {
                            path: key.0,
                            model: next_model,
                            class: key.1,
                            decorator: next_decorator,
                            conditions,
                            origin,
                        });
                    }
                }
                Imported::Other => {}
                Imported::Unknown(why) => {
                    let (module, range) = locate(&entry.range);
                    app.unreadable.push(Unreadable { module, range, why });
                }
            }
        }
    }
    app.conditional = merge_conditionals(std::mem::take(&mut app.conditional));
    app.registration = if registered {
        app.conditional.clear();
        Registration::Yes
    } else if app.unreadable.is_empty() && app.conditional.is_empty() {
        Registration::No
    } else {
        Registration::Unknown
    };
    app
}

/// One conditional per list (the first place each was found), holding
/// every way that list holds the lock module; a way that adds conditions to
/// another is left out (it says nothing more).
fn merge_conditionals(found: Vec<Conditional>) -> Vec<Conditional> {
    let mut merged: Vec<Conditional> = Vec::new();
    for conditional in found {
        let same = |c: &&mut Conditional| {
            (c.module.file, c.module.class, c.range.start)
                == (
                    conditional.module.file,
                    conditional.module.class,
                    conditional.range.start,
                )
        };
        match merged.iter_mut().find(same) {
            Some(into) => into.when.extend(conditional.when),
            None => merged.push(conditional),
        }
    }
    for conditional in &mut merged {
        let ways = std::mem::take(&mut conditional.when);
        for (i, way) in ways.iter().enumerate() {
            let covered = ways.iter().enumerate().any(|(j, other)| {
                let subset = other.iter().all(|c| way.contains(c));
                // A stricter way, or the same way found again (keep the first).
                subset && (other.len() < way.len() || (other.len() == way.len() && j < i))
            });
            if !covered {
                conditional.when.push(way.clone());
            }
        }
    }
    merged
}

/// Adds to `reached` the lock-using classes a module's `providers` and
/// `controllers` list.
fn reach_providers(
    project: &Project,
    path: &Path,
    model: &Arc<FileModel>,
    object: &crate::model::ObjectArg,
    lock_users: &LockUsers,
    reached: &mut HashSet<ClassKey>,
) {
    for list in [&object.providers, &object.controllers]
        .into_iter()
        .flatten()
    {
        for (_, callee) in list.callees() {
            if !lock_users.may_name_callee(model, &callee) {
                continue;
            }
            if let Symbol::Class { path, class, .. } = project.symbol(path, model, &callee)
                && lock_users.contains(&(path.clone(), class))
            {
                reached.insert((path, class));
            }
        }
    }
}

/// Whether the `imports` of `module` bring the lock module in: directly, or
/// through a module whose `exports` list it. `None` when the list cannot be
/// read.
pub fn imports_lock_module(project: &Project, module: &ModuleClass) -> Option<bool> {
    let (path, model) = project.file_model(module.file)?;
    let Some(list) = module_list(&model, module, |o| o.imports.as_ref()) else {
        return Some(false);
    };
    let read = read_list(project, &path, &model, list);
    let mut unknown = !read.unreadable.is_empty();
    for entry in &read.entries {
        match imported(project, &entry.path, &entry.model, entry.head.as_ref()) {
            // Brought in only under a condition: neither yes nor no.
            Imported::LockModule if !entry.conditions.is_empty() => unknown = true,
            Imported::LockModule => return Some(true),
            Imported::Module((next_path, class), next_model, decorator) => {
                let next = ModuleClass {
                    file: FileId::NONE,
                    class,
                    decorator,
                };
                if exports_lock_module(project, &next_path, &next_model, &next) {
                    if !entry.conditions.is_empty() {
                        unknown = true;
                        continue;
                    }
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
    let lock_module = project.config.lock_module.as_str();
    list.elements.iter().any(|(_, head)| {
        let plainly_other = head
            .as_ref()
            .is_some_and(|h| project.cannot_stand_for(path, model, h, lock_module));
        !plainly_other
            && matches!(
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
        let Some(class) = model.class(module.class) else {
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
    list.callees()
        .filter_map(|(_, callee)| {
            if !lock_users.may_name_callee(&model, &callee) {
                return None;
            }
            let Symbol::Class { path, class, .. } = project.symbol(&path, &model, &callee) else {
                return None;
            };
            lock_users
                .contains(&(path.clone(), class))
                .then_some((path, class))
        })
        .collect()
}
