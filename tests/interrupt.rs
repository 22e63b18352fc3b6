//! Ctrl-C (SIGINT) and `kill` (SIGTERM) during `fix`: every file is left
//! wholly old or wholly new, and no temporary file stays behind. Since every
//! file is staged before any is renamed, and the renames run under the guard
//! the interrupt handler waits for, a run is even all-or-nothing.
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FILES: usize = 1500;

fn job(i: usize) -> String {
    format!(
        "import {{ Injectable }} from '@nestjs/common';\n\
         import {{ ClusterSafeCron }} from '@acme/cluster-lock';\n\n\
         @Injectable()\nexport class Job{i} {{\n  constructor(private readonly repo: Repo) {{}}\n\n  \
         @ClusterSafeCron('* * * * *')\n  run() {{}}\n}}\n"
    )
}

fn write_tree(dir: &Path) {
    for i in 0..FILES {
        std::fs::write(dir.join(format!("job{i}.ts")), job(i)).expect("write job");
    }
}

/// Runs `fix` on a fresh tree and sends `signal` after `delay`; returns the
/// exit code and how many files were fixed, after checking every file.
fn interrupted_fix(signal: &str, delay: Duration, fixed: &str) -> (Option<i32>, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    write_tree(dir.path());
    let child = Command::new(env!("CARGO_BIN_EXE_cronlock"))
        .args(["fix", "--quiet", "."])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cronlock");
    std::thread::sleep(delay);
    let _ = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    let output = child.wait_with_output().expect("wait for cronlock");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut new_files = 0;
    for entry in std::fs::read_dir(dir.path()).expect("read tree") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert!(
            !name.starts_with(".cronlock-"),
            "temporary left behind: {name}"
        );
        let Some(i) = name.strip_prefix("job").and_then(|n| n.strip_suffix(".ts")) else {
            panic!("unexpected file {name}");
        };
        let i: usize = i.parse().expect("job number");
        let text = std::fs::read_to_string(&path).expect("read job");
        let want_new = fixed.replace("Job0 ", &format!("Job{i} "));
        if text == want_new {
            new_files += 1;
        } else {
            assert_eq!(
                text,
                job(i),
                "{name} is neither the original nor the fixed text"
            );
        }
    }
    if output.status.code() == Some(130) {
        assert!(stderr.contains("interrupted"), "stderr: {stderr}");
    }
    (output.status.code(), new_files)
}

#[test]
fn an_interrupted_fix_leaves_every_file_old_or_new_and_no_temporaries() {
    // The uninterrupted run: how long it takes, and what a fixed file is.
    let dir = tempfile::tempdir().expect("temp dir");
    write_tree(dir.path());
    let start = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_cronlock"))
        .args(["fix", "--quiet", "."])
        .current_dir(dir.path())
        .stderr(Stdio::null())
        .status()
        .expect("run cronlock");
    let full = start.elapsed();
    assert_eq!(status.code(), Some(0));
    let fixed = std::fs::read_to_string(dir.path().join("job0.ts")).expect("fixed job");
    assert!(fixed.contains("private readonly lockService: DistributedLockService"));

    let mut stopped = 0;
    for (k, signal) in [
        "-INT", "-TERM", "-INT", "-TERM", "-INT", "-INT", "-TERM", "-INT",
    ]
    .into_iter()
    .enumerate()
    {
        let delay = full.mul_f64(0.1 + 0.1 * k as f64);
        let (code, new_files) = interrupted_fix(signal, delay, &fixed);
        eprintln!("{signal} after {delay:?}: exit {code:?}, {new_files} of {FILES} files new");
        assert!(
            new_files == 0 || new_files == FILES,
            "{signal}: {new_files} of {FILES} files written: a run must be all or nothing"
        );
        if code == Some(130) {
            stopped += 1;
        }
    }
    // The runs that were stopped are the ones that prove something; the
    // delays span the run so that some are.
    assert!(stopped > 0, "no run was interrupted");
}
