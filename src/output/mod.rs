//! Printing an analysis: one module per format behind [`render`].

pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::cli::Format;
use crate::engine::{Analysis, PackageSummary};
use crate::project::{Project, SourceRef};
use crate::rules::Finding;

/// What every format prints from.
pub struct Report<'a> {
    /// The project (files, packages, configuration).
    pub project: &'a Project,
    /// The findings and package summaries.
    pub analysis: &'a Analysis,
    /// Colour escape codes allowed.
    pub color: bool,
    /// Only the summary (text).
    pub quiet: bool,
    /// How the findings stand against the baseline, when one is in use.
    pub baseline: Option<&'a crate::baseline::Comparison>,
}

/// A finding with its position worked out.
pub struct Located<'a> {
    /// The finding.
    pub finding: &'a Finding,
    /// The file as shown.
    pub file: &'a str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// 1-based line where the highlighted text ends.
    pub end_line: usize,
    /// 1-based column where the highlighted text ends.
    pub end_column: usize,
    /// The package's name.
    pub package: &'a str,
    /// The project, for the file's text.
    project: &'a Project,
    /// The baseline records it (always `false` without a baseline).
    pub baselined: bool,
}

impl<'a> Located<'a> {
    /// The file's text (for frames of text output), read for the caller
    /// alone: a report of thousands of findings does not keep thousands of
    /// texts (see [`Project::read_source`]).
    pub fn source(&self) -> Option<SourceRef<'a>> {
        self.project.read_source(self.finding.file)
    }
}

impl<'a> Report<'a> {
    /// The findings with positions, in output order.
    pub fn located(&self) -> Vec<Located<'a>> {
        let project = self.project;
        self.analysis
            .findings
            .iter()
            .enumerate()
            .map(|(index, finding)| {
                let file = &project.files[finding.file];
                let (line, column, end_line, end_column) =
                    finding.position.map_or((1, 1, 1, 1), |p| {
                        (p.line, p.column, p.end_line, p.end_column)
                    });
                Located {
                    finding,
                    file: &file.display,
                    line,
                    column,
                    end_line,
                    end_column,
                    package: project
                        .package(file.package)
                        .map_or("", |p| p.name.as_str()),
                    project,
                    baselined: self.baseline.is_some_and(|b| b.is_baselined(index)),
                }
            })
            .collect()
    }

    /// Headline numbers.
    pub fn summary(&self) -> Summary {
        self.summary_of(self.analysis.findings.iter().collect())
    }

    /// Headline numbers of the findings the baseline does not record (all of
    /// them without a baseline); `ready` still judges every finding.
    pub fn new_summary(&self) -> Summary {
        let findings = self.analysis.findings.iter().enumerate();
        self.summary_of(
            findings
                .filter(|(i, _)| !self.baseline.is_some_and(|b| b.is_baselined(*i)))
                .map(|(_, f)| f)
                .collect(),
        )
    }

    fn summary_of(&self, findings: Vec<&Finding>) -> Summary {
        let mut files: Vec<crate::ids::FileId> = findings.iter().map(|f| f.file).collect();
        files.sort_unstable();
        files.dedup();
        Summary {
            files_scanned: self.project.files.len(),
            files_with_findings: files.len(),
            findings: findings.len(),
            fixable: findings.iter().filter(|f| f.is_fixable()).count(),
            ready: self.analysis.is_ready(),
        }
    }

    /// Where a related site is: file as shown, 1-based line and column.
    pub fn locate(&self, related: &crate::rules::Related) -> (&'a str, usize, usize) {
        let project = self.project;
        let file = project
            .file(related.file)
            .map_or("", |f| f.display.as_str());
        let (line, column) = related.position.unwrap_or((1, 1));
        (file, line, column)
    }

    /// Package summaries with their names.
    pub fn packages(
        &self,
    ) -> impl Iterator<Item = (&'a crate::project::Package, &'a PackageSummary)> + 'a {
        let project = self.project;
        self.analysis
            .packages
            .iter()
            .filter_map(move |s| project.package(s.package).map(|p| (p, s)))
    }
}

/// Headline numbers of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Files looked at.
    pub files_scanned: usize,
    /// Files with at least one finding.
    pub files_with_findings: usize,
    /// Findings.
    pub findings: usize,
    /// Findings `cronlock fix` repairs.
    pub fixable: usize,
    /// No findings, and registration verified wherever it is needed.
    pub ready: bool,
}

/// Renders `report` in `format`.
pub fn render(format: Format, report: &Report<'_>) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
        Format::Sarif => sarif::render(report),
        Format::Github => github::render(report),
    }
}

/// Writes `report` in `format` to `out`. The JSON formats are written as
/// they are made (see [`Json`]), never held whole.
pub fn write(
    format: Format,
    report: &Report<'_>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let document = match format {
        Format::Json => json::document(report),
        Format::Sarif => sarif::document(report),
        _ => return out.write_all(render(format, report).as_bytes()),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")
}

/// A JSON document serialized as it is made: fixed parts are values, the
/// long lists (findings, results) are made one item at a time while they
/// are written, so the whole document is never held as a tree of values
/// (at 50k files that tree was larger than the text it printed). Objects
/// keep their members in the order given, as `serde_json::json!` does here.
pub enum Json<'a> {
    /// A finished value.
    Value(serde_json::Value),
    /// An object, its members in order.
    Object(Vec<(&'static str, Json<'a>)>),
    /// An array of parts.
    Array(Vec<Json<'a>>),
    /// An array whose items are made as they are written (once: a second
    /// serialization writes it empty).
    Items(std::cell::RefCell<Option<Box<dyn Iterator<Item = serde_json::Value> + 'a>>>),
}

impl<'a> Json<'a> {
    /// An array of `items`, made as they are written.
    pub fn items(items: impl Iterator<Item = serde_json::Value> + 'a) -> Json<'a> {
        Json::Items(std::cell::RefCell::new(Some(Box::new(items))))
    }

    /// The document, pretty-printed, with a final newline.
    pub fn to_pretty_string(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).unwrap_or_default();
        out.push('\n');
        out
    }
}

impl serde::Serialize for Json<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Json::Value(value) => value.serialize(serializer),
            Json::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
            Json::Array(parts) => serializer.collect_seq(parts),
            Json::Items(items) => {
                let items = items.borrow_mut().take();
                serializer.collect_seq(items.into_iter().flatten())
            }
        }
    }
}

/// Completion percentage, rounded to the nearest whole number, except that
/// anything short of done never reads 100%.
pub fn percent(done: usize, total: usize) -> usize {
    match (done * 100 + total / 2).checked_div(total) {
        None => 100,
        Some(p) if done < total => p.min(99),
        Some(p) => p,
    }
}

/// `3 findings`, `1 file`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
