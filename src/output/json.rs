//! `--format json`: the contract's document.

use serde_json::json;

use super::Report;

/// The JSON document, pretty-printed, with a final newline.
pub fn render(report: &Report<'_>) -> String {
    let findings: Vec<_> = report
        .located()
        .iter()
        .map(|l| {
            let mut finding = json!({
                "rule": l.finding.rule.name(),
                "severity": l.finding.severity.as_str(),
                "file": l.file,
                "line": l.line,
                "column": l.column,
                "class": l.finding.class,
                "method": l.finding.method,
                "package": l.package,
                "message": l.finding.message,
                "fixable": l.finding.is_fixable(),
                "related": l.finding.related.iter().map(|r| {
                    let (file, line, column) = report.locate(r);
                    json!({ "file": file, "line": line, "column": column, "message": r.message })
                }).collect::<Vec<_>>(),
            });
            if report.baseline.is_some() {
                finding["baselined"] = json!(l.baselined);
            }
            finding
        })
        .collect();
    let packages: Vec<_> = report
        .packages()
        .map(|(package, summary)| {
            json!({
                "name": package.name,
                "path": package.display,
                "lock_module_registered": summary.lock_module_registered,
                "classes_needing_lock": summary.classes_needing_lock,
                "classes_complete": summary.classes_complete,
                "unlocked_cron": summary.unlocked_cron,
            })
        })
        .collect();
    let summary = report.summary();
    let mut document = json!({
        "version": 1,
        "findings": findings,
        "packages": packages,
        "summary": {
            "files_scanned": summary.files_scanned,
            "files_with_findings": summary.files_with_findings,
            "findings": summary.findings,
            "fixable": summary.fixable,
            "ready": summary.ready,
        },
    });
    if let Some(baseline) = report.baseline {
        document["baseline"] = json!({
            "file": baseline.shown,
            "new": baseline.new_count(),
            "baselined": baseline.baselined_count(),
            "stale": baseline.stale.iter().map(|s| json!({
                "file": s.key.file,
                "class": s.key.class,
                "method": s.key.method,
                "rule": s.key.rule,
                "count": s.gone,
                "message": s.message(),
            })).collect::<Vec<_>>(),
        });
    }
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}
