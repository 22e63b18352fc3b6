//! The baseline as CI meets it: `--update-baseline` writes a file that diffs
//! cleanly, `check` fails only on new findings and on stale entries, repeats
//! are counted, paths are relative to the baseline, a broken file is one
//! error line, and `fix --skip-baselined` leaves known findings alone.
//! (The fixtures `fixtures/baseline-*` show the output of each case.)

mod common;

use common::{cronlock, tree};

fn job(class: &str) -> String {
    format!(
        "import {{ Injectable }} from '@nestjs/common';
import {{ ClusterSafeCron }} from '@acme/cluster-lock';

@Injectable()
export class {class} {{
  @ClusterSafeCron('0 * * * *')
  run() {{}}
}}
"
    )
}

const EXPORT_JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ExportJob {
  constructor(private readonly repo: Repo, private readonly lockService: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  run() {}
}
";

fn spec(calls: usize) -> String {
    let mut text = "import { ExportJob } from './export.job';\n\n".to_string();
    for i in 0..calls {
        text.push_str(&format!(
            "it('{i}', () => {{\n  const job = new ExportJob(repo);\n}});\n"
        ));
    }
    text
}

#[test]
fn update_writes_a_sorted_stable_file_and_check_then_passes() {
    let (a, b) = (job("AlphaJob"), job("BetaJob"));
    let dir = tree(&[("src/b.job.ts", &b), ("src/a.job.ts", &a)]);
    let update = cronlock(dir.path(), &["check", "--update-baseline"]);
    assert_eq!(update.code, 0, "{}", update.stderr);
    assert_eq!(update.stdout, "");
    assert_eq!(
        update.stderr,
        "Wrote cronlock-baseline.json: 2 findings in 2 entries.\n"
    );
    let written =
        std::fs::read_to_string(dir.path().join("cronlock-baseline.json")).expect("written");
    assert_eq!(
        written,
        r#"{
  "version": 1,
  "entries": [
    {
      "file": "src/a.job.ts",
      "class": "AlphaJob",
      "method": null,
      "rule": "missing-lock-service",
      "count": 1
    },
    {
      "file": "src/b.job.ts",
      "class": "BetaJob",
      "method": null,
      "rule": "missing-lock-service",
      "count": 1
    }
  ]
}
"#
    );
    let check = cronlock(dir.path(), &["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(
        check.stdout,
        "No new findings in 2 files scanned.\n2 findings baselined (cronlock-baseline.json).\n"
    );
    // Rewriting changes nothing: the file is stable.
    let again = cronlock(dir.path(), &["check", "--update-baseline"]);
    assert_eq!(again.code, 0);
    assert!(
        again.stderr.contains("(it recorded 2 findings)"),
        "{}",
        again.stderr
    );
    let rewritten =
        std::fs::read_to_string(dir.path().join("cronlock-baseline.json")).expect("written");
    assert_eq!(written, rewritten);
    // --no-baseline shows everything again.
    let all = cronlock(dir.path(), &["check", "--no-baseline", "--quiet"]);
    assert_eq!(all.code, 1);
    assert!(
        all.stdout.starts_with("2 findings (2 fixable)"),
        "{}",
        all.stdout
    );
}

#[test]
fn repeats_are_counted_and_one_more_is_new() {
    let dir = tree(&[
        ("src/export.job.ts", EXPORT_JOB),
        ("src/export.job.spec.ts", &spec(2)),
    ]);
    assert_eq!(
        cronlock(dir.path(), &["check", "--update-baseline"]).code,
        0
    );
    let written =
        std::fs::read_to_string(dir.path().join("cronlock-baseline.json")).expect("written");
    assert!(written.contains("\"count\": 2"), "{written}");
    assert_eq!(cronlock(dir.path(), &["check"]).code, 0);

    std::fs::write(dir.path().join("src/export.job.spec.ts"), spec(3)).expect("write");
    let more = cronlock(dir.path(), &["check"]);
    assert_eq!(more.code, 1, "{}", more.stdout);
    assert!(
        more.stdout.contains("1 new finding (1 fixable) in 1 file;")
            && more.stdout.contains("2 findings baselined"),
        "{}",
        more.stdout
    );

    std::fs::write(dir.path().join("src/export.job.spec.ts"), spec(1)).expect("write");
    let fewer = cronlock(dir.path(), &["check"]);
    assert_eq!(fewer.code, 1, "{}", fewer.stdout);
    assert!(
        fewer.stdout.contains(
            "stale baseline entry: src/export.job.spec.ts ExportJob constructor-call-missing-lock: \
1 of 2 findings is gone; run `cronlock check --update-baseline`"
        ),
        "{}",
        fewer.stdout
    );
}

#[test]
fn paths_are_relative_to_the_baseline_file_whatever_the_scan_root() {
    let a = job("AlphaJob");
    let dir = tree(&[("apps/api/src/a.job.ts", &a)]);
    let api = dir.path().join("apps/api");
    // Written from inside the app, to a file at the top.
    let update = cronlock(
        &api,
        &[
            "check",
            "src",
            "--baseline",
            "../../ci/baseline.json",
            "--update-baseline",
        ],
    );
    assert_eq!(update.code, 0, "{}", update.stderr);
    let written = std::fs::read_to_string(dir.path().join("ci/baseline.json")).expect("written");
    assert!(
        written.contains("\"file\": \"../apps/api/src/a.job.ts\""),
        "{written}"
    );
    // Checked from the top, scanning everything: the same key.
    let check = cronlock(dir.path(), &["check", "--baseline", "ci/baseline.json"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert!(
        check
            .stdout
            .contains("1 finding baselined (ci/baseline.json)"),
        "{}",
        check.stdout
    );
}

#[test]
fn the_configured_baseline_is_relative_to_cronlock_toml() {
    let a = job("AlphaJob");
    let dir = tree(&[
        (
            "cronlock.toml",
            "baseline = \"ci/cronlock-baseline.json\"\n",
        ),
        ("src/a.job.ts", &a),
    ]);
    let src = dir.path().join("src");
    // A configured file must exist for `check`.
    let missing = cronlock(&src, &["check"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .starts_with("error: ../ci/cronlock-baseline.json: no such file or directory"),
        "{}",
        missing.stderr
    );
    std::fs::create_dir_all(dir.path().join("ci")).expect("mkdir");
    assert_eq!(cronlock(&src, &["check", "--update-baseline"]).code, 0);
    let written = std::fs::read_to_string(dir.path().join("ci/cronlock-baseline.json"))
        .expect("written beside the configured path");
    assert!(
        written.contains("\"file\": \"../src/a.job.ts\""),
        "{written}"
    );
    assert_eq!(cronlock(dir.path(), &["check"]).code, 0);
    assert_eq!(cronlock(&src, &["check"]).code, 0);
}

#[test]
fn the_default_baseline_sits_beside_cronlock_toml() {
    let a = job("AlphaJob");
    let dir = tree(&[("cronlock.toml", "exclude = []\n"), ("src/a.job.ts", &a)]);
    let src = dir.path().join("src");
    assert_eq!(cronlock(&src, &["check"]).code, 1, "absent: no baseline");
    assert_eq!(cronlock(&src, &["check", "--update-baseline"]).code, 0);
    assert!(dir.path().join("cronlock-baseline.json").is_file());
    let check = cronlock(&src, &["check"]);
    assert_eq!(check.code, 0);
    assert!(
        check
            .stdout
            .contains("1 finding baselined (../cronlock-baseline.json)"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_broken_baseline_is_one_error_line_naming_file_and_line() {
    let a = job("AlphaJob");
    let cases: [(&str, &str); 4] = [
        (
            "{\n  \"version\": 1,\n  \"entries\": [\n    { \"file\": \"src/a.job.ts\", }\n  ]\n}\n",
            "error: cronlock-baseline.json:4: not a valid baseline: ",
        ),
        (
            "",
            "error: cronlock-baseline.json:1: not a valid baseline: ",
        ),
        (
            "{\"version\": 7, \"entries\": []}\n",
            "error: cronlock-baseline.json: unsupported baseline version 7",
        ),
        (
            "{\"version\": 1, \"entries\": [{\"file\": \"src/a.job.ts\", \"class\": \"AlphaJob\", \
\"method\": null, \"rule\": \"missing-lock-servise\", \"count\": 1}]}\n",
            "error: cronlock-baseline.json: entry 1 (src/a.job.ts): unknown rule `missing-lock-servise`",
        ),
    ];
    for (text, expected) in cases {
        let dir = tree(&[("src/a.job.ts", &a), ("cronlock-baseline.json", text)]);
        for args in [&["check"][..], &["fix", "--dry-run"][..]] {
            let run = cronlock(dir.path(), args);
            assert_eq!(run.code, 2, "{args:?} {text:?}: {}", run.stderr);
            assert!(run.stderr.starts_with(expected), "{text:?}: {}", run.stderr);
            assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
            assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        }
        // --update-baseline replaces a broken file.
        assert_eq!(
            cronlock(dir.path(), &["check", "--update-baseline"]).code,
            0
        );
        assert_eq!(cronlock(dir.path(), &["check"]).code, 0);
    }
    let dir = tree(&[("src/a.job.ts", &a)]);
    let named = cronlock(dir.path(), &["check", "--baseline", "nope.json"]);
    assert_eq!(named.code, 2);
    assert!(
        named
            .stderr
            .starts_with("error: nope.json: no such file or directory"),
        "{}",
        named.stderr
    );
}

#[test]
fn fix_repairs_baselined_findings_unless_skip_baselined() {
    let (a, b) = (job("AlphaJob"), job("BetaJob"));
    let dir = tree(&[("src/a.job.ts", &a)]);
    assert_eq!(
        cronlock(dir.path(), &["check", "--update-baseline"]).code,
        0
    );
    std::fs::write(dir.path().join("src/b.job.ts"), &b).expect("write");

    let skip = cronlock(dir.path(), &["fix", "--skip-baselined"]);
    assert_eq!(skip.code, 0, "{}{}", skip.stdout, skip.stderr);
    let a_now = std::fs::read_to_string(dir.path().join("src/a.job.ts")).expect("read");
    let b_now = std::fs::read_to_string(dir.path().join("src/b.job.ts")).expect("read");
    assert_eq!(a_now, a, "the baselined class is left alone");
    assert!(b_now.contains("lockService"), "{b_now}");
    assert!(
        skip.stderr
            .contains("1 finding baselined (cronlock-baseline.json)."),
        "{}",
        skip.stderr
    );

    let fix = cronlock(dir.path(), &["fix"]);
    assert_eq!(fix.code, 1, "the entry is now stale: {}", fix.stderr);
    assert!(
        fix.stdout.contains(
            "stale baseline entry: src/a.job.ts AlphaJob missing-lock-service: the finding is gone"
        ),
        "{}",
        fix.stdout
    );
    assert!(
        fix.stderr.contains("1 entry is now stale"),
        "{}",
        fix.stderr
    );
    assert_eq!(
        cronlock(dir.path(), &["check", "--update-baseline"]).code,
        0
    );
    let check = cronlock(dir.path(), &["check"]);
    assert_eq!(check.code, 0);
    assert_eq!(
        check.stdout,
        "No new findings in 2 files scanned.\n0 findings baselined (cronlock-baseline.json).\n"
    );
}

#[test]
fn machine_formats_mark_baselined_findings_and_ready_stays_false() {
    let (a, b) = (job("AlphaJob"), job("BetaJob"));
    let dir = tree(&[("package.json", "{}"), ("src/a.job.ts", &a)]);
    assert_eq!(
        cronlock(dir.path(), &["check", "--update-baseline"]).code,
        0
    );
    std::fs::write(dir.path().join("src/b.job.ts"), &b).expect("write");

    let json = cronlock(dir.path(), &["check", "--format", "json"]);
    assert_eq!(json.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    let flags: Vec<(&str, bool)> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["class"].as_str().unwrap_or(""),
                f["baselined"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(flags, [("AlphaJob", true), ("BetaJob", false)]);
    assert_eq!(doc["summary"]["ready"], false);
    assert_eq!(doc["summary"]["findings"], 2);
    assert_eq!(doc["baseline"]["file"], "cronlock-baseline.json");
    assert_eq!(doc["baseline"]["new"], 1);
    assert_eq!(doc["baseline"]["baselined"], 1);

    let sarif = cronlock(dir.path(), &["check", "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("sarif");
    let states: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["baselineState"].as_str())
        .collect();
    assert_eq!(states, ["unchanged", "new"]);

    let github = cronlock(dir.path(), &["check", "--format", "github"]);
    assert_eq!(github.stdout.lines().count(), 1, "{}", github.stdout);
    assert!(github.stdout.contains("src/b.job.ts"), "{}", github.stdout);

    // Once the new class is fixed, only the baselined one is left: exit 0,
    // and still not ready.
    std::fs::remove_file(dir.path().join("src/b.job.ts")).expect("rm");
    let markdown = cronlock(dir.path(), &["check", "--format", "markdown"]);
    assert_eq!(markdown.code, 0);
    assert!(
        markdown.stdout.contains("**Verdict: NOT READY**"),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown
            .stdout
            .contains("## Classes still missing a lock service: baselined (1)"),
        "{}",
        markdown.stdout
    );
    let json = cronlock(dir.path(), &["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(doc["summary"]["ready"], false);
}

#[test]
fn without_a_baseline_nothing_changes_in_the_output() {
    let a = job("AlphaJob");
    let dir = tree(&[("src/a.job.ts", &a)]);
    let json = cronlock(dir.path(), &["check", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert!(doc.get("baseline").is_none());
    assert!(doc["findings"][0].get("baselined").is_none());
    let text = cronlock(dir.path(), &["check", "-q"]);
    assert_eq!(
        text.stdout,
        "1 finding (1 fixable) in 1 file; run `cronlock fix` to apply 1 fix.\n"
    );
}
