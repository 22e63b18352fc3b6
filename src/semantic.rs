//! Judging a file's model against the configuration and its package: which
//! decorators are lock decorators, which are `@nestjs/schedule` ones, and
//! whether each class has the lock service member.

use std::cell::OnceCell;
use std::ops::Range;

use crate::config::{AMBIGUOUS_LOCK_DECORATOR, Config, LOCK_ALT_MEMBER};
use crate::ids::FileId;
use crate::links::{Inheritance, Symbol};
use crate::model::{
    Callee, ClassModel, Decorator, FileModel, Method, declares_member, has_decorator,
};
use crate::project::{Project, SourceRef};
use crate::source::SourceText;
use crate::style::FileStyle;

/// The module `@Cron`, `@Interval` and `@Timeout` must come from.
pub const SCHEDULE_SOURCE: &str = "@nestjs/schedule";

/// A method decorator that needs the lock service.
#[derive(Debug, Clone)]
pub struct LockUse {
    /// The decorated method.
    pub method: Option<String>,
    /// The decorator's exported name (`ClusterSafeCron`, `Lock`).
    pub name: String,
    /// Index of the import it came from.
    pub import: usize,
    /// The decorator.
    pub range: Range<usize>,
}

/// A `@nestjs/schedule` decorator on a method.
#[derive(Debug, Clone)]
pub struct ScheduleUse {
    /// The decorated method.
    pub method: Option<String>,
    /// `Cron`, `Interval` or `Timeout`.
    pub name: String,
    /// Index of the import it came from.
    pub import: usize,
    /// The decorator.
    pub decorator: Decorator,
    /// The method also has a lock decorator, or reads `this.<member>`, or
    /// makes a configured `[[lock-call]]`.
    pub locked: bool,
    /// Locked only by a `[[lock-call]]` in its body (for the report).
    pub locked_in_body: bool,
}

/// Where a class stands on the lock service member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// A parameter property or an `@Inject`-ed property.
    Present,
    /// Inherited from a base class.
    Inherited,
    /// A constructor parameter without modifiers (index into the params), and
    /// what is known of the base (a base that could not be read may own the
    /// property, so no modifier may be added then).
    PlainParam(usize, Inheritance),
    /// A property that nothing injects (index into the properties).
    UninjectedProperty(usize),
    /// No such member; what is known about the base.
    Absent(Inheritance),
}

impl Member {
    /// The base class that could not be read, and why, when whether the
    /// class has the member depends on it: the member is absent, or a plain
    /// constructor parameter that only a base's property would put on
    /// `this`. Such a class is judged unknown (lock-base-unknown), never
    /// assumed to lack the member.
    pub fn unread_base(&self) -> Option<(&str, &str)> {
        match self {
            Member::Absent(Inheritance::Unknown { base, reason })
            | Member::PlainParam(_, Inheritance::Unknown { base, reason }) => {
                Some((base.as_str(), reason.as_str()))
            }
            _ => None,
        }
    }
}

/// The lock service injected under another name.
#[derive(Debug, Clone)]
pub struct WrongName {
    /// The name used.
    pub name: String,
    /// The parameter or property.
    pub range: Range<usize>,
}

/// A `[[guard]]` member the class lacks.
#[derive(Debug, Clone)]
pub struct GuardNeed {
    /// Index of the (first) guard in the configuration that reads it.
    pub guard: usize,
    /// The member.
    pub member: String,
    /// Methods carrying a decorator of a guard that reads it.
    pub uses: Vec<LockUse>,
    /// Where the class stands on it (never `Present` or `Inherited`).
    pub state: Member,
}

/// A job scheduled in code on a `SchedulerRegistry` member.
#[derive(Debug, Clone)]
pub struct DynamicJob {
    /// The method (or `constructor`) that schedules it.
    pub method: Option<String>,
    /// The call.
    pub call: crate::model::JobCall,
    /// The method takes a lock: a lock or guard decorator on it, a read of
    /// the lock service or a guard's member, or a configured `[[lock-call]]`.
    pub locked: bool,
    /// Locked only by a `[[lock-call]]` in its body (for the report).
    pub locked_in_body: bool,
}

