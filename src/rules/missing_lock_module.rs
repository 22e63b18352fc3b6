//! missing-lock-module: a package uses the lock service but registers no `DistributedLockModule`.

use std::path::Path;

use super::{Finding, Rule, RuleDoc};
use crate::fix::imports::{ImportRequest, ensure_value_import};
use crate::fix::list::{self, List};
use crate::fix::{Edit, Fix};
use crate::model::{Decorator, FileModel, ModuleImports};
use crate::project::Project;
use crate::semantic::{FileContext, resolve_callee};

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "add `DistributedLockModule` to the root module's `imports`",
    summary: "a package uses lock decorators or `lockService` but no `@Module` imports `DistributedLockModule`",
    why: "`DistributedLockService` is provided by `DistributedLockModule`. When no module of the service \
imports it, Nest cannot inject the lock service: the application fails at boot, or with `@Optional()` \
the lock decorator throws in cluster mode.",
    before: "@Module({
  imports: [ScheduleModule.forRoot(), UsersModule],
})
export class AppModule {}",
    after: "@Module({
  imports: [ScheduleModule.forRoot(), UsersModule, DistributedLockModule],
})
export class AppModule {}",
    fix: "`cronlock fix` adds `DistributedLockModule` to the `imports` array of the root module \
(`AppModule`, else the module in `app.module.ts`) in the array's own layout, creating `imports: [...]` \
when absent, and imports the name from the package's lock source. Any `@Module` of the package that \
imports the module (plain, `.forRoot(...)`, `.forRootAsync(...)`, `.register(...)`) satisfies the rule; \
a package without any `@Module` is not judged.",
};

/// A `@Module` class of a package.
#[derive(Debug, Clone, Copy)]
pub struct ModuleClass {
    /// File index.
    pub file: usize,
    /// Class index in the file's model.
    pub class: usize,
    /// Index of the `@Module` decorator.
    pub decorator: usize,
}

/// The `@Module` classes of a file.
pub fn module_classes(ctx: &FileContext<'_>) -> Vec<ModuleClass> {
    ctx.model
        .classes
        .iter()
        .enumerate()
        .filter_map(|(class_index, class)| {
            let decorator = class
                .decorators
                .iter()
                .position(|d| is_module_decorator(ctx.model, d))?;
            Some(ModuleClass {
                file: ctx.index,
                class: class_index,
                decorator,
            })
        })
        .collect()
}

fn is_module_decorator(model: &FileModel, decorator: &Decorator) -> bool {
    resolve_callee(model, &decorator.callee).is_some_and(|(_, name)| name == "Module")
}

/// What a module's `imports` says about the lock module.
#[derive(Debug, PartialEq, Eq)]
enum Registration {
    Yes,
    No,
    CannotTell,
}

fn registration(project: &Project, module: &ModuleClass) -> Registration {
    let Some(model) = project.model(module.file) else {
        return Registration::No;
    };
    let decorator = &model.classes[module.class].decorators[module.decorator];
    let Some(imports) = decorator
        .object_arg
        .as_ref()
        .and_then(|o| o.imports.as_ref())
    else {
        return Registration::No;
    };
    let ModuleImports::Array { elements, .. } = imports else {
        return Registration::CannotTell;
    };
    let lock_module = project.config.lock_module.as_str();
    let registered = elements
        .iter()
        .filter_map(|(_, head)| head.as_deref())
        .any(|head| {
            model
                .imports
                .iter()
                .flat_map(|i| &i.named)
                .any(|n| n.local == head && n.imported == lock_module)
                || model
                    .imports
                    .iter()
                    .any(|i| i.namespace.as_deref() == Some(head))
        });
    if registered {
        Registration::Yes
    } else {
        Registration::No
    }
}

/// Whether any of `modules` registers the lock module; `None` when one of
/// them lists its imports in a way cronlock cannot read.
pub fn is_registered(project: &Project, modules: &[ModuleClass]) -> Option<bool> {
    let mut unknown = false;
    for module in modules {
        match registration(project, module) {
            Registration::Yes => return Some(true),
            Registration::CannotTell => unknown = true,
            Registration::No => {}
        }
    }
    (!unknown).then_some(false)
}

/// The finding for a package that uses the lock service without the module.
pub fn check_package(
    project: &Project,
    package: usize,
    modules: &[ModuleClass],
) -> Option<Finding> {
    if modules.is_empty() || is_registered(project, modules) != Some(false) {
        return None;
    }
    let root = root_module(project, modules)?;
    let ctx = FileContext::new(project, root.file)?;
    let class = &ctx.model.classes[root.class];
    let decorator = &class.decorators[root.decorator];
    let package_name = &project.packages.get(package)?.name;
    let lock_module = &project.config.lock_module;
    let message = format!(
        "package `{package_name}` uses the lock service but no `@Module` imports `{lock_module}`; Nest cannot inject `{}`",
        project.config.lock_service_type
    );
    let fix = build_fix(&ctx, decorator);
    Some(
        Finding::new(
            Rule::MissingLockModule,
            root.file,
            decorator.range.clone(),
            message,
        )
        .in_class(class.name.as_deref())
        .with_fix(fix),
    )
}

/// `AppModule`, else the module declared in `app.module.ts`, else the first module.
fn root_module(project: &Project, modules: &[ModuleClass]) -> Option<ModuleClass> {
    let class_name = |m: &ModuleClass| {
        project
            .model(m.file)
            .and_then(|model| model.classes[m.class].name.clone())
    };
    let in_app_module = |m: &ModuleClass| {
        project.files.get(m.file).is_some_and(|f| {
            Path::new(&f.display)
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("app.module."))
        })
    };
    modules
        .iter()
        .find(|m| class_name(m).as_deref() == Some("AppModule"))
        .or_else(|| modules.iter().find(|m| in_app_module(m)))
        .or(modules.first())
        .copied()
}

fn build_fix(ctx: &FileContext<'_>, decorator: &Decorator) -> Option<Fix> {
    let source = ctx.project.lock_source_for(ctx.index);
    let plan = ensure_value_import(
        ctx.text(),
        &ctx.style,
        ctx.model,
        ImportRequest {
            name: &ctx.project.config.lock_module,
            beside: None,
            fallback_source: source.as_deref(),
        },
    )?;
    let object = decorator.object_arg.as_ref()?;
    let text = ctx.text();
    let mut edits = match &object.imports {
        Some(ModuleImports::Array { brackets, elements }) => {
            let items: Vec<_> = elements.iter().map(|(r, _)| r.clone()).collect();
            let list = List {
                open: brackets.0 + 1,
                close: brackets.1,
                items: &items,
            };
            list::append(text, &ctx.style, list, &plan.local)
        }
        Some(ModuleImports::Opaque) => return None,
        None if object.props.is_empty() => {
            vec![Edit::replace(
                object.range.clone(),
                format!("{{ imports: [{}] }}", plan.local),
            )]
        }
        None => {
            let list = List {
                open: object.range.start + 1,
                close: object.range.end.saturating_sub(1),
                items: &object.props,
            };
            list::insert_before(
                text,
                &ctx.style,
                list,
                0,
                &format!("imports: [{}]", plan.local),
            )
        }
    };
    edits.extend(plan.edits);
    Some(Fix::new(edits))
}
