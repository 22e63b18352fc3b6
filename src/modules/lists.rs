//! Reading an `imports` list: what each element is, and what each spread
//! (`...COMMON_IMPORTS`, `...(cond ? A : B)`) may bring in, branch by branch.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{ClassKey, ModuleClass, module_decorator};
use crate::links::Symbol;
use crate::model::{Callee, FileModel, Listed, ModuleList};
use crate::project::Project;

/// One element an `imports` list holds once its spreads are read.
pub(super) struct Entry {
    /// Where it is reported: the element itself, or (for what a spread
    /// holds) the list, in the list's own file.
    pub(super) range: Range<usize>,
    /// The file its name is read in (the elements of an imported `const`
    /// array are named in that array's file).
    pub(super) path: PathBuf,
    pub(super) model: Arc<FileModel>,
    /// The identifier it starts with.
    pub(super) head: Option<String>,
    /// The conditions under which the list holds it (none: always).
    pub(super) conditions: Vec<String>,
}

/// An `imports` list read branch by branch: every element any branch may
/// hold, and the spreads that cannot be read.
#[derive(Default)]
pub(super) struct ReadList {
    pub(super) entries: Vec<Entry>,
    pub(super) unreadable: Vec<(Range<usize>, String)>,
}

/// How many names and nested spreads are followed from one spread.
const MAX_SPREAD_HOPS: usize = 32;

/// Reads `list` (of the file at `path`): its elements, and what each spread
/// may bring in, branch by branch (see [`crate::model::Listed`]).
pub(super) fn read_list(
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

pub(super) fn module_list<'m>(
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
pub(super) enum Imported {
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
pub(super) fn imported(
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
