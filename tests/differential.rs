//! `--no-prefilter` (a full parse of every file) is the oracle: the default
//! mode (prefilter and second reads) gives the same `check --format json`,
//! `fix --dry-run` and exit codes on every fixture and on generated trees
//! written to break its shortcuts (tests/adversarial). The one difference
//! allowed: a syntax error inside a file the default mode does not parse.

mod adversarial;
mod common;

use common::{Run, cronlock, fixture_args, fixtures, tree};

/// `check --format json` and `fix --dry-run` of `dir`, with `extra` args:
/// their stdout and exit codes.
fn outputs(dir: &std::path::Path, args: &[&str], extra: &[&str]) -> [(String, i32); 2] {
    let run = |command: &[&str]| {
        let Run { stdout, code, .. } = cronlock(dir, &[command, args, extra].concat());
        (stdout, code)
    };
    [
        run(&["check", "--format", "json"]),
        run(&["fix", "--dry-run"]),
    ]
}

#[test]
fn every_fixture_gives_the_same_answer_either_way() {
    for (name, dir) in fixtures() {
        let args = fixture_args(&dir, "fixture-args");
        // A fixture that runs with `--no-prefilter` is compared in default
        // mode too: the flag is given once, on the oracle's side.
        let args: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|a| *a != "--no-prefilter")
            .collect();
        let fast = outputs(&dir, &args, &[]);
        let full = outputs(&dir, &args, &["--no-prefilter"]);
        assert_eq!(fast, full, "fixture {name}");
    }
}

const SKIPPED_AND_BROKEN: &str = "export function helper() {\n  const x = ;\n}\n";

const JOB: &str = "import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

export class Job {
  constructor(private readonly lockService: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  run() {}
}
";

#[test]
fn a_syntax_error_in_a_file_the_prefilter_skips_is_the_one_difference() {
    // docs/how-it-works.md and the CONTRACT document this: a file that names nothing
    // cronlock looks for is not parsed, so its syntax error goes unseen.
    let dir = tree(&[("src/helper.ts", SKIPPED_AND_BROKEN), ("src/job.ts", JOB)]);
    let fast = cronlock(dir.path(), &["check", "src"]);
    assert_eq!(fast.code, 0, "{}", fast.stdout);
    let full = cronlock(dir.path(), &["check", "--no-prefilter", "src"]);
    assert_eq!(full.code, 1, "{}", full.stdout);
    assert!(full.stdout.contains("parse-error"), "{}", full.stdout);
}

const BROKEN_BODY: &str = "import { ClusterSafeCron } from '@acme/cluster-lock';

export class Job {
  constructor(private readonly repo: Repo) {}

  @ClusterSafeCron('0 * * * *')
  run() {}

  broken() {
    const x = ;
  }
}
";

#[test]
fn a_syntax_error_in_a_parsed_file_is_reported_either_way() {
    // Every file the default mode parses, it parses in full: an error in a
    // method body is a parse-error, never a skipped body.
    let dir = tree(&[("src/job.ts", BROKEN_BODY)]);
    let fast = outputs(dir.path(), &["src"], &[]);
    let full = outputs(dir.path(), &["src"], &["--no-prefilter"]);
    assert_eq!(fast, full);
    assert!(fast[0].0.contains("parse-error"), "{}", fast[0].0);
    let fix = cronlock(dir.path(), &["fix", "src"]);
    assert_eq!(fix.code, 1, "{}\n{}", fix.stdout, fix.stderr);
    let after = std::fs::read_to_string(dir.path().join("src/job.ts")).expect("read");
    assert_eq!(after, BROKEN_BODY);
}

/// Writes the tree `bytes` decides and compares both modes on it; `Err`
/// describes the first difference.
fn same_answer(bytes: &[u8]) -> Result<(), String> {
    let files = adversarial::tree(&mut adversarial::Choices::new(bytes));
    let listed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let dir = tree(&listed);
    let full = outputs(dir.path(), &[], &["--no-prefilter"]);
    if full[0].0.contains("parse-error") {
        return Err(format!(
            "the generator wrote a tree that does not parse:\n{}",
            full[0].0
        ));
    }
    let fast = outputs(dir.path(), &[], &[]);
    if fast == full {
        return Ok(());
    }
    let shown: Vec<String> = files.iter().map(|(p, t)| format!("--- {p}\n{t}")).collect();
    Err(format!(
        "default mode:\n{fast:#?}\n--no-prefilter:\n{full:#?}\ntree:\n{}",
        shown.join("")
    ))
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]
    #[test]
    fn generated_trees_give_the_same_answer_either_way(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..96)
    ) {
        if let Err(difference) = same_answer(&bytes) {
            proptest::prop_assert!(false, "{}", difference);
        }
    }
}

/// Counts the generated trees (of 200, from a fixed seed) on which the two
/// modes differ, and prints each difference: `cargo test --test
/// differential -- --ignored --nocapture` (a survey, not a gate).
#[test]
#[ignore]
fn survey_of_differences() {
    let mut state: u64 = 22;
    let mut differing = 0;
    for case in 0..200 {
        let bytes: Vec<u8> = (0..96)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (state >> 33) as u8
            })
            .collect();
        if let Err(difference) = same_answer(&bytes) {
            differing += 1;
            println!("=== case {case}\n{difference}");
        }
    }
    println!("{differing} of 200 trees differ");
}
