//! What each command does, from parsed arguments to an exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::baseline::{self, Baseline, Comparison};
use crate::cli::{CheckArgs, Cli, Command, FixArgs, Format, ScanArgs};
use crate::config::Config;
use crate::engine::{self, Analysis, RuleFilter};
use crate::ids::FileId;
use crate::output::{self, Report, count};
use crate::project::{Fingerprint, Project};
use crate::rules::{Fixability, Rule};
use crate::walk;
use crate::workers::Workers;

/// Exit status: 0 clean, 1 findings (or changes, for a dry run), 2 error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Nothing to report.
    Clean,
    /// Findings remain.
    Findings,
    /// Something could not be handled.
    Error,
}

impl Status {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Status::Clean => 0,
            Status::Findings => 1,
            Status::Error => 2,
        }
    }
}

/// Runs the command. Errors that end the run early come back as `Err`;
/// problems with single files are printed and turn the status into `Error`.
pub fn run(cli: Cli) -> Result<Status> {
    match cli.command {
        // A run's parallel work happens on its own workers (`--jobs`): the
        // load watched from this thread, the rest installed on them.
        Command::Check(args) => {
            let workers = Workers::new(args.scan.jobs)?;
            let scan = load(&args.scan, false, &workers)?;
            workers.install(|| check(&args, scan))
        }
        Command::Fix(args) => {
            let workers = Workers::new(args.scan.jobs)?;
            let scan = load(&args.scan, args.migrate_cron, &workers)?;
            workers.install(|| fix(&args, scan))
        }
        Command::Lsp => Ok(if crate::lsp::run()? {
            Status::Clean
        } else {
            // `exit` without `shutdown`: the protocol asks for exit code 1.
            Status::Findings
        }),
        Command::Rules => {
            print_stdout(&rules_table())?;
            Ok(Status::Clean)
        }
        Command::Rule { name } => {
            let rule = Rule::from_name(&name)
                .with_context(|| format!("unknown rule `{name}`; `cronlock rules` lists them"))?;
            print_stdout(&explain(rule))?;
            Ok(Status::Clean)
        }
    }
}

/// A loaded scan: project plus whatever went wrong on the way.
struct Scan {
    project: Project,
    filter: RuleFilter,
    had_errors: bool,
}

/// The PATH arguments, `.` when none is given.
fn scan_paths(args: &ScanArgs) -> Vec<PathBuf> {
    if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    }
}

/// Loads the scan `args` ask for on `workers`, watching its parse budgets
/// from this thread (see [`Workers::run_watched`]).
fn load(args: &ScanArgs, migrate_cron: bool, workers: &Workers) -> Result<Scan> {
    let paths = scan_paths(args);
    let mut config = match &args.config {
        Some(path) => Config::load(path)?,
        None => match Config::discover(&paths[0]) {
            Some(path) => Config::load(&path)?,
            None => Config::default(),
        },
    };
    config.migrate_cron = migrate_cron;
    config.prefilter = !args.no_prefilter;
    // `--parse-timeout` wins over cronlock.toml; the project parses within
    // the budget its configuration gives.
    config.parse_timeout = args.parse_timeout.or(config.parse_timeout);
    let filter = RuleFilter {
        select: parse_rules(&args.select, "--select")?,
        ignore: parse_rules(&args.ignore, "--ignore")?,
        skip_baselined: None,
    };
    let mut globs = config.exclude.clone();
    globs.extend(args.exclude.iter().cloned());
    let excludes = walk::exclude_set(&globs).context("invalid exclude glob")?;
    let bar = indicatif::ProgressBar::hidden();
    let quiet = args.quiet;
    let loading = bar.clone();
    let (walk_errors, project, load_errors) = workers.run_watched(move || {
        // A second attempt (after a parse overran) counts from the start.
        loading.set_position(0);
        let show_bar = |files: usize| show_progress(&loading, files, quiet);
        let tick = || loading.inc(1);
        Project::walk_and_load(&paths, &excludes, config.clone(), &show_bar, &tick)
    })?;
    bar.finish_and_clear();
    let mut had_errors = false;
    for error in &walk_errors {
        report_error(&error.path, &error.reason);
        had_errors = true;
    }
    for error in &load_errors {
        report_error(&error.path, &error.reason);
        had_errors = true;
    }
    Ok(Scan {
        project,
        filter,
        had_errors,
    })
}

/// Files from which a scan shows a progress bar.
const PROGRESS_THRESHOLD: usize = 2_000;

