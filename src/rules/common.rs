//! Helpers the rules share (and `ripple`, which follows the rules' fixes):
//! the words findings use for a class, the imports fixes add, what a testing
//! module provides, how a `new` call can be given an injected member, and
//! how the lock module is added to a `@Module`. Rules import from here,
//! never from one another.

use crate::config::{Config, Injection};
use crate::fix::imports::{ImportPlan, ImportRequest, ensure_value_import};
use crate::fix::list::{self, List};
use crate::fix::{Edit, Fix};
use crate::ids::FileId;
use crate::model::{
    Callee, ClassModel, Construction, Decorator, Factory, FileModel, ModuleList, TestingModule,
};
use crate::project::Project;
use crate::semantic::{FileContext, LockUse};

/// `` `Name` `` or `the default-exported class`.
pub fn class_label(class: &ClassModel) -> String {
    match &class.name {
        Some(name) => format!("`{name}`"),
        None => "the anonymous class".to_string(),
    }
}

/// Length of what findings on a class underline: its name, or `class`.
pub fn class_label_len(class: &ClassModel) -> usize {
    class.name.as_ref().map_or("class".len(), String::len)
}

/// `` `@ClusterSafeCron` on `sync` `` (and how many more).
pub fn describe_uses(uses: &[LockUse]) -> String {
    let Some(first) = uses.first() else {
        return "lock-decorated methods".to_string();
    };
    let method = first.method.as_deref().unwrap_or("a method");
    let more = match uses.len() {
        1 => String::new(),
        2 => " and 1 more".to_string(),
        n => format!(" and {} more", n - 1),
    };
    format!("`@{}` on `{method}`{more}", first.name)
}

/// Makes `name` (a lock name: the service or the module) a value import of
/// the file, from the lock source that exports it (see
/// [`crate::project::Project::source_for_name`]) unless the file imports it
/// already.
pub fn import_lock_name(ctx: &FileContext<'_>, name: &str) -> Option<ImportPlan> {
    import_lock_name_near(ctx, name, None)
}

/// Like [`import_lock_name`]; when no module of the file's project says where
/// `name` comes from (a spec in an application whose jobs all live in a
/// library), from the lock source of file `near`'s project (see
/// [`Project::lock_source_near`]).
///
/// [`Project::lock_source_near`]: crate::project::Project::lock_source_near
fn import_lock_name_near(
    ctx: &FileContext<'_>,
    name: &str,
    near: Option<FileId>,
) -> Option<ImportPlan> {
    let source = ctx
        .project
        .source_for_name(ctx.index, name)
        .or_else(|| ctx.project.lock_source_near(ctx.index, near?));
    ensure_value_import(
        ctx.text()?,
        ctx.style(),
        ctx.model,
        ImportRequest {
            name,
            beside: None,
            fallback_source: source.as_deref(),
        },
    )
}

/// Makes an injected member's type a value import of the file: the lock
/// service from the package's lock source, a guard's type from its
/// `import-source`.
pub fn import_injected_type(
    ctx: &FileContext<'_>,
    injection: &Injection<'_>,
) -> Option<ImportPlan> {
    import_injected_type_near(ctx, injection, None)
}

/// Like [`import_injected_type`], for a ripple site: the lock service comes,
/// when the file's project imports no lock name, from the lock source of
/// file `near` (the class whose new parameter reaches this file).
pub fn import_injected_type_near(
    ctx: &FileContext<'_>,
    injection: &Injection<'_>,
    near: Option<FileId>,
) -> Option<ImportPlan> {
    let Some(guard) = injection.guard else {
        return import_lock_name_near(ctx, injection.type_name, near);
    };
    let source = ctx.project.guard_source_for(ctx.index, guard);
    ensure_value_import(
        ctx.text()?,
        ctx.style(),
        ctx.model,
        ImportRequest {
            name: injection.type_name,
            beside: None,
            fallback_source: source.as_deref(),
        },
    )
}

/// Each injected member (see `Config::injections`) with its index and the
/// classes that take it (`takers`, in the same order).
pub fn injection_takers<'c, 't>(
    config: &'c crate::config::Config,
    takers: &'t [crate::modules::LockUsers],
) -> Vec<(usize, Injection<'c>, &'t crate::modules::LockUsers)> {
    config
        .injections()
        .into_iter()
        .zip(takers)
        .enumerate()
        .map(|(k, (injection, takers))| (k, injection, takers))
        .collect()
}

/// Adds the lock module to the `imports` of `decorator` (a `@Module`), in the
/// array's own layout, creating the key when absent, and imports the name
/// from the package's lock source.
pub fn add_lock_module(ctx: &FileContext<'_>, decorator: &Decorator) -> Option<Fix> {
    let plan = import_lock_name(ctx, &ctx.project.config.lock_module)?;
    let object = decorator.object_arg.as_ref()?;
    let text = ctx.text()?;
    let mut edits = match &object.imports {
        Some(imports) => {
            // Spreads are items too: the new element goes after the last.
            let brackets = imports.brackets?;
            let mut items: Vec<_> = imports.elements.iter().map(|(r, _)| r.clone()).collect();
            items.extend(imports.spreads.iter().map(|s| s.range.clone()));
            items.sort_by_key(|r| r.start);
            let list = List {
                open: brackets.0 + 1,
                close: brackets.1,
                items: &items,
            };
            list::append(text, ctx.style(), list, &plan.local)
        }
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
                ctx.style(),
                list,
                0,
                &format!("imports: [{}]", plan.local),
            )
        }
    };
    edits.extend(plan.edits);
    Some(Fix::new(edits))
}

