//! Code actions: the quick fix `cronlock fix` would make for a finding,
//! `source.fixAll.cronlock` for a file, and a suppression comment. Fixes
//! come from the engine's own fix path (see [`super::analysis::fix`]);
//! here the texts before and after become LSP edits.

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{
    CodeAction, CodeActionKind, Diagnostic, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, Range, TextDocumentEdit, TextEdit, Uri,
    WorkspaceEdit,
};

use super::analysis::{Changed, Shown};
use super::diagnostics::{Encoding, LineIndex};
use super::documents::{Overlay, path_to_uri};

/// The kind of the file-wide fix.
pub const FIX_ALL: &str = "source.fixAll.cronlock";

/// How edits are sent: with document versions (`documentChanges`) when the
/// client takes them, else as a plain map of URIs to edits.
#[derive(Debug, Clone, Copy)]
pub struct EditStyle {
    /// The client's position encoding.
    pub encoding: Encoding,
    /// `workspace.workspaceEdit.documentChanges`.
    pub document_changes: bool,
}

/// The edits that turn `before` into `after`: one per run of changed lines,
/// so an edit never touches a byte the fix left alone.
pub fn text_edits(before: &str, after: &str, encoding: Encoding) -> Vec<TextEdit> {
    let diff = similar::TextDiff::from_lines(before, after);
    let old = LineIndex::new(before);
    let new = LineIndex::new(after);
    diff.ops()
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .map(|op| {
            let (from, to) = (op.old_range(), op.new_range());
            let start = old.line_start(from.start);
            let end = old.line_start(from.end);
            let text = &after[new.line_start(to.start)..new.line_start(to.end)];
            TextEdit::new(old.range(start, end, encoding), text.to_string())
        })
        .collect()
}

/// One `WorkspaceEdit` for every file of `files`, each edit of an open
/// buffer tied to the buffer's version the fix was computed from.
// lsp-types keys `WorkspaceEdit::changes` by `Uri`, whose lazily parsed
// parts trip this lint; the keys are never changed once inserted.
#[allow(clippy::mutable_key_type)]
pub fn workspace_edit(files: &[&Changed], overlay: &Overlay, style: EditStyle) -> WorkspaceEdit {
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    let mut document_changes = Vec::new();
    for file in files {
        let Some(uri) = path_to_uri(&file.path) else {
            continue;
        };
        let edits = text_edits(&file.before, &file.after, style.encoding);
        if style.document_changes {
            document_changes.push(TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri,
                    version: overlay.version(&file.path),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            });
        } else {
            changes.entry(uri).or_default().extend(edits);
        }
    }
    if style.document_changes {
        WorkspaceEdit {
            document_changes: Some(lsp_types::DocumentChanges::Edits(document_changes)),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }
    }
}

/// Whether two ranges meet (an empty request range at a diagnostic's edge
/// counts: the cursor is on it).
pub fn overlaps(a: &Range, b: &Range) -> bool {
    let key = |p: &Position| (p.line, p.character);
    key(&a.start) <= key(&b.end) && key(&b.start) <= key(&a.end)
}

/// The quick fix for `shown`: the change set that repairs its file.
pub fn quick_fix(
    shown: &Shown,
    path: &Path,
    sets: &[Vec<Changed>],
    overlay: &Overlay,
    style: EditStyle,
) -> Option<CodeAction> {
    if !shown.fixable {
        return None;
    }
    let set = sets.iter().find(|set| set.iter().any(|c| c.path == path))?;
    let files: Vec<&Changed> = set.iter().collect();
    let rule = rule_of(&shown.diagnostic)?;
    let others = files.len().saturating_sub(1);
    Some(CodeAction {
        title: if others == 0 {
            format!("Fix {rule} (as `cronlock fix` does)")
        } else {
            format!(
                "Fix {rule} (as `cronlock fix` does; also changes {others} other file{})",
                if others == 1 { "" } else { "s" }
            )
        },
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![shown.diagnostic.clone()]),
        edit: Some(workspace_edit(&files, overlay, style)),
        is_preferred: Some(true),
        ..CodeAction::default()
    })
}

/// Every fix `cronlock fix` would make that touches `path`, with the rest
/// of each change set (a fix never lands in half of its files).
pub fn fix_all(
    path: &Path,
    sets: &[Vec<Changed>],
    overlay: &Overlay,
    style: EditStyle,
) -> Option<CodeAction> {
    let files: Vec<&Changed> = sets
        .iter()
        .filter(|set| set.iter().any(|c| c.path == path))
        .flatten()
        .collect();
    if files.is_empty() {
        return None;
    }
    Some(CodeAction {
        title: "Fix all cronlock findings in this file".to_string(),
        kind: Some(CodeActionKind::from(FIX_ALL)),
        edit: Some(workspace_edit(&files, overlay, style)),
        ..CodeAction::default()
    })
}

/// `// cronlock-ignore RULE` on a line of its own above the diagnostic's
/// line, indented like it, with the file's line ending.
#[allow(clippy::mutable_key_type)] // See `workspace_edit`.
pub fn suppress(
    diagnostic: &Diagnostic,
    uri: &Uri,
    text: &str,
    version: i32,
    style: EditStyle,
) -> Option<CodeAction> {
    let rule = rule_of(diagnostic)?;
    let index = LineIndex::new(text);
    let line = usize::try_from(diagnostic.range.start.line).ok()?;
    let start = index.line_start(line);
    let rest = &text[start..];
    let indent: String = rest
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let eol = if rest.split('\n').next().is_some_and(|l| l.ends_with('\r')) {
        "\r\n"
    } else {
        "\n"
    };
    let at = index.position(start, style.encoding);
    let edit = TextEdit::new(
        Range::new(at, at),
        format!("{indent}// cronlock-ignore {rule}{eol}"),
    );
    let workspace = if style.document_changes {
        WorkspaceEdit {
            document_changes: Some(lsp_types::DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: vec![OneOf::Left(edit)],
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..WorkspaceEdit::default()
        }
    };
    Some(CodeAction {
        title: format!("Suppress {rule} here (// cronlock-ignore {rule})"),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(workspace),
        ..CodeAction::default()
    })
}

fn rule_of(diagnostic: &Diagnostic) -> Option<&str> {
    match diagnostic.code.as_ref()? {
        NumberOrString::String(rule) => Some(rule),
        NumberOrString::Number(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[TextEdit]) -> String {
        let index = LineIndex::new(text);
        let offset = |p: Position| {
            let start = index.line_start(p.line as usize);
            let line = &text[start..];
            let mut units = 0;
            for (i, c) in line.char_indices() {
                if units >= p.character as usize {
                    return start + i;
                }
                units += c.len_utf16();
            }
            text.len()
        };
        let mut out = text.to_string();
        for edit in edits.iter().rev() {
            out.replace_range(
                offset(edit.range.start)..offset(edit.range.end),
                &edit.new_text,
            );
        }
        out
    }

    #[test]
    fn edits_rebuild_the_new_text() {
        let cases = [
            ("a\nb\nc\n", "a\nB\nc\n"),
            ("a\nb", "a\nb\nc"),
            ("é\r\nb\r\n", "x\r\né\r\nb\r\ny"),
            ("", "new\n"),
            ("gone\n", ""),
        ];
        for (before, after) in cases {
            let edits = text_edits(before, after, Encoding::Utf16);
            assert_eq!(apply(before, &edits), after, "{before:?} -> {after:?}");
        }
    }
}
