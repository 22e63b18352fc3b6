//! The command line as users meet it: exit codes, errors, rule docs,
//! configuration, selection and suppression.

mod common;

use common::{cronlock, tree};

const MISSING: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(private readonly repo: Repo) {}

  @ClusterSafeCron('0 * * * *')
  run() {}
}
";

#[test]
fn exit_codes_follow_the_contract() {
    let dir = tree(&[("src/job.ts", MISSING)]);
    assert_eq!(cronlock(dir.path(), &["check"]).code, 1);
    assert_eq!(cronlock(dir.path(), &["fix", "--dry-run"]).code, 1);
    assert_eq!(cronlock(dir.path(), &["fix"]).code, 0);
    assert_eq!(cronlock(dir.path(), &["check"]).code, 0);
    assert_eq!(cronlock(dir.path(), &["fix", "--dry-run"]).code, 0);
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let dir = tree(&[("src/job.ts", MISSING)]);
    let run = cronlock(dir.path(), &["check", "src", "nope"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("error: nope: no such file or directory"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("src/job.ts:5:14: error[missing-lock-service]"),
        "{}",
        run.stdout
    );
}

#[test]
fn rules_and_rule_explain_every_rule() {
    let dir = tree(&[]);
    let list = cronlock(dir.path(), &["rules"]);
    assert_eq!(list.code, 0);
    for name in [
        "missing-lock-service",
        "missing-lock-import",
        "type-only-lock-import",
        "lock-not-property",
        "lock-wrong-name",
        "optional-lock-service",
        "derived-class-without-constructor",
        "lock-base-unknown",
        "missing-lock-module",
        "unlocked-cron",
        "unlocked-interval",
        "parse-error",
    ] {
        assert!(list.stdout.contains(name), "rules lacks {name}");
        let explain = cronlock(dir.path(), &["rule", name]);
        assert_eq!(explain.code, 0);
        assert!(explain.stdout.contains("Why it matters in cluster mode"));
        assert!(explain.stdout.contains("Before") && explain.stdout.contains("After"));
    }
    let unknown = cronlock(dir.path(), &["rule", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("unknown rule `nope`"));
}

#[test]
fn json_has_the_contract_shape() {
    let dir = tree(&[("package.json", "{}"), ("src/job.ts", MISSING)]);
    let run = cronlock(dir.path(), &["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
    assert_eq!(doc["version"], 1);
    let finding = &doc["findings"][0];
    let mut keys: Vec<&str> = finding
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut expected = vec![
        "class", "column", "file", "fixable", "line", "message", "method", "package", "related",
        "rule", "severity",
    ];
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(finding["file"], "src/job.ts");
    assert_eq!(finding["line"], 5);
    assert_eq!(finding["column"], 14);
    assert_eq!(finding["class"], "ReportJob");
    assert_eq!(finding["method"], serde_json::Value::Null);
    assert_eq!(finding["fixable"], true);
    let package = &doc["packages"][0];
    assert_eq!(package["classes_needing_lock"], 1);
    assert_eq!(package["classes_complete"], 0);
    let summary = &doc["summary"];
    assert_eq!(summary["files_scanned"], 1);
    assert_eq!(summary["findings"], 1);
    assert_eq!(summary["fixable"], 1);
    assert_eq!(summary["ready"], false);
}

#[test]
fn a_malformed_config_gives_one_clear_line() {
    let dir = tree(&[
        (
            "cronlock.toml",
            "lock-module = \"X\"\nlock-decorator = [\"A\"]\n",
        ),
        ("src/job.ts", MISSING),
    ]);
    let run = cronlock(dir.path(), &["check"]);
    assert_eq!(run.code, 2);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.stderr);
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
    assert!(lines[0].contains("cronlock.toml:2"), "{}", lines[0]);
    assert!(lines[0].contains("lock-decorator"), "{}", lines[0]);

    let bad_rule = tree(&[
        ("cronlock.toml", "[rules]\nno-such-rule = \"off\"\n"),
        ("a.ts", MISSING),
    ]);
    let run = cronlock(bad_rule.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cronlock.toml:2") && run.stderr.contains("no-such-rule"),
        "{}",
        run.stderr
    );

    let bad_type = tree(&[
        ("cronlock.toml", "exclude = \"legacy\"\n"),
        ("a.ts", MISSING),
    ]);
    let run = cronlock(bad_type.path(), &["check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cronlock.toml:1"), "{}", run.stderr);
}

#[test]
fn select_ignore_and_severity_configuration() {
    let dir = tree(&[("src/job.ts", MISSING)]);
    assert_eq!(
        cronlock(dir.path(), &["check", "--ignore", "missing-lock-service"]).code,
        0
    );
    assert_eq!(
        cronlock(dir.path(), &["check", "--select", "unlocked-cron"]).code,
        0
    );
    assert_eq!(
        cronlock(dir.path(), &["check", "--select", "missing-lock-service"]).code,
        1
    );
    let bad = cronlock(dir.path(), &["check", "--select", "nope"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--select: unknown rule `nope`"));

    let off = tree(&[
        ("cronlock.toml", "[rules]\nmissing-lock-service = \"off\"\n"),
        ("src/job.ts", MISSING),
    ]);
    assert_eq!(cronlock(off.path(), &["check"]).code, 0);
    let warn = tree(&[
        (
            "cronlock.toml",
            "[rules]\nmissing-lock-service = \"warning\"\n",
        ),
        ("src/job.ts", MISSING),
    ]);
    let run = cronlock(warn.path(), &["check"]);
    assert!(
        run.stdout.contains("warning[missing-lock-service]"),
        "{}",
        run.stdout
    );
}

#[test]
fn explicit_files_are_scanned_even_where_the_walk_skips() {
    let dir = tree(&[("dist/job.ts", MISSING)]);
    assert_eq!(cronlock(dir.path(), &["check"]).code, 0);
    let run = cronlock(dir.path(), &["check", "dist/job.ts"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("dist/job.ts:5:14"), "{}", run.stdout);
}

#[test]
fn quiet_prints_only_the_summary() {
    let dir = tree(&[("src/job.ts", MISSING)]);
    let run = cronlock(dir.path(), &["check", "--quiet"]);
    assert_eq!(
        run.stdout,
        "1 finding (1 fixable) in 1 file; run `cronlock fix` to apply 1 fix.\n"
    );
}

#[test]
fn gitignore_is_honoured_inside_a_git_work_tree_and_exclude_always() {
    let files = [
        (".gitignore", "generated/\n"),
        ("generated/job.ts", MISSING),
        ("legacy/old.ts", MISSING),
        ("src/job.ts", MISSING),
    ];
    let plain = tree(&files);
    let run = cronlock(plain.path(), &["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(
        doc["summary"]["files_scanned"], 3,
        "outside git, .gitignore is not a rule"
    );

    let repo = tree(&files);
    let init = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(repo.path())
        .status()
        .expect("git");
    assert!(init.success());
    let run = cronlock(
        repo.path(),
        &["check", "--format", "json", "--exclude", "legacy/**"],
    );
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(doc["summary"]["files_scanned"], 1, "{}", run.stdout);
    assert_eq!(doc["findings"][0]["file"], "src/job.ts");
    let explicit = cronlock(repo.path(), &["check", "generated/job.ts"]);
    assert_eq!(explicit.code, 1, "a file named explicitly is scanned");
}

/// Outside a work tree the walk reads no `.gitignore` (see `walk::walk_dir`),
/// so it must notice a repository nested below the directory it walks, git's
/// or jj's, and honour that repository's `.gitignore` beneath it.
#[test]
fn a_repository_nested_in_a_plain_directory_keeps_its_gitignore() {
    let dir = tree(&[
        (".gitignore", "top/\n"),
        ("top/job.ts", MISSING),
        ("svc/.gitignore", "generated/\n"),
        ("svc/generated/job.ts", MISSING),
        ("svc/src/job.ts", MISSING),
        ("jj/.jj/repo", ""),
        ("jj/.gitignore", "gen/\n"),
        ("jj/gen/job.ts", MISSING),
    ]);
    let init = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path().join("svc"))
        .status()
        .expect("git");
    assert!(init.success());
    let run = cronlock(dir.path(), &["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let mut files: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    files.dedup();
    assert_eq!(files, ["svc/src/job.ts", "top/job.ts"], "{}", run.stdout);
}

#[test]
fn config_flag_names_the_file_to_use() {
    let dir = tree(&[
        (
            "settings/strict.toml",
            "[rules]\nmissing-lock-service = \"off\"\n",
        ),
        ("src/job.ts", MISSING),
    ]);
    assert_eq!(cronlock(dir.path(), &["check"]).code, 1);
    assert_eq!(
        cronlock(dir.path(), &["check", "--config", "settings/strict.toml"]).code,
        0
    );
    let missing = cronlock(dir.path(), &["check", "--config", "nope.toml"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.starts_with("error: nope.toml: "),
        "{}",
        missing.stderr
    );
}

#[test]
fn a_type_only_import_used_only_as_a_type_is_fine() {
    let dir = tree(&[(
        "src/helpers.ts",
        "import type { DistributedLockService } from '@acme/cluster-lock';\n\nexport function withLock(service: DistributedLockService): void {\n  void service;\n}\n",
    )]);
    let run = cronlock(dir.path(), &["check"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}
