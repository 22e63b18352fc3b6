//! `--format text`: `file:line:col: severity[rule] message`, a source frame
//! like rustc's (drawn by annotate-snippets), a `help:` line for fixable
//! findings, then a summary.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use anstyle::{AnsiColor, Style};

use super::count;
use super::{Located, Report};
use crate::project::SourceRef;
use crate::rules::{Fixability, Severity};
use crate::source::SourceText;

/// The text report.
pub fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    if !report.quiet {
        let renderer = if report.color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        // The text of the file being reported on: findings come sorted by
        // file, so each text is read once and let go after its findings.
        let mut text: Option<(crate::ids::FileId, Option<SourceRef<'_>>)> = None;
        for located in report.located().into_iter().filter(|l| !l.baselined) {
            out.push_str(&header(&located, report.color));
            out.push('\n');
            if text
                .as_ref()
                .is_none_or(|(file, _)| *file != located.finding.file)
            {
                text = Some((located.finding.file, located.source()));
            }
            let source = text.as_ref().and_then(|(_, source)| source.as_deref());
            if let Some(frame) = source.and_then(|source| frame(&located, source, &renderer)) {
                out.push_str(&frame);
                out.push('\n');
            }
            let titled = located.finding.fix.as_ref().and_then(|f| f.title.as_ref());
            let help = match titled {
                Some(title) => Some(format!("`cronlock fix` will {title}")),
                None => help(&located).map(|h| localize(report, &located, &h)),
            };
            if let Some(help) = help {
                out.push_str(&paint(
                    report.color,
                    AnsiColor::Cyan.on_default().bold(),
                    "help",
                ));
                out.push_str(": ");
                out.push_str(&help);
                out.push('\n');
            }
            for related in &located.finding.related {
                let (file, line, column) = report.locate(related);
                out.push_str(&paint(
                    report.color,
                    AnsiColor::Cyan.on_default().bold(),
                    "note",
                ));
                out.push_str(&format!(
                    ": fix also reaches {file}:{line}:{column}: {}\n",
                    related.message
                ));
            }
            out.push('\n');
        }
    }
    if let Some(baseline) = report.baseline {
        for stale in &baseline.stale {
            out.push_str(&stale.message());
            out.push('\n');
        }
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    if let Some(baseline) = report.baseline {
        out.push_str(&baseline_line(baseline));
        out.push_str(".\n");
    }
    out
}

fn paint(color: bool, style: Style, text: &str) -> String {
    if color {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

/// `file:line:col: severity[rule] message`.
fn header(l: &Located<'_>, color: bool) -> String {
    let severity = l.finding.severity.as_str();
    let style = match l.finding.severity {
        Severity::Error => AnsiColor::Red.on_default().bold(),
        Severity::Warning => AnsiColor::Yellow.on_default().bold(),
    };
    format!(
        "{}: {}{} {}",
        paint(
            color,
            Style::new().bold(),
            &format!("{}:{}:{}", l.file, l.line, l.column)
        ),
        paint(color, style, severity),
        paint(color, style, &format!("[{}]", l.finding.rule.name())),
        l.finding.message
    )
}

/// The offending lines with a caret under the finding.
fn frame(l: &Located<'_>, source: &SourceText, renderer: &Renderer) -> Option<String> {
    let last_line = l.end_line.min(l.line + 3);
    let start = source.line_range(l.line).start;
    let end = source.line_range(last_line).end;
    let text = source.text().get(start..end)?;
    let span_start = l.finding.offset.saturating_sub(start).min(text.len());
    let span_end = l
        .finding
        .end
        .saturating_sub(start)
        .clamp(span_start, text.len());
    let level = match l.finding.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let report = [Group::with_level(level).element(
        Snippet::source(text)
            .line_start(l.line)
            .fold(false)
            .annotation(AnnotationKind::Primary.span(span_start..span_end)),
    )];
    Some(renderer.render(&report).to_string())
}

/// The help line in the names and the modifier this file gets.
fn localize(report: &Report<'_>, l: &Located<'_>, help: &str) -> String {
    let modifier = report.project.lock_modifier(l.finding.file);
    report
        .project
        .config
        .localize(help)
        .replace("private readonly", modifier)
}

fn help(l: &Located<'_>) -> Option<String> {
    let rule = l.finding.rule;
    match rule.fixability() {
        Fixability::Always | Fixability::Partly if l.finding.fix.is_some() => {
            Some(format!("`cronlock fix` will {}", rule.doc().fix_title))
        }
        Fixability::WithMigrateCron if l.finding.held_back => Some(
            "migrate it by hand once the call site named above passes the lock service".to_string(),
        ),
        Fixability::WithMigrateCron => Some(rule.doc().fix_title.to_string()),
        _ => None,
    }
}

/// `N findings (M fixable) in K files; run `cronlock fix` to apply M fixes.`
/// With a baseline, only new findings count: `N new findings ...`.
pub fn summary_line(report: &Report<'_>) -> String {
    let s = report.new_summary();
    let noun = if report.baseline.is_some() {
        "new finding"
    } else {
        "finding"
    };
    if s.findings == 0 {
        return format!("No {noun}s in {} scanned.", count(s.files_scanned, "file"));
    }
    let mut line = format!(
        "{} ({} fixable) in {}",
        count(s.findings, noun),
        s.fixable,
        count(s.files_with_findings, "file")
    );
    if s.fixable > 0 {
        line.push_str(&format!(
            "; run `cronlock fix` to apply {}.",
            if s.fixable == 1 {
                "1 fix".to_string()
            } else {
                format!("{} fixes", s.fixable)
            }
        ));
    } else {
        line.push('.');
    }
    line
}

/// `N findings baselined (FILE)`.
fn baseline_line(baseline: &crate::baseline::Comparison) -> String {
    format!(
        "{} baselined ({})",
        super::count(baseline.baselined_count(), "finding"),
        baseline.shown
    )
}
