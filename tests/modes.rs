//! Files cronlock creates or rewrites get the mode a user expects: a new
//! baseline (meant to be committed) gets what the umask gives any new file,
//! an existing baseline and every fixed file keep the mode they had.
#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::tree;

const MISSING: &str = "import { ClusterSafeCron } from '@acme/cluster-lock';

export class Job {
  constructor(private readonly repo: Repo) {}

  @ClusterSafeCron('0 * * * *')
  run() {}
}
";

/// Runs `cronlock ARGS` in `dir` under `umask`, through `sh` (the test
/// process cannot change its own umask without affecting the other tests).
fn cronlock_with_umask(dir: &Path, umask: &str, args: &[&str]) -> i32 {
    Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_cronlock"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run cronlock")
        .status
        .code()
        .unwrap_or(-1)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("meta").permissions().mode() & 0o777
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn a_new_baseline_gets_the_umask_mode() {
    for (umask, expected) in [("022", 0o644), ("002", 0o664), ("077", 0o600)] {
        let dir = tree(&[("src/job.ts", MISSING)]);
        let code = cronlock_with_umask(dir.path(), umask, &["check", "--update-baseline"]);
        assert_eq!(code, 0, "umask {umask}");
        let baseline = dir.path().join("cronlock-baseline.json");
        assert_eq!(mode(&baseline), expected, "umask {umask}");
    }
}

#[test]
fn an_existing_baseline_keeps_its_mode() {
    let dir = tree(&[("src/job.ts", MISSING)]);
    let baseline = dir.path().join("cronlock-baseline.json");
    assert_eq!(
        cronlock_with_umask(dir.path(), "022", &["check", "--update-baseline"]),
        0
    );
    for kept in [0o640, 0o664, 0o600] {
        chmod(&baseline, kept);
        std::fs::write(dir.path().join("src/other.ts"), MISSING).expect("write");
        let code = cronlock_with_umask(dir.path(), "022", &["check", "--update-baseline"]);
        assert_eq!(code, 0);
        assert!(
            std::fs::read_to_string(&baseline)
                .expect("read")
                .contains("other.ts")
        );
        assert_eq!(mode(&baseline), kept, "{kept:o}");
        std::fs::remove_file(dir.path().join("src/other.ts")).expect("rm");
    }
}

#[test]
fn a_fixed_file_keeps_its_mode_whatever_the_umask() {
    for kept in [0o644, 0o664, 0o600, 0o755] {
        let dir = tree(&[("src/job.ts", MISSING)]);
        let job = dir.path().join("src/job.ts");
        chmod(&job, kept);
        let code = cronlock_with_umask(dir.path(), "077", &["fix"]);
        assert_eq!(code, 0, "{kept:o}");
        assert!(
            std::fs::read_to_string(&job)
                .expect("read")
                .contains("lockService")
        );
        assert_eq!(mode(&job), kept, "{kept:o}");
    }
}
