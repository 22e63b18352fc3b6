//! The package stage: once every file is judged, the rules that judge a
//! package or an application, from what the files of each package add up to.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::settle::{settle, sort_findings};
use super::{Analysis, FileResult, Judgement, PackageSummary, RuleFilter};
use crate::ids::{ClassId, FileId, PackageId};
use crate::modules::{self, Application, ClassKey, LockUsers, ModuleClass, Registration};
use crate::project::Project;
use crate::rules::{self, Finding, Rule};
use crate::semantic::FileContext;

/// What the files of one package add up to.
#[derive(Default)]
struct Tally {
    summary: PackageSummary,
    modules: Vec<ModuleClass>,
    uses_lock: bool,
}

/// The package stage: adds up the file stage's results (indexed by file
/// id; `None`: nothing to add up) per package and application, in display
/// path order, runs the rules that judge a package or an application, and
/// settles and sorts every finding.
pub fn package_stage(
    project: &Project,
    filter: &RuleFilter,
    results: &[Option<Box<FileResult>>],
) -> Analysis {
    let mut tallies: BTreeMap<PackageId, Tally> = BTreeMap::new();
    let mut lock_users = LockUsers::default();
    let mut injectors: Vec<LockUsers> = project
        .config
        .injections()
        .iter()
        .map(|_| LockUsers::default())
        .collect();
    let mut all_modules = Vec::new();
    let mut findings = Vec::new();
    for index in project.file_ids() {
        let file = &project.files[index];
        let tally = tallies.entry(file.package).or_default();
        tally.summary.package = file.package;
        let Some(result) = results.get(index.index()).and_then(Option::as_deref) else {
            continue;
        };
        tally.summary.classes_needing_lock += result.needing;
        tally.summary.classes_complete += result.complete;
        tally.summary.unlocked_cron += result.unlocked_cron;
        tally.summary.unlocked_interval += result.unlocked_interval;
        tally.summary.unlocked_dynamic += result.unlocked_dynamic;
        tally.summary.locked_in_body += result.locked_in_body;
        tally
            .summary
            .unknown_bases
            .extend(result.unknown_bases.iter().cloned());
        tally.uses_lock |= !result.lock_users.is_empty();
        tally.modules.extend(result.modules.iter().copied());
        all_modules.extend(result.modules.iter().copied());
        let model = project.model(index);
        let name_of = |class: ClassId| {
            model
                .and_then(|model| model.class(class))
                .and_then(|c| c.name.as_deref())
        };
        for &class in &result.lock_users {
            lock_users.insert((file.key().to_path_buf(), class), name_of(class));
        }
        for &(injection, class) in &result.injectors {
            if let Some(takers) = injectors.get_mut(injection) {
                takers.insert((file.key().to_path_buf(), class), name_of(class));
            }
        }
        findings.extend(result.findings.iter().cloned());
    }
    let lock_users = lock_users.with_aliases(project);
    let injectors: Vec<LockUsers> = injectors
        .into_iter()
        .map(|takers| takers.with_aliases(project))
        .collect();
    let apps = applications(project, &tallies, &lock_users);

    let mut given_lock_module = Vec::new();
    for app in &apps {
        if let Some(finding) = rules::missing_lock_module::check_application(project, app) {
            given_lock_module.push(app.root);
            findings.push(finding);
        }
        findings.extend(rules::lock_module_unknown::check(project, app));
    }
    findings.extend(rules::lock_module_not_imported::check(
        project,
        &all_modules,
        &lock_users,
        &given_lock_module,
    ));

    findings.extend(caller_findings(project, &injectors));

    let any_application = !apps.is_empty();
    let tallies_modules: BTreeMap<PackageId, Vec<ModuleClass>> = tallies
        .iter()
        .map(|(&package, tally)| (package, tally.modules.clone()))
        .collect();
    let mut packages = Vec::new();
    for (package, tally) in tallies {
        let Tally {
            mut summary,
            modules,
            ..
        } = tally;
        summary.has_modules = !modules.is_empty();
        summary.judgement = judge(project, package, &summary, &apps, any_application);
        if summary.judgement == Judgement::Judged(Registration::Unknown) {
            summary.unknown_because = deciding_apps(project, package, &apps)
                .flat_map(Application::unknown_because)
                .collect();
            summary.unknown_because.sort();
            summary.unknown_because.dedup();
        }
        // A package that only declares the member (a base class) is judged
        // through whoever uses it, and not listed for itself.
        let relevant = summary.unlocked_cron > 0
            || summary.unlocked_interval > 0
            || summary.unlocked_dynamic > 0
            || summary.locked_in_body > 0
            || summary.classes_needing_lock > 0
            || summary.judgement != Judgement::NotApplicable;
        if !relevant {
            continue;
        }
        summary.modules = modules;
        packages.push(summary);
    }
    crate::ripple::attach(project, &mut findings);

    registration_ripple(project, &tallies_modules, &mut findings);

    let mut findings = settle(project, filter, findings);

    sort_findings(project, &mut findings);
    packages.sort_by(|a, b| {
        let key = |s: &PackageSummary| {
            let p = &project.packages[s.package.index()];
            (p.name.clone(), p.display.clone())
        };
        key(a).cmp(&key(b))
    });
    Analysis { findings, packages }
}

