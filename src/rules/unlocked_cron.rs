//! unlocked-cron: `@Cron` from `@nestjs/schedule` on a method that takes no lock.

use super::{Finding, Rule, RuleDoc};
use crate::fix::imports::{ImportRequest, ensure_value_import};
use crate::fix::{Edit, Fix};
use crate::ids::ClassId;
use crate::links::Inheritance;
use crate::model::{ClassModel, Import};
use crate::semantic::{ClassFacts, FileContext, Member, ScheduleUse};
use crate::style::{line_break_after, line_start};

use crate::config::MIGRATED_DECORATOR;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "rewrite it as `@ClusterSafeCron` with the same arguments (`cronlock fix --migrate-cron`)",
    summary: "`@Cron` from `@nestjs/schedule` on a method with no lock decorator, no `this.lockService` use and no configured `[[lock-call]]` in its body",
    why: "`@Cron` fires in every process: with five replicas the job runs five times at once (five \
reports, five charges, five emails). `@ClusterSafeCron` takes a distributed lock so that one replica \
runs it.",
    before: "import { Cron } from '@nestjs/schedule';
...
  @Cron('0 */15 * * * *', { name: 'refresh' })
  refresh() {}",
    after: "import { ClusterSafeCron } from '@acme/cluster-lock';
...
  @ClusterSafeCron('0 */15 * * * *', { name: 'refresh' })
  refresh() {}",
    fix: "Only with `cronlock fix --migrate-cron`: the decorator becomes `@ClusterSafeCron` with the same \
arguments byte for byte, `ClusterSafeCron` is imported from the package's lock source (the \
`import-source` setting, else where the package imports its lock names from), `Cron` leaves the \
`@nestjs/schedule` import when nothing else uses it, and the class then gets its `lockService`. \
A method whose body uses `this.lockService`, or makes a call declared as a `[[lock-call]]` in \
cronlock.toml (`this.redis.acquireLock(...)`), is not reported.",
};

/// Reports unlocked `@Cron` jobs; with `--migrate-cron` each carries its migration.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let unlocked: Vec<(ClassId, &ScheduleUse)> = ctx
        .model
        .class_ids()
        .zip(&ctx.classes)
        .flat_map(|(id, facts)| facts.schedule_uses.iter().map(move |s| (id, s)))
        .filter(|(_, s)| s.name == "Cron" && !s.locked)
        .collect();
    // Without a lock source there is no migration, and so no ripple.
    let source = ctx.project.migration_source(ctx.index);
    for &(id, schedule) in &unlocked {
        let class = &ctx.model.classes[id];
        let method = schedule.method.as_deref().unwrap_or("a method");
        let message = format!(
            "`@Cron` on `{method}` runs on every replica; use `@{MIGRATED_DECORATOR}` (`cronlock fix --migrate-cron`)"
        );
        let fix = if ctx.project.config.migrate_cron {
            migration(ctx, schedule, unlocked.len())
        } else {
            None
        };
        out.push(
            Finding::new(
                Rule::UnlockedCron,
                ctx.index,
                schedule.decorator.range.clone(),
                message,
            )
            .in_class(class.name.as_deref())
            .in_method(schedule.method.as_deref())
            .for_injection(if source.is_some() {
                gains_parameter(class, &ctx.classes[id])
            } else {
                usize::MAX
            })
            .with_fix(fix),
        );
    }
}

/// 0 (the lock service's injection) when migrating the class gives its
/// constructor the `lockService` parameter, so that its ripple (see
/// `ripple`) is known before the migration; else none (`usize::MAX`).
fn gains_parameter(class: &ClassModel, facts: &ClassFacts) -> usize {
    let gains = match &facts.member {
        Member::Absent(Inheritance::NoBase) => true,
        Member::Absent(Inheritance::Lacks { .. }) => class.constructor.is_some(),
        _ => false,
    };
    if gains { 0 } else { usize::MAX }
}

fn migration(
    ctx: &FileContext<'_>,
    schedule: &ScheduleUse,
    unlocked_in_file: usize,
) -> Option<Fix> {
    let source = ctx.project.migration_source(ctx.index)?;
    let text = ctx.text()?;
    let plan = ensure_value_import(
        text,
        ctx.style(),
        ctx.model,
        ImportRequest {
            name: MIGRATED_DECORATOR,
            beside: None,
            fallback_source: Some(&source),
        },
    )?;
    let mut edits = vec![Edit::replace(
        schedule.decorator.callee_range.clone(),
        plan.local,
    )];
    let import = &ctx.model.imports[schedule.import];
    let removal = import
        .named
        .iter()
        .find(|n| n.imported == "Cron")
        .filter(|n| ctx.model.import_uses.get(&n.local).copied().unwrap_or(0) <= unlocked_in_file)
        .map(|n| remove_name(text, import, &n.local))
        .unwrap_or_default();
    edits.extend(merge_removal(text, removal, plan.edits));
    Some(Fix::new(edits))
}