/// Shows `bar` on stderr, counting up to `files`, for large scans, only on a
/// terminal, never in CI or with `--quiet` (hidden otherwise, so stdout and
/// pipes stay clean). The files read while the walk went on are counted
/// already.
fn show_progress(bar: &indicatif::ProgressBar, files: usize, quiet: bool) {
    let wanted = files >= PROGRESS_THRESHOLD
        && !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("CI").is_none();
    if !wanted {
        return;
    }
    bar.set_length(files as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} scanning {pos}/{len} files {wide_bar} {eta}",
    ) {
        bar.set_style(style);
    }
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
}

fn parse_rules(names: &[String], flag: &str) -> Result<Vec<Rule>> {
    names
        .iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .map(|name| {
            Rule::from_name(name).with_context(|| {
                format!("{flag}: unknown rule `{name}`; `cronlock rules` lists them")
            })
        })
        .collect()
}

/// Prints `error: <what>: <why>` on stderr.
pub fn report_error(what: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "error: {what}: {why}");
}

fn check(args: &CheckArgs, scan: Scan) -> Result<Status> {
    if args.update_baseline {
        let analysis = engine::analyze(&scan.project, &scan.filter);
        return update_baseline(&args.scan, &scan, &analysis);
    }
    let baseline = baseline_for(&args.scan, &scan.project)?;
    let analysis = engine::analyze(&scan.project, &scan.filter);
    let comparison = baseline
        .as_ref()
        .map(|b| b.compare(&scan.project, &analysis.findings));
    print_report(&args.scan, &scan.project, &analysis, comparison.as_ref())?;
    let changed = report_changed(&scan.project, &[]);
    let status = status(
        scan.had_errors || changed,
        fails(&analysis, comparison.as_ref()),
    );
    // The process ends next: freeing every model one by one would only cost
    // time (the operating system takes the memory back at once).
    std::mem::forget(analysis);
    std::mem::forget(scan);
    Ok(status)
}

/// Reports the files that changed on disk while cronlock ran (a text read
/// again, for a finding's position or a fix, no longer matched what was
/// parsed), except `reported`. Whether there were any.
fn report_changed(project: &Project, reported: &[FileId]) -> bool {
    let mut any = false;
    for file in project.changed_on_disk() {
        any = true;
        if !reported.contains(&file) {
            report_error(
                &project.files[file].display,
                "changed on disk while cronlock ran; its findings may be out of date (run again)",
            );
        }
    }
    any
}

/// The baseline of this run, if any (`--baseline`, `baseline = "..."`, or
/// cronlock-baseline.json when present; none under `--no-baseline`).
fn baseline_for(args: &ScanArgs, project: &Project) -> Result<Option<Baseline>> {
    if args.no_baseline {
        return Ok(None);
    }
    let location = baseline::locate(args.baseline.as_deref(), &project.config);
    Ok(baseline::for_run(location)?)
}

/// Whether what is left fails the run: any finding, or with a baseline, a
/// new finding or a stale entry.
fn fails(analysis: &Analysis, comparison: Option<&Comparison>) -> bool {
    comparison.map_or(!analysis.findings.is_empty(), Comparison::fails)
}

/// `check --update-baseline`: records the current findings and exits 0. Not
/// written when some file could not be read (its findings would be lost).
fn update_baseline(args: &ScanArgs, scan: &Scan, analysis: &Analysis) -> Result<Status> {
    let location = baseline::locate(args.baseline.as_deref(), &scan.project.config);
    if report_changed(&scan.project, &[]) {
        report_error(
            &location.shown,
            "not written: some files changed on disk while cronlock ran (see above)",
        );
        return Ok(Status::Error);
    }
    if scan.had_errors {
        report_error(
            &location.shown,
            "not written: some files could not be read (see above)",
        );
        return Ok(Status::Error);
    }
    let before = Baseline::load(location.clone()).ok().map(|b| b.len());
    let target = Baseline::empty(location);
    let entries = target.write(&scan.project, &analysis.findings)?;
    let _ = writeln!(
        std::io::stderr(),
        "Wrote {}: {} in {}{}.",
        target.shown(),
        count(analysis.findings.len(), "finding"),
        if entries == 1 {
            "1 entry".to_string()
        } else {
            format!("{entries} entries")
        },
        before.map_or(String::new(), |n| format!(
            " (it recorded {})",
            count(n, "finding")
        ))
    );
    Ok(Status::Clean)
}

