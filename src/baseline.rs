//! The baseline: findings a half-done migration already knows about, so that
//! CI fails only on new ones and the list can only shrink.
//!
//! `cronlock-baseline.json` records each finding by what survives unrelated
//! edits (file, class, method, rule; never a line), with a count when the same
//! key occurs more than once. `check` compares the current findings with it:
//! recorded ones are *baselined* (listed apart, they do not fail the run), the
//! others are *new*, and a recorded entry whose finding is gone is *stale* and
//! fails the run until `check --update-baseline` rewrites the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::paths::{absolute, normalize, relative_path};
use crate::project::Project;
use crate::rules::{Finding, Rule};

/// The file looked for when neither `--baseline` nor `baseline = "..."` names one.
pub const DEFAULT_FILE: &str = "cronlock-baseline.json";

/// The format version written into (and required of) every baseline file.
pub const VERSION: u32 = 1;

/// What identifies a finding across unrelated edits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// The file, relative to the baseline file's directory, `/` separators.
    pub file: String,
    /// The class concerned, if any.
    pub class: Option<String>,
    /// The method concerned, if any.
    pub method: Option<String>,
    /// The rule's name.
    pub rule: String,
}

impl Key {
    /// `file Class.method rule`, as stale entries are reported.
    pub fn describe(&self) -> String {
        let mut owner = self
            .class
            .clone()
            .unwrap_or_else(|| "(no class)".to_string());
        if let Some(method) = &self.method {
            owner.push('.');
            owner.push_str(method);
        }
        format!("{} {owner} {}", self.file, self.rule)
    }
}

/// One entry of the file, as written and read.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    file: String,
    class: Option<String>,
    method: Option<String>,
    rule: String,
    #[serde(default = "one")]
    count: usize,
}

fn one() -> usize {
    1
}

/// The whole file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u32,
    entries: Vec<RawEntry>,
}

/// A baseline file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read (or, for `--baseline`, does not exist).
    #[error("{path}: {why}")]
    Read {
        /// The file as shown.
        path: String,
        /// Why.
        why: String,
    },
    /// The file is not a valid baseline.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        /// The file as shown.
        path: String,
        /// 1-based line, when the JSON itself is broken.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The file could not be written.
    #[error("{path}: {why}")]
    Write {
        /// The file as shown.
        path: String,
        /// Why.
        why: String,
    },
}

/// A baseline: where its file is and what it records.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The file, absolute and normalised.
    path: PathBuf,
    /// The file as shown to people.
    shown: String,
    /// How many findings each key records.
    entries: BTreeMap<Key, usize>,
}

/// Where the baseline of a run lives, and whether it was asked for by name.
#[derive(Debug, Clone)]
pub struct Location {
    /// The file, absolute and normalised.
    pub path: PathBuf,
    /// The file as shown.
    pub shown: String,
    /// Named by `--baseline` or `baseline = "..."`: it must exist for `check`.
    pub explicit: bool,
}

/// Where the baseline is: `--baseline FILE` (relative to the working
/// directory), else `baseline = "..."` in cronlock.toml (relative to that
/// file), else `cronlock-baseline.json` beside the cronlock.toml in use, or in
/// the working directory when there is none.
pub fn locate(flag: Option<&Path>, config: &Config) -> Location {
    if let Some(flag) = flag {
        return Location {
            path: normalize(&absolute(flag)),
            shown: crate::walk::display_path(flag),
            explicit: true,
        };
    }
    let (path, explicit) = match (&config.baseline, &config.path) {
        (Some(configured), _) => (configured.clone(), true),
        (None, Some(config_file)) => (
            config_file
                .parent()
                .unwrap_or(Path::new("."))
                .join(DEFAULT_FILE),
            false,
        ),
        (None, None) => (PathBuf::from(DEFAULT_FILE), false),
    };
    let path = normalize(&absolute(&path));
    let shown = std::env::current_dir()
        .map(|cwd| relative_path(&normalize(&cwd), &path))
        .ok()
        .filter(|s| !s.is_empty() && !s.starts_with("../../.."))
        .unwrap_or_else(|| crate::walk::display_path(&path));
    Location {
        path,
        shown,
        explicit,
    }
}

