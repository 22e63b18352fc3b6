//! Second reads: files the prefilter skipped, read again and parsed when
//! they may rename a lock decorator (alias rounds) or extend, construct or
//! rename a class that takes (or may gain) an injected member.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aho_corasick::AhoCorasick;
use rayon::prelude::*;

use super::load::{state_of, with_buffer};
use super::{FileState, Project, ScannedFile};
use crate::ids::FileId;
use crate::links::Symbol;
use crate::model::{Callee, ClassModel, FileModel};
use crate::prefilter::{SkipHints, mentions_as_code, name_hashes, substring_matcher, word_matcher};
use crate::source::SourceText;

impl Project {
    /// A lock decorator re-exported under another name (`export {
    /// ClusterSafeCron as ScheduledJob } from ...`) makes files that use only
    /// the new name worth parsing: the prefilter skipped them, so they are
    /// read again and parsed when they mention one of those names. A file
    /// that renames an alias again (`export { ScheduledJob as NightlyJob }`)
    /// names no lock decorator either: rounds go on until no new alias
    /// turns up, so a chain of renames of any depth is followed.
    pub(super) fn parse_alias_users(&mut self) -> Vec<FileId> {
        let mut parsed = Vec::new();
        loop {
            let new: Vec<String> = self
                .lock_decorator_aliases(&self.lock_aliases)
                .into_iter()
                .filter(|a| !self.lock_aliases.contains(a))
                .collect();
            if new.is_empty() {
                return parsed;
            }
            self.lock_aliases.extend(new.iter().cloned());
            if self.prefilter.is_none() {
                continue;
            }
            let Ok(matcher) = AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&new)
            else {
                return parsed;
            };
            let skipped: Vec<FileId> = self
                .file_ids()
                .filter(|&i| matches!(self.files[i].state, FileState::Skipped))
                .collect();
            parsed.extend(self.parse_matching(skipped, &matcher));
        }
    }

    /// Subclasses and callers mention no lock name, so the prefilter skips
    /// them; but when a class takes (or the fix gives it) `lockService`, its
    /// subclasses' `super(...)` and its `new X(...)` calls must pass it, at
    /// any depth. Skipped files are read again and parsed, round after round
    /// until no new name turns up, when their hints (see [`SkipHints`]) say
    /// they may extend, construct or rename a class of a parsed file: under
    /// its name, under a name a parsed file exports it as, or under a name of
    /// their own (a default import of the module that default-exports it).
    /// The hints over-approximate, so every file a full parse would judge is
    /// parsed (issue 22). A round tests only the names found since the last:
    /// the files it passes over were tested against the older ones already.
    pub(super) fn parse_second_reads(&mut self) {
        if self.prefilter.is_none() {
            return;
        }
        // A file passed over in an earlier round did not mention the names
        // known then; only names that are new since can make it wanted.
        let mut seen_names = std::collections::HashSet::new();
        let mut seen_sources = std::collections::HashSet::new();
        loop {
            let reach = self.reachable_names();
            let new_names: Vec<String> = reach
                .names
                .into_iter()
                .filter(|n| seen_names.insert(n.clone()))
                .collect();
            let new_sources: Vec<String> = reach
                .default_sources
                .into_iter()
                .filter(|s| seen_sources.insert(s.clone()))
                .collect();
            if new_names.is_empty() && new_sources.is_empty() {
                return;
            }
            // The digests pass over most files without reading them.
            let hashes = name_hashes(&new_names);
            let candidates: Vec<FileId> = self
                .file_ids()
                .filter(|&i| matches!(self.files[i].state, FileState::Skipped))
                .filter(|&i| {
                    let hints = &self.files[i].hints;
                    hints.may_want(hashes.as_ref(), !new_sources.is_empty())
                })
                .collect();
            // Nothing parsed this round: the next would find the same names.
            // (The matchers are built only for files to read.)
            if candidates.is_empty() {
                return;
            }
            let names = word_matcher(&new_names);
            let default_sources = substring_matcher(&new_sources);
            let wanted = self.read_wanted(candidates, names.as_ref(), default_sources.as_ref());
            if wanted.is_empty() {
                return;
            }
            for &index in &wanted {
                // Read once: a file parsed (or broken) gives no more hints.
                self.files[index].hints = SkipHints::default();
            }
        }
    }

    /// The names under which a class that takes (or may gain) an injected
    /// member may be reached: the classes of parsed files that declare a
    /// member's parameter, carry a lock or guard decorator on a method, or
    /// extend a class (they may inherit one), and every name a parsed file
    /// exports, re-exports or binds to a constant one of those as.
    pub(super) fn reachable_names(&self) -> Reach {
        let members: Vec<String> = self
            .config
            .injections()
            .iter()
            .map(|i| i.member.to_string())
            .collect();
        let models: Vec<(FileId, PathBuf, Arc<FileModel>)> = self
            .file_ids()
            .filter_map(|i| {
                let (path, model) = self.file_model(i)?;
                Some((i, path, model))
            })
            .collect();
        let mut known: std::collections::HashSet<String> = models
            .iter()
            .flat_map(|(i, path, m)| {
                m.classes
                    .iter()
                    .filter(|c| self.may_take_member(*i, path, m, c, &members))
                    .filter_map(|c| c.name.clone())
            })
            .collect();
        add_aliases(models.iter().map(|(_, _, m)| m.as_ref()), &mut known);
        let default_sources = models
            .iter()
            .filter(|(_, _, m)| default_exports_reachable(m, &known))
            .filter_map(|(i, _, _)| module_name(&self.files[*i].key))
            .collect();
        let mut names: Vec<String> = known.into_iter().collect();
        names.sort_unstable();
        Reach {
            names,
            default_sources,
        }
    }

    /// Whether `class` (of `model`, the file at `path`, scanned file
    /// `index`) may take an injected member, now or once fixed (see
    /// [`Project::reachable_names`]).
    fn may_take_member(
        &self,
        index: FileId,
        path: &Path,
        model: &Arc<FileModel>,
        class: &ClassModel,
        members: &[String],
    ) -> bool {
        let param = class
            .constructor
            .iter()
            .flat_map(|c| &c.params)
            .any(|p| p.name.as_ref().is_some_and(|n| members.contains(n)));
        // A `@Cron` counts only where `--migrate-cron` can make it a
        // `@ClusterSafeCron`, giving its class the lock service: its ripple
        // is shown before the migration (see `ripple`). Elsewhere there is
        // no migration and no ripple (see `rules::unlocked_cron`). A file
        // the prefilter skipped imports no lock name, so second reads add
        // no lock source: the answer is the same before and after them,
        // and in `--no-prefilter` mode. Asked once per class with a `@Cron`.
        let migratable = std::cell::OnceCell::new();
        let decorated = class.methods.iter().flat_map(|m| &m.decorators).any(|d| {
            let name = match &d.callee {
                Callee::Ident(n) => model.imported_name(n),
                Callee::Member { property, .. } => property.as_str(),
                Callee::Other => return true,
            };
            self.config.is_lock_decorator(name)
                || self.config.guard_of(name).is_some()
                || self.lock_aliases.iter().any(|a| a == name)
                || (name == "Cron"
                    && *migratable.get_or_init(|| self.migration_source(index).is_some()))
        });
        param || decorated || self.base_may_give_member(path, model, class)
    }

    /// Whether the base of `class` (of `model`, the file at `path`) may give
    /// it an injected member to take: any base but a class a package outside
    /// the project exports (`extends EventEmitter2`), whose constructor the
    /// engine never reads (see [`Project::constructing_class`]), so that
    /// nothing it takes is asked of the subclass's callers.
    fn base_may_give_member(
        &self,
        path: &Path,
        model: &Arc<FileModel>,
        class: &ClassModel,
    ) -> bool {
        class
            .super_class
            .as_ref()
            .is_some_and(|base| !matches!(self.symbol(path, model, base), Symbol::External { .. }))
    }

    /// Reads `candidates` again, parses those their hints want (see
    /// [`SkipHints::wanted`]; `names`: the names classes may be reached by;
    /// `default_sources`: the modules that default-export one), and gives
    /// the files parsed.
    fn read_wanted(
        &mut self,
        candidates: Vec<FileId>,
        names: Option<&AhoCorasick>,
        default_sources: Option<&AhoCorasick>,
    ) -> Vec<FileId> {
        self.parse_if(candidates, |file, bytes| {
            file.hints.wanted(
                || names.is_some_and(|m| mentions_as_code(m, bytes)),
                || default_sources.is_some_and(|m| m.is_match(bytes)),
            )
        })
    }

    /// Reads `candidates` again and parses those that mention a name of
    /// `matcher` as a whole identifier.
    fn parse_matching(&mut self, candidates: Vec<FileId>, matcher: &AhoCorasick) -> Vec<FileId> {
        self.parse_if(candidates, |_, bytes| mentions_as_code(matcher, bytes))
    }

    /// Reads `candidates` again (in parallel), parses those whose bytes
    /// `wanted` accepts, puts their states in place and gives their indexes.
    pub(super) fn parse_if(
        &mut self,
        candidates: Vec<FileId>,
        wanted: impl Fn(&ScannedFile, &[u8]) -> bool + Sync,
    ) -> Vec<FileId> {
        let states: Vec<(FileId, FileState)> = candidates
            .into_par_iter()
            .filter_map(|index| {
                let file = &self.files[index];
                let text = with_buffer(|scratch| {
                    let len = self.fs.read_into(&file.path, scratch).ok()?;
                    let bytes = &scratch[..len];
                    if !wanted(file, bytes) {
                        return None;
                    }
                    String::from_utf8(bytes.to_vec()).ok()
                })?;
                Some((
                    index,
                    state_of(self.budget, SourceText::new(text), None, true),
                ))
            })
            .collect();
        let parsed: Vec<FileId> = states.iter().map(|(index, _)| *index).collect();
        self.install(states);
        parsed
    }

    /// Puts the states of files read again in place.
    fn install(&mut self, states: Vec<(FileId, FileState)>) {
        if states.is_empty() {
            return;
        }
        for (index, state) in states {
            if matches!(state, FileState::Parsed { .. }) {
                self.by_key.insert(self.files[index].key.clone(), index);
            }
            self.files[index].state = state;
            self.files[index].second_read = true;
        }
        self.collect_lock_sources();
    }

    /// Names lock decorators (or the aliases already known) are re-exported
    /// under in the parsed files (`export { ClusterSafeCron as ScheduledJob
    /// }`, `export const ScheduledJob = ClusterSafeCron`).
    pub(super) fn lock_decorator_aliases(&self, known: &[String]) -> Vec<String> {
        let mut aliases: Vec<String> = Vec::new();
        for index in self.file_ids() {
            let Some(model) = self.model(index) else {
                continue;
            };
            let renamed = model
                .reexports
                .iter()
                .flat_map(|r| r.names.iter().flatten())
                .map(|(exported, original)| (exported, original))
                .chain(model.exports.iter().map(|e| (&e.exported, &e.local)))
                .chain(
                    model
                        .consts
                        .iter()
                        .filter_map(|(name, head)| Some((name, head.as_ref()?))),
                );
            for (exported, original) in renamed {
                if exported != original
                    && (self.config.is_lock_decorator(original)
                        || self.config.guard_of(original).is_some()
                        || known.contains(original))
                    && !aliases.contains(exported)
                {
                    aliases.push(exported.clone());
                }
            }
        }
        aliases
    }
}

