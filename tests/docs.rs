//! The rule documentation is generated from the code: `docs/rules/<rule>.md`
//! and the README's rules table must equal what `cronlock::docs` makes from
//! each rule's `DOC`. Run `CRONLOCK_UPDATE_DOCS=1 cargo test --test docs` to
//! rewrite them after editing a rule.

use std::path::{Path, PathBuf};

use cronlock::docs::{page_path, rule_page, with_rules_table};
use cronlock::registry::Rule;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var_os("CRONLOCK_UPDATE_DOCS").is_some_and(|v| v == "1")
}

/// Compares `path` with `want`, or writes it when updating.
fn check_file(path: &Path, want: &str) -> Option<String> {
    let have = std::fs::read_to_string(path).unwrap_or_default();
    if have == want {
        return None;
    }
    if updating() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("create docs dir");
        }
        std::fs::write(path, want).expect("write generated docs");
        return None;
    }
    Some(path.display().to_string())
}

#[test]
fn rule_pages_are_generated_from_the_rules() {
    let stale: Vec<String> = Rule::ALL
        .iter()
        .filter_map(|&rule| check_file(&root().join(page_path(rule)), &rule_page(rule)))
        .collect();
    assert!(
        stale.is_empty(),
        "stale rule pages (run `CRONLOCK_UPDATE_DOCS=1 cargo test --test docs`): {stale:?}"
    );
}

#[test]
fn no_page_for_a_rule_that_does_not_exist() {
    let pages = std::fs::read_dir(root().join("docs/rules")).expect("docs/rules");
    for page in pages {
        let name = page
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let rule = name.strip_suffix(".md").and_then(Rule::from_name);
        assert!(rule.is_some(), "docs/rules/{name} documents no rule");
    }
}

#[test]
fn readme_rules_table_is_generated_from_the_rules() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let want = with_rules_table(&readme).expect("README.md has the rules-table markers");
    let stale = check_file(&path, &want);
    assert!(
        stale.is_none(),
        "the README's rules table is stale (run `CRONLOCK_UPDATE_DOCS=1 cargo test --test docs`)"
    );
}
