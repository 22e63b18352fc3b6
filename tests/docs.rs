//! The rule documentation is generated from the code: `docs/rules/<rule>.md`
//! and the rules table of `docs/rules.md` must equal what `cronlock::docs`
//! makes from each rule's `DOC`. Run `CRONLOCK_UPDATE_DOCS=1 cargo test --test
//! docs` to rewrite them after editing a rule. The relative links between the
//! README, the changelog and `docs/` must resolve, anchors included.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cronlock::docs::{RULES_TABLE_PAGE, page_path, rule_page, with_rules_table};
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
fn rules_table_is_generated_from_the_rules() {
    let path = root().join(RULES_TABLE_PAGE);
    let page = std::fs::read_to_string(&path).expect(RULES_TABLE_PAGE);
    let want = with_rules_table(&page)
        .unwrap_or_else(|| panic!("{RULES_TABLE_PAGE} has the rules-table markers"));
    let stale = check_file(&path, &want);
    assert!(
        stale.is_none(),
        "the rules table of {RULES_TABLE_PAGE} is stale (run `CRONLOCK_UPDATE_DOCS=1 cargo test --test docs`)"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(
        readme.contains(&format!("]({RULES_TABLE_PAGE})")),
        "the README links to {RULES_TABLE_PAGE}"
    );
}

/// The markdown files whose links are checked: the README, the changelog and
/// every page under `docs/`.
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md"), root().join("CHANGELOG.md")];
    let mut dirs = vec![root().join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("docs dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The lines of `text` outside fenced code blocks.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            lines.push(line);
        }
    }
    lines
}

/// The anchors GitHub gives the headings of `text`: lower case, punctuation
/// dropped, spaces as hyphens, `-1`, `-2`... for repeats.
fn anchors(text: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut anchors = Vec::new();
    for line in prose_lines(text) {
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        let heading = heading.trim_start_matches('#');
        if !heading.starts_with(' ') {
            continue;
        }
        let slug: String = heading
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let count = seen.entry(slug.clone()).or_default();
        let anchor = if *count == 0 {
            slug
        } else {
            format!("{slug}-{count}")
        };
        *count += 1;
        anchors.push(anchor);
    }
    anchors
}

/// The targets of the inline links `[text](target)` in the prose of `text`.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(text) {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            if let Some(end) = rest.find(')') {
                targets.push(rest[..end].to_owned());
                rest = &rest[end..];
            }
        }
    }
    targets
}

#[test]
fn relative_links_in_the_docs_resolve() {
    let mut broken = Vec::new();
    for file in doc_files() {
        let text = std::fs::read_to_string(&file).expect("doc file");
        let shown = file.strip_prefix(root()).unwrap_or(&file).display();
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let linked = if path.is_empty() {
                file.clone()
            } else {
                file.parent().expect("folder").join(path)
            };
            if !linked.exists() {
                broken.push(format!("{shown}: {target}: no such file"));
                continue;
            }
            if let Some(anchor) = anchor {
                let page = std::fs::read_to_string(&linked).unwrap_or_default();
                if !anchors(&page).iter().any(|a| a == anchor) {
                    broken.push(format!("{shown}: {target}: no such heading"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