/// The classes a `providers` list has Nest build itself: bare `X`, or
/// `{ provide: X, useClass: X }`. A stand-in (`useValue`, `useFactory`,
/// `useExisting`, `useClass: Other`) is not built from `X`'s constructor, so
/// it needs none of `X`'s dependencies.
pub fn provides_itself(providers: &ModuleList) -> impl Iterator<Item = Callee> + '_ {
    providers
        .callees()
        .filter(|(i, _)| !providers.stand_ins.contains(i))
        .map(|(_, callee)| callee)
}

/// Whether the testing module provides the lock service (or imports the
/// lock module).
pub fn provides_lock(model: &FileModel, testing: &TestingModule, config: &Config) -> bool {
    config
        .injections()
        .first()
        .is_some_and(|lock| provides(model, testing, lock))
}

/// Whether the testing module provides `injection`'s type (or imports its
/// module).
pub fn provides(model: &FileModel, testing: &TestingModule, injection: &Injection<'_>) -> bool {
    let metadata = &testing.metadata;
    metadata
        .providers
        .as_ref()
        .is_some_and(|p| lists(model, p, injection.type_name))
        || injection.module.is_some_and(|module| {
            metadata
                .imports
                .as_ref()
                .is_some_and(|i| lists(model, i, module))
        })
}

fn lists(model: &FileModel, list: &ModuleList, wanted: &str) -> bool {
    if list.unreadable {
        // A spread may hold it: never claim it is missing.
        return true;
    }
    list.elements
        .iter()
        .filter_map(|(_, h)| h.as_deref())
        .any(|head| model.imported_name(head) == wanted)
}

/// How a `new X(...)` call can be given the injected member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// In a test: a stand-in `{} as Type`.
    StandIn,
    /// In the `useFactory` at this index of the file's factories, whose
    /// `inject` is a literal list: the injected service.
    Factory(usize),
}

/// Whether file `file`'s `new` can be given a member that goes at argument
/// `position`, and how; else why not, in words that follow `` `new X(...)` ``.
pub fn shape(
    project: &Project,
    file: FileId,
    model: &FileModel,
    new: &Construction,
    position: usize,
    injection: &Injection<'_>,
) -> Result<Shape, String> {
    match new.args {
        None => return Err("with spread arguments".to_string()),
        Some(passed) if passed != position => {
            return Err(format!(
                "passing {passed} argument{} where {position} come before it",
                if passed == 1 { "" } else { "s" }
            ));
        }
        Some(_) if new.parens.is_none() => return Err("without an argument list".to_string()),
        Some(_) => {}
    }
    if let Some(factory) = new.factory.and_then(|i| model.factories.get(i))
        && literal_inject(factory)
        && injected_at(model, factory, injection).is_ok()
        && let Some(index) = new.factory
    {
        return Ok(Shape::Factory(index));
    }
    if new.in_test || is_test_file(project, file) {
        return Ok(Shape::StandIn);
    }
    Err(match new.factory.and_then(|i| model.factories.get(i)) {
        Some(factory) if factory.rest => {
            "in a `useFactory` whose rest parameter leaves no place for it".to_string()
        }
        Some(_) => {
            "in a `useFactory` without a literal `inject` list matching its parameters".to_string()
        }
        None => "written by hand in production code".to_string(),
    })
}

/// A factory cronlock can add a parameter to: its `inject` is an array
/// literal without spreads, with one entry per parameter (none a rest or
/// destructured one), and its parameters are in parentheses.
fn literal_inject(factory: &Factory) -> bool {
    factory.inject.as_ref().is_some_and(|inject| {
        inject.brackets.is_some()
            && !inject.unreadable
            && inject.elements.len() == factory.params.len()
            && factory.params.iter().all(|(_, name)| name.is_some())
    }) && factory.parens.is_some()
}

/// Where the factory's parameters already receive `injection`'s type
/// (`Ok(Some(index))`), or `Ok(None)` when a parameter can be added for it;
/// `Err(())` when a parameter already has the member's name for something
/// else.
pub(crate) fn injected_at(
    model: &FileModel,
    factory: &Factory,
    injection: &Injection<'_>,
) -> Result<Option<usize>, ()> {
    let inject = factory.inject.as_ref().ok_or(())?;
    let present = inject.elements.iter().position(|(_, head)| {
        head.as_deref()
            .is_some_and(|h| model.imported_name(h) == injection.type_name)
    });
    if present.is_some() {
        return Ok(present);
    }
    let taken = factory
        .params
        .iter()
        .any(|(_, name)| name.as_deref() == Some(injection.member));
    if taken { Err(()) } else { Ok(None) }
}

/// `*.spec.ts`, `*.test.ts` (any TypeScript extension).
fn is_test_file(project: &Project, file: FileId) -> bool {
    let Some(name) = project.file(file).and_then(|f| f.path.file_name()) else {
        return false;
    };
    let name = name.to_string_lossy();
    let stem = [".ts", ".mts", ".cts", ".tsx"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext));
    stem.is_some_and(|s| s.ends_with(".spec") || s.ends_with(".test"))
}