/// What second reads look for (see [`Project::reachable_names`]).
pub(super) struct Reach {
    /// Names a class that takes (or may gain) an injected member is declared
    /// or exported under.
    pub(super) names: Vec<String>,
    /// How importers name the modules that default-export such a class: the
    /// file's name without its extension (`base.job`), or its directory's
    /// name for an `index` file.
    pub(super) default_sources: Vec<String>,
}

/// Whether `model` default-exports a class in `known`, or a class without a
/// name, or re-exports some module's default.
fn default_exports_reachable(model: &FileModel, known: &std::collections::HashSet<String>) -> bool {
    let exported = model
        .exports
        .iter()
        .any(|e| e.exported == "default" && (known.contains(&e.local) || e.local == "default"));
    let anonymous = model.classes.iter().any(|c| c.name.is_none());
    let reexported = model
        .reexports
        .iter()
        .flat_map(|r| r.names.iter().flatten())
        .any(|(exported, original)| exported == "default" || original == "default");
    exported || anonymous || reexported
}

/// How an import names the module at `key`: its file name without the
/// extension, or its directory's name for an `index` file.
fn module_name(key: &Path) -> Option<String> {
    let stem = key.file_stem()?.to_str()?;
    let stem = stem
        .strip_suffix(".d")
        .unwrap_or(stem)
        .trim_end_matches(".ts");
    if stem == "index" {
        return key.parent()?.file_name()?.to_str().map(str::to_string);
    }
    Some(stem.to_string())
}

