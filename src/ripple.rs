//! The blast radius of a constructor that gains `lockService`: before
//! anything is written, each missing-lock-service finding (and each
//! unlocked-cron finding, whose migration gives the class the parameter)
//! lists the places its fix reaches (subclasses whose `super(...)` must pass
//! the service, testing modules that must provide it, `new X(...)` calls in
//! tests and factories) and those left to a person (any other `new`). The
//! fix loop repairs the first ones in the same run; a `@Cron` class whose
//! ripple reaches one of the others is not migrated (all or nothing).

use std::collections::HashMap;

use crate::config::Injection;
use crate::ids::{ClassId, FileId};
use crate::links::Symbol;
use crate::model::{Callee, ClassModel, FileModel};
use crate::modules::ClassKey;
use crate::project::Project;
use crate::rules::common::{Shape, provides, provides_itself, shape};
use crate::rules::{Finding, Related, Rule};

/// A class that gains an injected member's parameter, and the finding
/// whose fix (directly or through the ripple) gives it.
type Targets = HashMap<(ClassKey, usize), usize>;

/// Fills `related` of every finding whose fix adds a constructor parameter
/// (missing-lock-service; super-call-missing-lock when the subclass has no
/// such parameter yet): subclasses, their testing modules and `new` calls,
/// down the whole chain of subclasses.
pub fn attach(project: &Project, findings: &mut [Finding]) {
    let injections = project.config.injections();
    let mut targets: Targets = HashMap::new();
    // Further unlocked-cron findings of a class already a target: they
    // share its ripple.
    let mut also: Vec<(usize, usize)> = Vec::new();
    // A class that already lock-decorates a method gains the parameter from
    // missing-lock-service's fix: its `@Cron` migrations add nothing.
    for migration in [false, true] {
        for (i, finding) in findings.iter().enumerate() {
            if (finding.rule == Rule::UnlockedCron) != migration {
                continue;
            }
            let Some(injection) = injections.get(finding.injection) else {
                continue;
            };
            let Some((path, model)) = project.file_model(finding.file) else {
                continue;
            };
            let Some(class) = target_class(&model, finding, injection.member) else {
                continue;
            };
            let key = ((path, class), finding.injection);
            match targets.get(&key) {
                None => {
                    targets.insert(key, i);
                }
                Some(&owner) if migration && findings[owner].rule == Rule::UnlockedCron => {
                    also.push((owner, i));
                }
                Some(_) => {}
            }
        }
    }
    let mut sites: Vec<(usize, Related)> = Vec::new();
    let mut blocked: Vec<(usize, Related, String)> = Vec::new();
    // (a, b): a's ripple reaches a class that b's fix gives the parameter
    // too, and the walk stopped there.
    let mut reaches: Vec<(usize, usize)> = Vec::new();
    let mut fresh: Vec<(ClassKey, usize)> = targets.keys().cloned().collect();
    // Each pass finds the sites of the classes added by the one before:
    // a subclass that gains the parameter has subclasses and specs too.
    while !fresh.is_empty() {
        let names: Vec<String> = fresh
            .iter()
            .filter_map(|((path, class), _)| project.model_at(path)?.class(*class)?.name.clone())
            .collect();
        let current: Targets = fresh
            .drain(..)
            .filter_map(|key| Some((key.clone(), *targets.get(&key)?)))
            .collect();
        for file in project.file_ids() {
            let Some((path, model)) = project.file_model(file) else {
                continue;
            };
            let reach = Reach {
                project,
                path: &path,
                model: &model,
                names: &names,
                targets: &current,
            };
            for (owner, related, gains, blocks) in reach.sites(file, &injections) {
                if let (Some(why), Some(related)) = (blocks, &related) {
                    blocked.push((owner, related.clone(), why));
                }
                if let Some((key, k)) = gains {
                    match targets.get(&(key.clone(), k)) {
                        None => {
                            targets.insert((key.clone(), k), owner);
                            fresh.push((key, k));
                        }
                        Some(&other) if other != owner => reaches.push((owner, other)),
                        Some(_) => {}
                    }
                }
                if let Some(related) = related {
                    sites.push((owner, related));
                }
            }
        }
    }
    for (owner, related) in sites {
        if let Some(finding) = findings.get_mut(owner)
            && !finding.related.contains(&related)
        {
            finding.related.push(related);
        }
    }
    for finding in findings.iter_mut() {
        finding
            .related
            .sort_by_key(|r| (project.rank(r.file), r.offset));
    }
    for (owner, other) in also {
        let shared = findings.get(owner).map(|f| f.related.clone());
        if let Some(finding) = findings.get_mut(other) {
            finding.related = shared.unwrap_or_default();
        }
        blocked.extend(
            blocked
                .iter()
                .filter(|(o, _, _)| *o == owner)
                .map(|(_, r, why)| (other, r.clone(), why.clone()))
                .collect::<Vec<_>>(),
        );
    }
    let blocked = blocked_through(findings, blocked, &reaches);
    hold_back(project, findings, blocked);
}

