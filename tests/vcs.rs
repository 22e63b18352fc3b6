//! `fix` inside a git work tree: files with uncommitted changes are not
//! written unless `--allow-dirty` (or `--allow-staged` for staged changes).

mod common;

use std::path::Path;
use std::process::Command;

use common::cronlock;

const JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  @ClusterSafeCron('0 * * * *')
  run() {}
}
";

fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.email=ci@example.com",
            "-c",
            "user.name=ci",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A work tree with the job committed; `None` when git is not available.
fn repository() -> Option<tempfile::TempDir> {
    let dir = tempfile::tempdir().ok()?;
    std::fs::create_dir_all(dir.path().join("src")).ok()?;
    std::fs::write(dir.path().join("package.json"), "{}").ok()?;
    std::fs::write(dir.path().join("src/report.job.ts"), JOB).ok()?;
    let ready = git(dir.path(), &["init", "-q"])
        && git(dir.path(), &["add", "."])
        && git(dir.path(), &["commit", "-q", "-m", "jobs"]);
    ready.then_some(dir)
}

fn job(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("src/report.job.ts")).unwrap_or_default()
}

#[test]
fn a_committed_file_is_fixed() {
    let Some(dir) = repository() else { return };
    let run = cronlock(dir.path(), &["fix"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(job(dir.path()).contains("lockService"));
}

#[test]
fn a_file_with_unstaged_changes_is_refused_unless_allow_dirty() {
    let Some(dir) = repository() else { return };
    let edited = JOB.replace("run() {}", "run() {\n    // work in progress\n  }");
    std::fs::write(dir.path().join("src/report.job.ts"), &edited).expect("write");
    let run = cronlock(dir.path(), &["fix"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("error: src/report.job.ts: has uncommitted changes"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--allow-dirty"), "{}", run.stderr);
    assert_eq!(job(dir.path()), edited, "nothing may be written");

    let staged_only = cronlock(dir.path(), &["fix", "--allow-staged"]);
    assert_eq!(staged_only.code, 2, "unstaged changes need --allow-dirty");

    let dry = cronlock(dir.path(), &["fix", "--dry-run"]);
    assert_eq!(
        dry.code, 1,
        "a dry run writes nothing, so it is not refused"
    );

    let run = cronlock(dir.path(), &["fix", "--allow-dirty"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(job(dir.path()).contains("lockService"));
}

#[test]
fn staged_changes_pass_with_allow_staged() {
    let Some(dir) = repository() else { return };
    let edited = JOB.replace("run() {}", "run() {\n    return;\n  }");
    std::fs::write(dir.path().join("src/report.job.ts"), &edited).expect("write");
    assert!(git(dir.path(), &["add", "src/report.job.ts"]));
    let refused = cronlock(dir.path(), &["fix"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("staged"), "{}", refused.stderr);
    let run = cronlock(dir.path(), &["fix", "--allow-staged"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(job(dir.path()).contains("lockService"));
}

#[test]
fn an_untracked_file_is_refused() {
    let Some(dir) = repository() else { return };
    let other = JOB.replace("ReportJob", "ExportJob");
    std::fs::write(dir.path().join("src/export.job.ts"), &other).expect("write");
    let run = cronlock(dir.path(), &["fix"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("src/export.job.ts"), "{}", run.stderr);
    assert!(
        !job(dir.path()).contains("lockService"),
        "nothing is written"
    );
}