/// Notes, on each unlocked-cron finding whose migration gives its class the
/// lock service, the root module of every application that provides the
/// class and does not register the lock module yet: the migration makes
/// missing-lock-module add it there (see `ripple` for the other sites).
/// `modules` are each package's `@Module` classes.
fn registration_ripple(
    project: &Project,
    modules: &BTreeMap<PackageId, Vec<ModuleClass>>,
    findings: &mut [Finding],
) {
    let mut migrated = LockUsers::default();
    let mut owners: Vec<(ClassKey, usize)> = Vec::new();
    for (i, finding) in findings.iter().enumerate() {
        if finding.rule != Rule::UnlockedCron || finding.injection != 0 {
            continue;
        }
        let Some((path, model)) = project.file_model(finding.file) else {
            continue;
        };
        let class = model.find_class(|c| {
            c.methods
                .iter()
                .flat_map(|m| &m.decorators)
                .any(|d| d.range.start == finding.offset)
        });
        if let Some(class) = class {
            let key = (path, class);
            migrated.insert(key.clone(), model.classes[class].name.as_deref());
            owners.push((key, i));
        }
    }
    if owners.is_empty() {
        return;
    }
    let entries: Vec<FileId> = project
        .file_ids()
        .filter(|&i| project.model(i).is_some_and(|m| !m.bootstraps.is_empty()))
        .collect();
    let lock_module = &project.config.lock_module;
    let reads = modules::ModuleReads::default();
    for (&package, modules) in modules {
        for root in modules::root_modules(project, package, modules, &entries).modules {
            let app = modules::application(project, package, root, &migrated, &reads);
            let editable = app.registration == Registration::No
                || (app.registration == Registration::Unknown && app.conditional.is_empty());
            if app.reached.is_empty() || !editable {
                continue;
            }
            let Some(model) = project.model(root.file) else {
                continue;
            };
            let Some(class) = model.class(root.class) else {
                continue;
            };
            let Some(decorator) = class.decorators.get(root.decorator) else {
                continue;
            };
            let related = crate::rules::Related {
                file: root.file,
                offset: decorator.range.start,
                message: format!(
                    "root module `{}`: gets `{lock_module}` in its `imports` (missing-lock-module)",
                    class.name.as_deref().unwrap_or("(anonymous)")
                ),
                position: None,
            };
            for (key, owner) in &owners {
                if app.reached.contains(key)
                    && let Some(finding) = findings.get_mut(*owner)
                    && !finding.related.contains(&related)
                {
                    finding.related.push(related.clone());
                    finding
                        .related
                        .sort_by_key(|r| (project.rank(r.file), r.offset));
                }
            }
        }
    }
}

