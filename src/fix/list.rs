//! Adding an item to a comma-separated list (constructor parameters, import
//! names, `@Module` imports) in the list's own layout.
//!
//! One line stays one line (`, ` joins). One item per line gets one more line
//! with the previous item's indentation; a trailing comma is kept when the
//! last item had one, and otherwise a comma goes right after the last item,
//! before any comment that follows it.

use std::ops::Range;

use super::Edit;
use crate::style::{FileStyle, has_line_break, line_break_after, line_indent, skip_trivia};

/// A delimited list in the original text.
#[derive(Debug, Clone, Copy)]
pub struct List<'a> {
    /// Offset just after the opening delimiter.
    pub open: usize,
    /// Offset of the closing delimiter.
    pub close: usize,
    /// The items' ranges, in order.
    pub items: &'a [Range<usize>],
}

impl List<'_> {
    /// Whether items go one per line.
    fn is_multiline(&self, text: &str) -> bool {
        match self.items.first() {
            Some(first) => has_line_break(text, self.open, first.start),
            None => false,
        }
    }

    /// Offset of the comma after the last item, if there is one.
    fn trailing_comma(&self, text: &str) -> Option<usize> {
        let last = self.items.last()?;
        let at = skip_trivia(text, last.end);
        (at < self.close && text.as_bytes().get(at) == Some(&b',')).then_some(at)
    }

    /// The indentation of a new line in the list.
    fn item_indent(&self, text: &str, near: usize, style: &FileStyle) -> String {
        let indent = line_indent(text, near);
        if has_line_break(text, self.open, near) {
            indent.to_string()
        } else {
            format!("{indent}{}", style.indent_unit)
        }
    }
}

/// The edits that add `item` at the end of `list`.
pub fn append(text: &str, style: &FileStyle, list: List<'_>, item: &str) -> Vec<Edit> {
    let Some(last) = list.items.last() else {
        return vec![Edit::insert(list.open, item)];
    };
    let nl = style.newline;
    let comma = list.trailing_comma(text);
    if !list.is_multiline(text) {
        return match comma {
            Some(at) => vec![Edit::insert(at + 1, format!(" {item},"))],
            None => vec![Edit::insert(last.end, format!(", {item}"))],
        };
    }
    let indent = list.item_indent(text, last.start, style);
    match comma {
        Some(at) => {
            let point = line_break_after(text, at + 1).unwrap_or(at + 1);
            vec![Edit::insert(point, format!("{nl}{indent}{item},"))]
        }
        None => match line_break_after(text, last.end) {
            Some(point) if point > last.end => vec![
                Edit::insert(last.end, ","),
                Edit::insert(point, format!("{nl}{indent}{item}")),
            ],
            _ => vec![Edit::insert(last.end, format!(",{nl}{indent}{item}"))],
        },
    }
}

/// The edits that add `item` just before the item at `index`.
pub fn insert_before(
    text: &str,
    style: &FileStyle,
    list: List<'_>,
    index: usize,
    item: &str,
) -> Vec<Edit> {
    let Some(next) = list.items.get(index) else {
        return append(text, style, list, item);
    };
    if list.is_multiline(text) {
        let indent = list.item_indent(text, next.start, style);
        vec![Edit::insert(
            next.start,
            format!("{item},{}{indent}", style.newline),
        )]
    } else {
        vec![Edit::insert(next.start, format!("{item}, "))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::Fix;
    use crate::fix::apply;

    fn run(text: &str, items: &[&str], index: Option<usize>) -> String {
        let open = text.find('(').unwrap_or_default() + 1;
        let close = text.rfind(')').unwrap_or_default();
        let ranges: Vec<Range<usize>> = items
            .iter()
            .map(|i| {
                let s = text.find(i).unwrap_or_default();
                s..s + i.len()
            })
            .collect();
        let list = List {
            open,
            close,
            items: &ranges,
        };
        let style = FileStyle::of(text);
        let edits = match index {
            Some(i) => insert_before(text, &style, list, i, "n: N"),
            None => append(text, &style, list, "n: N"),
        };
        apply(text, [&Fix::new(edits)]).text
    }

    #[test]
    fn one_line_lists() {
        assert_eq!(
            run("f(a: A, b: B)", &["a: A", "b: B"], None),
            "f(a: A, b: B, n: N)"
        );
        assert_eq!(run("f()", &[], None), "f(n: N)");
        assert_eq!(
            run("f(a: A, b?: B)", &["a: A", "b?: B"], Some(1)),
            "f(a: A, n: N, b?: B)"
        );
    }

    #[test]
    fn multi_line_lists() {
        assert_eq!(
            run("f(\n  a: A,\n  b: B\n)", &["a: A", "b: B"], None),
            "f(\n  a: A,\n  b: B,\n  n: N\n)"
        );
        assert_eq!(
            run("f(\r\n\ta: A, // x\r\n)", &["a: A"], None),
            "f(\r\n\ta: A, // x\r\n\tn: N,\r\n)"
        );
        assert_eq!(
            run("f(\n  a: A // x\n)", &["a: A"], None),
            "f(\n  a: A, // x\n  n: N\n)"
        );
        assert_eq!(
            run("f(\n  a: A,\n  b: B) {}", &["a: A", "b: B"], None),
            "f(\n  a: A,\n  b: B,\n  n: N) {}"
        );
    }
}
