//! The style of one file (line breaks, indentation, quotes, semicolons) and
//! the small text scanners that edits use to find their place.
//!
//! Every formatting decision a fix makes comes from here, so that inserted
//! code looks like the code around it.

/// How a file writes its code, learned from the file itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStyle {
    /// `"\r\n"` when the file's first line break is CRLF, else `"\n"`.
    pub newline: &'static str,
    /// One level of indentation: a tab, or the smallest run of leading spaces.
    pub indent_unit: String,
}

impl FileStyle {
    /// Learns the style of `text`.
    pub fn of(text: &str) -> Self {
        let newline = match memchr::memchr(b'\n', text.as_bytes()) {
            Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        FileStyle {
            newline,
            indent_unit: indent_unit(text),
        }
    }
}

fn indent_unit(text: &str) -> String {
    let mut smallest_spaces = usize::MAX;
    for line in text.lines() {
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.is_empty() || trimmed.starts_with('*') {
            continue;
        }
        let lead = &line[..line.len() - trimmed.len()];
        if lead.starts_with('\t') {
            return "\t".to_string();
        }
        if !lead.is_empty() {
            smallest_spaces = smallest_spaces.min(lead.len());
        }
    }
    if smallest_spaces == usize::MAX {
        "  ".to_string()
    } else {
        " ".repeat(smallest_spaces)
    }
}

/// Skips whitespace (line breaks included) and comments from `pos`.
pub fn skip_trivia(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        match bytes[pos] {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'/' if bytes.get(pos + 1) == Some(&b'/') => {
                pos = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
            }
            b'/' if bytes.get(pos + 1) == Some(&b'*') => {
                pos = find_block_comment_end(text, pos);
            }
            _ => {
                // Non-ASCII whitespace such as U+FEFF or U+00A0 also separates tokens.
                match text.get(pos..).and_then(|rest| rest.chars().next()) {
                    Some(c) if c.is_whitespace() || c == '\u{feff}' => pos += c.len_utf8(),
                    _ => break,
                }
            }
        }
    }
    pos
}

fn find_block_comment_end(text: &str, start: usize) -> usize {
    text[start + 2..]
        .find("*/")
        .map_or(text.len(), |i| start + 2 + i + 2)
}

/// From `pos`, skips spaces, tabs and comments on the same line. Returns the
/// offset of the line break ending that line (of its `\r` for CRLF), or `None`
/// when something else comes first on the line (a closing bracket, a token).
pub fn line_break_after(text: &str, mut pos: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    loop {
        match bytes.get(pos) {
            None => return Some(pos),
            Some(b' ' | b'\t') => pos += 1,
            Some(b'\r') if bytes.get(pos + 1) == Some(&b'\n') => return Some(pos),
            Some(b'\n') => return Some(pos),
            Some(b'/') if bytes.get(pos + 1) == Some(&b'/') => {
                let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
                return Some(if end > 0 && bytes.get(end - 1) == Some(&b'\r') {
                    end - 1
                } else {
                    end
                });
            }
            Some(b'/') if bytes.get(pos + 1) == Some(&b'*') => {
                let end = find_block_comment_end(text, pos);
                if text[pos..end].contains('\n') {
                    return None;
                }
                pos = end;
            }
            Some(_) => return None,
        }
    }
}

/// The offset where the line holding `pos` starts.
pub fn line_start(text: &str, pos: usize) -> usize {
    memchr::memrchr(b'\n', &text.as_bytes()[..pos.min(text.len())]).map_or(0, |i| i + 1)
}

/// The leading spaces and tabs of the line holding `pos`.
pub fn line_indent(text: &str, pos: usize) -> &str {
    let start = line_start(text, pos);
    let rest = &text[start..];
    let trimmed = rest.trim_start_matches(['\u{feff}']);
    let skipped = rest.len() - trimmed.len();
    let indent_len = trimmed
        .bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count();
    &text[start + skipped..start + skipped + indent_len]
}

/// Whether a line break lies between `from` and `to`.
pub fn has_line_break(text: &str, from: usize, to: usize) -> bool {
    from < to && memchr::memchr(b'\n', &text.as_bytes()[from..to.min(text.len())]).is_some()
}

/// The offset of the next token after `pos` when it is `expected`.
pub fn next_token_is(text: &str, pos: usize, expected: u8) -> Option<usize> {
    let at = skip_trivia(text, pos);
    (text.as_bytes().get(at) == Some(&expected)).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_newline_and_indent() {
        let style = FileStyle::of("class A {\r\n\tx = 1;\r\n}\r\n");
        assert_eq!(style.newline, "\r\n");
        assert_eq!(style.indent_unit, "\t");
        let style = FileStyle::of("class A {\n    x = 1;\n        y\n}\n");
        assert_eq!(style.indent_unit, "    ");
    }

    #[test]
    fn finds_line_break_after_comments() {
        let text = "a, // note\r\n)";
        assert_eq!(line_break_after(text, 2), Some(10));
        assert_eq!(line_break_after("a /* x */ )", 1), None);
        assert_eq!(skip_trivia("  /* a */ // b\n x", 0), 16);
    }
}
