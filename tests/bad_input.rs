//! Every kind of bad input gets one clear line on stderr naming the path and
//! the reason; the run goes on with the other files, nothing is lost, exit 2.

mod common;

use std::path::Path;

use common::cronlock;

const MISSING: &str = "import { ClusterSafeCron } from '@acme/cluster-lock';

export class Job {
  constructor(private readonly repo: Repo) {}

  @ClusterSafeCron('0 * * * *')
  run() {}
}
";

/// A tree holding one fixable file (`src/good.ts`) beside the bad input.
fn tree_with_good_file() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("src")).expect("mkdir");
    std::fs::write(dir.path().join("src/good.ts"), MISSING).expect("write");
    dir
}

/// The one stderr line about `path`, which must exist.
fn error_line<'a>(stderr: &'a str, path: &str) -> &'a str {
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(path)).collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one line about {path}, got:\n{stderr}"
    );
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
    lines[0]
}

fn assert_good_file_fixed(dir: &Path) {
    let text = std::fs::read_to_string(dir.join("src/good.ts")).expect("read");
    assert!(
        text.contains("private readonly lockService: DistributedLockService"),
        "{text}"
    );
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[test]
fn path_that_does_not_exist() {
    let dir = tree_with_good_file();
    let run = cronlock(dir.path(), &["fix", "src", "missing/dir"]);
    assert_eq!(run.code, 2);
    assert!(error_line(&run.stderr, "missing/dir").ends_with("no such file or directory"));
    assert_good_file_fixed(dir.path());
}

#[test]
fn file_that_is_not_utf8() {
    let dir = tree_with_good_file();
    let bytes = b"export class A {}\n// caf\xe9\n".to_vec();
    std::fs::write(dir.path().join("src/latin1.ts"), &bytes).expect("write");
    let run = cronlock(dir.path(), &["fix"]);
    assert_eq!(run.code, 2);
    assert!(error_line(&run.stderr, "src/latin1.ts").contains("not valid UTF-8"));
    assert_eq!(
        std::fs::read(dir.path().join("src/latin1.ts")).expect("read"),
        bytes
    );
    assert_good_file_fixed(dir.path());
}

#[test]
fn binary_file_with_a_ts_name() {
    let dir = tree_with_good_file();
    let bytes: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
    std::fs::write(dir.path().join("src/blob.ts"), &bytes).expect("write");
    let run = cronlock(dir.path(), &["fix"]);
    assert_eq!(run.code, 2);
    let line = error_line(&run.stderr, "src/blob.ts");
    assert!(line.contains("binary") || line.contains("UTF-8"), "{line}");
    assert_eq!(
        std::fs::read(dir.path().join("src/blob.ts")).expect("read"),
        bytes
    );
    assert_good_file_fixed(dir.path());
}

#[test]
fn empty_file_is_fine() {
    let dir = tree_with_good_file();
    std::fs::write(dir.path().join("src/empty.ts"), "").expect("write");
    let run = cronlock(dir.path(), &["fix"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("empty.ts"));
    assert_good_file_fixed(dir.path());
}

#[test]
fn ten_megabyte_generated_file() {
    let dir = tree_with_good_file();
    let mut text = String::from("import { ClusterSafeCron } from '@acme/cluster-lock';\n");
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&format!(
            "export const TABLE_{i} = [{}];\n",
            (0..200)
                .map(|n| (n * i % 997).to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        i += 1;
    }
    text.push_str("export class Generated {\n  @ClusterSafeCron('* * * * *')\n  run() {}\n}\n");
    std::fs::write(dir.path().join("src/generated.ts"), &text).expect("write");
    let run = cronlock(dir.path(), &["fix"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let fixed = std::fs::read_to_string(dir.path().join("src/generated.ts")).expect("read");
    assert!(fixed.ends_with(
        "export class Generated {\n  constructor(private readonly lockService: DistributedLockService) {}\n\n  @ClusterSafeCron('* * * * *')\n  run() {}\n}\n"
    ));
    assert_good_file_fixed(dir.path());
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree_with_good_file();
    let path = dir.path().join("src/secret.ts");
    std::fs::write(&path, MISSING).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let run = cronlock(dir.path(), &["check"]);
    if is_root() {
        // root reads a mode-000 file: it is scanned like any other.
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(run.stdout.contains("src/secret.ts"));
    } else {
        assert_eq!(run.code, 2);
        assert!(error_line(&run.stderr, "src/secret.ts").ends_with("permission denied"));
        assert!(run.stdout.contains("src/good.ts"));
    }
}

#[cfg(unix)]
#[test]
fn read_only_file_under_fix() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tree_with_good_file();
    let path = dir.path().join("src/locked.ts");
    std::fs::write(&path, MISSING).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let run = cronlock(dir.path(), &["fix"]);
    assert_eq!(run.code, 2);
    assert!(error_line(&run.stderr, "src/locked.ts").contains("read-only file; left unchanged"));
    assert_eq!(std::fs::read_to_string(&path).expect("read"), MISSING);
    assert_eq!(
        std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
        0o444
    );
    assert_good_file_fixed(dir.path());
}

#[test]
fn directory_named_like_a_ts_file_is_walked() {
    let dir = tree_with_good_file();
    std::fs::create_dir_all(dir.path().join("src/odd.ts")).expect("mkdir");
    std::fs::write(dir.path().join("src/odd.ts/inner.ts"), MISSING).expect("write");
    let run = cronlock(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(
        run.stdout.contains("src/odd.ts/inner.ts:3:14"),
        "{}",
        run.stdout
    );
}

/// A link whose target lies inside the scanned tree is written through
/// (tests/confine.rs has the links that lead outside it).
#[cfg(unix)]
#[test]
fn symlink_to_a_file_is_fixed_through_the_link() {
    let dir = tree_with_good_file();
    std::fs::create_dir_all(dir.path().join("shared")).expect("mkdir");
    std::fs::write(dir.path().join("shared/real.ts"), MISSING).expect("write");
    std::os::unix::fs::symlink("../shared/real.ts", dir.path().join("src/link.ts"))
        .expect("symlink");
    let run = cronlock(dir.path(), &["fix", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let link = dir.path().join("src/link.ts");
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    let target = std::fs::read_to_string(dir.path().join("shared/real.ts")).expect("read");
    assert!(target.contains("private readonly lockService"), "{target}");
}

#[cfg(unix)]
#[test]
fn symlink_loop_does_not_hang() {
    let dir = tree_with_good_file();
    std::os::unix::fs::symlink("..", dir.path().join("src/loop")).expect("symlink");
    std::os::unix::fs::symlink(".", dir.path().join("src/self")).expect("symlink");
    for args in [&["check"][..], &["check", "src"], &["check", "."]] {
        let run = cronlock(dir.path(), args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.is_empty(), "{args:?}: {}", run.stderr);
        assert!(run.stdout.contains("src/good.ts"), "{}", run.stdout);
    }
}

/// Links that could never be scanned files: named like something else
/// (dangling or not), or chasing their own tail.
#[cfg(unix)]
fn link_unscanned_names(dir: &Path) {
    use std::os::unix::fs::symlink;
    std::fs::create_dir_all(dir.join("backend")).expect("mkdir");
    symlink("../.env", dir.join("backend/.env")).expect("symlink");
    symlink("../missing/.env.local", dir.join("backend/.env.local")).expect("symlink");
    symlink("missing.json", dir.join("src/x.json")).expect("symlink");
    symlink("missing.d.ts", dir.join("src/types.d.ts")).expect("symlink");
    symlink("../missing-dir", dir.join("src/lib")).expect("symlink");
    symlink(".rc", dir.join("src/.rc")).expect("symlink");
}

#[cfg(unix)]
#[test]
fn dangling_link_with_an_unscanned_name_is_skipped_silently() {
    let dir = tree_with_good_file();
    link_unscanned_names(dir.path());
    let run = cronlock(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.contains("src/good.ts"), "{}", run.stdout);
    let run = cronlock(dir.path(), &["fix"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("error"), "{}", run.stderr);
    assert_good_file_fixed(dir.path());
}

#[cfg(unix)]
#[test]
fn link_to_an_existing_unscanned_file_is_skipped_silently() {
    let dir = tree_with_good_file();
    std::fs::write(dir.path().join(".env"), "SECRET=1\n").expect("write");
    link_unscanned_names(dir.path());
    let run = cronlock(dir.path(), &["check", "backend", "src"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(!run.stdout.contains(".env"), "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn dangling_ts_link_is_reported() {
    let dir = tree_with_good_file();
    std::os::unix::fs::symlink("missing.ts", dir.path().join("src/foo.ts")).expect("symlink");
    std::os::unix::fs::symlink("missing.mts", dir.path().join("src/bar.mts")).expect("symlink");
    let run = cronlock(dir.path(), &["fix"]);
    assert_eq!(run.code, 2);
    assert!(error_line(&run.stderr, "src/foo.ts").ends_with("no such file or directory"));
    assert!(error_line(&run.stderr, "src/bar.mts").ends_with("no such file or directory"));
    assert_good_file_fixed(dir.path());
}

#[cfg(unix)]
#[test]
fn excluded_dangling_ts_link_is_skipped_silently() {
    let dir = tree_with_good_file();
    std::fs::create_dir_all(dir.path().join("src/legacy")).expect("mkdir");
    std::os::unix::fs::symlink("missing.ts", dir.path().join("src/legacy/old.ts"))
        .expect("symlink");
    std::os::unix::fs::symlink("missing.ts", dir.path().join("src/foo.ts")).expect("symlink");
    let run = cronlock(
        dir.path(),
        &["check", "--exclude", "legacy/**", "--exclude", "foo.ts"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.contains("src/good.ts"), "{}", run.stdout);
}

#[cfg(unix)]
#[test]
fn links_to_ts_files_and_directories_are_scanned() {
    let dir = tree_with_good_file();
    std::fs::create_dir_all(dir.path().join("shared/deep")).expect("mkdir");
    std::fs::write(dir.path().join("shared/deep/real.ts"), MISSING).expect("write");
    std::os::unix::fs::symlink("../shared/deep/real.ts", dir.path().join("src/linked.ts"))
        .expect("symlink");
    std::os::unix::fs::symlink("../shared/deep", dir.path().join("src/deep")).expect("symlink");
    link_unscanned_names(dir.path());
    let run = cronlock(dir.path(), &["check", "src"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    for path in ["src/good.ts", "src/linked.ts", "src/deep/real.ts"] {
        assert!(run.stdout.contains(path), "{path}: {}", run.stdout);
    }
}

#[test]
fn a_file_that_vanished_or_changed_is_not_written() {
    use cronlock::write::{WriteError, write_atomically};
    let dir = tempfile::tempdir().expect("temp dir");
    let gone = dir.path().join("gone.ts");
    assert_eq!(write_atomically(&gone, "a", "b"), Err(WriteError::Vanished));
    let changed = dir.path().join("changed.ts");
    std::fs::write(&changed, "edited by someone else").expect("write");
    assert_eq!(
        write_atomically(&changed, "what we read", "new"),
        Err(WriteError::ChangedOnDisk)
    );
    assert_eq!(
        std::fs::read_to_string(&changed).expect("read"),
        "edited by someone else"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".cronlock-"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn no_input_panics() {
    let dir = tree_with_good_file();
    let inputs: [&[u8]; 8] = [
        b"",
        b"\xef\xbb\xbf",
        b"@",
        b"class {",
        b"export class A { constructor(",
        b"import { ClusterSafeCron } from '@acme/cluster-lock'; class A { @ClusterSafeCron() m() {} } class B extends A {}",
        b"\r\r\n\n\r",
        "// 中文 😀\n@ClusterSafeCron() class".as_bytes(),
    ];
    for (i, input) in inputs.iter().enumerate() {
        std::fs::write(dir.path().join(format!("src/case{i}.ts")), input).expect("write");
    }
    for args in [&["check"][..], &["fix", "--dry-run"], &["fix"]] {
        let run = cronlock(dir.path(), args);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!((0..=2).contains(&run.code));
    }
}

/// A barrel that re-exports itself (`export * from './barrel'` in
/// barrel.ts) ends the lookup of a base class imported through it: the
/// base is unknown, and the run does not overflow its stack.
#[test]
fn barrel_that_reexports_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("src")).expect("mkdir");
    std::fs::write(
        dir.path().join("src/barrel.ts"),
        "export * from './barrel';\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("src/job.ts"),
        "import { ClusterSafeCron } from '@acme/cluster-lock';
import { BaseJob } from './barrel';

export class Job extends BaseJob {
  @ClusterSafeCron('0 * * * *')
  run() {}
}
",
    )
    .expect("write");
    let run = cronlock(dir.path(), &["check"]);
    assert!(
        run.code == 0 || run.code == 1,
        "{}\n{}",
        run.code,
        run.stderr
    );
    assert!(run.stdout.contains("src/job.ts"), "{}", run.stdout);
}
