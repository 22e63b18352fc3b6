//! Projects, module graphs and the verdict on real layouts: the same answer
//! whichever directory a scan starts from, base classes behind aliases, and a
//! `ready` that is never true while a registration is missing or unknown.

mod common;

use std::path::Path;

use common::{copy_tree, cronlock, root, tree};
use serde_json::Value;

fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let run = cronlock(dir, &all);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn rules(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap_or(""),
                f["package"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn nest_monorepo_projects_are_the_same_from_any_starting_directory() {
    let work = copy_tree(&root().join("fixtures/layout-nest-monorepo"));
    let from_top = json(work.path(), &[]);
    assert_eq!(
        rules(&from_top),
        ["missing-lock-service worker", "missing-lock-module worker"]
    );
    assert_eq!(from_top["summary"]["ready"], false);

    let worker = work.path().join("apps/worker");
    let from_app = json(&worker, &[]);
    assert_eq!(rules(&from_app), rules(&from_top));
    assert_eq!(from_app["packages"][0]["name"], "worker");
    assert_eq!(from_app["packages"][0]["path"], ".");
    assert_eq!(from_app["packages"][0]["lock_module_registered"], false);

    let from_src = json(&worker.join("src"), &[]);
    assert_eq!(from_src["packages"][0]["name"], "worker");
    assert_eq!(from_src["packages"][0]["path"], "..");
    assert_eq!(from_src["findings"][1]["file"], "worker.module.ts");
}

#[test]
fn nx_projects_are_named_by_project_json_even_from_inside_an_app() {
    let work = copy_tree(&root().join("fixtures/layout-nx"));
    let from_api = json(&work.path().join("apps/api"), &[]);
    let names: Vec<(&str, &str)> = from_api["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or(""),
                p["path"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(names, [("api", ".")]);
    let from_src = json(&work.path().join("apps/api/src"), &[]);
    assert_eq!(from_src["packages"][0]["path"], "..");
}

#[test]
fn a_base_class_behind_an_alias_is_read_and_no_modifier_is_written() {
    // ReportJob extends LockedJob from '@app/shared' (protected readonly
    // lockService) and passes a plain `lockService` to super(): no finding,
    // so no `private readonly` that would break the build (TS2415).
    let work = copy_tree(&root().join("fixtures/layout-nest-monorepo"));
    let doc = json(&work.path().join("apps/api"), &[]);
    assert_eq!(rules(&doc), Vec::<String>::new());
}

const PLAIN_PARAM_JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';
import { LockedJob } from '@unknown/base';

@Injectable()
export class SyncJob extends LockedJob {
  constructor(lockService: DistributedLockService) {
    super(lockService);
  }

  @ClusterSafeCron('0 * * * *')
  run() {}
}
";

#[test]
fn an_unreadable_base_class_gets_no_fix_for_a_plain_parameter() {
    let dir = tree(&[("package.json", "{}"), ("src/sync.job.ts", PLAIN_PARAM_JOB)]);
    let doc = json(dir.path(), &[]);
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(1));
    let finding = &doc["findings"][0];
    // Whether the base declares `lockService` is unknown: a warning, never
    // an error, and no modifier that might redeclare the base's property.
    assert_eq!(finding["rule"], "lock-base-unknown");
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["fixable"], false);
    assert_eq!(doc["summary"]["ready"], false);
    let message = finding["message"].as_str().unwrap_or("");
    assert!(message.contains("could not be read"), "{message}");
    let dry = cronlock(dir.path(), &["fix", "--dry-run"]);
    assert!(dry.stdout.is_empty(), "{}", dry.stdout);
}

#[test]
fn an_unread_base_class_keeps_the_verdict_unknown_even_when_ignored() {
    let dir = tree(&[("package.json", "{}"), ("src/sync.job.ts", PLAIN_PARAM_JOB)]);
    let quiet = json(dir.path(), &["--ignore", "lock-base-unknown"]);
    assert_eq!(quiet["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(quiet["summary"]["ready"], false);
    let md = cronlock(
        dir.path(),
        &[
            "check",
            "--format",
            "markdown",
            "--ignore",
            "lock-base-unknown",
        ],
    );
    assert!(md.stdout.contains("**Verdict: UNKNOWN**"), "{}", md.stdout);
    assert!(md.stdout.contains("`SyncJob`"), "{}", md.stdout);
}

#[test]
fn an_unreadable_imports_list_never_makes_ready_true() {
    let work = copy_tree(&root().join("fixtures/layout-unreadable-imports"));
    let doc = json(work.path(), &[]);
    assert_eq!(doc["summary"]["ready"], false);
    assert_eq!(doc["packages"][0]["lock_module_registered"], Value::Null);
    // Even with the warning switched off, the verdict stays unknown (what
    // is left is the fix that imports the lock module in the root module).
    let quiet = json(work.path(), &["--ignore", "lock-module-unknown"]);
    let name = "layout-unreadable-imports";
    assert_eq!(rules(&quiet), [format!("missing-lock-module {name}")]);
    assert_eq!(quiet["summary"]["ready"], false);
    let md = cronlock(
        work.path(),
        &[
            "check",
            "--format",
            "markdown",
            "--ignore",
            "lock-module-unknown",
        ],
    );
    assert!(md.stdout.contains("**Verdict: UNKNOWN**"), "{}", md.stdout);
}

#[test]
fn a_missing_registration_never_makes_ready_true_even_when_ignored() {
    let work = copy_tree(&root().join("fixtures/layout-root-module-nestfactory"));
    let doc = json(work.path(), &["--ignore", "missing-lock-module"]);
    assert_eq!(doc["findings"].as_array().map(Vec::len), Some(0));
    assert_eq!(doc["summary"]["ready"], false);
}

const PLAIN_CRON: &str = "import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';

@Injectable()
export class Reports {
  @Cron('0 * * * *')
  hourly() {}

  @Cron('0 0 * * *')
  daily() {}
}
";

const PLAIN_MODULE: &str = "import { Module } from '@nestjs/common';

@Module({ providers: [] })
export class AppModule {}
";

#[test]
fn verdict_not_started_when_only_plain_cron_jobs_exist() {
    let dir = tree(&[
        ("package.json", "{}"),
        ("src/reports.ts", PLAIN_CRON),
        ("src/app.module.ts", PLAIN_MODULE),
    ]);
    let md = cronlock(dir.path(), &["check", "--format", "markdown"]).stdout;
    assert!(md.contains("**Verdict: NOT STARTED**"), "{md}");
    assert!(md.contains("2 scheduled jobs run on every replica"), "{md}");
    assert!(!md.contains("0 of 0"), "{md}");
    assert!(!md.contains("(100%)"), "{md}");
}

#[test]
fn verdict_ready_and_no_rows_when_nothing_is_scheduled() {
    let dir = tree(&[
        ("svc-a/package.json", "{}"),
        ("svc-a/src/app.module.ts", PLAIN_MODULE),
        ("svc-b/package.json", "{}"),
        ("svc-b/src/app.module.ts", PLAIN_MODULE),
    ]);
    let doc = json(dir.path(), &[]);
    assert_eq!(doc["packages"].as_array().map(Vec::len), Some(0));
    assert_eq!(doc["summary"]["ready"], true);
    let md = cronlock(dir.path(), &["check", "--format", "markdown"]).stdout;
    assert!(md.contains("**Verdict: READY**: no scheduled jobs"), "{md}");
    assert!(!md.contains("**no**"), "{md}");
}

#[test]
fn rows_are_sorted_by_the_name_shown() {
    let job = |name: &str| {
        format!(
            "import {{ Cron }} from '@nestjs/schedule';\nexport class {name} {{\n  @Cron('* * * * *')\n  run() {{}}\n}}\n"
        )
    };
    let (a, b) = (job("A"), job("B"));
    let dir = tree(&[
        ("apps/a-dir/project.json", r#"{"name": "zeta"}"#),
        ("apps/a-dir/src/a.ts", &a),
        ("apps/z-dir/project.json", r#"{"name": "alpha"}"#),
        ("apps/z-dir/src/b.ts", &b),
    ]);
    let doc = json(dir.path(), &[]);
    let names: Vec<&str> = doc["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["alpha", "zeta"]);
}

#[test]
fn nul_inside_a_string_literal_is_parsed_not_refused() {
    let text = PLAIN_CRON.replace("'0 * * * *'", "'0 * * * *\u{0}'");
    let dir = tree(&[("package.json", "{}"), ("src/reports.ts", &text)]);
    let run = cronlock(dir.path(), &["check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.contains("unlocked-cron"), "{}", run.stdout);
}

const COMPLETE_JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(private readonly lockService: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  run() {}
}
";

#[test]
fn without_an_identifiable_root_only_modules_that_reach_the_job_are_judged() {
    let dir = tree(&[
        ("package.json", "{}"),
        ("src/report.job.ts", COMPLETE_JOB),
        (
            "src/jobs.module.ts",
            "import { Module } from '@nestjs/common';\nimport { ReportJob } from './report.job';\n\n@Module({ providers: [ReportJob] })\nexport class JobsModule {}\n",
        ),
        (
            "src/health.module.ts",
            "import { Module } from '@nestjs/common';\n\n@Module({})\nexport class HealthModule {}\n",
        ),
    ]);
    let doc = json(dir.path(), &[]);
    let found: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or(""),
                f["class"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(found, [("missing-lock-module", "JobsModule")]);
}

#[test]
fn a_broken_tsconfig_does_not_stop_relative_imports_from_resolving() {
    let base = "import { DistributedLockService } from '@acme/cluster-lock';\n\nexport abstract class LockedJob {\n  constructor(protected readonly lockService: DistributedLockService) {}\n}\n";
    let job = PLAIN_PARAM_JOB.replace("'@unknown/base'", "'./locked.job'");
    let dir = tree(&[
        ("package.json", "{}"),
        (
            "tsconfig.json",
            r#"{ "extends": "@not-installed/tsconfig", "compilerOptions": { "baseUrl": "./" } }"#,
        ),
        ("src/locked.job.ts", base),
        ("src/sync.job.ts", &job),
    ]);
    let doc = json(dir.path(), &[]);
    assert_eq!(rules(&doc), Vec::<String>::new());
}

#[test]
fn a_constant_in_imports_stands_for_what_its_value_starts_with() {
    let app = |imports: &str, consts: &str| {
        format!(
            "import {{ Module }} from '@nestjs/common';\nimport {{ DistributedLockModule }} from '@acme/cluster-lock';\nimport {{ ReportJob }} from './report.job';\n\n{consts}\n\n@Module({{ imports: [{imports}], providers: [ReportJob] }})\nexport class AppModule {{}}\n"
        )
    };
    let registered = app(
        "LockModule",
        "const LockModule = DistributedLockModule.forRoot({ ttl: 30 });",
    );
    let dir = tree(&[
        ("package.json", "{}"),
        ("src/report.job.ts", COMPLETE_JOB),
        ("src/app.module.ts", &registered),
    ]);
    let doc = json(dir.path(), &[]);
    assert_eq!(rules(&doc), Vec::<String>::new());
    assert_eq!(doc["summary"]["ready"], true);

    let listed = app("SHARED", "const SHARED = [DistributedLockModule];");
    std::fs::write(dir.path().join("src/app.module.ts"), listed).expect("write");
    let doc = json(dir.path(), &[]);
    // Unknown, and the root module's own list can take the lock module.
    let name = dir_name(dir.path());
    assert_eq!(
        rules(&doc),
        [
            format!("missing-lock-module {name}"),
            format!("lock-module-unknown {name}")
        ]
    );
    assert_eq!(doc["summary"]["ready"], false);
}

fn dir_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
