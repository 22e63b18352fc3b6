//! The parse budget: a file swc has not parsed within `--parse-timeout` is a
//! parse-error ("took longer than N s to parse; not checked"), never edited,
//! and the rest of the run completes. The inputs are the fuzzer's known-slow
//! finds (tests/data/known-slow/, NUL bytes removed as in their README) and a
//! NestJS file generated around one of them. These tests are about
//! behaviour, never timings: the budget counts the parsing thread's CPU
//! time, so a loaded machine or a debug build gives the same answers.

mod common;

use common::{cronlock, root};

const MISSING: &str = "import { ClusterSafeCron } from '@acme/cluster-lock';

export class Job {
  constructor(private readonly repo: Repo) {}

  @ClusterSafeCron('0 * * * *')
  run() {}
}
";

/// A budget far below what the known-slow inputs take (0.7 s and 4.8 s in a
/// release build, much more in a debug one).
const BUDGET: &str = "0.2";

fn known_slow(n: u32) -> String {
    let path = root().join(format!(
        "tests/data/known-slow/swc-type-args-backtracking-{n}.bin"
    ));
    let bytes = std::fs::read(&path).expect("known-slow input");
    String::from_utf8(bytes.into_iter().filter(|&b| b != 0).collect()).expect("UTF-8")
}

/// A scheduler that mentions a lock decorator (so the prefilter sends it to
/// the parser) followed by the backtracking pattern.
fn adversarial() -> String {
    format!("{MISSING}\nexport const seed = {}\n", known_slow(1))
}

/// `src/good.ts` (fixable), `src/slow1.ts`, `src/slow2.ts` and
/// `src/generated.ts`.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("good.ts"), MISSING).expect("write");
    std::fs::write(src.join("slow1.ts"), known_slow(1)).expect("write");
    std::fs::write(src.join("slow2.ts"), known_slow(2)).expect("write");
    std::fs::write(src.join("generated.ts"), adversarial()).expect("write");
    dir
}

/// `check --format json` of `src` in `dir`, every file parsed
/// (`--no-prefilter`) within [`BUDGET`], with `more` arguments.
fn check_every_file(dir: &std::path::Path, more: &[&str]) -> common::Run {
    let mut args = vec!["check", "--no-prefilter", "--parse-timeout", BUDGET];
    args.extend_from_slice(more);
    args.extend(["--format", "json", "src"]);
    cronlock(dir, &args)
}

fn findings(stdout: &str) -> Vec<serde_json::Value> {
    let report: serde_json::Value = serde_json::from_str(stdout).expect("JSON report");
    report["findings"].as_array().cloned().unwrap_or_default()
}

