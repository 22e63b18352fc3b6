//! Unified diffs of fixed files, like `git diff`.

use anstyle::{AnsiColor, Style};

/// A unified diff of `old` and `new` for `path` (`--- a/<path>` / `+++
/// b/<path>`, 3 lines of context), coloured when asked.
pub fn unified(path: &str, old: &str, new: &str, color: bool) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{}", path.trim_start_matches('/')),
            &format!("b/{}", path.trim_start_matches('/')),
        )
        .to_string();
    if !color {
        return text;
    }
    let paint =
        |style: Style, line: &str| format!("{}{line}{}", style.render(), style.render_reset());
    let mut out = String::with_capacity(text.len() + 256);
    for line in text.split_inclusive('\n') {
        let (body, end) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        let styled = if body.starts_with("+++") || body.starts_with("---") {
            paint(Style::new().bold(), body)
        } else if body.starts_with("@@") {
            paint(AnsiColor::Cyan.on_default(), body)
        } else if body.starts_with('+') {
            paint(AnsiColor::Green.on_default(), body)
        } else if body.starts_with('-') {
            paint(AnsiColor::Red.on_default(), body)
        } else {
            body.to_string()
        };
        out.push_str(&styled);
        out.push_str(end);
    }
    out
}
