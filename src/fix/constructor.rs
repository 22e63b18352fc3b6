//! Giving a class a constructor parameter: appended to its constructor in the
//! list's own layout, or in a new constructor when it has none.

use super::Edit;
use super::list::{self, List};
use crate::model::ClassModel;
use crate::style::{FileStyle, line_break_after, line_indent};

/// Edits that add the parameter `param` (e.g. `private readonly lockService:
/// DistributedLockService`) to `class`. The parameter goes before the first
/// optional, defaulted or rest parameter. A class without a constructor gets
/// `constructor(<param>) {}` after its last property declaration (else at the
/// top of its body), unless it is derived: that needs a `super(...)` call only
/// a person can write, so `None`.
pub fn add_param(
    text: &str,
    style: &FileStyle,
    class: &ClassModel,
    param: &str,
) -> Option<Vec<Edit>> {
    match &class.constructor {
        Some(ctor) => {
            let (open, close) = ctor.parens?;
            let items: Vec<_> = ctor.params.iter().map(|p| p.range.clone()).collect();
            let list = List {
                open: open + 1,
                close,
                items: &items,
            };
            let first_optional = ctor
                .params
                .iter()
                .position(|p| p.optional || p.has_default || p.rest);
            Some(match first_optional {
                Some(index) => list::insert_before(text, style, list, index, param),
                None => list::append(text, style, list, param),
            })
        }
        None if class.super_class.is_some() => None,
        None => insert_constructor(text, style, class, param).map(|edit| vec![edit]),
    }
}

fn insert_constructor(
    text: &str,
    style: &FileStyle,
    class: &ClassModel,
    param: &str,
) -> Option<Edit> {
    let open = class.body_open?;
    let nl = style.newline;
    let indent = match class.first_member_start {
        Some(first) => line_indent(text, first).to_string(),
        None => format!("{}{}", line_indent(text, class.anchor), style.indent_unit),
    };
    let constructor = format!("{indent}constructor({param}) {{}}");
    let last_property = class.properties.iter().map(|p| p.range.end).max();
    Some(match last_property {
        Some(end) => match line_break_after(text, end) {
            Some(point) => Edit::insert(point, format!("{nl}{nl}{constructor}")),
            None => Edit::insert(end, format!("{nl}{nl}{constructor}{nl}{indent}")),
        },
        None => match line_break_after(text, open + 1) {
            Some(point) if class.first_member_start.is_some() => {
                Edit::insert(point, format!("{nl}{constructor}{nl}"))
            }
            Some(point) => Edit::insert(point, format!("{nl}{constructor}")),
            None => Edit::insert(open + 1, format!("{nl}{constructor}{nl}")),
        },
    })
}
