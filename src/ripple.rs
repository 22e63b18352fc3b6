//! The blast radius of a constructor that gains `lockService`: before
//! anything is written, each missing-lock-service finding lists the places
//! its fix reaches (subclasses whose `super(...)` must pass the service,
//! testing modules that must provide it) and those left to a person (`new
//! X(...)` calls). The fix loop repairs the first two in the same run.

use std::collections::HashMap;

use crate::links::Symbol;
use crate::model::Callee;
use crate::modules::ClassKey;
use crate::project::Project;
use crate::rules::test_module_missing_lock::provides_lock;
use crate::rules::{Finding, Related, Rule};

/// Fills `related` of every missing-lock-service finding whose fix adds a
/// constructor parameter.
pub fn attach(project: &Project, findings: &mut [Finding]) {
    let mut targets: HashMap<ClassKey, usize> = HashMap::new();
    for (i, finding) in findings.iter().enumerate() {
        if finding.rule != Rule::MissingLockService || finding.fix.is_none() {
            continue;
        }
        let Some((path, model)) = project.file_model(finding.file) else {
            continue;
        };
        if let Some(class) = model
            .classes
            .iter()
            .position(|c| c.anchor == finding.offset)
        {
            targets.insert((path, class), i);
        }
    }
    if targets.is_empty() {
        return;
    }
    let names: Vec<String> = targets
        .keys()
        .filter_map(|(path, class)| project.model_at(path)?.classes.get(*class)?.name.clone())
        .collect();
    for file in 0..project.files.len() {
        let Some((path, model)) = project.file_model(file) else {
            continue;
        };
        let target_of = |name: &str| -> Option<usize> {
            let imported = model.imported_name(name);
            if !names.iter().any(|n| n == name || n == imported) {
                return None;
            }
            match project.symbol(&path, &model, &Callee::Ident(name.to_string())) {
                Symbol::Class { path, class, .. } => targets.get(&(path, class)).copied(),
                _ => None,
            }
        };
        let mut sites: Vec<(usize, Related)> = Vec::new();
        for class in &model.classes {
            let Some(Callee::Ident(base)) = &class.super_class else {
                continue;
            };
            let Some(ctor) = &class.constructor else {
                continue;
            };
            if ctor.super_call.is_none() {
                continue;
            }
            if let Some(target) = target_of(base) {
                let name = class.name.as_deref().unwrap_or("(anonymous)");
                sites.push((
                    target,
                    Related {
                        file,
                        offset: class.anchor,
                        message: format!(
                            "subclass `{name}`: takes `lockService` and passes it to `super(...)`"
                        ),
                    },
                ));
            }
        }
        for testing in &model.testing_modules {
            let Some(providers) = &testing.metadata.providers else {
                continue;
            };
            if provides_lock(&model, testing, &project.config) {
                continue;
            }
            for head in providers.elements.iter().filter_map(|(_, h)| h.as_deref()) {
                if let Some(target) = target_of(head) {
                    sites.push((
                        target,
                        Related {
                            file,
                            offset: testing.callee.start,
                            message: format!(
                                "testing module providing `{head}`: gets `{{ provide: {}, useValue: {{}} }}`",
                                project.config.lock_service_type
                            ),
                        },
                    ));
                }
            }
        }
        for new in &model.constructions {
            if let Some(target) = target_of(&new.class) {
                sites.push((
                    target,
                    Related {
                        file,
                        offset: new.range.start,
                        message: format!(
                            "`new {}(...)`: must pass the lock service by hand (constructor-call-missing-lock)",
                            new.class
                        ),
                    },
                ));
            }
        }
        for (target, related) in sites {
            if let Some(finding) = findings.get_mut(target) {
                finding.related.push(related);
            }
        }
    }
    for finding in findings.iter_mut() {
        finding.related.sort_by_key(|r| (r.file, r.offset));
    }
}