/// What the rules need to know about one class.
#[derive(Debug, Clone)]
pub struct ClassFacts {
    /// Methods decorated with lock decorators.
    pub lock_uses: Vec<LockUse>,
    /// `@nestjs/schedule` decorators on methods.
    pub schedule_uses: Vec<ScheduleUse>,
    /// The member's state.
    pub member: Member,
    /// The lock service under another name, when the member is absent.
    pub wrong_name: Option<WrongName>,
    /// `@Optional()` or `?` on the member: where.
    pub optional_member: Option<Range<usize>>,
    /// The class injects the lock service member (any way).
    pub injects_member: bool,
    /// A method carries a `[[guard]]` decorator.
    pub guarded: bool,
    /// `[[guard]]` members the class needs and lacks.
    pub guard_needs: Vec<GuardNeed>,
    /// Jobs scheduled in code.
    pub dynamic_jobs: Vec<DynamicJob>,
}

impl ClassFacts {
    /// The class has lock-decorated methods and the member they read.
    pub fn is_complete(&self) -> bool {
        matches!(self.member, Member::Present | Member::Inherited)
    }
}

/// One parsed file, ready for the rules.
pub struct FileContext<'a> {
    /// The project.
    pub project: &'a Project,
    /// The file.
    pub index: FileId,
    /// The model.
    pub model: &'a FileModel,
    /// The text, read on first use (for this file's rules only).
    source: OnceCell<Option<SourceRef<'a>>>,
    /// The file's style, for fixes (worked out on first use).
    style: OnceCell<FileStyle>,
    /// Facts per class, parallel to `model.classes`.
    pub classes: Vec<ClassFacts>,
}

impl<'a> FileContext<'a> {
    /// Judges file `index`; `None` when it did not parse or was skipped.
    pub fn new(project: &'a Project, index: FileId) -> Option<Self> {
        let model = project.model(index)?;
        let classes = model
            .classes
            .iter()
            .map(|class| class_facts(project, index, model, class))
            .collect();
        Some(FileContext {
            project,
            index,
            model,
            source: OnceCell::new(),
            style: OnceCell::new(),
            classes,
        })
    }

    /// The text, for fixes. Most files are judged from their models alone,
    /// so the text is read only when a rule asks for it (see
    /// [`Project::source`]); `None` when the file changed on disk since it
    /// was parsed (then no fix is built: its offsets would not fit).
    pub fn text(&self) -> Option<&str> {
        self.source
            .get_or_init(|| self.project.read_source(self.index))
            .as_deref()
            .map(SourceText::text)
    }

    /// The file's style (line breaks, indentation, quotes), for fixes.
    pub fn style(&self) -> &FileStyle {
        self.style
            .get_or_init(|| FileStyle::of(self.text().unwrap_or_default()))
    }
}

/// The import a decorator's name comes from, and the name it has there.
pub fn resolve_callee<'m>(model: &'m FileModel, callee: &'m Callee) -> Option<(usize, &'m str)> {
    match callee {
        Callee::Ident(local) => model.imports.iter().enumerate().find_map(|(i, import)| {
            if import.type_only {
                return None;
            }
            import
                .named
                .iter()
                .find(|n| &n.local == local && !n.type_only)
                .map(|n| (i, n.imported.as_str()))
        }),
        Callee::Member { object, property } => model
            .imports
            .iter()
            .position(|i| i.namespace.as_deref() == Some(object.as_str()))
            .map(|i| (i, property.as_str())),
        Callee::Other => None,
    }
}

/// A `[[guard]]` decorator: its import, its exported name and the guard.
fn guard_use(
    project: &Project,
    index: FileId,
    model: &FileModel,
    decorator: &Decorator,
) -> Option<(usize, String, usize)> {
    let (import, name) = resolve_callee(model, &decorator.callee)?;
    if let Some(guard) = project.config.guard_of(name) {
        return Some((import, name.to_string(), guard));
    }
    if !project.lock_aliases.iter().any(|a| a == name) {
        return None;
    }
    let original = reexported_name(project, index, &model.imports[import], &decorator.callee)?;
    let guard = project.config.guard_of(&original)?;
    Some((import, original, guard))
}

