//! `--format sarif`: SARIF 2.1.0 for code-scanning upload.

use serde_json::{Value, json};

use super::{Json, Report};
use crate::rules::{Fixability, Rule, Severity};

/// The SARIF log, pretty-printed, with a final newline.
pub fn render(report: &Report<'_>) -> String {
    document(report).to_pretty_string()
}

/// The SARIF log; its results are made one by one as it is written (see
/// [`Json`]).
pub fn document<'r>(report: &'r Report<'_>) -> Json<'r> {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|&rule| rule_descriptor(rule))
        .collect();
    let results = report.located().into_iter().map(move |l| {
            let rule_index = Rule::ALL.iter().position(|r| *r == l.finding.rule).unwrap_or(0);
            let mut result = json!({
                "ruleId": l.finding.rule.name(),
                "ruleIndex": rule_index,
                "level": level(l.finding.severity),
                "message": { "text": l.finding.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": l.file },
                        "region": {
                            "startLine": l.line,
                            "startColumn": l.column,
                            "endLine": l.end_line,
                            "endColumn": l.end_column.max(l.column + usize::from(l.end_line == l.line)),
                        }
                    }
                }],
                "properties": { "package": l.package },
            });
            if !l.finding.related.is_empty() {
                let related: Vec<Value> = l
                    .finding
                    .related
                    .iter()
                    .enumerate()
                    .map(|(id, r)| {
                        let (file, line, column) = report.locate(r);
                        json!({
                            "id": id,
                            "physicalLocation": {
                                "artifactLocation": { "uri": file },
                                "region": { "startLine": line, "startColumn": column },
                            },
                            "message": { "text": r.message },
                        })
                    })
                    .collect();
                result["relatedLocations"] = json!(related);
            }
            if report.baseline.is_some() {
                // SARIF's own notion: "unchanged" is recorded in the baseline.
                let state = if l.baselined { "unchanged" } else { "new" };
                result["baselineState"] = json!(state);
            }
            if let Some(fix) = l.finding.fix.as_ref().filter(|_| l.finding.is_fixable()) {
                let replacements: Vec<Value> = fix
                    .edits
                    .iter()
                    .map(|edit| {
                        json!({
                            "deletedRegion": {
                                "byteOffset": edit.range.start,
                                "byteLength": edit.range.end - edit.range.start,
                            },
                            "insertedContent": { "text": edit.content },
                        })
                    })
                    .collect();
                result["fixes"] = json!([{
                    "description": { "text": format!("cronlock fix: {}", l.finding.rule.doc().summary) },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": l.file },
                        "replacements": replacements,
                    }],
                }]);
            }
            result
        });
    let run = Json::Object(vec![
        (
            "tool",
            Json::Value(json!({
                "driver": {
                    "name": "cronlock",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            })),
        ),
        ("columnKind", Json::Value(json!("unicodeCodePoints"))),
        ("results", Json::items(results)),
    ]);
    Json::Object(vec![
        (
            "$schema",
            Json::Value(json!("https://json.schemastore.org/sarif-2.1.0.json")),
        ),
        ("version", Json::Value(json!("2.1.0"))),
        ("runs", Json::Array(vec![run])),
    ])
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rule_descriptor(rule: Rule) -> Value {
    let doc = rule.doc();
    let fixable = match rule.fixability() {
        Fixability::Always => "yes",
        Fixability::WithMigrateCron => "with `--migrate-cron`",
        Fixability::Partly => "in tests and factories",
        Fixability::Manual => "no",
    };
    let markdown = format!(
        "{}\n\n**Why it matters in cluster mode.** {}\n\n**Before**\n\n```ts\n{}\n```\n\n**After**\n\n```ts\n{}\n```\n\n**Fix ({fixable}).** {}",
        doc.summary, doc.why, doc.before, doc.after, doc.fix
    );
    json!({
        "id": rule.name(),
        "name": rule.name(),
        "shortDescription": { "text": doc.summary },
        "fullDescription": { "text": doc.why },
        "help": { "text": format!("{} {}", doc.why, doc.fix), "markdown": markdown },
        "defaultConfiguration": { "level": level(rule.default_severity()) },
        "properties": { "fixable": fixable },
    })
}
