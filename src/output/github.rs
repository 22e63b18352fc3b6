//! `--format github`: GitHub Actions workflow commands, one per finding.

use super::Report;
use crate::ids::FileId;
use crate::rules::Severity;

/// `::error file=...,line=...,col=...,title=cronlock(rule)::message` lines.
pub fn render(report: &Report<'_>) -> String {
    let cwd = std::env::current_dir().ok();
    let mut out = String::new();
    // Baselined findings are known: only new ones are annotated.
    for l in report.located().into_iter().filter(|l| !l.baselined) {
        let level = match l.finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let file = relative_to_cwd(report, l.finding.file, cwd.as_deref())
            .unwrap_or_else(|| l.file.to_string());
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&file),
            l.line,
            l.column,
            l.end_line,
            l.end_column,
            escape_property(&format!("cronlock({})", l.finding.rule.name())),
            escape_data(&l.finding.message),
        ));
    }
    if let Some(baseline) = report.baseline {
        for stale in &baseline.stale {
            out.push_str(&format!(
                "::error file={},title=cronlock(baseline)::{}\n",
                escape_property(&baseline.shown),
                escape_data(&stale.message()),
            ));
        }
    }
    out
}

fn relative_to_cwd(
    report: &Report<'_>,
    file: FileId,
    cwd: Option<&std::path::Path>,
) -> Option<String> {
    let path = std::path::absolute(&report.project.file(file)?.path).ok()?;
    let path = crate::paths::normalize(&path);
    let relative = path.strip_prefix(cwd?).ok()?;
    Some(crate::walk::display_path(relative))
}

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