fn lock_use(
    project: &Project,
    index: FileId,
    model: &FileModel,
    decorator: &Decorator,
) -> Option<(usize, String)> {
    let (import, name) = resolve_callee(model, &decorator.callee)?;
    if !project.config.is_lock_decorator(name) {
        if !project.lock_aliases.iter().any(|a| a == name) {
            return None;
        }
        let original = reexported_name(project, index, &model.imports[import], &decorator.callee)?;
        return (project.config.is_lock_decorator(&original)
            && original != AMBIGUOUS_LOCK_DECORATOR)
            .then_some((import, original));
    }
    if name == AMBIGUOUS_LOCK_DECORATOR && !project.is_lock_source(index, &model.imports[import]) {
        return None;
    }
    Some((import, name.to_string()))
}

/// The name a decorator has where it is declared, when its import leads into
/// the project and the name was changed on the way (`export { ClusterSafeCron
/// as ScheduledJob } from './cluster-safe-cron'`).
fn reexported_name(
    project: &Project,
    index: FileId,
    import: &crate::model::Import,
    callee: &Callee,
) -> Option<String> {
    // Framework packages never re-export a lock decorator: skip the lookup.
    if import.source.starts_with("@nestjs/") {
        return None;
    }
    let (path, model) = project.file_model(index)?;
    match project.symbol(&path, &model, callee) {
        Symbol::Value { name, .. } | Symbol::External { name, .. } => Some(name),
        _ => None,
    }
}

fn schedule_use(model: &FileModel, decorator: &Decorator) -> Option<(usize, String)> {
    let (import, name) = resolve_callee(model, &decorator.callee)?;
    let from_schedule = model.imports[import].source == SCHEDULE_SOURCE;
    (from_schedule && matches!(name, "Cron" | "Interval" | "Timeout"))
        .then(|| (import, name.to_string()))
}

fn class_facts(
    project: &Project,
    index: FileId,
    model: &FileModel,
    class: &ClassModel,
) -> ClassFacts {
    let config = &project.config;
    let mut lock_uses = Vec::new();
    let mut guard_uses: Vec<(usize, LockUse)> = Vec::new();
    let mut schedule_uses = Vec::new();
    let mut dynamic_jobs = Vec::new();
    // An ambient `declare class` has no code to run and no body to edit.
    let methods = if class.is_declare {
        &[][..]
    } else {
        &class.methods[..]
    };
    for method in methods {
        let locks: Vec<LockUse> = method
            .decorators
            .iter()
            .filter_map(|d| {
                lock_use(project, index, model, d).map(|(import, name)| LockUse {
                    method: method.name.clone(),
                    name,
                    import,
                    range: d.range.clone(),
                })
            })
            .collect();
        let guards: Vec<(usize, LockUse)> = method
            .decorators
            .iter()
            .filter_map(|d| {
                guard_use(project, index, model, d).map(|(import, name, guard)| {
                    let used = LockUse {
                        method: method.name.clone(),
                        name,
                        import,
                        range: d.range.clone(),
                    };
                    (guard, used)
                })
            })
            .collect();
        let decorated_or_member = !locks.is_empty()
            || !guards.is_empty()
            || method
                .this_members
                .iter()
                .any(|m| is_lock_member(config, m.as_str()));
        let locked_in_body = !decorated_or_member && makes_lock_call(config, class, method);
        let locked = decorated_or_member || locked_in_body;
        for d in &method.decorators {
            if let Some((import, name)) = schedule_use(model, d) {
                schedule_uses.push(ScheduleUse {
                    method: method.name.clone(),
                    name,
                    import,
                    decorator: d.clone(),
                    locked,
                    locked_in_body,
                });
            }
        }
        dynamic_jobs.extend(
            scheduled_in_code(model, class, &method.job_calls).map(|call| DynamicJob {
                method: method.name.clone(),
                call,
                locked,
                locked_in_body,
            }),
        );
        lock_uses.extend(locks);
        guard_uses.extend(guards);
    }
    if let Some(ctor) = class.constructor.as_ref().filter(|_| !class.is_declare) {
        dynamic_jobs.extend(
            scheduled_in_code(model, class, &ctor.job_calls).map(|call| DynamicJob {
                method: Some("constructor".to_string()),
                call,
                locked: false,
                locked_in_body: false,
            }),
        );
    }
    let only_lock =
        !lock_uses.is_empty() && lock_uses.iter().all(|u| u.name == AMBIGUOUS_LOCK_DECORATOR);
    let mut names = vec![config.lock_service_member.as_str()];
    if only_lock {
        names.push(LOCK_ALT_MEMBER);
    }
    let member = member_state(project, index, class, &names);
    let injects_member = matches!(member, Member::Present | Member::PlainParam(..))
        || class
            .constructor
            .iter()
            .flat_map(|c| &c.params)
            .any(|p| p.name.as_deref() == Some(config.lock_service_member.as_str()));
    let guarded = !guard_uses.is_empty();
    let mut needs = guard_needs(project, index, class, guard_uses);
    // A guard that reads the lock service itself needs what the lock
    // decorators need: their finding says it once.
    if !lock_uses.is_empty() {
        needs.retain(|n| n.member != config.lock_service_member);
    }
    ClassFacts {
        guarded,
        guard_needs: needs,
        dynamic_jobs,
        wrong_name: wrong_name(project, model, class, &names),
        optional_member: optional_member(class, &names),
        lock_uses,
        schedule_uses,
        member,
        injects_member,
    }
}

