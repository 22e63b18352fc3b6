//! Documentation generated from the rules themselves: one page per rule
//! (`docs/rules/<rule>.md`) and the rules table of `docs/rules.md`
//! ([`RULES_TABLE_PAGE`], which the README links to), both made from each
//! rule's [`RuleDoc`](crate::rules::RuleDoc) and its registry entry.
//! `tests/docs.rs` fails when the committed files are stale and rewrites them
//! under `CRONLOCK_UPDATE_DOCS=1`.

use crate::registry::{Fixability, Rule};

/// The page that holds the generated rules table, relative to the repository
/// root; its links to the rule pages are relative to its folder.
pub const RULES_TABLE_PAGE: &str = "docs/rules.md";

/// Marks the start of the generated rules table in [`RULES_TABLE_PAGE`].
pub const TABLE_START: &str = "<!-- rules-table:start (generated from src/rules by `CRONLOCK_UPDATE_DOCS=1 cargo test --test docs`) -->";
/// Marks its end.
pub const TABLE_END: &str = "<!-- rules-table:end -->";

/// `yes`, `with --migrate-cron` or `no`.
fn fix_word(rule: Rule) -> &'static str {
    match rule.fixability() {
        Fixability::Always => "yes",
        Fixability::WithMigrateCron => "with `--migrate-cron`",
        Fixability::Partly => "in tests and factories",
        Fixability::Manual => "no",
    }
}

/// `text` with its first letter in upper case.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Where a rule's page lives, relative to the repository root.
pub fn page_path(rule: Rule) -> String {
    format!("docs/rules/{}.md", rule.name())
}

/// The markdown page of one rule.
pub fn rule_page(rule: Rule) -> String {
    let doc = rule.doc();
    let mut page = format!(
        "# {name}\n\n<!-- generated from src/rules by `CRONLOCK_UPDATE_DOCS=1 cargo test --test docs`; edit the rule's `DOC` there -->\n\n\
| severity | fix |\n|---|---|\n| {severity} | {fix} |\n\n{summary}.\n\n## Why it matters in cluster mode\n\n{why}\n",
        name = rule.name(),
        severity = rule.default_severity().as_str(),
        fix = fix_word(rule),
        summary = capitalized(doc.summary),
        why = doc.why,
    );
    if !doc.before.is_empty() {
        page.push_str(&format!("\n## Before\n\n```ts\n{}\n```\n", doc.before));
    }
    if !doc.after.is_empty() {
        page.push_str(&format!("\n## After\n\n```ts\n{}\n```\n", doc.after));
    }
    page.push_str(&format!("\n## Fix\n\n{}\n", doc.fix));
    page.push_str(&format!(
        "\nSuppress one finding with `// cronlock-ignore {}` on the line above the line it points at; \
turn the rule off or change its severity under `[rules]` in cronlock.toml.\n",
        rule.name()
    ));
    page
}

/// A rule's page as linked from [`RULES_TABLE_PAGE`]: relative to `docs/`,
/// the folder of both (`tests/docs.rs` checks that every link resolves).
fn page_link(rule: Rule) -> String {
    format!("rules/{}.md", rule.name())
}

/// The rules table of [`RULES_TABLE_PAGE`], between its markers (the markers
/// included).
pub fn rules_table() -> String {
    let mut table =
        format!("{TABLE_START}\n| rule | severity | fix | finds |\n|---|---|---|---|\n");
    for &rule in Rule::ALL {
        table.push_str(&format!(
            "| [{name}]({path}) | {severity} | {fix} | {summary} |\n",
            name = rule.name(),
            path = page_link(rule),
            severity = rule.default_severity().as_str(),
            fix = fix_word(rule),
            summary = rule.doc().summary,
        ));
    }
    table.push_str(TABLE_END);
    table
}

/// `page` with its rules table replaced by the generated one; `None` when
/// the markers are missing.
pub fn with_rules_table(page: &str) -> Option<String> {
    let start = page.find(TABLE_START)?;
    let end = page[start..].find(TABLE_END)? + start + TABLE_END.len();
    Some(format!(
        "{}{}{}",
        &page[..start],
        rules_table(),
        &page[end..]
    ))
}
