//! Finding the root modules of a package: the module bootstrapped by
//! `NestFactory.create*`, else `AppModule`, else the module of
//! `app.module.ts`, else the modules no other module imports.

use std::collections::HashSet;
use std::path::Path;

use super::lists::{module_list, read_list};
use super::{ClassKey, ModuleClass};
use crate::ids::{FileId, PackageId};
use crate::links::Symbol;
use crate::model::Callee;
use crate::project::Project;

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
