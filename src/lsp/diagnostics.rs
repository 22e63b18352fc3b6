//! Findings as LSP diagnostics: byte offsets into a text become positions
//! in the encoding the client negotiated (UTF-16 code units unless it asked
//! for UTF-8), rules become codes with a link to their documentation, and a
//! finding's ripple sites become related information.

use std::str::FromStr;

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};

use crate::registry::Severity;
use crate::rules::Rule;

/// Where a rule's documentation is published.
const DOCS_BASE: &str = "https://github.com/cronlock/cronlock/blob/main/docs/rules/";

/// How the client counts columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-16 code units: the protocol's default.
    #[default]
    Utf16,
    /// Bytes, when the client offers `utf-8` in `general.positionEncodings`.
    Utf8,
}

/// Line starts of one text, to turn byte offsets into positions and back.
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    /// Indexes `text` (lines end at `\n`; a `\r` before it belongs to the line).
    pub fn new(text: &'t str) -> LineIndex<'t> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// The position of byte `offset` (clamped to the text, and back to a
    /// character boundary).
    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset) - 1;
        let start = self.starts[line];
        let before = &self.text[start..offset];
        let column = match encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        Position::new(to_u32(line), to_u32(column))
    }

    /// The byte offset of the start of line `line` (0-based), clamped.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// The range from byte `start` to byte `end`.
    pub fn range(&self, start: usize, end: usize, encoding: Encoding) -> Range {
        Range::new(
            self.position(start, encoding),
            self.position(end.max(start), encoding),
        )
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A related site, already located.
pub struct RelatedSite {
    /// The file's URI.
    pub uri: Uri,
    /// Where in it.
    pub range: Range,
    /// What happens there.
    pub message: String,
}

/// One finding as a diagnostic.
pub fn diagnostic(
    rule: Rule,
    severity: Severity,
    range: Range,
    message: &str,
    related: Vec<RelatedSite>,
) -> Diagnostic {
    let related = related
        .into_iter()
        .map(|site| DiagnosticRelatedInformation {
            location: Location::new(site.uri, site.range),
            message: site.message,
        })
        .collect::<Vec<_>>();
    Diagnostic {
        range,
        severity: Some(match severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(rule.name().to_string())),
        code_description: doc_link(rule).map(|href| CodeDescription { href }),
        source: Some("cronlock".to_string()),
        message: message.to_string(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// The rule's documentation page.
pub fn doc_link(rule: Rule) -> Option<Uri> {
    Uri::from_str(&format!("{DOCS_BASE}{}.md", rule.name())).ok()
}

/// A problem with the set-up (a bad `cronlock.toml`), shown on the file it
/// concerns, at its start.
pub fn setup_problem(message: &str) -> Diagnostic {
    Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some("cronlock".to_string()),
        message: message.to_string(),
        ..Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_or_bytes() {
        let text = "a\r\n// é😀x\nlast";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(x, Encoding::Utf16), Position::new(1, 6));
        assert_eq!(index.position(x, Encoding::Utf8), Position::new(1, 9));
        assert_eq!(index.position(1, Encoding::Utf16), Position::new(0, 1));
        assert_eq!(index.position(999, Encoding::Utf16), Position::new(2, 4));
        // Inside a character: back to its start.
        assert_eq!(index.position(x - 1, Encoding::Utf16), Position::new(1, 4));
        assert_eq!(index.line_start(2), text.find("last").unwrap());
    }
}
