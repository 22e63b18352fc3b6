//! The pipeline: judge every file (in parallel), then every package, then
//! filter by configuration and suppressions and sort; and the fix loop.

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use crate::budget::with_module_in_budget;
use crate::fix;
use crate::fix::change_set::ChangeSets;
use crate::ids::{ClassId, FileId, PackageId};
use crate::model::ClassModel;
use crate::modules::{
    self, Application, ClassKey, LockUsers, ModuleClass, Registration, imports_lock_module,
};
use crate::project::{FileState, Original, Project};
use crate::rules::{self, Finding, Position, Rule};
use crate::semantic::{ClassFacts, FileContext, Member};
use crate::source::SourceText;

/// Which rules the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct RuleFilter {
    /// `--select`: only these (empty: all).
    pub select: Vec<Rule>,
    /// `--ignore`: never these.
    pub ignore: Vec<Rule>,
    /// `fix --skip-baselined`: findings this baseline records are reported
    /// but not fixed.
    pub skip_baselined: Option<std::sync::Arc<crate::baseline::Baseline>>,
}

impl RuleFilter {
    fn allows(&self, rule: Rule) -> bool {
        (self.select.is_empty() || self.select.contains(&rule)) && !self.ignore.contains(&rule)
    }
}

/// How a package stands on registering the lock module.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Judgement {
    /// Nothing in the package needs the lock module.
    #[default]
    NotApplicable,
    /// The package uses lock decorators but has no `@Module` and no
    /// application in the scan: there is nothing to judge it by.
    NoModule,
    /// Judged through its own applications, or those that import it.
    Judged(Registration),
    /// It uses lock decorators but no application in the scan reaches them.
    NoApplication,
}

/// Readiness of one package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageSummary {
    /// Its package.
    pub package: PackageId,
    /// Its `@Module` classes, whose imports tell whether the lock module is
    /// registered when `judgement` does not (see
    /// [`PackageSummary::lock_module_registered`]).
    modules: Vec<ModuleClass>,
    /// How the answer on registration is reached.
    pub judgement: Judgement,
    /// When registration is unknown, why, in words (`registered only when
    /// `isDesktop()` is false`, `an `imports` list cannot be read`).
    pub unknown_because: Vec<String>,
    /// The package has at least one `@Module`.
    pub has_modules: bool,
    /// Classes with lock-decorated methods.
    pub classes_needing_lock: usize,
    /// Of those, the ones with the member.
    pub classes_complete: usize,
    /// `@Cron` jobs without a lock.
    pub unlocked_cron: usize,
    /// `@Interval`/`@Timeout` jobs (they run on every replica).
    pub unlocked_interval: usize,
    /// Lock-decorated classes whose member depends on a base class that
    /// could not be read (lock-base-unknown), as (class, base): the
    /// readiness verdict is unknown while any is left, whether or not the
    /// finding is shown.
    pub unknown_bases: Vec<(String, String)>,
    /// Jobs scheduled in code (`SchedulerRegistry#addCronJob`...) without a lock.
    pub unlocked_dynamic: usize,
    /// Scheduled jobs whose only lock is a configured `[[lock-call]]` in
    /// their body.
    pub locked_in_body: usize,
}

impl PackageSummary {
    /// As the JSON field: `true`/`false`, `null` when it cannot be verified.
    /// A package that needs no lock (plain `@Cron` jobs only) is answered
    /// from its modules' own `imports`, followed across files only when
    /// asked: only the JSON report shows it. `project` is the one analysed.
    pub fn lock_module_registered(&self, project: &Project) -> Option<bool> {
        match &self.judgement {
            Judgement::Judged(registration) => registration.as_option(),
            Judgement::NoApplication => None,
            Judgement::NoModule => Some(false),
            // Each module's imports are followed across files: on all cores.
            Judgement::NotApplicable => Some(
                self.modules
                    .par_iter()
                    .any(|m| imports_lock_module(project, m) == Some(true)),
            ),
        }
    }

