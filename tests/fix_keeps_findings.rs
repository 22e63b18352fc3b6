//! A file that `fix` changes but that keeps a finding it cannot fix: what is
//! left is reported from the file's new text (positions and source frames),
//! with exit 1, and cronlock's own write is never "changed on disk".
//!
//! The matrix: every `--format` × each kept rule × with and without
//! `--migrate-cron` × with and without `--baseline`. The report of `fix` must
//! be the report `check` gives on the fixed tree, word for word.

mod common;

use std::path::Path;

use common::cronlock;

/// The fixed class: no constructor, so the fix inserts a line above the
/// kept finding, whose line number must follow.
const FIXED: &str = "@Injectable()
export class FixedJob {
  @ClusterSafeCron('0 * * * *')
  run() {}
}
";

/// A finding `fix` leaves in the same file: its rule, the imports it needs
/// and the class that carries it.
struct Kept {
    rule: &'static str,
    name: &'static str,
    imports: &'static str,
    class: &'static str,
}

const KEPT: [Kept; 4] = [
    Kept {
        rule: "unlocked-cron",
        name: "PlainJob",
        imports: "import { Cron } from '@nestjs/schedule';\n",
        class: "@Injectable()
export class PlainJob {
  @Cron('0 0 * * *')
  nightly() {}
}
",
    },
    Kept {
        rule: "unlocked-interval",
        name: "PollJob",
        imports: "import { Interval } from '@nestjs/schedule';\n",
        class: "@Injectable()
export class PollJob {
  @Interval(60000)
  poll() {}
}
",
    },
    Kept {
        rule: "unlocked-dynamic-job",
        name: "DynamicJobs",
        imports: "import { SchedulerRegistry } from '@nestjs/schedule';\n",
        class: "@Injectable()
export class DynamicJobs {
  constructor(private readonly registry: SchedulerRegistry) {}

  start(): void {
    this.registry.addInterval('poll', setInterval(() => undefined, 1000));
  }
}
",
    },
    Kept {
        rule: "lock-wrong-name",
        name: "WrongNameJob",
        imports: "",
        class: "@Injectable()
export class WrongNameJob {
  constructor(private readonly locks: DistributedLockService) {}

  @ClusterSafeCron('0 0 1 * * *')
  charge() {}
}
",
    },
];

const FORMATS: [&str; 5] = ["text", "json", "markdown", "sarif", "github"];

/// A tree whose `src/jobs.ts` holds the fixed class above the kept one.
fn tree(kept: &Kept) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let write = |path: &str, text: &str| {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write("package.json", r#"{"name": "keeps", "private": true}"#);
    let lock_names = if kept.rule == "lock-wrong-name" {
        "ClusterSafeCron, DistributedLockService"
    } else {
        "ClusterSafeCron"
    };
    write(
        "src/jobs.ts",
        &format!(
            "import {{ Injectable }} from '@nestjs/common';\nimport {{ {lock_names} }} from '@acme/cluster-lock';\n{}\n{FIXED}\n{}",
            kept.imports, kept.class
        ),
    );
    write(
        "src/app.module.ts",
        &format!(
            "import {{ Module }} from '@nestjs/common';
import {{ DistributedLockModule }} from '@acme/cluster-lock';
import {{ FixedJob, {name} }} from './jobs';

@Module({{ imports: [DistributedLockModule], providers: [FixedJob, {name}] }})
export class AppModule {{}}
",
            name = kept.name
        ),
    );
    dir
}

/// The kept rule disappears only when `--migrate-cron` migrates it.
fn migrated_away(kept: &Kept, migrate: bool) -> bool {
    migrate && kept.rule == "unlocked-cron"
}

fn check_cell(kept: &Kept, format: &str, migrate: bool, baseline: bool) {
    let cell = format!(
        "{} / --format {format} / migrate {migrate} / baseline {baseline}",
        kept.rule
    );
    let dir = tree(kept);
    let root = dir.path();
    let mut args = vec!["--format", format];
    if baseline {
        let record = cronlock(
            root,
            &["check", "--update-baseline", "--baseline", "base.json"],
        );
        assert_eq!(record.code, 0, "{cell}: {}", record.stderr);
        args.extend(["--baseline", "base.json"]);
    }
    let mut fix_args = vec!["fix"];
    fix_args.extend(&args);
    if migrate {
        fix_args.push("--migrate-cron");
    }
    let fix = cronlock(root, &fix_args);
    assert!(
        !fix.stderr.contains("error:"),
        "{cell}: fix printed an error:\n{}",
        fix.stderr
    );
    let check = cronlock(root, &[&["check"], &args[..]].concat());
    assert_eq!(fix.code, check.code, "{cell}: fix and check disagree");
    let expected = if baseline || !migrated_away(kept, migrate) {
        1
    } else {
        0
    };
    assert_eq!(fix.code, expected, "{cell}:\n{}{}", fix.stdout, fix.stderr);
    if fix.code == 1 || format != "text" {
        assert_eq!(
            fix.stdout, check.stdout,
            "{cell}: fix's report is not check's"
        );
    }
    assert_kept(root, kept, migrate, &cell);
    if format == "text" && !migrated_away(kept, migrate) {
        assert_frame(root, &fix.stdout, &cell);
    }
}

/// `check --format json` on the fixed tree: the kept finding and nothing else.
fn assert_kept(root: &Path, kept: &Kept, migrate: bool, cell: &str) {
    let run = cronlock(root, &["check", "--format", "json", "--no-baseline"]);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let rules: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    let expected: &[&str] = if migrated_away(kept, migrate) {
        &[]
    } else {
        &[kept.rule]
    };
    assert_eq!(rules, expected, "{cell}");
}

/// The text report's frame shows the fixed file's line at the reported line.
fn assert_frame(root: &Path, stdout: &str, cell: &str) {
    let text = std::fs::read_to_string(root.join("src/jobs.ts")).expect("read");
    let Some(head) = stdout.lines().find(|l| l.starts_with("src/jobs.ts:")) else {
        // A baselined finding is not listed.
        return;
    };
    let line: usize = head
        .split(':')
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("line number");
    let source = text.lines().nth(line - 1).expect("line in the new text");
    let framed = format!("{line} | {source}");
    assert!(
        stdout.lines().any(|l| l.trim_end() == framed.trim_end()),
        "{cell}: no frame `{framed}` in:\n{stdout}"
    );
}

#[test]
fn every_format_reports_what_a_fixed_file_keeps_from_its_new_text() {
    for kept in &KEPT {
        for format in FORMATS {
            for migrate in [false, true] {
                for baseline in [false, true] {
                    check_cell(kept, format, migrate, baseline);
                }
            }
        }
    }
}

#[test]
fn quiet_fix_of_a_file_that_keeps_a_finding_exits_1_without_error() {
    let dir = tree(&KEPT[0]);
    let fix = cronlock(dir.path(), &["fix", "-q"]);
    assert_eq!(fix.code, 1, "{}", fix.stderr);
    assert!(!fix.stderr.contains("error:"), "{}", fix.stderr);
}