/// The blocked sites, with those of the migrations each migration's ripple
/// reaches: migrating a base class gives the parameter to a subclass whose
/// own `@Cron` migration is held back, so the base's migration is held back
/// with it (else the subclass's `new` breaks after all). A class reached by
/// a missing-lock-service fix gains the parameter whatever the migration
/// does, so that adds nothing.
fn blocked_through(
    findings: &[Finding],
    mut blocked: Vec<(usize, Related, String)>,
    reaches: &[(usize, usize)],
) -> Vec<(usize, Related, String)> {
    let is_migration = |i: usize| {
        findings
            .get(i)
            .is_some_and(|f| f.rule == Rule::UnlockedCron)
    };
    loop {
        let more: Vec<(usize, Related, String)> = reaches
            .iter()
            .filter(|(a, b)| is_migration(*a) && is_migration(*b))
            .filter(|(a, _)| !blocked.iter().any(|(o, _, _)| o == a))
            .filter_map(|(a, b)| {
                let (_, site, why) = blocked.iter().find(|(o, _, _)| o == b)?;
                Some((*a, site.clone(), why.clone()))
            })
            .collect();
        if more.is_empty() {
            return blocked;
        }
        blocked.extend(more);
    }
}

/// An unlocked-cron finding whose class's ripple reaches a site no fix can
/// repair is not migrated: a migration that leaves a `new` short of an
/// argument turns a job that runs (on every replica) into a build that
/// fails. The finding says so and names the first such site. Other
/// findings (a class already lock-decorated) are fixed as before: the class
/// is broken either way, and constructor-call-missing-lock says what is left.
fn hold_back(
    project: &Project,
    findings: &mut [Finding],
    mut blocked: Vec<(usize, Related, String)>,
) {
    blocked.sort_by_key(|(owner, r, _)| (*owner, project.rank(r.file), r.offset));
    blocked.dedup_by_key(|(owner, _, _)| *owner);
    for (owner, site, why) in blocked {
        let Some(finding) = findings.get_mut(owner) else {
            continue;
        };
        if finding.rule != Rule::UnlockedCron {
            continue;
        }
        let display = project.file(site.file).map_or("?", |f| f.display.as_str());
        let line = project
            .read_source(site.file)
            .map_or(0, |source| source.line_col(site.offset).0);
        finding.message.push_str(&format!(
            "; `--migrate-cron` leaves this class alone: its constructor would take `{}`, and no fix can \
pass it to {why} at {display}:{line}",
            project.config.lock_service_member,
        ));
        finding.fix = None;
        finding.held_back = true;
    }
}

