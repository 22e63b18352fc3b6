//! A fix that spans files (a base class gaining `lockService` and the
//! subclasses and specs that must follow) is written whole or not at all.

mod common;

use common::{copy_tree, cronlock, root};

#[cfg(unix)]
#[test]
fn a_subclass_that_cannot_be_written_holds_back_its_base_class() {
    use std::os::unix::fs::PermissionsExt;
    let copy = copy_tree(&root().join("fixtures/super-call-missing-lock"));
    let dir = copy.path();
    let read = |path: &str| std::fs::read_to_string(dir.join(path)).expect("read");
    let blocked = dir.join("src/sync/invoice-sync.job.ts");
    std::fs::set_permissions(&blocked, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let (base, ledger) = (
        read("src/sync/base-sync.job.ts"),
        read("src/sync/ledger.job.ts"),
    );

    let run = cronlock(dir, &["fix"]);

    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("error: src/sync/invoice-sync.job.ts: read-only file; left unchanged\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "error: src/sync/base-sync.job.ts: not written: part of one change with \
             src/sync/invoice-sync.job.ts, which could not be written\n"
        ),
        "{}",
        run.stderr
    );
    // The base class and every other subclass of it stay as they were ...
    assert_eq!(read("src/sync/base-sync.job.ts"), base);
    assert!(!read("src/sync/payment-sync.job.ts").contains("lockService"));
    // ... while an unrelated change (another base class's subclass) is written.
    assert_ne!(read("src/sync/ledger.job.ts"), ledger);
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("src/sync"))
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".cronlock-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_dry_run_shows_every_file_of_a_change() {
    let copy = copy_tree(&root().join("fixtures/super-call-missing-lock"));
    let run = cronlock(copy.path(), &["fix", "--dry-run"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for file in [
        "src/sync/base-sync.job.ts",
        "src/sync/invoice-sync.job.ts",
        "src/sync/payment-sync.job.ts",
        "src/sync/ledger.job.ts",
    ] {
        assert!(
            run.stdout.contains(&format!("+++ b/{file}\n")),
            "{file}: {}",
            run.stdout
        );
    }
}
