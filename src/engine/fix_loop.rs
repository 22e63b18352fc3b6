//! The fix loop: apply every fixable finding's edits, verify each new text,
//! and run again until nothing is left to fix (or a bound is reached).

use std::collections::{BTreeMap, HashMap, HashSet};

use rayon::prelude::*;

use super::{Analysis, RuleFilter, analyze};
use crate::budget::with_module_in_budget;
use crate::fix;
use crate::fix::change_set::ChangeSets;
use crate::ids::FileId;
use crate::project::{Original, Project};

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
