//! unlocked-dynamic-job: a job scheduled in code (`SchedulerRegistry`'s
//! `addCronJob`, `addInterval`, `addTimeout`) that takes no lock.

use super::{Finding, Rule, RuleDoc};
use crate::semantic::FileContext;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "",
    summary: "`SchedulerRegistry#addCronJob` / `addInterval` / `addTimeout` in a class that takes no lock: the job runs on every replica",
    why: "A job added to `SchedulerRegistry` at run time (`this.schedulerRegistry.addCronJob(name, new \
CronJob(...))`) fires in every process, exactly like a plain `@Cron`: with five replicas it runs five \
times. No decorator marks it, so a migration that swapped every `@Cron` for `@ClusterSafeCron` leaves it \
running everywhere.",
    before: "onModuleInit() {
  const job = new CronJob('0 * * * *', () => this.sweep());
  this.schedulerRegistry.addCronJob('sweep', job);
  job.start();
}",
    after: "onModuleInit() {
  const job = new CronJob('0 * * * *', () =>
    this.lockService.withLock('sweep', () => this.sweep()),
  );
  this.schedulerRegistry.addCronJob('sweep', job);
  job.start();
}",
    fix: "Not fixed automatically: take the lock in the job's callback (`this.lockService.withLock(name, \
...)`, with `lockService` injected), or move the job to a `@ClusterSafeCron` method. A call in a method \
that uses `this.lockService` (or a `[[guard]]` member), that makes a configured `[[lock-call]]`, or that \
carries a lock or guard decorator, is not reported (callbacks included). The registry is recognised \
injected under any name, imported under any alias or through a namespace. The readiness report counts \
these calls as jobs scheduled in code.",
};

/// Reports jobs scheduled in code by methods that take no lock.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for (class, facts) in ctx.model.classes.iter().zip(&ctx.classes) {
        for job in facts.dynamic_jobs.iter().filter(|j| !j.locked) {
            let method = job.method.as_deref().unwrap_or("a method");
            let message = format!(
                "`this.{}.{}(...)` in `{method}` schedules a job that runs on every replica; take the lock \
in the job's callback (`this.lockService.withLock(...)`)",
                job.call.member, job.call.method
            );
            out.push(
                Finding::new(
                    Rule::UnlockedDynamicJob,
                    ctx.index,
                    job.call.range.clone(),
                    message,
                )
                .in_class(class.name.as_deref())
                .in_method(job.method.as_deref()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    const SCHEDULER: &str = "import { Injectable, OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';

@Injectable()
export class ReportScheduler implements OnModuleInit {
  constructor(private readonly jobs: SchedulerRegistry) {}

  onModuleInit(): void {
    const job = new CronJob('0 0 * * * *', () => this.build());
    this.jobs.addCronJob('reports:hourly', job);
    job.start();
  }

  private build(): void {}
}
";

    const ALIASED: &str = "import { Injectable } from '@nestjs/common';
import { SchedulerRegistry as Registry } from '@nestjs/schedule';

@Injectable()
export class PollingService {
  constructor(private readonly registry: Registry) {}

  start(): void {
    this.registry.addInterval('poll', setInterval(() => undefined, 30_000));
  }
}
";

    /// A `SchedulerRegistry` of the project's own.
    const LOOKALIKE: &str = "import { Injectable } from '@nestjs/common';
import { SchedulerRegistry } from './scheduler-registry';

@Injectable()
export class LookalikeService {
  constructor(private readonly schedulerRegistry: SchedulerRegistry) {}

  register(): void {
    this.schedulerRegistry.addCronJob('local', { run: () => undefined });
  }
}
";

    const OWN_REGISTRY: &str = "export class SchedulerRegistry {
  addCronJob(name: string, job: unknown): void {}
}
";

    #[test]
    fn unlocked_dynamic_job() {
        Tester::new(Rule::UnlockedDynamicJob)
            .pass(&[(
                "src/report.scheduler.ts",
                &SCHEDULER
                    .replace(
                        "() => this.build()",
                        "() => this.lockService.withLock('hourly', async () => this.build())",
                    )
                    .replace(
                        "(private readonly jobs: SchedulerRegistry)",
                        "(private readonly jobs: SchedulerRegistry, private readonly lockService: DistributedLockService)",
                    ),
            )])
            .pass(&[
                ("src/lookalike.service.ts", LOOKALIKE),
                ("src/scheduler-registry.ts", OWN_REGISTRY),
            ])
            .fail(
                &[("src/report.scheduler.ts", SCHEDULER)],
                &[(
                    "src/report.scheduler.ts",
                    11,
                    "`this.jobs.addCronJob(...)` in `onModuleInit` schedules a job that runs on every replica",
                )],
            )
            .fail(
                &[
                    ("src/polling.service.ts", ALIASED),
                    ("src/lookalike.service.ts", LOOKALIKE),
                    ("src/scheduler-registry.ts", OWN_REGISTRY),
                ],
                &[("src/polling.service.ts", 9, "`this.registry.addInterval(...)` in `start`")],
            )
            .test();
    }
}