fn status(had_errors: bool, anything_left: bool) -> Status {
    if had_errors {
        Status::Error
    } else if anything_left {
        Status::Findings
    } else {
        Status::Clean
    }
}

fn print_report(
    args: &ScanArgs,
    project: &Project,
    analysis: &Analysis,
    baseline: Option<&Comparison>,
) -> Result<()> {
    let color = args.format == Format::Text && args.color.enabled(std::io::stdout().is_terminal());
    let report = Report {
        project,
        analysis,
        color,
        quiet: args.quiet,
        baseline,
    };
    let mut out = StdoutSink::new();
    out.attempt(|stdout| output::write(args.format, &report, stdout))?;
    out.finish()
}

fn fix(args: &FixArgs, mut scan: Scan) -> Result<Status> {
    let baseline = baseline_for(&args.scan, &scan.project)?;
    if args.skip_baselined {
        scan.filter.skip_baselined = baseline.clone().map(std::sync::Arc::new);
    }
    if args.migrate_cron {
        ensure_migration_source(&scan.project, &scan.filter)?;
    }
    // Only files inside what was scanned are written (see `confine`).
    let bounds = crate::confine::Bounds::new(&scan_paths(&args.scan));
    let outside = |project: &Project, file: FileId| {
        crate::confine::refusal(&bounds, &project.files[file].path)
    };
    let outcome = engine::fix_project_within(&mut scan.project, &scan.filter, &outside);
    let project = &scan.project;
    let comparison = baseline
        .as_ref()
        .map(|b| b.compare(project, &outcome.remaining.findings));
    let left = fails(&outcome.remaining, comparison.as_ref());
    let mut had_errors = scan.had_errors;
    for failure in &outcome.failures {
        report_error(&project.files[failure.file].display, &failure.reason);
        had_errors = true;
    }
    let failed: Vec<FileId> = outcome.failures.iter().map(|f| f.file).collect();
    let changed: Vec<FileId> = outcome.originals.keys().copied().collect();
    if args.dry_run {
        let color = args.scan.color.enabled(std::io::stdout().is_terminal());
        let mut diffs = StdoutSink::new();
        for (&file, original) in &outcome.originals {
            let display = &project.files[file].display;
            let Some(original) = project.original_text(file, original) else {
                report_error(
                    display,
                    crate::write::WriteError::ChangedOnDisk.to_string().as_str(),
                );
                had_errors = true;
                continue;
            };
            // Read for this diff alone: a fixed text is not kept (see
            // `Project::splice_edits`).
            if let Some(source) = project.read_source(file) {
                diffs.write(&crate::diff::unified(
                    display,
                    &original,
                    source.text(),
                    color,
                ))?;
            }
        }
        diffs.finish()?;
        let remaining = &outcome.remaining.findings;
        let _ = writeln!(
            std::io::stderr(),
            "Would fix {} in {}; {} would remain{}",
            count(outcome.fixed, "finding"),
            count(changed.len(), "file"),
            count(remaining.len(), "finding"),
            if remaining.is_empty() { "." } else { ":" }
        );
        for finding in remaining {
            let _ = writeln!(std::io::stderr(), "  {}", remaining_line(project, finding));
        }
        baseline_note(comparison.as_ref(), true);
        had_errors |= report_changed(project, &failed);
        let anything = !changed.is_empty() || left;
        return Ok(status(had_errors, anything));
    }
    if refuse_uncommitted(project, &changed, args) {
        return Ok(Status::Error);
    }
    let (written, write_failed) = write_change_sets(project, &outcome);
    had_errors |= write_failed;
    // What is left is reported from the new texts, which are now on disk.
    scan.project.wrote(&written);
    let project = &scan.project;
    let stale = comparison.as_ref().is_some_and(|c| !c.stale.is_empty());
    if !outcome.remaining.findings.is_empty() || stale || args.scan.format != Format::Text {
        print_report(&args.scan, project, &outcome.remaining, comparison.as_ref())?;
    }
    let _ = writeln!(
        std::io::stderr(),
        "Fixed {} in {}; {} {}.",
        count(outcome.fixed, "finding"),
        count(written.len(), "file"),
        count(outcome.remaining.findings.len(), "finding"),
        if outcome.remaining.findings.len() == 1 {
            "remains"
        } else {
            "remain"
        }
    );
    baseline_note(comparison.as_ref(), false);
    had_errors |= report_changed(project, &failed);
    Ok(status(had_errors, left))
}