/// test-module-missing-lock and constructor-call-missing-lock, in the files
/// that build testing modules or construct classes; `injectors` take the
/// lock service.
fn caller_findings(project: &Project, injectors: &[LockUsers]) -> Vec<Finding> {
    (0..project.files.len())
        .into_par_iter()
        .map(FileId::new)
        .filter(|&i| {
            project.model(i).is_some_and(|m| {
                m.testing_modules.iter().any(|t| {
                    t.metadata.providers.as_ref().is_some_and(|providers| {
                        rules::common::provides_itself(providers)
                            .any(|head| injectors.iter().any(|u| u.may_name_callee(m, &head)))
                    })
                }) || m
                    .constructions
                    .iter()
                    .any(|c| injectors.iter().any(|t| t.may_name_callee(m, &c.callee)))
            })
        })
        .flat_map_iter(|index| {
            let mut out = Vec::new();
            if let Some(ctx) = FileContext::new(project, index) {
                rules::test_module_missing_lock::check(&ctx, injectors, &mut out);
                rules::constructor_call_missing_lock::check(&ctx, injectors, &mut out);
            }
            out
        })
        .collect()
}

/// The applications of the scan that have something to do with the lock:
/// their graph provides a lock-using class, or their package holds one.
fn applications(
    project: &Project,
    tallies: &BTreeMap<PackageId, Tally>,
    lock_users: &LockUsers,
) -> Vec<Application> {
    // An application matters only through lock-using classes (its graph
    // provides one, or its package holds one): a scan with none has no
    // application to judge, and no graph need be read.
    if lock_users.is_empty() {
        return Vec::new();
    }
    let entries: Vec<FileId> = project
        .file_ids()
        .filter(|&i| project.model(i).is_some_and(|m| !m.bootstraps.is_empty()))
        .collect();
    let roots: Vec<(PackageId, ModuleClass, bool)> = tallies
        .iter()
        .flat_map(|(&package, tally)| {
            let roots = modules::root_modules(project, package, &tally.modules, &entries);
            let guessed = roots.guessed;
            roots
                .modules
                .into_iter()
                .map(move |root| (package, root, guessed))
        })
        .collect();
    let reads = modules::ModuleReads::default();
    roots
        .into_par_iter()
        .map(|(package, root, guessed)| {
            (
                modules::application(project, package, root, lock_users, &reads),
                guessed,
            )
        })
        .filter(|(app, guessed)| {
            let package_uses_lock = tallies.get(&app.package).is_some_and(|t| t.uses_lock);
            !app.reached.is_empty() || (package_uses_lock && !guessed)
        })
        .map(|(app, _)| app)
        .collect()
}

/// The applications package `package` is judged by: its own, else those
/// whose graph reaches one of its lock-using classes.
fn deciding_apps<'a>(
    project: &'a Project,
    package: PackageId,
    apps: &'a [Application],
) -> impl Iterator<Item = &'a Application> + 'a {
    let own = apps.iter().any(|a| a.package == package);
    let in_package = move |key: &ClassKey| {
        project
            .index_of(&key.0)
            .is_some_and(|i| project.files[i].package == package)
    };
    apps.iter().filter(move |a| {
        if own {
            a.package == package
        } else {
            a.reached.iter().any(in_package)
        }
    })
}

/// How package `package` stands on registration.
fn judge(
    project: &Project,
    package: PackageId,
    summary: &PackageSummary,
    apps: &[Application],
    any_application: bool,
) -> Judgement {
    let deciding = deciding_apps(project, package, apps).map(|a| a.registration);
    if let Some(registration) = Registration::combine(deciding) {
        return Judgement::Judged(registration);
    }
    if summary.classes_needing_lock == 0 {
        return Judgement::NotApplicable;
    }
    if !summary.has_modules && !any_application {
        return Judgement::NoModule;
    }
    Judgement::NoApplication
}
