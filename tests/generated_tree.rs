//! On a generated monorepo: the prefilter changes no result, output is the
//! same whatever `--jobs`, node_modules/ and dist/ noise is skipped, and
//! `fix` leaves nothing fixable behind.

mod common;

#[path = "../examples/gen_monorepo/generator.rs"]
#[allow(dead_code)]
mod generator;

use common::cronlock;

fn generated(files: usize) -> (tempfile::TempDir, generator::Stats) {
    let dir = tempfile::tempdir().expect("temp dir");
    let stats = generator::generate(
        dir.path(),
        generator::Spec {
            files,
            packages: 4,
            seed: 7,
        },
    )
    .expect("generate");
    (dir, stats)
}

#[test]
fn prefilter_and_jobs_change_nothing() {
    let (dir, stats) = generated(600);
    let fast = cronlock(dir.path(), &["check", "--format", "json", "--jobs", "2"]);
    let full = cronlock(
        dir.path(),
        &["check", "--format", "json", "--jobs", "2", "--no-prefilter"],
    );
    let serial = cronlock(dir.path(), &["check", "--format", "json", "--jobs", "1"]);
    assert_eq!(fast.code, 1);
    assert_eq!(
        fast.stdout, full.stdout,
        "the prefilter changed the findings"
    );
    assert_eq!(fast.stdout, serial.stdout, "--jobs changed the output");
    let doc: serde_json::Value = serde_json::from_str(&fast.stdout).expect("json");
    let missing = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "missing-lock-service")
        .count();
    assert_eq!(missing, stats.missing);
    assert_eq!(doc["summary"]["files_scanned"], stats.files);
    let noise = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| {
            f["file"]
                .as_str()
                .is_some_and(|p| p.contains("node_modules") || p.contains("dist/"))
        });
    assert!(!noise, "node_modules/ or dist/ was scanned");
}

#[test]
fn fix_on_the_generated_tree_converges() {
    let (dir, stats) = generated(300);
    let fix = cronlock(dir.path(), &["fix", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&fix.stdout).expect("json");
    assert_eq!(doc["summary"]["fixable"], 0);
    assert!(
        fix.stderr
            .contains(&format!("Fixed {} finding", stats.missing)),
        "{}",
        fix.stderr
    );
    let again = cronlock(dir.path(), &["fix", "--dry-run"]);
    assert!(again.stdout.is_empty());
}

fn under_terminal(dir: &std::path::Path, args: &str, ci: bool) -> String {
    let bin = env!("CARGO_BIN_EXE_cronlock");
    let mut command = std::process::Command::new("script");
    command
        .args(["-qec", &format!("{bin} {args} > /dev/null"), "/dev/null"])
        .current_dir(dir)
        .env_remove("CI");
    if ci {
        command.env("CI", "true");
    }
    let output = command.output().expect("script(1) gives a pseudo-terminal");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn progress_bar_only_on_a_terminal_outside_ci() {
    let (dir, _) = generated(2_100);
    assert!(under_terminal(dir.path(), "check --format json", false).contains("scanning"));
    assert!(!under_terminal(dir.path(), "check --format json", true).contains("scanning"));
    assert!(!under_terminal(dir.path(), "check --quiet", false).contains("scanning"));
    let piped = cronlock(dir.path(), &["check", "--format", "json"]);
    assert!(!piped.stderr.contains("scanning"));
    assert!(serde_json::from_str::<serde_json::Value>(&piped.stdout).is_ok());
}