/// Whether `method`'s body (callbacks included) calls a configured
/// `[[lock-call]]`: `this.<member>.<method>(...)` where the member is named
/// in the entry or declared in `class` with the entry's type.
fn makes_lock_call(config: &Config, class: &ClassModel, method: &Method) -> bool {
    if config.lock_calls.is_empty() {
        return false;
    }
    method.member_calls.iter().any(|(member, called)| {
        let member_type = declared_type(class, member);
        config
            .lock_calls
            .iter()
            .any(|call| call.matches(member, member_type, called))
    })
}

/// The type `class` declares its member `name` with: a constructor
/// parameter or a property, annotated with a plain type reference.
fn declared_type<'c>(class: &'c ClassModel, name: &str) -> Option<&'c str> {
    let from_params = class
        .constructor
        .iter()
        .flat_map(|c| &c.params)
        .find(|p| p.is_property && p.name.as_deref() == Some(name))
        .and_then(|p| p.type_name.as_deref());
    from_params.or_else(|| {
        class
            .properties
            .iter()
            .find(|p| p.name.as_deref() == Some(name))
            .and_then(|p| p.type_name.as_deref())
    })
}

/// Whether reading `this.<member>` in a method means it takes a lock.
pub(crate) fn is_lock_member(config: &crate::config::Config, member: &str) -> bool {
    member == config.lock_service_member
        || member == LOCK_ALT_MEMBER
        || config.guards.iter().any(|g| g.member == member)
}

/// The guard members the class reads through its guard decorators and
/// lacks: one need per member, in the order the guards are configured.
fn guard_needs(
    project: &Project,
    index: FileId,
    class: &ClassModel,
    uses: Vec<(usize, LockUse)>,
) -> Vec<GuardNeed> {
    let mut needs: Vec<GuardNeed> = Vec::new();
    let mut uses = uses;
    uses.sort_by_key(|(guard, _)| *guard);
    for (guard, used) in uses {
        let member = &project.config.guards[guard].member;
        if let Some(need) = needs.iter_mut().find(|n| &n.member == member) {
            need.uses.push(used);
            continue;
        }
        needs.push(GuardNeed {
            guard,
            member: member.clone(),
            uses: vec![used],
            state: member_state(project, index, class, &[member.as_str()]),
        });
    }
    needs.retain(|n| !matches!(n.state, Member::Present | Member::Inherited));
    needs
}

/// The calls among `calls` made on a member the class injects as a
/// `SchedulerRegistry` from `@nestjs/schedule`.
fn scheduled_in_code<'c>(
    model: &'c FileModel,
    class: &'c ClassModel,
    calls: &'c [crate::model::JobCall],
) -> impl Iterator<Item = crate::model::JobCall> + 'c {
    calls
        .iter()
        .filter(move |call| {
            let typed = |name: Option<&String>, type_name: Option<&String>| {
                name == Some(&call.member)
                    && type_name.is_some_and(|t| is_scheduler_registry(model, t))
            };
            let params = class.constructor.iter().flat_map(|c| &c.params);
            params
                .into_iter()
                .any(|p| p.is_property && typed(p.name.as_ref(), p.type_name.as_ref()))
                || class
                    .properties
                    .iter()
                    .any(|p| typed(p.name.as_ref(), p.type_name.as_ref()))
        })
        .cloned()
}

