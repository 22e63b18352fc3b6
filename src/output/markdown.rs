//! `--format markdown`: the readiness report a team pastes into a pull request.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Report, count, percent};
use crate::engine::Judgement;
use crate::modules::Registration;
use crate::rules::Rule;

/// The markdown report.
pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# cronlock readiness report\n");
    let _ = writeln!(out, "{}\n", headline(report));
    package_table(report, &mut out);
    match report.baseline {
        None => missing_by_package(report, None, &mut out),
        Some(_) => {
            missing_by_package(report, Some(false), &mut out);
            missing_by_package(report, Some(true), &mut out);
            stale_entries(report, &mut out);
        }
    }
    ripple(report, &mut out);
    other_findings(report, &mut out);
    out
}

/// The overall verdict, as the contract orders them (docs/readiness.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing is left.
    Ready,
    /// No class uses a lock decorator yet, but jobs are scheduled.
    NotStarted,
    /// Something could not be verified.
    Unknown,
    /// Anything else.
    NotReady,
}

impl Verdict {
    /// The verdict as the report writes it: `READY`, `NOT STARTED`,
    /// `UNKNOWN`, `NOT READY`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "READY",
            Verdict::NotStarted => "NOT STARTED",
            Verdict::Unknown => "UNKNOWN",
            Verdict::NotReady => "NOT READY",
        }
    }
}

/// The verdict and the numbers behind it, summed over the report's
/// packages: what the headline says, and what the language server's
/// status bar shows (`cronlock: NOT READY 11/38`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The verdict.
    pub verdict: Verdict,
    /// Classes with lock-decorated methods.
    pub needing: usize,
    /// Of those, the ones with the lock service member.
    pub complete: usize,
    /// `@Cron` jobs without a lock.
    pub cron: usize,
    /// `@Interval`/`@Timeout` jobs.
    pub interval: usize,
    /// Jobs scheduled in code without a lock.
    pub dynamic: usize,
    /// Jobs locked in their body by a configured `[[lock-call]]`.
    pub in_body: usize,
}

/// Where `report` stands (see [`Standing`]).
pub fn standing(report: &Report<'_>) -> Standing {
    standing_and_unknowns(report).0
}

/// [`standing`], and what could not be verified (in words).
fn standing_and_unknowns(report: &Report<'_>) -> (Standing, Vec<String>) {
    let (needing, complete, cron, interval, dynamic, in_body) =
        report.packages().fold((0, 0, 0, 0, 0, 0), |acc, (_, s)| {
            (
                acc.0 + s.classes_needing_lock,
                acc.1 + s.classes_complete,
                acc.2 + s.unlocked_cron,
                acc.3 + s.unlocked_interval,
                acc.4 + s.unlocked_dynamic,
                acc.5 + s.locked_in_body,
            )
        });
    let unknowns = report.analysis.unknowns(report.project);
    let verdict = if report.analysis.is_ready() {
        Verdict::Ready
    } else if needing == 0 && cron + interval + dynamic > 0 {
        Verdict::NotStarted
    } else if !unknowns.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::NotReady
    };
    let standing = Standing {
        verdict,
        needing,
        complete,
        cron,
        interval,
        dynamic,
        in_body,
    };
    (standing, unknowns)
}

/// The verdict line: what the verdict is and the numbers behind it, never a
/// percentage of nothing.
fn headline(report: &Report<'_>) -> String {
    let summary = report.summary();
    let (standing, unknowns) = standing_and_unknowns(report);
    let Standing {
        verdict,
        needing,
        complete,
        cron,
        interval,
        dynamic,
        in_body,
    } = standing;
    let member = &report.project.config.lock_service_member;
    let files = format!(
        "{} ({} fixable) in {} of {} scanned",
        count(summary.findings, "finding"),
        summary.fixable,
        summary.files_with_findings,
        count(summary.files_scanned, "file")
    );
    let progress = if needing == 0 {
        "no class uses a lock decorator yet".to_string()
    } else {
        format!(
            "{complete} of {needing} lock-decorated classes have `{member}` ({}%)",
            percent(complete, needing)
        )
    };
    let mut jobs = count(cron, "plain `@Cron` job");
    if dynamic > 0 {
        let noun = if dynamic == 1 { "job" } else { "jobs" };
        jobs.push_str(&format!(" and {dynamic} {noun} scheduled in code"));
    }
    let detail = match verdict {
        Verdict::Ready if needing == 0 && in_body > 0 => format!(
            "every scheduled job takes a lock ({} scanned)",
            count(summary.files_scanned, "file")
        ),
        Verdict::Ready if needing == 0 => format!(
            "no scheduled jobs and no lock decorators in {} scanned",
            count(summary.files_scanned, "file")
        ),
        Verdict::Ready => format!(
            "all {needing} lock-decorated classes have `{member}`, the lock module is registered \
wherever it is needed, and no scheduled job runs unlocked ({} scanned)",
            count(summary.files_scanned, "file")
        ),
        Verdict::NotStarted => format!(
            "no class uses a lock decorator yet; {} run on every replica ({jobs}, {} `@Interval`/`@Timeout`); {files}",
            count(cron + interval + dynamic, "scheduled job"),
            interval,
        ),
        Verdict::Unknown => format!(
            "cronlock could not verify {}; {progress}, {jobs} left, {files}",
            unknowns.join("; ")
        ),
        Verdict::NotReady => format!("{progress}, {jobs} left, {files}"),
    };
    let mut line = format!("**Verdict: {}**: {detail}.", verdict.as_str());
    if in_body > 0 {
        let _ = write!(
            line,
            " {} locked in the body by a configured `[[lock-call]]`.",
            count(in_body, "scheduled job")
        );
    }
    if let Some(baseline) = report.baseline {
        // Baselined findings are known, not gone: the verdict above counts them.
        let _ = write!(
            line,
            " Baseline `{}`: {} baselined, {} new, {}.",
            baseline.shown,
            count(baseline.baselined_count(), "finding"),
            baseline.new_count(),
            match baseline.stale.len() {
                1 => "1 stale entry".to_string(),
                n => format!("{n} stale entries"),
            }
        );
    }
    line
}

