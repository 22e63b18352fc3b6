//! Every output format on the bundled example, the SARIF log validated
//! against the official SARIF 2.1.0 schema, and colour only on a terminal.

mod common;

use std::process::Command;

use common::{cronlock, root};

fn platform(format: &str) -> String {
    let run = cronlock(&root(), &["check", "fixtures/platform", "--format", format]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    run.stdout
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn text_format() {
    snapshot("format-text", &platform("text"));
}

#[test]
fn json_format() {
    let out = platform("json");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["summary"]["findings"], 29);
    let packages = doc["packages"].as_array().expect("packages");
    let needing: u64 = packages
        .iter()
        .map(|p| p["classes_needing_lock"].as_u64().unwrap_or(0))
        .sum();
    let complete: u64 = packages
        .iter()
        .map(|p| p["classes_complete"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!((needing, complete), (38, 11));
    snapshot("format-json", &out);
}

#[test]
fn markdown_format() {
    let out = platform("markdown");
    assert!(
        out.contains(
            "**Verdict: NOT READY**: 11 of 38 lock-decorated classes have `lockService` (29%)"
        ),
        "{out}"
    );
    assert!(out.contains("## Classes still missing a lock service (27)"));
    for (package, count) in [
        ("user-service", 5),
        ("device-service", 16),
        ("billing-service", 6),
    ] {
        assert!(
            out.contains(&format!("### {package} ({count})")),
            "{package}"
        );
    }
    snapshot("format-markdown", &out);
}

#[test]
fn github_format() {
    let out = platform("github");
    assert_eq!(out.lines().count(), 29);
    assert!(
        out.lines()
            .all(|l| l.starts_with("::error file=fixtures/platform/")
                || l.starts_with("::warning file=fixtures/platform/"))
    );
    snapshot("format-github", &out);
}

#[test]
fn sarif_format_is_valid_sarif_2_1_0() {
    let out = platform("sarif");
    let log: serde_json::Value = serde_json::from_str(&out).expect("json");
    let schema_text = std::fs::read_to_string(root().join("tests/schemas/sarif-2.1.0-rtm.5.json"))
        .expect("schema");
    // The published schema's `run.language` pattern ends in `]?$`, a stray
    // bracket that ECMA-262 reads as a literal and the Rust regex engine
    // rejects; escaping it keeps the meaning.
    let schema_text = schema_text.replace(r#"[a-zA-Z]{2}]?$"#, r#"[a-zA-Z]{2}\\]?$"#);
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema json");
    let validator = jsonschema::options()
        .should_validate_formats(false)
        .build(&schema)
        .expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}",
        errors.join("\n")
    );
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 29);
    let with_fixes = results.iter().filter(|r| r.get("fixes").is_some()).count();
    assert_eq!(with_fixes, 27);
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .map(Vec::len),
        Some(18)
    );
    snapshot("format-sarif", &out);

    // A log that breaks the schema is caught, so the check above can fail.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    assert!(!validator.is_valid(&broken));
}

fn under_terminal(args: &str, no_color: bool) -> String {
    let bin = env!("CARGO_BIN_EXE_cronlock");
    let mut command = Command::new("script");
    command
        .args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .current_dir(root());
    command.env_remove("NO_COLOR");
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let output = command
        .output()
        .expect("script(1) runs the binary under a pseudo-terminal");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn colour_only_on_a_terminal() {
    let piped = Command::new(env!("CARGO_BIN_EXE_cronlock"))
        .args(["check", "fixtures/platform"])
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .expect("run");
    assert!(
        !String::from_utf8_lossy(&piped.stdout).contains('\u{1b}'),
        "escape codes in a pipe"
    );
    assert!(
        under_terminal("check fixtures/platform", false).contains("\u{1b}["),
        "no colour on a terminal"
    );
    assert!(
        !under_terminal("check fixtures/platform", true).contains('\u{1b}'),
        "NO_COLOR ignored"
    );
    assert!(!under_terminal("check --color never fixtures/platform", false).contains('\u{1b}'));
    let forced = Command::new(env!("CARGO_BIN_EXE_cronlock"))
        .args(["check", "--color", "always", "fixtures/platform"])
        .current_dir(root())
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&forced.stdout).contains("\u{1b}["));
}