/// The baseline `check` and `fix` compare with: none under `--no-baseline`,
/// none when the default file is absent, an error when a named file is
/// absent or malformed.
pub fn for_run(location: Location) -> Result<Option<Baseline>, BaselineError> {
    if !location.explicit && !location.path.is_file() {
        return Ok(None);
    }
    Baseline::load(location).map(Some)
}

impl Baseline {
    /// An empty baseline at `location` (what `--update-baseline` fills).
    pub fn empty(location: Location) -> Baseline {
        Baseline {
            path: location.path,
            shown: location.shown,
            entries: BTreeMap::new(),
        }
    }

    /// Reads and validates the file at `location`.
    pub fn load(location: Location) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(&location.path).map_err(|e| {
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                "no such file or directory (create it with `cronlock check --update-baseline`)"
                    .to_string()
            } else {
                crate::walk::describe_io(&e)
            };
            BaselineError::Read {
                path: location.shown.clone(),
                why,
            }
        })?;
        let entries = parse(&text).map_err(|(line, message)| BaselineError::Invalid {
            path: location.shown.clone(),
            line,
            message,
        })?;
        Ok(Baseline {
            path: location.path,
            shown: location.shown,
            entries,
        })
    }

    /// The file as shown.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Findings recorded, counting repeats.
    pub fn len(&self) -> usize {
        self.entries.values().sum()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The key of `finding`, its file relative to the baseline's directory.
    pub fn key(&self, project: &Project, finding: &Finding) -> Key {
        let dir = self.path.parent().unwrap_or(Path::new("/"));
        let file = project
            .file(finding.file)
            .map(|f| relative_path(dir, f.key()))
            .unwrap_or_default();
        Key {
            file,
            class: finding.class.clone(),
            method: finding.method.clone(),
            rule: finding.rule.name().to_string(),
        }
    }

    /// Compares `findings` (in output order) with what is recorded: for each
    /// key the first findings up to the recorded count are baselined, the
    /// rest are new; recorded findings no longer there are stale.
    pub fn compare(&self, project: &Project, findings: &[Finding]) -> Comparison {
        let mut seen: BTreeMap<Key, usize> = BTreeMap::new();
        let baselined = findings
            .iter()
            .map(|finding| {
                let key = self.key(project, finding);
                let recorded = self.entries.get(&key).copied().unwrap_or(0);
                let n = seen.entry(key).or_insert(0);
                *n += 1;
                *n <= recorded
            })
            .collect();
        let stale = self
            .entries
            .iter()
            .filter_map(|(key, &recorded)| {
                let present = seen.get(key).copied().unwrap_or(0);
                (present < recorded).then(|| Stale {
                    key: key.clone(),
                    recorded,
                    gone: recorded - present,
                })
            })
            .collect();
        Comparison {
            shown: self.shown.clone(),
            baselined,
            stale,
        }
    }

    /// The file's text recording `findings`: sorted, pretty-printed, with a
    /// final newline, so that it diffs cleanly in review.
    pub fn text_for(&self, project: &Project, findings: &[Finding]) -> String {
        let mut counts: BTreeMap<Key, usize> = BTreeMap::new();
        for finding in findings {
            *counts.entry(self.key(project, finding)).or_insert(0) += 1;
        }
        render(&counts)
    }

    /// Rewrites the file to record `findings`; returns how many entries
    /// (distinct keys) it holds.
    pub fn write(&self, project: &Project, findings: &[Finding]) -> Result<usize, BaselineError> {
        let text = self.text_for(project, findings);
        let entries = parse(&text).map(|e| e.len()).unwrap_or(0);
        let fail = |e: std::io::Error| BaselineError::Write {
            path: self.shown.clone(),
            why: crate::walk::describe_io(&e),
        };
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(fail)?;
        // Read before the rename replaces it: an existing file keeps its mode.
        let existing = std::fs::metadata(&self.path).ok().map(|m| m.permissions());
        let mut temp = temp_builder().tempfile_in(dir).map_err(fail)?;
        std::io::Write::write_all(&mut temp, text.as_bytes()).map_err(fail)?;
        if let Some(permissions) = existing {
            std::fs::set_permissions(temp.path(), permissions).map_err(fail)?;
        }
        temp.as_file().sync_all().map_err(fail)?;
        temp.persist(&self.path).map_err(|e| fail(e.error))?;
        Ok(entries)
    }
}