/// Whether the type named `local` in this file is `@nestjs/schedule`'s
/// `SchedulerRegistry` (imported under any name, or through a namespace).
fn is_scheduler_registry(model: &FileModel, local: &str) -> bool {
    let from_schedule = |i: &&crate::model::Import| i.source == SCHEDULE_SOURCE;
    let named = model
        .imports
        .iter()
        .flat_map(|i| i.named.iter().map(move |n| (i, n)))
        .find(|(_, n)| n.local == local);
    match named {
        Some((import, n)) => from_schedule(&import) && n.imported == "SchedulerRegistry",
        // `schedule.SchedulerRegistry`: the annotation keeps only the last name.
        None => {
            local == "SchedulerRegistry"
                && !model.local_types.iter().any(|t| t == local)
                && model
                    .imports
                    .iter()
                    .filter(from_schedule)
                    .any(|i| i.namespace.is_some())
        }
    }
}

fn member_state(project: &Project, index: FileId, class: &ClassModel, names: &[&str]) -> Member {
    if declares_member(class, names) {
        return Member::Present;
    }
    // A plain parameter passed on to `super(...)` is fine when the base declares
    // the member, so inheritance is asked before the parameter is blamed.
    let inheritance = project.inheritance(index, class, names);
    if inheritance == Inheritance::Has {
        return Member::Inherited;
    }
    let named = |name: Option<&String>| name.is_some_and(|n| names.contains(&n.as_str()));
    let mut params = class.constructor.iter().flat_map(|c| &c.params);
    if let Some(i) = params.position(|p| named(p.name.as_ref())) {
        return Member::PlainParam(i, inheritance);
    }
    if let Some(i) = class.properties.iter().position(|p| named(p.name.as_ref())) {
        return Member::UninjectedProperty(i);
    }
    Member::Absent(inheritance)
}

/// The lock service type's local names in this file (imported or declared).
pub fn lock_type_names(project: &Project, model: &FileModel) -> Vec<String> {
    type_names(model, &project.config.lock_service_type)
}

/// The local names of the type `wanted` in this file (imported or declared).
pub fn type_names(model: &FileModel, wanted: &str) -> Vec<String> {
    let mut names: Vec<String> = model
        .imports
        .iter()
        .flat_map(|i| &i.named)
        .filter(|n| n.imported == wanted)
        .map(|n| n.local.clone())
        .collect();
    if names.is_empty() {
        names.push(wanted.to_string());
    }
    names
}

fn wrong_name(
    project: &Project,
    model: &FileModel,
    class: &ClassModel,
    names: &[&str],
) -> Option<WrongName> {
    let types = lock_type_names(project, model);
    let is_lock_type = |t: Option<&String>| t.is_some_and(|t| types.contains(t));
    let params = class
        .constructor
        .iter()
        .flat_map(|c| &c.params)
        .filter(|p| p.is_property);
    let from_params = params
        .filter(|p| is_lock_type(p.type_name.as_ref()))
        .find_map(|p| Some((p.name.clone()?, p.range.clone())));
    let from_props = || {
        class
            .properties
            .iter()
            .filter(|p| {
                has_decorator(&p.decorators, "Inject") && is_lock_type(p.type_name.as_ref())
            })
            .find_map(|p| Some((p.name.clone()?, p.range.clone())))
    };
    let (name, range) = from_params.or_else(from_props)?;
    (!names.contains(&name.as_str())).then_some(WrongName { name, range })
}

fn optional_member(class: &ClassModel, names: &[&str]) -> Option<Range<usize>> {
    let named = |name: Option<&String>| name.is_some_and(|n| names.contains(&n.as_str()));
    let param = class
        .constructor
        .iter()
        .flat_map(|c| &c.params)
        .find(|p| {
            named(p.name.as_ref()) && (p.optional || has_decorator(&p.decorators, "Optional"))
        })
        .map(|p| p.range.clone());
    param.or_else(|| {
        class
            .properties
            .iter()
            .find(|p| {
                named(p.name.as_ref()) && (p.optional || has_decorator(&p.decorators, "Optional"))
            })
            .map(|p| p.range.clone())
    })
}

impl std::ops::Index<crate::ids::ClassId> for Vec<ClassFacts> {
    type Output = ClassFacts;

    fn index(&self, id: crate::ids::ClassId) -> &Self::Output {
        &self[id.index()]
    }
}
