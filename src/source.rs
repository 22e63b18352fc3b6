//! A file's text as read from disk, with its BOM and line table.

use std::ops::Range;
use std::sync::OnceLock;

const BOM: &str = "\u{feff}";

/// The original text of one file and what is needed to talk about positions in it.
#[derive(Debug, Clone)]
pub struct SourceText {
    text: String,
    bom_len: usize,
    /// Offsets where lines start (u32: files over 4 GiB are not source code),
    /// computed on first use: only files with something to report need it.
    line_starts: OnceLock<Vec<u32>>,
}

impl SourceText {
    /// Wraps the text of a file.
    pub fn new(text: String) -> Self {
        let bom_len = if text.starts_with(BOM) { BOM.len() } else { 0 };
        SourceText {
            text,
            bom_len,
            line_starts: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    memchr::memchr_iter(b'\n', self.text.as_bytes())
                        .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
                )
                .collect()
        })
    }

    /// The whole file, BOM included.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Gives the text back.
    pub fn into_text(self) -> String {
        self.text
    }

    /// The text the parser sees: everything after the BOM.
    pub fn code(&self) -> &str {
        &self.text[self.bom_len..]
    }

    /// Length of the BOM (0 or 3): what to add to parser offsets.
    pub fn bom_len(&self) -> usize {
        self.bom_len
    }

    /// 1-based line and column (in characters, BOM not counted) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_starts = self.line_starts();
        let line = line_starts.partition_point(|&start| start as usize <= offset) - 1;
        let start = if line == 0 {
            self.bom_len
        } else {
            line_starts[line] as usize
        };
        let column = self
            .text
            .get(start.min(offset)..offset)
            .map_or(0, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// The byte range of 1-based `line`, without its line break.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let line_starts = self.line_starts();
        let index = line.saturating_sub(1).min(line_starts.len() - 1);
        let start = if index == 0 {
            self.bom_len
        } else {
            line_starts[index] as usize
        };
        let end = line_starts
            .get(index + 1)
            .map_or(self.text.len(), |&next| next as usize - 1);
        let end = if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        start..end.max(start)
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_skip_the_bom() {
        let source = SourceText::new("\u{feff}ab\r\n// 中文 x\n".to_string());
        assert_eq!(source.line_col(3), (1, 1));
        assert_eq!(source.line_col(4), (1, 2));
        let x = source.text().find('x').unwrap_or_default();
        assert_eq!(source.line_col(x), (2, 7));
        assert_eq!(&source.text()[source.line_range(1)], "ab");
        assert_eq!(&source.text()[source.line_range(2)], "// 中文 x");
    }
}