fn package_table(report: &Report<'_>, out: &mut String) {
    let _ = writeln!(out, "## Packages\n");
    if report.analysis.packages.is_empty() {
        let _ = writeln!(out, "No package has scheduled jobs or lock decorators.\n");
        return;
    }
    let _ = writeln!(
        out,
        "| package | lock module registered | classes with lock decorators | complete | progress | plain `@Cron` left |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    for (package, s) in report.packages() {
        let unknown;
        let registered = match s.judgement {
            Judgement::Judged(Registration::Yes) => "yes",
            Judgement::Judged(Registration::No) => "**no**",
            Judgement::Judged(Registration::Unknown) => {
                unknown = format!("unknown ({})", s.unknown_reason().replace('|', "\\|"));
                unknown.as_str()
            }
            Judgement::NoApplication => "unknown (no application imports it)",
            Judgement::NoModule => "no `@Module`",
            Judgement::NotApplicable => "-",
        };
        let progress = if s.classes_needing_lock == 0 {
            "-".to_string()
        } else {
            format!("{}%", percent(s.classes_complete, s.classes_needing_lock))
        };
        let _ = writeln!(
            out,
            "| {} | {registered} | {} | {} | {progress} | {} |",
            package.name, s.classes_needing_lock, s.classes_complete, s.unlocked_cron
        );
    }
    out.push('\n');
}

/// The classes still missing a lock service, by package: all of them
/// (`baselined` is `None`, no baseline), or only the new or the baselined ones.
fn missing_by_package(report: &Report<'_>, baselined: Option<bool>, out: &mut String) {
    let located = report.located();
    let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for l in located.iter().filter(|l| {
        l.finding.rule == Rule::MissingLockService && baselined.is_none_or(|b| b == l.baselined)
    }) {
        let class = l.finding.class.as_deref().unwrap_or("(anonymous class)");
        groups
            .entry(l.package)
            .or_default()
            .push(format!("- `{class}`: `{}:{}`", l.file, l.line));
    }
    let total: usize = groups.values().map(Vec::len).sum();
    let which = match baselined {
        None => "",
        Some(false) => ": new",
        Some(true) => ": baselined",
    };
    let _ = writeln!(
        out,
        "## Classes still missing a lock service{which} ({total})\n"
    );
    if groups.is_empty() {
        let _ = writeln!(out, "None.\n");
        return;
    }
    for (package, lines) in groups {
        let _ = writeln!(out, "### {package} ({})\n", lines.len());
        for line in lines {
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    }
}

/// "What the fix also changes": every site beyond the finding's own file
/// and line, so that a reviewer sees the blast radius in the pull request.
fn ripple(report: &Report<'_>, out: &mut String) {
    let located = report.located();
    let with_sites: Vec<_> = located
        .iter()
        .filter(|l| !l.finding.related.is_empty())
        .collect();
    let total: usize = with_sites.iter().map(|l| l.finding.related.len()).sum();
    if total == 0 {
        return;
    }
    let _ = writeln!(out, "## What the fix also changes ({total})\n");
    for l in with_sites {
        let class = l.finding.class.as_deref().unwrap_or("(anonymous class)");
        let _ = writeln!(out, "- `{class}` (`{}:{}`):", l.file, l.line);
        for related in &l.finding.related {
            let (file, line, _) = report.locate(related);
            let _ = writeln!(out, "  - `{file}:{line}`: {}", related.message);
        }
    }
    out.push('\n');
}

fn other_findings(report: &Report<'_>, out: &mut String) {
    let located = report.located();
    let others: Vec<_> = located
        .iter()
        .filter(|l| l.finding.rule != Rule::MissingLockService)
        .collect();
    let _ = writeln!(out, "## Other findings ({})\n", others.len());
    if others.is_empty() {
        let _ = writeln!(out, "None.");
        return;
    }
    let _ = writeln!(out, "| file | rule | severity | message |");
    let _ = writeln!(out, "|---|---|---|---|");
    for l in others {
        let _ = writeln!(
            out,
            "| `{}:{}` | {} | {} | {} |",
            l.file,
            l.line,
            if l.baselined {
                format!("{} (baselined)", l.finding.rule.name())
            } else {
                l.finding.rule.name().to_string()
            },
            l.finding.severity.as_str(),
            l.finding.message.replace('|', "\\|")
        );
    }
}

/// Entries of the baseline whose findings are gone: the run fails until the
/// baseline is rewritten.
fn stale_entries(report: &Report<'_>, out: &mut String) {
    let Some(baseline) = report.baseline else {
        return;
    };
    if baseline.stale.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "## Stale baseline entries ({})\n",
        baseline.stale.len()
    );
    for stale in &baseline.stale {
        let _ = writeln!(out, "- {}", stale.message());
    }
    out.push('\n');
}