/// When the `@nestjs/schedule` import goes away whole and the new import was
/// to be inserted where it ends, the new declaration takes its place (two
/// edits on the same bytes could not both be applied).
fn merge_removal(text: &str, removal: Vec<Edit>, additions: Vec<Edit>) -> Vec<Edit> {
    let [deleted] = removal.as_slice() else {
        return removal.into_iter().chain(additions).collect();
    };
    let deleted = deleted.clone();
    let inside = |e: &Edit| {
        e.range.is_empty()
            && deleted.range.start <= e.range.start
            && e.range.start <= deleted.range.end
    };
    if !additions.iter().any(inside) {
        return std::iter::once(deleted).chain(additions).collect();
    }
    let mut out = Vec::new();
    let mut replacement = String::new();
    for edit in additions {
        if inside(&edit) {
            replacement.push_str(edit.content.trim_start_matches(['\r', '\n']));
        } else {
            out.push(edit);
        }
    }
    let removed = &text[deleted.range.clone()];
    if removed.ends_with("\r\n") {
        replacement.push_str("\r\n");
    } else if removed.ends_with('\n') {
        replacement.push('\n');
    }
    out.push(Edit::replace(deleted.range, replacement));
    out
}

/// Edits that drop `local` from `import`, or the whole declaration (and its
/// line) when it is the only name.
fn remove_name(text: &str, import: &Import, local: &str) -> Vec<Edit> {
    let Some(position) = import.named.iter().position(|n| n.local == local) else {
        return Vec::new();
    };
    if import.named.len() == 1 && import.default.is_none() && import.namespace.is_none() {
        let start = line_start(text, import.range.start);
        let end = match line_break_after(text, import.range.end) {
            Some(at) if text[start..import.range.start].trim().is_empty() => {
                let newline = if text[at..].starts_with("\r\n") {
                    2
                } else {
                    usize::from(at < text.len())
                };
                at + newline
            }
            _ => return vec![Edit::delete(import.range.clone())],
        };
        return vec![Edit::delete(start..end)];
    }
    let range = match (
        import.named.get(position + 1),
        position.checked_sub(1).map(|p| &import.named[p]),
    ) {
        (Some(next), _) => import.named[position].range.start..next.range.start,
        (None, Some(previous)) => previous.range.end..import.named[position].range.end,
        (None, None) => import.named[position].range.clone(),
    };
    vec![Edit::delete(range)]
}

#[cfg(test)]
mod tests {
    use crate::config::LockCall;
    use crate::rules::{Rule, Tester};

    const JOB: &str = "import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';

@Injectable()
export class CleanupJob {
  @Cron('0 * * * *')
  purge() {}

  @Cron('30 * * * *', { name: 'vacuum' })
  vacuum() {}
}
";

    /// A job that takes the lock, from the lock source the migration uses.
    const LOCKED: &str = "import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(private readonly lockService: DistributedLockService) {}

  @ClusterSafeCron('0 6 * * *')
  report() {}

  @Cron('0 7 * * *')
  digest() {
    return this.lockService.withLock('digest', async () => undefined);
  }
}
";

    /// Locked by a configured `[[lock-call]]` in its body.
    const LOCK_CALL: &str = "import { Injectable } from '@nestjs/common';
import { Cron } from '@nestjs/schedule';

@Injectable()
export class SyncJob {
  constructor(private readonly redis: RedisService) {}

  @Cron('*/5 * * * *')
  async sync() {
    await this.redis.acquireLock('sync', 120);
  }
}
";

    /// The migrated `JOB` (`@Cron` is gone from `@nestjs/schedule`'s import).
    const MIGRATED: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron } from '@acme/cluster-lock';

@Injectable()
export class CleanupJob {
  @ClusterSafeCron('0 * * * *')
  purge() {}

  @ClusterSafeCron('30 * * * *', { name: 'vacuum' })
  vacuum() {}
}
";

    #[test]
    fn unlocked_cron() {
        Tester::new(Rule::UnlockedCron)
            .configure(|config| {
                config.migrate_cron = true;
                config.lock_calls.push(LockCall {
                    member_type: None,
                    member: Some("redis".to_string()),
                    methods: vec!["acquireLock".to_string()],
                });
            })
            .pass(&[("src/report.job.ts", LOCKED)])
            .pass(&[("src/sync.job.ts", LOCK_CALL)])
            .fail(
                &[("src/cleanup.job.ts", JOB)],
                &[
                    (
                        "src/cleanup.job.ts",
                        6,
                        "`@Cron` on `purge` runs on every replica; use `@ClusterSafeCron`",
                    ),
                    (
                        "src/cleanup.job.ts",
                        9,
                        "`@Cron` on `vacuum` runs on every replica",
                    ),
                ],
            )
            .fail(
                &[
                    (
                        "src/report.job.ts",
                        &LOCKED.replace(
                            "this.lockService.withLock('digest', async () => undefined)",
                            "undefined",
                        ),
                    ),
                    ("src/sync.job.ts", &LOCK_CALL.replace("acquireLock", "ping")),
                ],
                &[
                    ("src/report.job.ts", 12, "`@Cron` on `digest`"),
                    ("src/sync.job.ts", 8, "`@Cron` on `sync`"),
                ],
            )
            // `--migrate-cron`: from the lock source another file imports.
            .fix(
                &[("src/cleanup.job.ts", JOB), ("src/report.job.ts", LOCKED)],
                &[
                    ("src/cleanup.job.ts", MIGRATED),
                    ("src/report.job.ts", LOCKED),
                ],
            )
            .test();
    }
}