/// One finding `fix --dry-run` leaves, on one line: `file:line:col:
/// severity[rule] message`, so that what a person must still do is known
/// before anything is written.
fn remaining_line(project: &Project, finding: &crate::rules::Finding) -> String {
    let display = project
        .file(finding.file)
        .map_or("?", |f| f.display.as_str());
    let at = finding
        .position
        .map_or(String::new(), |p| format!(":{}:{}", p.line, p.column));
    format!(
        "{display}{at}: {}[{}] {}",
        finding.severity.as_str(),
        finding.rule.name(),
        finding.message
    )
}

/// After `fix`, on stderr: how many findings stay baselined, and which
/// entries the fix made (or would make) stale.
fn baseline_note(comparison: Option<&Comparison>, dry_run: bool) {
    let Some(comparison) = comparison else {
        return;
    };
    let mut note = format!(
        "{} {}",
        count(comparison.baselined_count(), "finding"),
        if dry_run {
            format!("would stay baselined ({})", comparison.shown)
        } else {
            format!("baselined ({})", comparison.shown)
        }
    );
    let stale = comparison.stale.len();
    if stale > 0 {
        let entries = if stale == 1 {
            "1 entry".to_string()
        } else {
            format!("{stale} entries")
        };
        note.push_str(&format!(
            "; {entries} {} stale: run `cronlock check --update-baseline`{}",
            match (dry_run, stale) {
                (true, _) => "would be",
                (false, 1) => "is now",
                (false, _) => "are now",
            },
            if dry_run { " after the fix" } else { "" }
        ));
    }
    let _ = writeln!(std::io::stderr(), "{note}.");
}

/// Writes every change set whose files all stage (see [`crate::write`]):
/// a set with one file that cannot be written (read-only, changed on disk)
/// is not written at all. Returns the files written, each with the
/// fingerprint of its new text, and whether anything failed.
fn write_change_sets(
    project: &Project,
    outcome: &engine::FixOutcome,
) -> (Vec<(FileId, Fingerprint)>, bool) {
    let mut ready = Vec::new();
    let mut failed = false;
    for set in &outcome.change_sets {
        let mut staged = Vec::with_capacity(set.len());
        let mut blocked: Option<FileId> = None;
        for &file in set {
            let (Some(original), Some(source)) =
                (outcome.originals.get(&file), project.read_source(file))
            else {
                continue;
            };
            let entry = &project.files[file];
            let Some(original) = project.original_text(file, original) else {
                report_error(
                    &entry.display,
                    &crate::write::WriteError::ChangedOnDisk.to_string(),
                );
                blocked.get_or_insert(file);
                continue;
            };
            match crate::write::stage(&entry.path, &original, source.text()) {
                Ok(temp) => staged.push(((file, Fingerprint::of(source.text().as_bytes())), temp)),
                Err(error) => {
                    report_error(&entry.display, &error.to_string());
                    blocked.get_or_insert(file);
                }
            }
        }
        match blocked {
            Some(cause) => {
                failed = true;
                for ((file, _), _) in &staged {
                    report_error(
                        &project.files[*file].display,
                        &format!(
                            "not written: part of one change with {}, which could not be written",
                            project.files[cause].display
                        ),
                    );
                }
            }
            None => ready.extend(staged),
        }
    }
    let (files, staged): (Vec<(FileId, Fingerprint)>, Vec<crate::write::Staged>) =
        ready.into_iter().unzip();
    let mut written = Vec::with_capacity(files.len());
    for ((file, print), result) in files.into_iter().zip(crate::write::commit(staged)) {
        match result {
            Ok(()) => written.push((file, print)),
            Err(error) => {
                report_error(&project.files[file].display, &error.to_string());
                failed = true;
            }
        }
    }
    (written, failed)
}

/// Inside a git work tree, files with uncommitted changes are not written
/// unless `--allow-dirty` (or `--allow-staged` for staged changes): each is
/// named, nothing is written, and the exit code is 2. `true` when refused.
fn refuse_uncommitted(project: &Project, changed: &[FileId], args: &FixArgs) -> bool {
    let allowance = crate::vcs::Allowance {
        dirty: args.allow_dirty,
        staged: args.allow_staged,
    };
    let targets: Vec<&std::path::Path> = changed
        .iter()
        .map(|file| project.files[*file].path.as_path())
        .collect();
    let refused = crate::vcs::refused(&targets, allowance);
    for (path, state) in &refused {
        let shown = project
            .files
            .iter()
            .find(|f| &f.path == path)
            .map_or_else(|| path.display().to_string(), |f| f.display.clone());
        let why = match state {
            crate::vcs::Uncommitted::Staged => "has staged changes that are not committed",
            crate::vcs::Uncommitted::Dirty => "has uncommitted changes",
        };
        report_error(&shown, why);
    }
    if !refused.is_empty() {
        report_error(
            "fix",
            &format!(
                "nothing was written: {} uncommitted changes; commit or stash them, or pass \
--allow-dirty (--allow-staged when the changes are staged)",
                if refused.len() == 1 {
                    "1 file has".to_string()
                } else {
                    format!("{} files have", refused.len())
                }
            ),
        );
    }
    !refused.is_empty()
}

