//! Fixes as data: byte-range edits on the original text, applied by one engine.
//!
//! Rules never produce file text. They return [`Fix`]es made of [`Edit`]s
//! (offsets into the original bytes); [`apply`] is the only place that splices
//! them, so every byte outside an edit is copied through untouched.

pub mod change_set;
pub mod constructor;
pub mod imports;
pub mod list;

use std::ops::Range;

/// Replace `range` of the original text with `content` (an insertion when the
/// range is empty, a deletion when the content is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in the original text.
    pub range: Range<usize>,
    /// The new text.
    pub content: String,
}

impl Edit {
    /// Inserts `content` at `offset`.
    pub fn insert(offset: usize, content: impl Into<String>) -> Self {
        Edit {
            range: offset..offset,
            content: content.into(),
        }
    }

    /// Deletes `range`.
    pub fn delete(range: Range<usize>) -> Self {
        Edit {
            range,
            content: String::new(),
        }
    }

    /// Replaces `range` with `content`.
    pub fn replace(range: Range<usize>, content: impl Into<String>) -> Self {
        Edit {
            range,
            content: content.into(),
        }
    }

    /// Whether the two edits cannot both be applied in a defined order.
    fn conflicts_with(&self, other: &Edit) -> bool {
        if self == other {
            return false;
        }
        let overlap = self.range.start < other.range.end && other.range.start < self.range.end;
        overlap || self.range.start == other.range.start
    }
}

/// The edits that together repair one finding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fix {
    /// The edits, in any order.
    pub edits: Vec<Edit>,
    /// What the fix does, when it differs from its rule's `fix_title`
    /// (a `[[guard]]` member rather than the lock service).
    pub title: Option<String>,
}

impl Fix {
    /// A fix made of `edits`.
    pub fn new(edits: Vec<Edit>) -> Self {
        Fix { edits, title: None }
    }

    /// A fix made of `edits` that does what `title` says.
    pub fn titled(edits: Vec<Edit>, title: String) -> Self {
        Fix {
            edits,
            title: Some(title),
        }
    }
}

/// The result of splicing fixes into a text.
#[derive(Debug)]
pub struct Applied {
    /// The new text.
    pub text: String,
    /// The edits that went in, sorted and disjoint: [`splice`] of the old
    /// text and these gives the new text again.
    pub edits: Vec<Edit>,
    /// How many of the given fixes went in (the others conflicted and wait
    /// for the next round).
    pub applied: usize,
}

/// Splices `fixes` into `text`. A fix goes in whole or not at all: when one of
/// its edits overlaps an edit already accepted (or another of its own), the
/// fix is left out. Identical edits from different fixes (the same import added for two
/// classes) are applied once.
pub fn apply<'a>(text: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> Applied {
    let mut accepted: Vec<Edit> = Vec::new();
    let mut applied = 0;
    for fix in fixes {
        let clashes = fix.edits.iter().enumerate().any(|(i, edit)| {
            accepted.iter().any(|taken| edit.conflicts_with(taken))
                || fix.edits[..i]
                    .iter()
                    .any(|earlier| edit.conflicts_with(earlier))
        });
        let in_bounds = fix.edits.iter().all(|edit| {
            edit.range.start <= edit.range.end
                && edit.range.end <= text.len()
                && text.is_char_boundary(edit.range.start)
                && text.is_char_boundary(edit.range.end)
        });
        if clashes || !in_bounds {
            continue;
        }
        applied += 1;
        for edit in &fix.edits {
            if !accepted.contains(edit) {
                accepted.push(edit.clone());
            }
        }
    }
    accepted.sort_by_key(|a| (a.range.start, a.range.end));
    // Every accepted edit is in bounds, on character boundaries, and clear
    // of the others.
    let out = splice(text, &accepted).unwrap_or_else(|| text.to_string());
    Applied {
        text: out,
        edits: accepted,
        applied,
    }
}

/// `text` with `edits` (sorted, disjoint) spliced in; `None` when an edit
/// does not fit the text (out of order, out of bounds, inside a character).
pub fn splice(text: &str, edits: &[Edit]) -> Option<String> {
    let added: usize = edits.iter().map(|e| e.content.len()).sum();
    let mut out = String::with_capacity(text.len() + added);
    let mut cursor = 0;
    for edit in edits {
        out.push_str(text.get(cursor..edit.range.start)?);
        out.push_str(&edit.content);
        cursor = edit.range.end;
    }
    out.push_str(text.get(cursor..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splices_and_dedupes() {
        let a = Fix::new(vec![Edit::insert(1, "X"), Edit::replace(3..4, "Y")]);
        let b = Fix::new(vec![Edit::insert(1, "X")]);
        let clash = Fix::new(vec![Edit::insert(3, "Z")]);
        let self_clash = Fix::new(vec![Edit::delete(4..6), Edit::insert(5, "W")]);
        let result = apply("abcdef", [&a, &b, &clash, &self_clash]);
        assert_eq!(result.text, "aXbcYef");
        assert_eq!(result.applied, 2);
        assert_eq!(splice("abcdef", &result.edits).as_deref(), Some("aXbcYef"));
    }

    #[test]
    fn splice_refuses_edits_that_do_not_fit() {
        let fits = [Edit::insert(1, "X"), Edit::delete(2..3)];
        assert_eq!(splice("abcd", &fits).as_deref(), Some("aXbd"));
        let out_of_bounds = [Edit::replace(3..9, "Y")];
        assert_eq!(splice("abcd", &out_of_bounds), None);
        let out_of_order = [Edit::insert(3, "Y"), Edit::insert(1, "X")];
        assert_eq!(splice("abcd", &out_of_order), None);
        let inside_a_character = [Edit::insert(1, "X")];
        assert_eq!(splice("é", &inside_a_character), None);
    }
}
