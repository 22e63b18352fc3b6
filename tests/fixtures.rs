//! One snapshot per fixture folder: what `check` prints, the `fix --dry-run`
//! diff, and every file `fix` changed; plus the idempotency and
//! dry-run-writes-nothing guarantees for every fixture.

mod common;

use common::{copy_tree, cronlock, fixture_args, fixtures, snapshot_tree, visible};

fn scenario_report(dir: &std::path::Path) -> String {
    let common = fixture_args(dir, "fixture-args");
    let mut fix_only = common.clone();
    fix_only.extend(fixture_args(dir, "fixture-fix-args"));
    let extra: Vec<&str> = common.iter().map(String::as_str).collect();
    let fix_extra: Vec<&str> = fix_only.iter().map(String::as_str).collect();
    let work = copy_tree(dir);
    let before = snapshot_tree(work.path());

    let check = cronlock(work.path(), &[&["check"], &extra[..]].concat());
    // `fixture-formats` lists further formats whose `check` output is part
    // of the snapshot (the layout fixtures show json and markdown too).
    let formats: Vec<(String, i32, String)> = fixture_args(dir, "fixture-formats")
        .into_iter()
        .map(|format| {
            let run = cronlock(
                work.path(),
                &[&["check", "--format", format.as_str()], &extra[..]].concat(),
            );
            (format, run.code, run.stdout)
        })
        .collect();
    let mut dry_args = vec!["fix", "--dry-run"];
    dry_args.extend(&fix_extra);
    let dry = cronlock(work.path(), &dry_args);
    assert_eq!(
        before,
        snapshot_tree(work.path()),
        "--dry-run wrote to disk"
    );

    let mut fix_args = vec!["fix"];
    fix_args.extend(&fix_extra);
    let fix = cronlock(work.path(), &fix_args);
    let after = snapshot_tree(work.path());

    let again = cronlock(work.path(), &fix_args);
    assert_eq!(
        after,
        snapshot_tree(work.path()),
        "a second fix changed files"
    );
    let again_dry = cronlock(work.path(), &dry_args);
    assert!(
        again_dry.stdout.is_empty(),
        "a second fix would still change:\n{}",
        again_dry.stdout
    );

    let mut out = String::new();
    out.push_str(&format!("== cronlock check (exit {}) ==\n", check.code));
    out.push_str(&visible(&check.stdout));
    if !check.stderr.is_empty() {
        out.push_str(&format!("-- stderr --\n{}", visible(&check.stderr)));
    }
    for (format, code, stdout) in &formats {
        out.push_str(&format!(
            "\n== cronlock check --format {format} (exit {code}) ==\n"
        ));
        out.push_str(&visible(stdout));
    }
    out.push_str(&format!(
        "\n== cronlock fix --dry-run (exit {}) ==\n",
        dry.code
    ));
    out.push_str(&visible(&dry.stdout));
    out.push_str(&format!("-- stderr --\n{}", visible(&dry.stderr)));
    out.push_str(&format!(
        "\n== cronlock fix (exit {}, second run exit {}) ==\n",
        fix.code, again.code
    ));
    out.push_str(&format!("-- stderr --\n{}", visible(&fix.stderr)));
    for ((path, old), (_, new)) in before.iter().zip(&after) {
        if old != new {
            out.push_str(&format!("\n-- fixed file: {path} --\n"));
            out.push_str(&visible(&String::from_utf8_lossy(new)));
        }
    }
    out
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (name, dir) in fixtures() {
            let report = scenario_report(&dir);
            insta::assert_snapshot!(name.as_str(), report);
        }
    });
}

#[test]
fn platform_fix_leaves_no_missing_lock_service_and_touches_only_constructors_and_imports() {
    let work = copy_tree(&common::root().join("fixtures/platform"));
    let before = snapshot_tree(work.path());
    let fix = cronlock(work.path(), &["fix", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&fix.stdout).expect("json");
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(
        rules,
        ["unlocked-cron", "unlocked-cron"],
        "only the two plain @Cron jobs remain"
    );
    let after = snapshot_tree(work.path());
    let (mut changed, mut specs) = (0, 0);
    for ((path, old), (_, new)) in before.iter().zip(&after) {
        if old != new {
            let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
            if path.ends_with(".spec.ts") {
                // The testing module of a class the fix changes gets the lock service.
                specs += 1;
                assert!(
                    new.contains("{ provide: DistributedLockService, useValue: {} }"),
                    "{path}"
                );
                continue;
            }
            changed += 1;
            if let Err(problem) = common::changes_only_constructors_and_imports(&old, &new) {
                panic!("{path}: {problem}");
            }
        }
    }
    assert_eq!(changed, 27);
    assert_eq!(specs, 1, "session-cleanup.service.spec.ts");
    let check = cronlock(work.path(), &["check", "--select", "missing-lock-service"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
}

#[test]
fn platform_migrate_cron_leaves_nothing() {
    let work = copy_tree(&common::root().join("fixtures/platform"));
    let fix = cronlock(work.path(), &["fix", "--migrate-cron"]);
    assert_eq!(fix.code, 0, "{}{}", fix.stdout, fix.stderr);
    let check = cronlock(work.path(), &["check"]);
    assert_eq!(check.code, 0, "{}", check.stdout);
    assert_eq!(check.stdout, "No findings in 140 files scanned.\n");
    let scheduler = std::fs::read_to_string(
        work.path()
            .join("app-service/src/reports/report.scheduler.ts"),
    )
    .expect("read");
    assert!(scheduler.contains("@ClusterSafeCron('0 */15 * * * *', { name: 'refresh-cache' })"));
    assert!(scheduler.contains("import { CronExpression } from '@nestjs/schedule';"));
}