/// The class whose constructor the finding's fix gives a parameter, if it
/// does: the class of a missing-lock-service (or super-call-missing-lock)
/// finding, or the class of an unlocked `@Cron` that its migration leaves
/// without the member (see `unlocked_cron`).
fn target_class(model: &FileModel, finding: &Finding, member: &str) -> Option<ClassId> {
    if finding.rule == Rule::UnlockedCron {
        return model.find_class(|c| {
            c.methods
                .iter()
                .flat_map(|m| &m.decorators)
                .any(|d| d.range.start == finding.offset)
        });
    }
    let class = model.find_class(|c| c.anchor == finding.offset)?;
    adds_parameter(finding, &model.classes[class], member).then_some(class)
}

/// Whether the finding's fix gives its class a new constructor parameter.
fn adds_parameter(finding: &Finding, class: &crate::model::ClassModel, member: &str) -> bool {
    let has_param = || {
        class
            .constructor
            .iter()
            .flat_map(|c| &c.params)
            .any(|p| p.name.as_deref() == Some(member))
    };
    match finding.rule {
        Rule::MissingLockService => finding.fix.is_some(),
        // Its fix adds the parameter unless the subclass already has it.
        Rule::SuperCallMissingLock => finding.fix.is_some() && !has_param(),
        _ => false,
    }
}

/// One file, looked at for the places the target classes' new parameter
/// reaches.
struct Reach<'a> {
    project: &'a Project,
    path: &'a std::path::Path,
    model: &'a std::sync::Arc<FileModel>,
    names: &'a [String],
    targets: &'a Targets,
}

/// A ripple site: the finding it belongs to, the note (none for a subclass
/// without a constructor: nothing changes there, but it takes the new
/// parameter too), the subclass that gains the parameter in turn (with
/// its injection), and, when no fix can repair it, what and why in words.
type Site = (
    usize,
    Option<Related>,
    Option<(ClassKey, usize)>,
    Option<String>,
);