impl Project {
    /// Adds to `names` every name a parsed file exports, re-exports or
    /// binds to a constant one of them as, to the fixpoint: a class may be
    /// reached under any of them. Files that rename a name mention it, so
    /// second reads have parsed them (see [`Project::reachable_names`]).
    pub fn add_export_aliases(&self, names: &mut std::collections::HashSet<String>) {
        add_aliases(self.file_ids().filter_map(|i| self.model(i)), names);
    }
}

/// Adds to `known` the names `models` export, re-export or bind to a
/// constant one of `known` as, round by round to the fixpoint.
fn add_aliases<'m>(
    models: impl Iterator<Item = &'m FileModel> + Clone,
    known: &mut std::collections::HashSet<String>,
) {
    loop {
        let before = known.len();
        for model in models.clone() {
            let aliases: Vec<String> = aliases_of(model, known).collect();
            known.extend(aliases);
        }
        if known.len() == before {
            return;
        }
    }
}

/// The names `model` exports, re-exports or binds to a constant one of
/// `known` as (`export { A as B }`, `export { A as B } from`, `const B = A`),
/// also through a local name an import gave it (`import { A as L }` then
/// `export { L as B }`).
fn aliases_of<'a>(
    model: &'a FileModel,
    known: &'a std::collections::HashSet<String>,
) -> impl Iterator<Item = String> + 'a {
    let names =
        move |local: &str| known.contains(local) || known.contains(model.imported_name(local));
    let exports = model
        .exports
        .iter()
        .filter(move |e| names(&e.local))
        .map(|e| e.exported.clone());
    let reexports = model
        .reexports
        .iter()
        .flat_map(|r| r.names.iter().flatten())
        .filter(|(_, original)| known.contains(original) || original == "default")
        .map(|(exported, _)| exported.clone());
    let consts = model
        .consts
        .iter()
        .filter(move |(_, head)| head.as_deref().is_some_and(names))
        .map(|(name, _)| name.clone());
    exports
        .chain(reexports)
        .chain(consts)
        .filter(|name| !known.contains(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// Whether the text given as `display` was parsed (kept, or read again).
    fn parsed(project: &Project, display: &str) -> bool {
        project
            .files
            .iter()
            .find(|f| f.display == display)
            .is_some_and(|f| matches!(f.state, FileState::Parsed { .. }))
    }

    const JOBS: &str = "import { ClusterSafeCron } from '@acme/lock';
import { EventEmitter2 } from 'eventemitter2';
import { Base } from './base';

export class Note extends EventEmitter2 {}
export class Report extends Base {}

export class NightlyJob {
  @ClusterSafeCron('0 0 * * *')
  run() {}
}
";

    #[test]
    fn a_subclass_of_a_package_class_calls_for_no_second_read() {
        let texts = [
            ("jobs.ts", JOBS),
            ("base.ts", "export class Base {}\n"),
            (
                "note-user.ts",
                "import { Note } from './jobs';\nexport const note = new Note();\n",
            ),
            (
                "report-user.ts",
                "import { Report } from './jobs';\nexport const report = new Report();\n",
            ),
        ];
        let texts = texts
            .iter()
            .map(|(path, text)| ((*path).to_string(), (*text).to_string()))
            .collect();
        let project = Project::from_texts(texts, Config::default());
        assert!(parsed(&project, "jobs.ts"));
        // `Base` is read (a class of the project's): `Report` may inherit a
        // member from it, so whoever constructs `Report` is parsed.
        assert!(parsed(&project, "report-user.ts"));
        // `EventEmitter2` is a package's, never read: `Note` takes nothing.
        assert!(!parsed(&project, "note-user.ts"));
    }

    /// A plain `@Cron` job, and a spec that builds its class.
    fn cron_job_and_spec(lock_user: Option<&str>) -> Vec<(String, String)> {
        let job = "import { Cron } from '@nestjs/schedule';
export class CleanupJob {
  @Cron('0 0 * * *')
  run() {}
}
";
        let spec = "import { CleanupJob } from './cleanup';
it('runs', () => new CleanupJob().run());
";
        let mut texts = vec![
            ("cleanup.ts".to_string(), job.to_string()),
            ("cleanup.spec.ts".to_string(), spec.to_string()),
        ];
        if let Some(text) = lock_user {
            texts.push(("locked.ts".to_string(), text.to_string()));
        }
        texts
    }

    #[test]
    fn a_cron_job_calls_for_second_reads_only_where_it_can_migrate() {
        // No lock source anywhere: `--migrate-cron` cannot migrate the job,
        // so its class never gains the lock service and has no ripple.
        let project = Project::from_texts(cron_job_and_spec(None), Config::default());
        assert!(parsed(&project, "cleanup.ts"));
        assert!(!parsed(&project, "cleanup.spec.ts"));
        // A file of the package imports a lock decorator: the job can
        // migrate, and the spec's `new CleanupJob()` is in its ripple.
        let locked = "import { ClusterSafeCron } from '@acme/lock';
export class Locked {
  @ClusterSafeCron('0 * * * *')
  run() {}
}
";
        let project = Project::from_texts(cron_job_and_spec(Some(locked)), Config::default());
        assert!(parsed(&project, "cleanup.spec.ts"));
        // So it is with an `import-source` setting and no lock source.
        let config = Config {
            import_source: Some("@acme/lock".to_string()),
            ..Config::default()
        };
        let project = Project::from_texts(cron_job_and_spec(None), config);
        assert!(parsed(&project, "cleanup.spec.ts"));
    }
}