#[test]
fn slow_files_are_parse_errors_and_the_rest_is_checked() {
    let dir = tree();
    let run = check_every_file(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = findings(&run.stdout);
    for file in ["src/slow1.ts", "src/slow2.ts", "src/generated.ts"] {
        let finding = findings
            .iter()
            .find(|f| f["file"] == file)
            .unwrap_or_else(|| panic!("no finding for {file}: {}", run.stdout));
        assert_eq!(finding["rule"], "parse-error");
        assert_eq!(
            finding["message"],
            "took longer than 0.2 s to parse; not checked"
        );
        assert_eq!(finding["fixable"], false);
    }
    assert!(
        findings
            .iter()
            .any(|f| f["file"] == "src/good.ts" && f["rule"] == "missing-lock-service"),
        "{}",
        run.stdout
    );
}

/// A load whose parse overruns starts again on fresh workers, once per
/// overrun: one worker meets the three slow files one after the other (three
/// fresh starts), three workers meet them side by side; the report is the
/// same.
#[test]
fn every_worker_count_gives_the_same_report() {
    let dir = tree();
    let report = |jobs: &str| {
        let run = check_every_file(dir.path(), &["--jobs", jobs]);
        assert_eq!(run.code, 1, "--jobs {jobs}: {}", run.stderr);
        run.stdout
    };
    let one = report("1");
    assert_eq!(one.matches("took longer than 0.2 s").count(), 3, "{one}");
    assert_eq!(one, report("3"));
}

#[test]
fn generated_file_is_caught_without_no_prefilter() {
    let dir = tree();
    let run = cronlock(
        dir.path(),
        &["check", "--parse-timeout", "0.5", "src/generated.ts"],
    );
    assert!(
        run.stdout
            .contains("error[parse-error] took longer than 0.5 s to parse; not checked"),
        "{}",
        run.stdout
    );
}

#[test]
fn fix_never_edits_a_file_that_ran_out_of_time() {
    let dir = tree();
    let run = cronlock(
        dir.path(),
        &["fix", "--no-prefilter", "--parse-timeout", BUDGET, "src"],
    );
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let src = dir.path().join("src");
    let read = |name: &str| std::fs::read_to_string(src.join(name)).expect("read");
    assert_eq!(read("slow1.ts"), known_slow(1));
    assert_eq!(read("slow2.ts"), known_slow(2));
    assert_eq!(read("generated.ts"), adversarial());
    assert!(read("good.ts").contains("private readonly lockService: DistributedLockService"));
}

#[test]
fn parse_timeout_must_be_a_positive_number() {
    let dir = tree();
    for bad in ["0", "-1", "soon", "NaN"] {
        let arg = format!("--parse-timeout={bad}");
        let run = cronlock(dir.path(), &["check", &arg, "src"]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stderr);
        assert!(run.stderr.contains("--parse-timeout"), "{}", run.stderr);
    }
}

#[test]
fn a_generous_budget_changes_nothing_for_ordinary_files() {
    let dir = tree();
    std::fs::remove_file(dir.path().join("src/slow1.ts")).expect("rm");
    std::fs::remove_file(dir.path().join("src/slow2.ts")).expect("rm");
    std::fs::remove_file(dir.path().join("src/generated.ts")).expect("rm");
    let default = cronlock(dir.path(), &["check", "--format", "json", "src"]);
    let long = cronlock(
        dir.path(),
        &["check", "--parse-timeout", "600", "--format", "json", "src"],
    );
    assert_eq!(default.stdout, long.stdout);
    assert_eq!(default.code, long.code);
}

/// A NestJS file of `classes` schedulers, each missing its lock service:
/// ordinary code, tens of kilobytes, parsed in milliseconds.
fn schedulers(classes: usize) -> String {
    let mut text = String::from("import { ClusterSafeCron } from '@acme/cluster-lock';\n");
    for i in 0..classes {
        text.push_str(&format!(
            "\nexport class Job{i} {{\n  constructor(private readonly repo: Repo) {{}}\n\n  \
             @ClusterSafeCron('0 * * * *')\n  run() {{\n    return this.repo.count({i});\n  }}\n}}\n"
        ));
    }
    text
}

/// Loads `text` as `src/jobs.ts` with `parse_timeout` on workers of its own
/// and gives its findings as `(rule, message)`.
fn findings_with_budget(text: &str, parse_timeout: Option<f64>) -> Vec<(String, String)> {
    use cronlock::config::Config;
    use cronlock::engine::{RuleFilter, analyze};
    use cronlock::project::Project;
    use cronlock::workers::Workers;

    let config = Config {
        parse_timeout,
        ..Config::default()
    };
    let workers = Workers::new(Some(2)).expect("worker threads");
    workers.install(|| {
        let project =
            Project::from_texts(vec![("src/jobs.ts".to_string(), text.to_string())], config);
        analyze(&project, &RuleFilter::default())
            .findings
            .into_iter()
            .map(|f| (f.rule.name().to_string(), f.message))
            .collect()
    })
}

/// The budget belongs to the project, not to the process: two projects of
/// the same text, loaded at the same time in one process, one with a budget
/// no parse can meet (a microsecond of CPU time, counted from before the
/// parse is handed over) and one with the default (five seconds per MiB,
/// thousands of times what this text takes even in a debug build), each
/// get their own answer, in either order.
#[test]
fn two_projects_in_one_process_keep_their_own_budgets() {
    let text = schedulers(200);
    let (tiny, default) = std::thread::scope(|scope| {
        let tiny = scope.spawn(|| findings_with_budget(&text, Some(1e-6)));
        let default = scope.spawn(|| findings_with_budget(&text, None));
        (
            tiny.join().expect("tiny budget"),
            default.join().expect("default budget"),
        )
    });
    let timed_out = (
        "parse-error".to_string(),
        "took longer than 0.000001 s to parse; not checked".to_string(),
    );
    assert_eq!(tiny, vec![timed_out.clone()]);
    assert_eq!(default.len(), 200, "{:?}", &default[..default.len().min(3)]);
    assert!(
        default
            .iter()
            .all(|(rule, _)| rule == "missing-lock-service"),
        "{default:?}"
    );
    // One after the other, each way round: nothing is left behind.
    assert_eq!(findings_with_budget(&text, None), default);
    assert_eq!(findings_with_budget(&text, Some(1e-6)), vec![timed_out]);
    assert_eq!(findings_with_budget(&text, None), default);
}
