//! `--format json`: the contract's document.

use serde_json::json;

use super::{Json, Report};

/// The JSON document, pretty-printed, with a final newline.
pub fn render(report: &Report<'_>) -> String {
    document(report).to_pretty_string()
}

/// The JSON document; its findings are made one by one as it is written
/// (see [`Json`]).
pub fn document<'r>(report: &'r Report<'_>) -> Json<'r> {
    let findings = report.located().into_iter().map(move |l| {
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
    });
    let packages: Vec<_> = report
        .packages()
        .map(|(package, summary)| {
            json!({
                "name": package.name,
                "path": package.display,
                "lock_module_registered": summary.lock_module_registered(report.project),
                "classes_needing_lock": summary.classes_needing_lock,
                "classes_complete": summary.classes_complete,
                "unlocked_cron": summary.unlocked_cron,
            })
        })
        .collect();
    let summary = report.summary();
    let mut document = vec![
        ("version", Json::Value(json!(1))),
        ("findings", Json::items(findings)),
        ("packages", Json::Value(json!(packages))),
        (
            "summary",
            Json::Value(json!({
                "files_scanned": summary.files_scanned,
                "files_with_findings": summary.files_with_findings,
                "findings": summary.findings,
                "fixable": summary.fixable,
                "ready": summary.ready,
            })),
        ),
    ];
    if let Some(baseline) = report.baseline {
        document.push((
            "baseline",
            Json::Value(json!({
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
            })),
        ));
    }
    Json::Object(document)
}