impl Reach<'_> {
    /// The target class `name` stands for in this file, with each injection
    /// it gains and the owning finding.
    fn target_of(&self, name: &Callee) -> Vec<(usize, usize)> {
        self.targets_of(name)
            .into_iter()
            .map(|(k, owner, _)| (k, owner))
            .collect()
    }

    /// [`Reach::target_of`], with the class's key. `name` is a plain name
    /// or a name of a namespace import (`ns.X`).
    fn targets_of(&self, name: &Callee) -> Vec<(usize, usize, ClassKey)> {
        // A default import names a class of any name.
        let named = match name {
            Callee::Ident(name) => {
                let imported = self.model.imported_name(name);
                self.names.iter().any(|n| n == name || n == imported)
                    || self
                        .model
                        .imports
                        .iter()
                        .any(|i| i.default.as_deref() == Some(name))
            }
            Callee::Member { property, .. } => {
                property == "default" || self.names.iter().any(|n| n == property)
            }
            Callee::Other => false,
        };
        if !named {
            return Vec::new();
        }
        let Symbol::Class { path, class, .. } = self.project.symbol(self.path, self.model, name)
        else {
            return Vec::new();
        };
        let mut found: Vec<(usize, usize, ClassKey)> = self
            .targets
            .iter()
            .filter(|(((p, c), _), _)| *p == path && *c == class)
            .map(|((_, k), owner)| (*k, *owner, (path.clone(), class)))
            .collect();
        found.sort_unstable();
        found
    }

    fn sites(&self, file: FileId, injections: &[Injection<'_>]) -> Vec<Site> {
        let mut sites = Vec::new();
        let key_of = |class: ClassId| (self.path.to_path_buf(), class);
        for (index, class) in self.model.classes_with_ids() {
            let Some(base @ (Callee::Ident(_) | Callee::Member { .. })) = &class.super_class else {
                continue;
            };
            let Some(ctor) = &class.constructor else {
                // It runs its base's constructor: its own subclasses, specs
                // and `new` calls must pass the new parameter.
                for (k, owner) in self.target_of(base) {
                    sites.push((owner, None, Some((key_of(index), k)), None));
                }
                continue;
            };
            if ctor.super_call.is_none() {
                continue;
            }
            for (k, owner) in self.target_of(base) {
                let member = injections.get(k).map_or("lockService", |i| i.member);
                let name = class.name.as_deref().unwrap_or("(anonymous)");
                let related = Related {
                    file,
                    position: None,
                    offset: class.anchor,
                    message: format!(
                        "subclass `{name}`: takes `{member}` and passes it to `super(...)`"
                    ),
                };
                let gains = ctor
                    .params
                    .iter()
                    .all(|p| p.name.as_deref() != Some(member))
                    .then(|| (key_of(index), k));
                sites.push((owner, Some(related), gains, None));
            }
        }
        for testing in &self.model.testing_modules {
            let Some(providers) = &testing.metadata.providers else {
                continue;
            };
            for head in provides_itself(providers) {
                for (k, owner) in self.target_of(&head) {
                    let Some(injection) = injections.get(k) else {
                        continue;
                    };
                    if provides(self.model, testing, injection) {
                        continue;
                    }
                    let head = match &head {
                        Callee::Member { object, property } => format!("{object}.{property}"),
                        Callee::Ident(name) => name.clone(),
                        Callee::Other => continue,
                    };
                    let related = Related {
                        file,
                        position: None,
                        offset: testing.callee.start,
                        message: format!(
                            "testing module providing `{head}`: gets `{{ provide: {}, useValue: {{}} }}`",
                            injection.type_name
                        ),
                    };
                    sites.push((owner, Some(related), None, None));
                }
            }
        }
        for new in &self.model.constructions {
            for (k, owner, target) in self.targets_of(&new.callee) {
                let Some(injection) = injections.get(k) else {
                    continue;
                };
                let position = self.planned_position(&target, injection.member);
                let class = &new.class;
                let (message, blocks) = match shape(
                    self.project,
                    file,
                    self.model,
                    new,
                    position,
                    injection,
                ) {
                    Ok(Shape::StandIn) => (
                        format!(
                            "`new {class}(...)` in a test: gets `{{}} as {}`",
                            injection.type_name
                        ),
                        None,
                    ),
                    Ok(Shape::Factory(_)) => (
                        format!(
                            "`new {class}(...)` in a `useFactory`: gets `{}`, injected through `inject`",
                            injection.member
                        ),
                        None,
                    ),
                    Err(why) => {
                        let what = match k {
                            0 => "the lock service".to_string(),
                            _ => format!("`{}`", injection.member),
                        };
                        (
                            format!(
                                "`new {class}(...)` {why}: must pass {what} by hand (constructor-call-missing-lock)"
                            ),
                            Some(format!("`new {class}(...)` ({why})")),
                        )
                    }
                };
                let related = Related {
                    file,
                    position: None,
                    offset: new.range.start,
                    message,
                };
                sites.push((owner, Some(related), None, blocks));
            }
        }
        sites
    }

    /// The argument position `member` will have in the constructor that
    /// builds `target` (its own, or the base's it runs): before the first
    /// optional, defaulted or rest parameter, as the fix places it.
    fn planned_position(&self, target: &ClassKey, member: &str) -> usize {
        let Some(model) = self.project.model_at(&target.0) else {
            return 0;
        };
        let Some((_, owner, class)) = self.project.constructing_class(&target.0, &model, target.1)
        else {
            return 0;
        };
        owner
            .class(class)
            .and_then(|c: &ClassModel| c.constructor.as_ref())
            .map_or(0, |ctor| {
                ctor.params
                    .iter()
                    .position(|p| p.name.as_deref() == Some(member))
                    .or_else(|| {
                        ctor.params
                            .iter()
                            .position(|p| p.optional || p.has_default || p.rest)
                    })
                    .unwrap_or(ctor.params.len())
            })
    }
}
