//! The blast radius of a constructor that gains `lockService`: before
//! anything is written, each missing-lock-service finding lists the places
//! its fix reaches (subclasses whose `super(...)` must pass the service,
//! testing modules that must provide it) and those left to a person (`new
//! X(...)` calls). The fix loop repairs the first two in the same run.

use std::collections::HashMap;

use crate::config::Injection;
use crate::links::Symbol;
use crate::model::{Callee, FileModel};
use crate::modules::ClassKey;
use crate::project::Project;
use crate::rules::test_module_missing_lock::provides;
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
    for (i, finding) in findings.iter().enumerate() {
        let Some(injection) = injections.get(finding.injection) else {
            continue;
        };
        let Some((path, model)) = project.file_model(finding.file) else {
            continue;
        };
        if let Some(class) = model
            .classes
            .iter()
            .position(|c| c.anchor == finding.offset)
            && adds_parameter(finding, &model.classes[class], injection.member)
        {
            targets.insert(((path, class), finding.injection), i);
        }
    }
    let mut sites: Vec<(usize, Related)> = Vec::new();
    let mut fresh: Vec<(ClassKey, usize)> = targets.keys().cloned().collect();
    // Each pass finds the sites of the classes added by the one before:
    // a subclass that gains the parameter has subclasses and specs too.
    while !fresh.is_empty() {
        let names: Vec<String> = fresh
            .iter()
            .filter_map(|((path, class), _)| {
                project.model_at(path)?.classes.get(*class)?.name.clone()
            })
            .collect();
        let current: Targets = fresh
            .drain(..)
            .filter_map(|key| Some((key.clone(), *targets.get(&key)?)))
            .collect();
        for file in 0..project.files.len() {
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
            for (owner, related, gains) in reach.sites(file, &injections) {
                if let Some((key, k)) = gains
                    && !targets.contains_key(&(key.clone(), k))
                {
                    targets.insert((key.clone(), k), owner);
                    fresh.push((key, k));
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
        finding.related.sort_by_key(|r| (r.file, r.offset));
    }
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
/// parameter too), and the subclass that gains the parameter in turn (with
/// its injection).
type Site = (usize, Option<Related>, Option<(ClassKey, usize)>);

impl Reach<'_> {
    /// The target class `name` stands for in this file, with each injection
    /// it gains and the owning finding.
    fn target_of(&self, name: &str) -> Vec<(usize, usize)> {
        let imported = self.model.imported_name(name);
        if !self.names.iter().any(|n| n == name || n == imported) {
            return Vec::new();
        }
        let Symbol::Class { path, class, .. } =
            self.project
                .symbol(self.path, self.model, &Callee::Ident(name.to_string()))
        else {
            return Vec::new();
        };
        let mut found: Vec<(usize, usize)> = self
            .targets
            .iter()
            .filter(|(((p, c), _), _)| *p == path && *c == class)
            .map(|((_, k), owner)| (*k, *owner))
            .collect();
        found.sort_unstable();
        found
    }

    fn sites(&self, file: usize, injections: &[Injection<'_>]) -> Vec<Site> {
        let mut sites = Vec::new();
        let key_of = |class: usize| (self.path.to_path_buf(), class);
        for (index, class) in self.model.classes.iter().enumerate() {
            let Some(Callee::Ident(base)) = &class.super_class else {
                continue;
            };
            let Some(ctor) = &class.constructor else {
                // It runs its base's constructor: its own subclasses, specs
                // and `new` calls must pass the new parameter.
                for (k, owner) in self.target_of(base) {
                    sites.push((owner, None, Some((key_of(index), k))));
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
                sites.push((owner, Some(related), gains));
            }
        }
        for testing in &self.model.testing_modules {
            let Some(providers) = &testing.metadata.providers else {
                continue;
            };
            for head in providers.elements.iter().filter_map(|(_, h)| h.as_deref()) {
                for (k, owner) in self.target_of(head) {
                    let Some(injection) = injections.get(k) else {
                        continue;
                    };
                    if provides(self.model, testing, injection) {
                        continue;
                    }
                    let related = Related {
                        file,
                        position: None,
                        offset: testing.callee.start,
                        message: format!(
                            "testing module providing `{head}`: gets `{{ provide: {}, useValue: {{}} }}`",
                            injection.type_name
                        ),
                    };
                    sites.push((owner, Some(related), None));
                }
            }
        }
        for new in &self.model.constructions {
            for (k, owner) in self.target_of(&new.class) {
                let what = match k {
                    0 => "the lock service".to_string(),
                    _ => format!("`{}`", injections.get(k).map_or("", |i| i.member)),
                };
                let related = Related {
                    file,
                    position: None,
                    offset: new.range.start,
                    message: format!(
                        "`new {}(...)`: must pass {what} by hand (constructor-call-missing-lock)",
                        new.class
                    ),
                };
                sites.push((owner, Some(related), None));
            }
        }
        sites
    }
}
