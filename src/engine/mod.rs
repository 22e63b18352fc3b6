//! The pipeline: judge every file (in parallel), then every package, then
//! filter by configuration and suppressions and sort; and the fix loop.

mod file_stage;
mod fix_loop;
mod package_stage;
mod settle;

pub use file_stage::check_file;
pub use fix_loop::{
    CHANGED_ON_DISK, FixFailure, FixOutcome, Refusal, fix_project, fix_project_within,
};
pub use package_stage::package_stage;

use rayon::prelude::*;

use crate::ids::{ClassId, FileId, PackageId};
use crate::modules::{ModuleClass, Registration, imports_lock_module};
use crate::project::Project;
use crate::rules::{Finding, Rule};

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
