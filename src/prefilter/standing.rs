//! Where an occurrence of a name stands, as far as the bytes of its line
//! tell without a parse: perhaps code, a whole string, or surely text (a
//! string, template text or a comment), which refers to nothing.

use super::is_ascii_word_byte;

/// Where a whole-word occurrence of a name stands, as far as the bytes
/// around it tell without a parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Standing {
    /// Perhaps code: nothing rules it out.
    Code,
    /// A whole string (`'Cron'`): perhaps a specifier or an object key.
    WholeString,
    /// Surely inside a string, template text or comment: no reference.
    Text,
}

/// Where the occurrence at `start..end` of `bytes` stands. Each test that
/// answers [`Standing::Text`] holds whatever the line starts in (code, a
/// template, a block comment, a string continued from the line before),
/// so a parse of any text that parses agrees (a file with a syntax error
/// is the one difference the prefilter may make):
/// - A name right after a quote starts a string, a template or a regular
///   expression's class: a quote right before an identifier is a syntax
///   error (`new Logger('ReportJob')`).
/// - A line that starts with `//` and holds, up to the name, nothing that
///   could end a comment, a string, a template or JSX text: the name is in
///   a comment (or in the text of whatever the line started in).
/// - A line with no `/`, backtick, `{`, `<` or carriage return before the
///   name, not continued from the line before, whose quotes leave the name
///   inside a string (`description: 'Timeout in seconds'`).
pub(super) fn standing(bytes: &[u8], start: usize, end: usize) -> Standing {
    if let Some(standing) = after_quote(bytes, start, end) {
        return standing;
    }
    let line_start = memchr::memrchr(b'\n', &bytes[..start]).map_or(0, |i| i + 1);
    let prefix = &bytes[line_start..start];
    if in_line_comment(prefix) || in_line_string(&bytes[..line_start], prefix) {
        Standing::Text
    } else {
        Standing::Code
    }
}

/// Where the occurrence at `start..end` stands when a quote comes right
/// before it (`None`: none does): a whole string, or the start of one (see
/// [`standing`]). The cheap first test of [`standing`], alone.
pub(super) fn after_quote(bytes: &[u8], start: usize, end: usize) -> Option<Standing> {
    let quote @ (b'\'' | b'"' | b'`') = bytes[start.checked_sub(1)?] else {
        return None;
    };
    Some(if bytes.get(end) == Some(&quote) {
        Standing::WholeString
    } else {
        Standing::Text
    })
}

impl Standing {
    /// Whether a name that stands so at `start` of `bytes` may name a class
    /// for second reads: code may, a whole string only where it may be an
    /// import or export specifier (`import { 'ReportJob' as R }`), text
    /// never. The model knows a class only through identifiers and
    /// specifiers.
    pub(super) fn may_name_class(self, bytes: &[u8], start: usize) -> bool {
        match self {
            Standing::Code => true,
            Standing::WholeString => may_start_specifier(&bytes[..start - 1]),
            Standing::Text => false,
        }
    }
}

/// Whether a line that starts with `prefix` holds a name after it in a
/// line comment: `//` after blanks, then only letters, digits, blanks and
/// punctuation that cannot end a comment, a string, a template or JSX text
/// (no `*`, quote, backtick, `$`, `\\`, brace or angle bracket).
fn in_line_comment(prefix: &[u8]) -> bool {
    let blanks = prefix
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    let Some(rest) = prefix[blanks..].strip_prefix(b"//") else {
        return false;
    };
    rest.iter().all(|&b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\t'
                    | b'.'
                    | b','
                    | b':'
                    | b';'
                    | b'!'
                    | b'?'
                    | b'('
                    | b')'
                    | b'-'
                    | b'_'
                    | b'='
                    | b'+'
                    | b'#'
                    | b'%'
                    | b'&'
                    | b'|'
                    | b'['
                    | b']'
                    | b'@'
                    | b'~'
                    | b'^'
                    | b'/'
            )
    })
}

/// Whether a name after `prefix` (the line so far; `before`: the text
/// before the line) is inside a string that opened on this line: the line
/// is not continued from the one before, holds no `/` (no comment or
/// regular expression), backtick, `{` or `<` (no template or JSX code) and
/// no carriage return, and its quotes leave a string open.
fn in_line_string(before: &[u8], prefix: &[u8]) -> bool {
    let continued = before.strip_suffix(b"\n").is_some_and(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.ends_with(b"\\")
    });
    if continued
        || prefix
            .iter()
            .any(|b| matches!(b, b'/' | b'`' | b'{' | b'<' | b'\r'))
    {
        return false;
    }
    let mut open: Option<u8> = None;
    let mut escaped = false;
    for &b in prefix {
        match open {
            Some(_) if escaped => escaped = false,
            Some(_) if b == b'\\' => escaped = true,
            Some(quote) if b == quote => open = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => open = Some(b),
            None => {}
        }
    }
    open.is_some()
}

/// Whether a string that starts after `head` may be an import or export
/// specifier: what comes before it (ASCII whitespace aside) is `{`, `,`,
/// `as`, the end of a comment, a byte that is not ASCII, or nothing.
fn may_start_specifier(head: &[u8]) -> bool {
    match head.iter().rev().find(|b| !b.is_ascii_whitespace()) {
        None => true,
        Some(&b) => matches!(b, b'{' | b',' | b'/') || is_ascii_word_byte(b) || !b.is_ascii(),
    }
}
