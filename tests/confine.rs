//! `fix` writes only inside what it was asked to scan: a file whose real
//! path leads outside every scanned PATH (and outside the git work tree
//! holding it) is reported with both paths, left alone with the rest of its
//! change, and the run exits 2; `fix --dry-run` shows no diff for it and says
//! the same; `check` still reads through the link. (A link that stays inside
//! the scan: tests/bad_input.rs, `symlink_to_a_file_is_fixed_through_the_link`.)
#![cfg(unix)]

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;

use common::{cronlock, tree};

const MISSING: &str = "import { ClusterSafeCron } from '@acme/cluster-lock';

export class Job {
  constructor(private readonly repo: Repo) {}

  @ClusterSafeCron('0 * * * *')
  run() {}
}
";

const DERIVED: &str = "import { Job } from './job';

export class NightlyJob extends Job {
  constructor(repo: Repo) {
    super(repo);
  }
}
";

/// `repo/src/good.ts` (fixable, inside) and `repo/src/job.ts ->
/// ../../outside/job.ts` (fixable, outside the scan of `repo`).
fn escaping_tree() -> tempfile::TempDir {
    let dir = tree(&[
        ("repo/src/good.ts", &MISSING.replace("Job", "GoodJob")),
        ("outside/job.ts", MISSING),
    ]);
    symlink("../../outside/job.ts", dir.path().join("repo/src/job.ts")).expect("symlink");
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

/// The one error line about `path`.
fn error_line<'a>(stderr: &'a str, path: &str) -> &'a str {
    let start = format!("error: {path}: ");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.starts_with(&start)).collect();
    assert_eq!(lines.len(), 1, "one error about {path}:\n{stderr}");
    lines[0]
}

fn real(dir: &Path, path: &str) -> String {
    dir.join(path)
        .canonicalize()
        .expect("canonical")
        .display()
        .to_string()
}

#[test]
fn a_link_leading_outside_is_not_written() {
    let dir = escaping_tree();
    let run = cronlock(dir.path(), &["fix", "repo"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        error_line(&run.stderr, "repo/src/job.ts"),
        format!(
            "error: repo/src/job.ts: links to {}, outside the scanned paths; not written",
            real(dir.path(), "outside/job.ts")
        )
    );
    assert_eq!(read(&dir.path().join("outside/job.ts")), MISSING);
    assert!(
        std::fs::symlink_metadata(dir.path().join("repo/src/job.ts"))
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    assert!(read(&dir.path().join("repo/src/good.ts")).contains("lockService"));
    // Its finding remains, and the summary counts only what was written.
    assert!(
        run.stdout.contains("repo/src/job.ts:3:14"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("Fixed 1 finding in 1 file; 1 finding remains."),
        "{}",
        run.stderr
    );
}

#[test]
fn the_dry_run_shows_no_diff_for_it_and_says_so() {
    let dir = escaping_tree();
    let run = cronlock(dir.path(), &["fix", "--dry-run", "repo"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        error_line(&run.stderr, "repo/src/job.ts")
            .ends_with("outside the scanned paths; not written")
    );
    assert!(
        run.stdout.contains("+++ b/repo/src/good.ts"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("b/repo/src/job.ts"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("Would fix 1 finding in 1 file; 1 finding would remain:"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&dir.path().join("outside/job.ts")), MISSING);
}

#[test]
fn check_still_reads_through_the_link() {
    let dir = escaping_tree();
    let run = cronlock(dir.path(), &["check", "repo"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(
        run.stdout.contains("repo/src/job.ts:3:14"),
        "{}",
        run.stdout
    );
}

#[test]
fn scanning_the_target_too_lets_it_be_written() {
    let dir = escaping_tree();
    let run = cronlock(dir.path(), &["fix", "repo", "outside"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&dir.path().join("outside/job.ts")).contains("lockService"));
}

/// The base class is inside; its subclass, which the fix's ripple would
/// change with it, is a link leading outside: neither is written.
#[test]
fn the_rest_of_its_change_is_left_alone_too() {
    let dir = tree(&[
        ("repo/src/job.ts", MISSING),
        ("outside/nightly.ts", DERIVED),
    ]);
    symlink(
        "../../outside/nightly.ts",
        dir.path().join("repo/src/nightly.ts"),
    )
    .expect("symlink");
    let run = cronlock(dir.path(), &["fix", "repo"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        error_line(&run.stderr, "repo/src/nightly.ts").contains("outside the scanned paths"),
        "{}",
        run.stderr
    );
    assert!(
        error_line(&run.stderr, "repo/src/job.ts").contains("part of one change with"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&dir.path().join("repo/src/job.ts")), MISSING);
    assert_eq!(read(&dir.path().join("outside/nightly.ts")), DERIVED);
    assert!(
        run.stdout.contains("repo/src/job.ts:3:14"),
        "{}",
        run.stdout
    );
}

/// A link to a sibling directory of the scanned PATH, inside the git work
/// tree that holds it, is written through.
#[test]
fn a_link_inside_the_work_tree_is_written() {
    let dir = tree(&[
        ("src/good.ts", MISSING),
        ("shared/real.ts", &MISSING.replace("Job", "SharedJob")),
    ]);
    symlink("../shared/real.ts", dir.path().join("src/link.ts")).expect("symlink");
    let git = Command::new("git")
        .arg("-C")
        .arg(dir.path())
        .args(["init", "-q"])
        .status();
    if !git.is_ok_and(|s| s.success()) {
        return;
    }
    let run = cronlock(dir.path(), &["fix", "--allow-dirty", "src"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&dir.path().join("shared/real.ts")).contains("lockService"));
    // Outside a work tree, the same link leads outside the scan of `src`.
    std::fs::remove_dir_all(dir.path().join(".git")).expect("rm .git");
    std::fs::write(dir.path().join("shared/real.ts"), MISSING).expect("write");
    let run = cronlock(dir.path(), &["fix", "src"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        error_line(&run.stderr, "src/link.ts").contains("outside the scanned paths"),
        "{}",
        run.stderr
    );
}
