//! An application's module graph: what the root module's `imports` reach,
//! followed across files, and whether that graph registers the lock module.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::lists::{Entry, Imported, imported, read_list};
use super::{Application, ClassKey, Conditional, LockUsers, ModuleClass, Registration, Unreadable};
use crate::ids::{ClassId, PackageId};
use crate::links::Symbol;
use crate::model::FileModel;
use crate::project::Project;

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
