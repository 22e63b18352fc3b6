//! The file stage: every file-level rule on one file, and what the package
//! stage needs from it. Files are judged in parallel, each on its own.

use super::FileResult;
use crate::ids::{ClassId, FileId};
use crate::model::ClassModel;
use crate::project::{FileState, Project};
use crate::rules;
use crate::semantic::{ClassFacts, FileContext, Member};

/// The file stage of file `index`: every file-level rule, and what the
/// package stage needs from the file.
pub fn check_file(project: &Project, index: FileId) -> FileResult {
    let mut result = FileResult::default();
    match &project.files[index].state {
        FileState::Broken { error, .. } => {
            result
                .findings
                .push(rules::parse_error::finding(index, error));
            return result;
        }
        FileState::Skipped | FileState::Removed => return result,
        FileState::Parsed { .. } => {}
    }
    let Some(ctx) = FileContext::new(project, index) else {
        return result;
    };
    rules::run_file_rules(&ctx, &mut result.findings);
    result.modules = rules::missing_lock_module::module_classes(&ctx);
    let injections = project.config.injections();
    for (class, facts) in ctx.model.class_ids().zip(&ctx.classes) {
        let inherited = inherited_params(project, index, class);
        let takes = |member: &str| inherited.iter().any(|p| p == member);
        let injects_lock =
            facts.injects_member || injections.first().is_some_and(|lock| takes(lock.member));
        if !facts.lock_uses.is_empty() || injects_lock {
            result.lock_users.push(class);
        }
        if injects_lock {
            result.injectors.push((0, class));
        }
        let params = || {
            ctx.model.classes[class]
                .constructor
                .iter()
                .flat_map(|c| &c.params)
        };
        for (k, injection) in injections.iter().enumerate().skip(1) {
            if params().any(|p| p.name.as_deref() == Some(injection.member))
                || takes(injection.member)
            {
                result.injectors.push((k, class));
            }
        }
        result.unlocked_interval += facts
            .schedule_uses
            .iter()
            .filter(|s| s.name != "Cron" && !s.locked)
            .count();
        if !facts.lock_uses.is_empty() || facts.guarded {
            result.needing += 1;
            let lock_done = facts.lock_uses.is_empty() || facts.is_complete();
            result.complete += usize::from(lock_done && facts.guard_needs.is_empty());
            result
                .unknown_bases
                .extend(unread_base(&ctx.model.classes[class], facts));
        }
        result.unlocked_dynamic += facts.dynamic_jobs.iter().filter(|j| !j.locked).count();
        result.locked_in_body += facts
            .schedule_uses
            .iter()
            .filter(|s| s.locked_in_body)
            .count()
            + facts
                .dynamic_jobs
                .iter()
                .filter(|j| j.locked_in_body)
                .count();
        result.unlocked_cron += facts
            .schedule_uses
            .iter()
            .filter(|s| s.name == "Cron" && !s.locked)
            .count();
    }
    result
}

/// The parameter names a derived class without a constructor of its own
/// takes from the base whose constructor it runs (empty for any other
/// class): Nest injects them, and `new` must pass them, as if declared there.
fn inherited_params(project: &Project, index: FileId, class: ClassId) -> Vec<String> {
    let Some((path, model)) = project.file_model(index) else {
        return Vec::new();
    };
    let Some(declared) = model.class(class) else {
        return Vec::new();
    };
    if declared.constructor.is_some() || declared.super_class.is_none() {
        return Vec::new();
    }
    let Some((_, owner, at)) = project.constructing_class(&path, &model, class) else {
        return Vec::new();
    };
    owner
        .class(at)
        .and_then(|c| c.constructor.as_ref())
        .iter()
        .flat_map(|c| &c.params)
        .filter_map(|p| p.name.clone())
        .collect()
}

/// The class's name and its base's, when whether the lock-decorated (or
/// guard-decorated) `class` has its member depends on a base class that
/// could not be read.
fn unread_base(class: &ClassModel, facts: &ClassFacts) -> Option<(String, String)> {
    let lock = Some(&facts.member).filter(|_| !facts.lock_uses.is_empty());
    let (base, _) = lock
        .into_iter()
        .chain(facts.guard_needs.iter().map(|n| &n.state))
        .find_map(Member::unread_base)?;
    let name = class.name.as_deref().unwrap_or("(anonymous class)");
    Some((name.to_string(), base.to_string()))
}
