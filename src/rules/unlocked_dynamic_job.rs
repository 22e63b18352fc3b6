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
