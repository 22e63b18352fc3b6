//! `--format markdown`: the readiness report a team pastes into a pull request.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{Report, percent};
use crate::rules::Rule;

/// The markdown report.
pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    let summary = report.summary();
    let (needing, complete, unlocked) = report.packages().fold((0, 0, 0), |acc, (_, s)| {
        (
            acc.0 + s.classes_needing_lock,
            acc.1 + s.classes_complete,
            acc.2 + s.unlocked_cron,
        )
    });
    let verdict = if summary.ready { "READY" } else { "NOT READY" };
    let _ = writeln!(out, "# cronlock readiness report\n");
    let member = &report.project.config.lock_service_member;
    let _ = writeln!(
        out,
        "**Verdict: {verdict}**: {complete} of {needing} lock-decorated classes have `{member}` ({}%), \
{unlocked} plain `@Cron` jobs left, {} findings ({} fixable) in {} of {} files scanned.\n",
        percent(complete, needing),
        summary.findings,
        summary.fixable,
        summary.files_with_findings,
        summary.files_scanned
    );
    package_table(report, &mut out);
    missing_by_package(report, &mut out);
    other_findings(report, &mut out);
    out
}

fn package_table(report: &Report<'_>, out: &mut String) {
    let _ = writeln!(out, "## Packages\n");
    let _ = writeln!(
        out,
        "| package | lock module registered | classes with lock decorators | complete | progress | plain `@Cron` left |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    for (package, s) in report.packages() {
        let registered = match (s.has_modules, s.lock_module_registered) {
            (false, _) => "no `@Module`",
            (true, Some(true)) => "yes",
            (true, Some(false)) => "**no**",
            (true, None) => "cannot tell",
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

fn missing_by_package(report: &Report<'_>, out: &mut String) {
    let located = report.located();
    let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for l in located
        .iter()
        .filter(|l| l.finding.rule == Rule::MissingLockService)
    {
        let class = l.finding.class.as_deref().unwrap_or("(anonymous class)");
        groups
            .entry(l.package)
            .or_default()
            .push(format!("- `{class}`: `{}:{}`", l.file, l.line));
    }
    let total: usize = groups.values().map(Vec::len).sum();
    let _ = writeln!(out, "## Classes still missing a lock service ({total})\n");
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
            l.finding.rule.name(),
            l.finding.severity.as_str(),
            l.finding.message.replace('|', "\\|")
        );
    }
}