    /// Why registration is unknown, in one phrase.
    pub fn unknown_reason(&self) -> String {
        if self.unknown_because.is_empty() {
            "an `imports` list cannot be read".to_string()
        } else {
            self.unknown_because.join("; ")
        }
    }
}

/// Everything one check found.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Findings after configuration, selection and suppressions, sorted.
    pub findings: Vec<Finding>,
    /// One entry per package that has anything to do with scheduling or
    /// locks, sorted by name.
    pub packages: Vec<PackageSummary>,
}

impl Analysis {
    /// What could not be verified, in words (empty when everything could).
    pub fn unknowns(&self, project: &Project) -> Vec<String> {
        let lock_module = &project.config.lock_module;
        self.packages
            .iter()
            .filter_map(|s| {
                let name = &project.package(s.package)?.name;
                match s.judgement {
                    Judgement::Judged(Registration::Unknown) => Some(format!(
                        "whether `{name}` registers `{lock_module}` ({})",
                        s.unknown_reason()
                    )),
                    Judgement::NoApplication => Some(format!(
                        "whether `{name}` is registered: no application in the scan imports its lock-using classes"
                    )),
                    _ => None,
                }
            })
            .chain(self.packages.iter().filter_map(|s| {
                let name = &project.package(s.package)?.name;
                unread_bases(name, &project.config.lock_service_member, &s.unknown_bases)
            }))
            .collect()
    }