/// A builder for the baseline's temporary. The file is meant to be
/// committed and shared, so a new one gets what the umask gives any new file
/// (`0666 & !umask`, as `touch` would), not a temporary file's `0600`.
fn temp_builder<'a>() -> tempfile::Builder<'a, 'a> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".cronlock-baseline-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder
}

/// The text of a baseline file recording `counts`.
fn render(counts: &BTreeMap<Key, usize>) -> String {
    let file = RawFile {
        version: VERSION,
        entries: counts
            .iter()
            .map(|(key, &count)| RawEntry {
                file: key.file.clone(),
                class: key.class.clone(),
                method: key.method.clone(),
                rule: key.rule.clone(),
                count,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// Parses a baseline file; errors carry the 1-based line when the JSON is
/// broken, and a message naming what is wrong.
pub fn parse(text: &str) -> Result<BTreeMap<Key, usize>, (Option<usize>, String)> {
    let raw: RawFile = serde_json::from_str(text).map_err(|e| {
        let line = (e.line() > 0).then_some(e.line());
        let message = e.to_string();
        // serde_json appends " at line L column C"; the line is shown apart.
        let message = match message.rfind(" at line ") {
            Some(at) if line.is_some() => {
                let column = e.column();
                format!("{} (column {column})", &message[..at])
            }
            _ => message,
        };
        (line, format!("not a valid baseline: {message}"))
    })?;
    if raw.version != VERSION {
        return Err((
            None,
            format!(
                "unsupported baseline version {} (this cronlock reads version {VERSION}); \
rewrite it with `cronlock check --update-baseline`",
                raw.version
            ),
        ));
    }
    let mut entries = BTreeMap::new();
    for (index, entry) in raw.entries.into_iter().enumerate() {
        let which = || format!("entry {} ({})", index + 1, entry.file);
        if Rule::from_name(&entry.rule).is_none() {
            return Err((
                None,
                format!(
                    "{}: unknown rule `{}` (see `cronlock rules`)",
                    which(),
                    entry.rule
                ),
            ));
        }
        if entry.count == 0 {
            return Err((None, format!("{}: `count` must be at least 1", which())));
        }
        if entry.file.is_empty() {
            return Err((None, format!("entry {}: `file` is empty", index + 1)));
        }
        let key = Key {
            file: entry.file.replace('\\', "/"),
            class: entry.class,
            method: entry.method,
            rule: entry.rule,
        };
        *entries.entry(key).or_insert(0) += entry.count;
    }
    Ok(entries)
}

/// A recorded entry whose findings are (partly) gone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// What was recorded.
    pub key: Key,
    /// How many findings it recorded.
    pub recorded: usize,
    /// How many of them are gone.
    pub gone: usize,
}

impl Stale {
    /// `stale baseline entry: <file> <class> <rule>: the finding is gone; run ...`.
    pub fn message(&self) -> String {
        let what = if self.recorded == 1 {
            "the finding is gone".to_string()
        } else if self.gone == self.recorded {
            format!("all {} findings are gone", self.recorded)
        } else {
            format!(
                "{} of {} findings {} gone",
                self.gone,
                self.recorded,
                if self.gone == 1 { "is" } else { "are" }
            )
        };
        format!(
            "stale baseline entry: {}: {what}; run `cronlock check --update-baseline`",
            self.key.describe()
        )
    }
}

/// How a run's findings stand against the baseline.
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    /// The baseline file as shown.
    pub shown: String,
    /// Parallel to the analysis's findings: recorded in the baseline.
    pub baselined: Vec<bool>,
    /// Recorded entries whose findings are gone.
    pub stale: Vec<Stale>,
}

impl Comparison {
    /// Findings the baseline records.
    pub fn baselined_count(&self) -> usize {
        self.baselined.iter().filter(|b| **b).count()
    }

    /// Findings it does not.
    pub fn new_count(&self) -> usize {
        self.baselined.iter().filter(|b| !**b).count()
    }

    /// Whether finding `index` (in output order) is baselined.
    pub fn is_baselined(&self, index: usize) -> bool {
        self.baselined.get(index).copied().unwrap_or(false)
    }

    /// Whether the run fails: a new finding, or a stale entry (the baseline
    /// can only shrink, and only by rewriting it).
    pub fn fails(&self) -> bool {
        self.new_count() > 0 || !self.stale.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(file: &str, class: &str, rule: &str) -> Key {
        Key {
            file: file.to_string(),
            class: Some(class.to_string()),
            method: None,
            rule: rule.to_string(),
        }
    }

    #[test]
    fn the_file_is_sorted_pretty_and_ends_with_a_newline() {
        let mut counts = BTreeMap::new();
        counts.insert(key("src/b.ts", "B", "missing-lock-service"), 1);
        counts.insert(key("src/a.ts", "A", "missing-lock-service"), 2);
        let text = render(&counts);
        assert!(text.ends_with("}\n"));
        let a = text.find("src/a.ts").unwrap_or(usize::MAX);
        let b = text.find("src/b.ts").unwrap_or(0);
        assert!(a < b, "{text}");
        assert!(text.contains("\"version\": 1"), "{text}");
        assert!(text.contains("\"count\": 2"), "{text}");
        assert_eq!(parse(&text).ok(), Some(counts));
    }

    #[test]
    fn broken_files_name_the_line_and_the_problem() {
        let (line, message) = parse("{\n  \"version\": 1,\n  \"entries\": [\n    {,\n  ]\n}\n")
            .err()
            .unwrap_or_default();
        assert_eq!(line, Some(4));
        assert!(message.contains("not a valid baseline"), "{message}");
        let (line, message) = parse("{\"version\": 2, \"entries\": []}")
            .err()
            .unwrap_or_default();
        assert_eq!(line, None);
        assert!(message.contains("version 2"), "{message}");
        let (_, message) = parse(
            "{\"version\": 1, \"entries\": [{\"file\": \"a.ts\", \"class\": null, \"method\": null, \"rule\": \"nope\"}]}",
        )
        .err()
        .unwrap_or_default();
        assert!(message.contains("unknown rule `nope`"), "{message}");
        let (_, message) = parse("{\"version\": 1, \"entries\": [], \"extra\": 1}")
            .err()
            .unwrap_or_default();
        assert!(message.contains("extra"), "{message}");
        assert!(parse("").is_err());
    }

    #[test]
    fn stale_messages_say_how_much_is_gone() {
        let stale = |recorded, gone| {
            Stale {
                key: key("src/a.ts", "A", "missing-lock-service"),
                recorded,
                gone,
            }
            .message()
        };
        assert_eq!(
            stale(1, 1),
            "stale baseline entry: src/a.ts A missing-lock-service: the finding is gone; \
run `cronlock check --update-baseline`"
        );
        assert!(stale(3, 1).contains("1 of 3 findings is gone"));
        assert!(stale(2, 2).contains("all 2 findings are gone"));
    }
}
