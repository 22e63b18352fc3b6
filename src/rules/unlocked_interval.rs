//! unlocked-interval: `@Interval` / `@Timeout` from `@nestjs/schedule`.

use super::{Finding, Rule, RuleDoc};
use crate::semantic::FileContext;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "",
    summary: "`@Interval` / `@Timeout` from `@nestjs/schedule` on a method that takes no lock: they run on every replica",
    why: "Like `@Cron`, these timers fire in every process: with five replicas the job runs five times. \
There is no cluster-safe shorthand for them, so the job should take the lock in its body \
(`this.lockService.withLock(...)`) or be turned into a `@ClusterSafeCron` job.",
    before: "@Interval('refresh', 60_000)
refresh() { ... }",
    after: "@Interval('refresh', 60_000)
refresh() {
  return this.lockService.withLock('refresh', () => this.doRefresh());
}",
    fix: "Not fixed automatically. A method that carries a lock or `[[guard]]` decorator, whose body uses \
`this.lockService`, or that makes a configured `[[lock-call]]` is not reported.",
};

/// Reports `@Interval` and `@Timeout` on methods that take no lock.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for (class, facts) in ctx.model.classes.iter().zip(&ctx.classes) {
        for schedule in &facts.schedule_uses {
            if schedule.name == "Cron" || schedule.locked {
                continue;
            }
            let method = schedule.method.as_deref().unwrap_or("a method");
            let message = format!(
                "`@{}` on `{method}` runs on every replica; take the lock in its body or use a cluster-safe decorator",
                schedule.name
            );
            out.push(
                Finding::new(
                    Rule::UnlockedInterval,
                    ctx.index,
                    schedule.decorator.range.clone(),
                    message,
                )
                .in_class(class.name.as_deref())
                .in_method(schedule.method.as_deref()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    const JOBS: &str = "import { Injectable } from '@nestjs/common';
import { Interval, Timeout } from '@nestjs/schedule';

@Injectable()
export class CacheJobs {
  @Interval('refresh', 60_000)
  refresh() {}

  @Timeout(5_000)
  warmUp() {}
}
";

    /// The body takes the lock.
    const LOCKED: &str = "import { Injectable } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class CacheJobs {
  constructor(private readonly lockService: DistributedLockService) {}

  @Interval('refresh', 60_000)
  refresh() {
    return this.lockService.withLock('refresh', async () => undefined);
  }
}
";

    /// An `Interval` of the project's own, not `@nestjs/schedule`'s.
    const OWN_INTERVAL: &str = "import { Injectable } from '@nestjs/common';
import { Interval } from './interval';

@Injectable()
export class CacheJobs {
  @Interval('refresh', 60_000)
  refresh() {}
}
";

    const INTERVAL: &str = "export function Interval(name: string, ms: number): MethodDecorator {
  return () => undefined;
}
";

    #[test]
    fn unlocked_interval() {
        Tester::new(Rule::UnlockedInterval)
            .pass(&[("src/cache.jobs.ts", LOCKED)])
            .pass(&[
                ("src/cache.jobs.ts", OWN_INTERVAL),
                ("src/interval.ts", INTERVAL),
            ])
            .fail(
                &[("src/cache.jobs.ts", JOBS)],
                &[
                    (
                        "src/cache.jobs.ts",
                        6,
                        "`@Interval` on `refresh` runs on every replica",
                    ),
                    (
                        "src/cache.jobs.ts",
                        9,
                        "`@Timeout` on `warmUp` runs on every replica",
                    ),
                ],
            )
            .fail(
                &[
                    ("src/locked.jobs.ts", LOCKED),
                    (
                        "src/cache.jobs.ts",
                        &LOCKED.replace(
                            "return this.lockService.withLock('refresh', async () => undefined);",
                            "return undefined;",
                        ),
                    ),
                ],
                &[("src/cache.jobs.ts", 9, "take the lock in its body")],
            )
            .test();
    }
}
