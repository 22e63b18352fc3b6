//! Settling findings: configured severities, `--select`/`--ignore`,
//! `// cronlock-ignore` comments, positions, and the final order.

use rayon::prelude::*;

use super::RuleFilter;
use crate::ids::FileId;
use crate::project::Project;
use crate::rules::{Finding, Position};
use crate::source::SourceText;

/// Applies configured severities, `--select`/`--ignore` and `// cronlock-ignore`,
/// and works out where each finding (and each related site) is.
pub(super) fn settle(
    project: &Project,
    filter: &RuleFilter,
    findings: Vec<Finding>,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = findings
        .into_iter()
        .filter_map(|mut finding| {
            finding.severity = project.config.severity(finding.rule)?;
            filter.allows(finding.rule).then_some(finding)
        })
        .collect();
    // Every site, by file: each file's text is read once, used for all its
    // sites and let go (texts are not kept: see `Project::read_source`).
    let mut sites: Vec<(FileId, usize, Option<usize>)> = Vec::new();
    for (index, finding) in findings.iter().enumerate() {
        sites.push((finding.file, index, None));
        for (r, related) in finding.related.iter().enumerate() {
            sites.push((related.file, index, Some(r)));
        }
    }
    sites.sort_unstable();
    let groups: Vec<&[(FileId, usize, Option<usize>)]> =
        sites.chunk_by(|a, b| a.0 == b.0).collect();
    let found: Vec<(usize, Option<usize>, SitePosition)> = groups
        .into_par_iter()
        .flat_map_iter(|group| {
            let source = project.read_source(group[0].0);
            let findings = &findings;
            group
                .iter()
                .map(move |&(_, index, related)| {
                    let finding = &findings[index];
                    let located = match (related, source.as_deref()) {
                        (_, None) => SitePosition::Unknown,
                        (Some(r), Some(source)) => {
                            let offset = finding.related[r].offset;
                            SitePosition::Related(source.line_col(offset))
                        }
                        (None, Some(source)) if is_suppressed(source, finding) => {
                            SitePosition::Suppressed
                        }
                        (None, Some(source)) => {
                            let (line, column) = source.line_col(finding.offset);
                            let (end_line, end_column) = source.line_col(finding.end);
                            SitePosition::Finding(Position {
                                line,
                                column,
                                end_line,
                                end_column,
                            })
                        }
                    };
                    (index, related, located)
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let mut suppressed = vec![false; findings.len()];
    for (index, related, located) in found {
        match (located, related) {
            (SitePosition::Suppressed, _) => suppressed[index] = true,
            (SitePosition::Finding(position), _) => findings[index].position = Some(position),
            (SitePosition::Related(at), Some(r)) => findings[index].related[r].position = Some(at),
            _ => {}
        }
    }
    findings
        .into_iter()
        .zip(suppressed)
        .filter_map(|(finding, suppressed)| (!suppressed).then_some(finding))
        .collect()
}

/// Where [`settle`] placed one site, once its file's text was read: a
/// finding's position, a related site's line and column, or why neither.
enum SitePosition {
    /// The file's text is not at hand.
    Unknown,
    /// A finding `// cronlock-ignore` silences.
    Suppressed,
    /// A finding's position.
    Finding(Position),
    /// A related site's line and column.
    Related((usize, usize)),
}

/// `// cronlock-ignore` or `// cronlock-ignore rule-a,rule-b` on the line above.
fn is_suppressed(source: &SourceText, finding: &Finding) -> bool {
    let (line, _) = source.line_col(finding.offset);
    if line < 2 {
        return false;
    }
    let above = source.text()[source.line_range(line - 1)].trim();
    let Some(rest) = above.strip_prefix("//").map(str::trim_start) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix("cronlock-ignore") else {
        return false;
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return false;
    }
    let listed = rest.split(['-', ' ']).next() == Some("") && rest.trim().is_empty();
    if listed {
        return true;
    }
    let names = rest.split("--").next().unwrap_or_default();
    names
        .split([',', ' ', '\t'])
        .filter(|n| !n.is_empty())
        .any(|n| n == finding.rule.name())
}

pub(super) fn sort_findings(project: &Project, findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            let (line, column) = f.position.map_or((0, 0), |p| (p.line, p.column));
            (
                project.files[f.file].display.as_str(),
                line,
                column,
                f.rule.name(),
            )
        };
        key(a).cmp(&key(b))
    });
}
