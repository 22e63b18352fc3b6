//! Whether one module imports the lock module (directly or through a
//! module that exports it), whether the lock module is global, and which
//! lock-using classes a module provides.

use std::path::Path;
use std::sync::Arc;

use super::lists::{Imported, imported, module_list, read_list};
use super::{ClassKey, LockUsers, ModuleClass, is_named};
use crate::ids::FileId;
use crate::links::Symbol;
use crate::model::FileModel;
use crate::project::Project;

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