/// `--migrate-cron` must know where `ClusterSafeCron` comes from in every
/// package that has an unlocked `@Cron`; otherwise nothing is changed.
fn ensure_migration_source(project: &Project, filter: &RuleFilter) -> Result<()> {
    let analysis = engine::analyze(project, filter);
    let mut lacking: Vec<&str> = analysis
        .findings
        .iter()
        // A class held back from the migration (see `ripple`) has no fix
        // either, and says why itself.
        .filter(|f| f.rule == Rule::UnlockedCron && project.migration_source(f.file).is_none())
        .map(|f| project.files[f.file].display.as_str())
        .collect();
    lacking.dedup();
    if let Some(first) = lacking.first() {
        bail!(
            "--migrate-cron: {first}{}: no `import-source` is configured and its package imports no lock names, \
so cronlock cannot tell where `ClusterSafeCron` comes from; set `import-source = \"<module>\"` in cronlock.toml \
(nothing was changed)",
            if lacking.len() > 1 {
                format!(" (and {} more files)", lacking.len() - 1)
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

/// `cronlock rules`.
pub fn rules_table() -> String {
    let mut out = format!(
        "{:<34} {:<8} {:<16} {}\n",
        "RULE", "SEVERITY", "FIX", "WHAT IT FINDS"
    );
    for &rule in Rule::ALL {
        let fix = match rule.fixability() {
            Fixability::Always => "yes",
            Fixability::WithMigrateCron => "--migrate-cron",
            Fixability::Partly => "partly",
            Fixability::Manual => "no",
        };
        out.push_str(&format!(
            "{:<34} {:<8} {:<16} {}\n",
            rule.name(),
            rule.default_severity().as_str(),
            fix,
            rule.doc().summary
        ));
    }
    out
}

/// `cronlock rule NAME`.
pub fn explain(rule: Rule) -> String {
    let doc = rule.doc();
    let indent = |code: &str| {
        code.lines()
            .map(|l| format!("    {l}\n"))
            .collect::<String>()
    };
    format!(
        "{name} ({severity}, fix: {fix})\n\n{summary}\n\nWhy it matters in cluster mode\n  {why}\n\nBefore\n{before}\nAfter\n{after}\nFix\n  {how}\n",
        name = rule.name(),
        severity = rule.default_severity().as_str(),
        fix = match rule.fixability() {
            Fixability::Always => "yes",
            Fixability::WithMigrateCron => "with --migrate-cron",
            Fixability::Partly => "in tests and factories",
            Fixability::Manual => "no",
        },
        summary = doc.summary,
        why = doc.why,
        before = indent(doc.before),
        after = indent(doc.after),
        how = doc.fix,
    )
}

/// Stdout written piece by piece, so that a large output (a dry run's
/// diffs) is not gathered in memory first; a closed pipe is not an error
/// (what follows is dropped).
struct StdoutSink {
    /// `None` once the pipe closed.
    out: Option<std::io::BufWriter<std::io::StdoutLock<'static>>>,
}

impl StdoutSink {
    fn new() -> StdoutSink {
        StdoutSink {
            out: Some(std::io::BufWriter::new(std::io::stdout().lock())),
        }
    }

    /// Writes `text` (buffered).
    fn write(&mut self, text: &str) -> Result<()> {
        self.attempt(|out| out.write_all(text.as_bytes()))
    }

    /// Writes out what is buffered.
    fn finish(mut self) -> Result<()> {
        self.attempt(std::io::Write::flush)
    }

    fn attempt(
        &mut self,
        step: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
    ) -> Result<()> {
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        match step(out) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                self.out = None;
                Ok(())
            }
            other => other.context("writing to stdout"),
        }
    }
}

/// Writes to stdout; a closed pipe (`cronlock check | head`) is not an error.
fn print_stdout(text: &str) -> Result<()> {
    let mut out = StdoutSink::new();
    out.write(text)?;
    out.finish()
}