    /// The contract's `ready`: no findings, and registration verified for
    /// every package that needs it.
    pub fn is_ready(&self) -> bool {
        self.findings.is_empty()
            && self.packages.iter().all(|s| {
                !matches!(
                    s.judgement,
                    Judgement::Judged(Registration::No | Registration::Unknown)
                        | Judgement::NoApplication
                ) && s.unknown_bases.is_empty()
            })
    }
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

/// The readiness report's words for the classes of package `name` whose
/// base could not be read, if any.
fn unread_bases(name: &str, member: &str, classes: &[(String, String)]) -> Option<String> {
    const SHOWN: usize = 3;
    let ((class, base), rest) = classes.split_first()?;
    if rest.is_empty() {
        return Some(format!(
            "whether `{class}` in `{name}` has `{member}`: its base `{base}` could not be read"
        ));
    }
    let mut listed = classes
        .iter()
        .take(SHOWN)
        .map(|(class, base)| format!("`{class}` extends `{base}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if classes.len() > SHOWN {
        listed.push_str(&format!(" and {} more", classes.len() - SHOWN));
    }
    Some(format!(
        "whether {} classes in `{name}` have `{member}`: their base classes could not be read ({listed})",
        classes.len()
    ))
}

/// What the file stage found in one file: its findings, and what the
/// package stage adds up.
#[derive(Default, Clone)]
pub struct FileResult {
    findings: Vec<Finding>,
    modules: Vec<ModuleClass>,
    /// Classes that use a lock decorator or inject the lock service.
    lock_users: Vec<ClassId>,
    /// Classes that take an injected member, as (injection, class): their
    /// providers and subclasses need it.
    injectors: Vec<(usize, ClassId)>,
    needing: usize,
    complete: usize,
    unlocked_cron: usize,
    unlocked_interval: usize,
    unlocked_dynamic: usize,
    locked_in_body: usize,
    unknown_bases: Vec<(String, String)>,
}

impl FileResult {
    /// The result on the heap, or `None` when it holds nothing.
    pub fn into_boxed(self) -> Option<Box<FileResult>> {
        // Every field named, so that a new one cannot be forgotten here.
        let FileResult {
            findings,
            modules,
            lock_users,
            injectors,
            needing,
            complete,
            unlocked_cron,
            unlocked_interval,
            unlocked_dynamic,
            locked_in_body,
            unknown_bases,
        } = &self;
        let empty = findings.is_empty()
            && modules.is_empty()
            && lock_users.is_empty()
            && injectors.is_empty()
            && unknown_bases.is_empty()
            && [
                needing,
                complete,
                unlocked_cron,
                unlocked_interval,
                unlocked_dynamic,
                locked_in_body,
            ]
            .iter()
            .all(|&&n| n == 0);
        (!empty).then(|| Box::new(self))
    }
}

/// What the files of one package add up to.
#[derive(Default)]
struct Tally {
    summary: PackageSummary,
    modules: Vec<ModuleClass>,
    uses_lock: bool,
}

/// Runs every rule on the project.
pub fn analyze(project: &Project, filter: &RuleFilter) -> Analysis {
    // Most files give nothing (skipped by the prefilter, or nothing to
    // report): an empty result is kept as `None`, 8 bytes rather than a
    // whole `FileResult` per file (~7 MB at 50k files, alive at the peak).
    let results: Vec<Option<Box<FileResult>>> = (0..project.files.len())
        .into_par_iter()
        .map(FileId::new)
        .map(|index| check_file(project, index).into_boxed())
        .collect();
    package_stage(project, filter, &results)
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

/// Applies configured severities, `--select`/`--ignore` and `// cronlock-ignore`,
/// and works out where each finding (and each related site) is.
fn settle(project: &Project, filter: &RuleFilter, findings: Vec<Finding>) -> Vec<Finding> {
    let mut findings: Vec<Finding> = findings
        .into_iter()
        .filter_map(|mut finding| {
            finding.severity = project.config.severity(finding.rule)?;
            filter.allows(finding.rule).then_some(finding)
        })
        .collect();
    // Every site, by file: each file's text is read once, used for all its
    // sites and let go (texts are not kept: see `Project::read_source`).
    let mut sites: Vec<(FileId, usize, Option<usize>)> = Vec::new();
    for (index, finding) in findings.iter().enumerate() {
        sites.push((finding.file, index, None));
        for (r, related) in finding.related.iter().enumerate() {
            sites.push((related.file, index, Some(r)));
        }
    }
    sites.sort_unstable();
    let groups: Vec<&[(FileId, usize, Option<usize>)]> =
        sites.chunk_by(|a, b| a.0 == b.0).collect();
    let found: Vec<(usize, Option<usize>, SitePosition)> = groups
        .into_par_iter()
        .flat_map_iter(|group| {
            let source = project.read_source(group[0].0);
            let findings = &findings;
            group
                .iter()
                .map(move |&(_, index, related)| {
                    let finding = &findings[index];
                    let located = match (related, source.as_deref()) {
                        (_, None) => SitePosition::Unknown,
                        (Some(r), Some(source)) => {
                            let offset = finding.related[r].offset;
                            SitePosition::Related(source.line_col(offset))
                        }
                        (None, Some(source)) if is_suppressed(source, finding) => {
                            SitePosition::Suppressed
                        }
                        (None, Some(source)) => {
                            let (line, column) = source.line_col(finding.offset);
                            let (end_line, end_column) = source.line_col(finding.end);
                            SitePosition::Finding(Position {
                                line,
                                column,
                                end_line,
                                end_column,
                            })
                        }
                    };
                    (index, related, located)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut suppressed = vec![false; findings.len()];
    for (index, related, located) in found {
        match (located, related) {
            (SitePosition::Suppressed, _) => suppressed[index] = true,
            (SitePosition::Finding(position), _) => findings[index].position = Some(position),
            (SitePosition::Related(at), Some(r)) => findings[index].related[r].position = Some(at),
            _ => {}
        }
    }
    findings
        .into_iter()
        .zip(suppressed)
        .filter_map(|(finding, suppressed)| (!suppressed).then_some(finding))
        .collect()
}

/// Where [`settle`] placed one site, once its file's text was read: a
/// finding's position, a related site's line and column, or why neither.
enum SitePosition {
    /// The file's text is not at hand.
    Unknown,
    /// A finding `// cronlock-ignore` silences.
    Suppressed,
    /// A finding's position.
    Finding(Position),
    /// A related site's line and column.
    Related((usize, usize)),
}

/// `// cronlock-ignore` or `// cronlock-ignore rule-a,rule-b` on the line above.
fn is_suppressed(source: &SourceText, finding: &Finding) -> bool {
    let (line, _) = source.line_col(finding.offset);
    if line < 2 {
        return false;
    }
    let above = source.text()[source.line_range(line - 1)].trim();
    let Some(rest) = above.strip_prefix("//").map(str::trim_start) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix("cronlock-ignore") else {
        return false;
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return false;
    }
    let listed = rest.split(['-', ' ']).next() == Some("") && rest.trim().is_empty();
    if listed {
        return true;
    }
    let names = rest.split("--").next().unwrap_or_default();
    names
        .split([',', ' ', '\t'])
        .filter(|n| !n.is_empty())
        .any(|n| n == finding.rule.name())
}

fn sort_findings(project: &Project, findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            let (line, column) = f.position.map_or((0, 0), |p| (p.line, p.column));
            (
                project.files[f.file].display.as_str(),
                line,
                column,
                f.rule.name(),
            )
        };
        key(a).cmp(&key(b))
    });
}

/// A file whose fix could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixFailure {
    /// The file.
    pub file: FileId,
    /// Why.
    pub reason: String,
}

/// What the fix loop did.
#[derive(Debug, Default)]
pub struct FixOutcome {
    /// Original text of every file that changed, by file (see
    /// [`Project::original_text`]).
    pub originals: BTreeMap<FileId, Original>,
    /// Findings repaired.
    pub fixed: usize,
    /// Files whose fixed text was rejected (left unchanged).
    pub failures: Vec<FixFailure>,
    /// The changed files grouped into changes that are written together or
    /// not at all (see [`fix::change_set`]).
    pub change_sets: Vec<Vec<FileId>>,
    /// What is left once the fixes are in.
    pub remaining: Analysis,
}

/// A fixed text's edits (see [`fix::Applied::edits`]) and how many fixes it
/// holds, or why it was rejected. The text itself is not kept: it is built
/// again from the edits when needed (see [`Project::splice_edits`]).
type Verified = Result<(Vec<fix::Edit>, usize), String>;

/// Why a file that changed on disk during the run is not fixed.
pub const CHANGED_ON_DISK: &str = "changed on disk while cronlock ran; not fixed (run again)";

/// Most rounds of fixing before giving up on convergence. Each level of a
/// chain of subclasses takes one round (a subclass's `super(...)` is fixed
/// once its base takes the parameter), and base classes are followed across
/// [`crate::links::MAX_HOPS`] files: so many levels, and a few rounds more
/// for what follows them (specs, migrations, imports).
const MAX_ROUNDS: usize = crate::links::MAX_HOPS + 8;

/// Applies every available fix in memory, round after round until nothing
/// changes (a fix can enable another: a migrated `@Cron` then needs its
/// `lockService`). Each file's new text must parse and keep every class,
/// decorator and import it had, or the file is left as it was.
pub fn fix_project(project: &mut Project, filter: &RuleFilter) -> FixOutcome {
    fix_project_within(project, filter, &|_, _| None)
}

/// Says why a file may not be written (a link leading outside the scan:
/// see [`crate::confine`]), or `None` when it may.
pub type Refusal<'a> = dyn Fn(&Project, FileId) -> Option<String> + 'a;

/// [`fix_project`], leaving alone every file `refuse` gives a reason for:
/// it is never changed, it is reported among the failures, and the rest of
/// its change set is undone with it, so that its findings remain and the
/// counts tell what is really written.
pub fn fix_project_within(
    project: &mut Project,
    filter: &RuleFilter,
    refuse: &Refusal<'_>,
) -> FixOutcome {
    let mut outcome = FixOutcome::default();
    let mut frozen: Vec<FileId> = Vec::new();
    let mut sets = ChangeSets::default();
    let mut applied_in: HashMap<FileId, usize> = HashMap::new();
    let mut allowed: HashSet<FileId> = HashSet::new();
    for _ in 0..MAX_ROUNDS {
        let analysis = analyze(project, filter);
        let mut by_file: HashMap<FileId, Vec<&fix::Fix>> = HashMap::new();
        let held = filter.skip_baselined.as_ref().map(|baseline| {
            let comparison = baseline.compare(project, &analysis.findings);
            comparison.baselined
        });
        for (index, finding) in analysis.findings.iter().enumerate() {
            let is_held = held.as_ref().is_some_and(|h| h.get(index) == Some(&true));
            if let Some(f) = &finding.fix
                && !frozen.contains(&finding.file)
                && !is_held
            {
                by_file.entry(finding.file).or_default().push(f);
                for site in &finding.related {
                    sets.join(finding.file, site.file);
                }
            }
        }
        let mut files: Vec<(FileId, Vec<&fix::Fix>)> = by_file.into_iter().collect();
        files.sort_by_key(|(file, _)| *file);
        files.retain(|(file, _)| {
            if allowed.contains(file) {
                return true;
            }
            match refuse(project, *file) {
                Some(reason) => {
                    frozen.push(*file);
                    outcome.failures.push(FixFailure {
                        file: *file,
                        reason,
                    });
                    false
                }
                None => allowed.insert(*file),
            }
        });
        let results: Vec<(FileId, Verified)> = files
            .par_iter()
            .filter_map(|(file, fixes)| {
                let Some(source) = project.read_source(*file) else {
                    // Its text was left on disk and the file changed since
                    // it was parsed: the fixes' offsets fit another text.
                    return Some((*file, Err(CHANGED_ON_DISK.to_string())));
                };
                let applied = fix::apply(source.text(), fixes.iter().copied());
                if applied.text == source.text() {
                    return None;
                }
                Some((
                    *file,
                    verify(project, *file, &applied.text)
                        .map(|()| (applied.edits, applied.applied)),
                ))
            })
            .collect();
        let mut changed = Vec::new();
        for (file, result) in results {
            match result {
                Ok((edits, applied)) => {
                    outcome.fixed += applied;
                    *applied_in.entry(file).or_default() += applied;
                    changed.push((file, edits));
                }
                Err(reason) => {
                    frozen.push(file);
                    outcome.failures.push(FixFailure { file, reason });
                }
            }
        }
        if changed.is_empty() {
            break;
        }
        for (file, text) in project.splice_edits(changed) {
            // The first text a file had is its original.
            outcome.originals.entry(file).or_insert(text);
        }
    }
    undo_broken_changes(project, &mut outcome, &mut sets, &applied_in);
    outcome.change_sets = sets.group(outcome.originals.keys().copied());
    outcome.remaining = analyze(project, filter);
    outcome
}

/// A file whose fixed text was rejected takes its whole change with it: the
/// files of the same change (a base class that gained `lockService`, whose
/// subclass could not be updated) go back to their original text, so that
/// nothing half-done is written.
fn undo_broken_changes(
    project: &mut Project,
    outcome: &mut FixOutcome,
    sets: &mut ChangeSets,
    applied_in: &HashMap<FileId, usize>,
) {
    let broken: Vec<FileId> = outcome.failures.iter().map(|f| f.file).collect();
    let undone: Vec<(FileId, FileId)> = outcome
        .originals
        .keys()
        .filter_map(|&file| {
            let cause = broken.iter().find(|&&b| sets.same(file, b))?;
            Some((file, *cause))
        })
        .collect();
    let mut restore = Vec::with_capacity(undone.len());
    for (file, cause) in undone {
        if let Some(original) = outcome.originals.remove(&file) {
            // A file changed on disk meanwhile keeps its fixed text in
            // memory; it is no longer among the changes, so not written.
            if let Some(text) = project.original_text(file, &original) {
                restore.push((file, text.into_owned()));
            }
        }
        outcome.fixed = outcome
            .fixed
            .saturating_sub(applied_in.get(&file).copied().unwrap_or(0));
        outcome.failures.push(FixFailure {
            file,
            reason: format!(
                "left unchanged: part of one change with {}, which could not be fixed",
                project.files[cause].display
            ),
        });
    }
    if !restore.is_empty() {
        project.replace_texts(restore);
    }
}

/// The syntax error of file `file`'s original text parsed in full, if any.
fn original_error(
    project: &Project,
    file: FileId,
) -> Option<(
    std::sync::Arc<crate::source::SourceText>,
    crate::parse::SyntaxError,
)> {
    let text = project.read_source(file)?.text().to_string();
    let original = std::sync::Arc::new(crate::source::SourceText::new(text));
    let error = with_module_in_budget(project.budget(), &original, |_, _| ()).err()?;
    Some((original, error))
}

/// Checks a fixed text before it may replace the original.
fn verify(project: &Project, file: FileId, new_text: &str) -> Result<(), String> {
    let Some(old) = project.model(file) else {
        return Err("the original did not parse".to_string());
    };
    let source = std::sync::Arc::new(crate::source::SourceText::new(new_text.to_string()));
    let new = with_module_in_budget(project.budget(), &source, crate::project::build_model)
        .map_err(|e| {
            // An original that did not parse either (it cannot have been
            // parsed in part) is what to say.
            let (what, source, e) = match original_error(project, file) {
                Some((original, error)) => ("the file does not parse", original, error),
                None => (
                    "the fixed text would not parse",
                    std::sync::Arc::clone(&source),
                    e,
                ),
            };
            let (line, column) = source.line_col(e.offset + source.bom_len());
            format!(
                "{what} ({line}:{column}: {}); file left unchanged",
                e.message
            )
        })?;
    let names =
        |m: &crate::model::FileModel| m.classes.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    let decorators = |m: &crate::model::FileModel| {
        m.classes
            .iter()
            .map(|c| {
                c.decorators.len()
                    + c.methods.iter().map(|x| x.decorators.len()).sum::<usize>()
                    + c.properties
                        .iter()
                        .map(|p| p.decorators.len())
                        .sum::<usize>()
                    + c.constructor
                        .iter()
                        .flat_map(|k| &k.params)
                        .map(|p| p.decorators.len())
                        .sum::<usize>()
            })
            .sum::<usize>()
    };
    if names(old) != names(&new) {
        return Err("the fixed text would lose or rename a class; file left unchanged".to_string());
    }
    if decorators(old) != decorators(&new) {
        return Err(
            "the fixed text would change the number of decorators; file left unchanged".to_string(),
        );
    }
    let lost_import = old.imports.iter().any(|i| {
        let may_go = project.config.migrate_cron && i.source == crate::semantic::SCHEDULE_SOURCE;
        !may_go && !new.imports.iter().any(|n| n.source == i.source)
    });
    if lost_import {
        return Err("the fixed text would lose an import; file left unchanged".to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "import { Injectable } from '@nestjs/common';\n\
import { ClusterSafeCron } from '@acme/cluster-lock';\n\
@Injectable()\n\
export class Jobs {\n  @ClusterSafeCron('* * * * *')\n  run() {}\n}\n";

    fn project() -> Project {
        Project::from_texts(
            vec![("jobs.ts".to_string(), ORIGINAL.to_string())],
            crate::config::Config::default(),
        )
    }

    #[test]
    fn verify_accepts_a_text_that_keeps_everything() {
        let fixed = ORIGINAL.replace(
            "export class Jobs {\n",
            "export class Jobs {\n  constructor(private readonly lockService: DistributedLockService) {}\n",
        );
        assert_eq!(verify(&project(), FileId::new(0), &fixed), Ok(()));
    }

    #[test]
    fn verify_rejects_what_does_not_parse_or_loses_something() {
        let project = project();
        let cases = [
            (
                ORIGINAL.replace("run() {}", "run() {"),
                "would not parse (8:1",
            ),
            (
                ORIGINAL.replace("class Jobs", "class Renamed"),
                "lose or rename a class",
            ),
            (
                ORIGINAL.replace("@Injectable()\n", ""),
                "number of decorators",
            ),
            (
                ORIGINAL
                    .replace("import { Injectable } from '@nestjs/common';\n", "")
                    .replace("@Injectable()\n", "@Other()\n"),
                "lose an import",
            ),
        ];
        for (text, expected) in cases {
            let error = verify(&project, FileId::new(0), &text).err();
            assert!(
                error.as_deref().is_some_and(|e| e.contains(expected)),
                "{expected:?} for {text:?}: got {error:?}"
            );
        }
    }
}
