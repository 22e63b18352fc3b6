//! Making a name available as a value import, in the file's own style.

use super::Edit;
use super::list::{self, List};
use crate::model::{FileModel, Import, NamedImport};
use crate::style::{FileStyle, skip_trivia};

/// What the caller knows about where the name should come from.
#[derive(Debug, Clone, Copy)]
pub struct ImportRequest<'a> {
    /// The exported name (`DistributedLockService`).
    pub name: &'a str,
    /// The import a lock decorator of the class came from: the name joins its list.
    pub beside: Option<usize>,
    /// The module to import from when no declaration can take the name.
    pub fallback_source: Option<&'a str>,
}

/// The local name to use and the edits that make it a value import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPlan {
    /// The name the file will use.
    pub local: String,
    /// The edits (empty when the name is already imported as a value).
    pub edits: Vec<Edit>,
}

/// Plans the import of `request.name`; `None` when nothing tells where it
/// lives. An existing value import is reused, a type-only one is turned into
/// a value import, else the name joins the lock decorator's import list, else
/// a new declaration goes after the last import.
pub fn ensure_value_import(
    text: &str,
    style: &FileStyle,
    model: &FileModel,
    request: ImportRequest<'_>,
) -> Option<ImportPlan> {
    let name = request.name;
    if let Some(named) = value_import(model, name) {
        return Some(ImportPlan {
            local: named.local.clone(),
            edits: Vec::new(),
        });
    }
    if let Some((import, named)) = type_only_import(model, name) {
        return Some(ImportPlan {
            local: named.local.clone(),
            edits: make_value_import(text, import, named),
        });
    }
    let beside = request.beside.and_then(|i| model.imports.get(i));
    let source = beside
        .map(|i| i.source.as_str())
        .or(request.fallback_source)?;
    let list_owner = beside.filter(|i| takes_names(i)).or_else(|| {
        model
            .imports
            .iter()
            .find(|i| i.source == source && takes_names(i))
    });
    let edits = match list_owner {
        Some(import) => add_to_list(text, style, import, name)?,
        None => vec![new_declaration(text, style, model, name, source)],
    };
    Some(ImportPlan {
        local: name.to_string(),
        edits,
    })
}

/// The value import of `name`, if any.
pub fn value_import<'m>(model: &'m FileModel, name: &str) -> Option<&'m NamedImport> {
    model
        .imports
        .iter()
        .filter(|i| !i.type_only)
        .flat_map(|i| &i.named)
        .find(|n| n.imported == name && !n.type_only)
}

/// A type-only import of `name` (`import type {}` or `{ type X }`), if any.
pub fn type_only_import<'m>(
    model: &'m FileModel,
    name: &str,
) -> Option<(&'m Import, &'m NamedImport)> {
    model.imports.iter().find_map(|import| {
        import
            .named
            .iter()
            .find(|n| n.imported == name && (import.type_only || n.type_only))
            .map(|n| (import, n))
    })
}

/// Edits that turn the type-only import of `named` into a value import
/// without changing what the other names of the declaration import.
pub fn make_value_import(text: &str, import: &Import, named: &NamedImport) -> Vec<Edit> {
    if named.type_only {
        let end = skip_trivia(text, named.range.start + "type".len());
        return vec![Edit::delete(named.range.start..end)];
    }
    let Some(keyword) = &import.type_keyword else {
        return Vec::new();
    };
    let mut edits = vec![Edit::delete(keyword.clone())];
    edits.extend(
        import
            .named
            .iter()
            .filter(|other| other.range != named.range && !other.type_only)
            .map(|other| Edit::insert(other.range.start, "type ")),
    );
    edits
}

fn takes_names(import: &Import) -> bool {
    !import.type_only && import.braces.is_some()
}

fn add_to_list(text: &str, style: &FileStyle, import: &Import, name: &str) -> Option<Vec<Edit>> {
    let (open, close) = import.braces?;
    let items: Vec<_> = import.named.iter().map(|n| n.range.clone()).collect();
    if items.is_empty() {
        let spaced = text[open + 1..close].chars().all(char::is_whitespace) && close > open + 1;
        let item = if spaced {
            name.to_string()
        } else {
            format!(" {name} ")
        };
        let at = if spaced { open + 2 } else { open + 1 };
        return Some(vec![Edit::insert(at.min(close), item)]);
    }
    let list = List {
        open: open + 1,
        close,
        items: &items,
    };
    Some(list::append(text, style, list, name))
}

/// A new `import { name } from 'source';` after the last import, with the
/// file's quotes and semicolons.
fn new_declaration(
    text: &str,
    style: &FileStyle,
    model: &FileModel,
    name: &str,
    source: &str,
) -> Edit {
    let quote = model.imports.first().map_or('\'', |i| i.quote);
    let semicolon = match model.imports.last() {
        Some(last) => text[..last.range.end].trim_end().ends_with(';'),
        None => true,
    };
    let declaration = format!(
        "import {{ {name} }} from {quote}{source}{quote}{}",
        if semicolon { ";" } else { "" }
    );
    let nl = style.newline;
    match model.imports.last() {
        Some(last) => Edit::insert(last.range.end, format!("{nl}{declaration}")),
        None => {
            let at = model.first_item_start.unwrap_or(0);
            Edit::insert(at, format!("{declaration}{nl}{nl}"))
        }
    }
}
