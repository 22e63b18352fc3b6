//! Skimming (function bodies that mention nothing cronlock looks for are
//! blanked before parsing, see `src/skim.rs`) changes no finding and no fix:
//! every fixture's `check --format json` and `fix --dry-run` are the same
//! with it and without it (`--no-prefilter`), and so are the cases where the
//! blanked parse must not be trusted.

mod common;

use common::{cronlock, fixture_args, fixtures, tree};

/// `check --format json` and `fix --dry-run` of `dir`, with `extra` args.
fn outputs(dir: &std::path::Path, extra: &[&str]) -> (String, String, i32) {
    let args = fixture_args(dir, "fixture-args");
    // A fixture that runs under `--no-prefilter` already is compared with itself.
    let args: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !extra.contains(a))
        .collect();
    let check = cronlock(
        dir,
        &[&["check", "--format", "json"], &args[..], extra].concat(),
    );
    let dry = cronlock(dir, &[&["fix", "--dry-run"], &args[..], extra].concat());
    (check.stdout, dry.stdout, check.code)
}

/// Runs `args` in `dir` with skimming and without (`--no-prefilter`),
/// asserts the same stdout and exit code, and gives the skimmed run.
fn same_either_way(dir: &std::path::Path, args: &[&str]) -> common::Run {
    let skimmed = cronlock(dir, args);
    let full = cronlock(dir, &[args, &["--no-prefilter"]].concat());
    assert_eq!(skimmed.stdout, full.stdout, "{args:?}");
    assert_eq!(skimmed.code, full.code, "{args:?}");
    skimmed
}

#[test]
fn every_fixture_reports_and_fixes_the_same_with_and_without_skimming() {
    for (name, dir) in fixtures() {
        let skimmed = outputs(&dir, &[]);
        let full = outputs(&dir, &["--no-prefilter"]);
        assert_eq!(skimmed, full, "fixture {name}");
    }
}

const ALIASED: &str = "import { Injectable } from '@nestjs/common';
import { Cron as Every } from '@nestjs/schedule';
import { ClusterSafeCron } from '@acme/cluster-lock';

@Injectable()
export class Job {
  constructor(private readonly repo: Repo) {}

  @Every('0 * * * *')
  run() {
    return 1;
  }

  @ClusterSafeCron('0 * * * *')
  sync() {
    const again = Every;
    return again;
  }
}
";

#[test]
fn an_aliased_import_used_in_a_body_counts_as_used() {
    // `fix --migrate-cron` may drop the `Cron` import only when nothing else
    // uses it; here a body does, under its alias.
    let dir = tree(&[("src/job.ts", ALIASED)]);
    let skimmed = same_either_way(dir.path(), &["fix", "--dry-run", "--migrate-cron", "src"]);
    assert!(
        !skimmed.stdout.contains("-import { Cron as Every }"),
        "{}",
        skimmed.stdout
    );
}

const BODIES: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class Job {
  constructor(lockService: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  run() {
    const re = /}`'\"/g;
    const t = `${ { a: '}' }.a } }`;
    return this.helper(re, t);
  }

  helper(a: RegExp, b: string): number {
    // } ` ' \"
    return a.source.length / b.length;
  }

  manual() {
    return this.lockService;
  }
}
";

#[test]
fn bodies_with_braces_in_strings_regexes_and_templates_are_read_right() {
    let dir = tree(&[("src/job.ts", BODIES)]);
    let skimmed = same_either_way(dir.path(), &["check", "--format", "json", "src"]);
    assert!(
        skimmed.stdout.contains("lock-not-property"),
        "{}",
        skimmed.stdout
    );
}

const BROKEN_BODY: &str = "import { ClusterSafeCron } from '@acme/cluster-lock';

export class Job {
  constructor(private readonly repo: Repo) {}

  @ClusterSafeCron('0 * * * *')
  run() {}

  broken() {
    const x = ;
  }
}
";

#[test]
fn a_syntax_error_in_a_skipped_body_is_never_edited() {
    let dir = tree(&[("src/job.ts", BROKEN_BODY)]);
    // Skimmed: the class is checked; the error inside `broken` is not seen.
    let check = cronlock(dir.path(), &["check", "src"]);
    assert!(
        check.stdout.contains("missing-lock-service"),
        "{}",
        check.stdout
    );
    // In full, the file is a parse-error.
    let full = cronlock(dir.path(), &["check", "--no-prefilter", "src"]);
    assert!(full.stdout.contains("parse-error"), "{}", full.stdout);
    // `fix` parses what it would write in full, and writes nothing.
    let fix = cronlock(dir.path(), &["fix", "src"]);
    assert_eq!(fix.code, 2, "{}\n{}", fix.stdout, fix.stderr);
    assert!(
        fix.stderr.contains(
            "src/job.ts: the file does not parse (10:15: Expression expected); file left unchanged"
        ),
        "{}",
        fix.stderr
    );
    let after = std::fs::read_to_string(dir.path().join("src/job.ts")).expect("read");
    assert_eq!(after, BROKEN_BODY);
}

/// Method bodies in the idioms a scanner of TypeScript trips on: regexes
/// and divisions, templates inside templates, braces and quotes in strings
/// and comments, arrows returning objects, getters, generics, non-null
/// assertions, labels, nested classes and functions.
const IDIOMS: &str = r#"import { Injectable, Logger } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class Idioms {
  private readonly logger = new Logger(Idioms.name);

  constructor(private readonly repo: Repo, lockService: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  async run(items: Array<{ score: number }>): Promise<number> {
    const ratio = (items.length + 1) / 2;
    const half = items[0]!.score / 2;
    const re = /[}{'"`]+\/(?:x)/giu;
    const nested = `a ${`b ${ratio} }`} c ${items.map((i) => `${i.score}}`).join('{')}`;
    // a comment with } and ' and `
    /* and { another " */
    outer: for (const item of items) {
      if (re.test(String(item.score))) /}/.test('x') && this.logger.log('}');
      continue outer;
    }
    const pick = () => ({ a: '}', b: "{" });
    const cls = class { go() { return 1 / 2; } };
    function inner<T>(x: T): T { return x; }
    return inner(half) + pick().a.length + nested.length + new cls().go();
  }

  get total(): number {
    return this.count! / 3;
  }

  private count?: number;

  helper(): Map<string, number> {
    const m = new Map<string, number>();
    return m;
  }

  plain(x: number): { doubled: number } {
    return { doubled: x * 2 };
  }
}
"#;

#[test]
fn idioms_are_skimmed_and_change_nothing() {
    let config = cronlock::config::Config::default();
    let skimmer = cronlock::skim::Skimmer::new(&config).expect("skimmer");
    let regions = skimmer
        .regions(IDIOMS)
        .expect("the scanner reads the idioms");
    assert!(regions.len() >= 2, "{regions:?}");
    let dir = tree(&[("src/idioms.ts", IDIOMS)]);
    same_either_way(dir.path(), &["check", "--format", "json", "src"]);
    same_either_way(dir.path(), &["fix", "--dry-run", "src"]);
    let check = cronlock(dir.path(), &["check", "src"]);
    assert!(
        check.stdout.contains("lock-not-property"),
        "{}",
        check.stdout
    );
}
