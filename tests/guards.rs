//! `[[guard]]` decorators lock a method on their own: `--migrate-cron`
//! leaves their `@Cron` alone, and guard configuration errors name the line.

mod common;

use common::{copy_tree, cronlock, root};

#[test]
fn migrate_cron_leaves_a_guarded_cron_alone() {
    let copy = copy_tree(&root().join("fixtures/guard-member"));
    let dir = copy.path();
    let config = dir.join("cronlock.toml");
    let text = std::fs::read_to_string(&config).expect("read config");
    std::fs::write(
        &config,
        format!("import-source = \"@acme/cluster-lock\"\n{text}"),
    )
    .expect("write config");

    let run = cronlock(dir, &["fix", "--migrate-cron", "--dry-run"]);

    assert_eq!(run.code, 1, "{}", run.stderr);
    // The unguarded job is migrated ...
    assert!(
        run.stdout.contains("+++ b/src/jobs/plain.job.ts\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("+  @ClusterSafeCron("),
        "{}",
        run.stdout
    );
    // ... the guarded ones keep their `@Cron`.
    assert!(
        !run.stdout.contains("+++ b/src/jobs/ledger.job.ts"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("-  @Cron('0 */5 * * * *')"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_guard_without_decorators_is_a_configuration_error() {
    let copy = copy_tree(&root().join("fixtures/guard-member"));
    let dir = copy.path();
    std::fs::write(
        dir.join("cronlock.toml"),
        "exclude = []\n\n[[guard]]\ndecorators = []\nmember = \"redLockService\"\n",
    )
    .expect("write config");
    let run = cronlock(dir, &["check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("cronlock.toml:3: [[guard]] `decorators` is empty"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_guard_that_reads_the_lock_service_is_reported_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("cronlock.toml"),
        "[[guard]]\ndecorators = [\"TenantLock\"]\nmember = \"lockService\"\n",
    )
    .expect("write config");
    std::fs::write(
        dir.path().join("a.ts"),
        "import { ClusterSafeCron } from '@acme/cluster-lock';\n\
         import { TenantLock } from './tenant';\n\n\
         export class A {\n  @ClusterSafeCron('* * * * *')\n  @TenantLock('x')\n  run() {}\n}\n",
    )
    .expect("write source");
    let run = cronlock(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        run.stdout.matches("[missing-lock-service]").count(),
        1,
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("`@ClusterSafeCron` on `run`"),
        "{}",
        run.stdout
    );
}
