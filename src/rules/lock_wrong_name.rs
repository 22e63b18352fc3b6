//! lock-wrong-name: the lock service injected under a name the decorators do not read.

use super::common::class_label;
use super::{Finding, Rule, RuleDoc};
use crate::semantic::FileContext;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "",
    summary: "`DistributedLockService` injected under another name; the decorator reads `this.lockService`",
    why: "The lock decorators look the service up by the member name `lockService` (`@Lock` also accepts \
`distributedLockService`). Injected as `locks` or `distributedLock`, the service is there but the \
decorator does not find it and throws in cluster mode. Adding a second injection would only hide the \
confusion, so this is left to a person.",
    before: "constructor(private readonly locks: DistributedLockService) {}",
    after: "constructor(private readonly lockService: DistributedLockService) {}",
    fix: "Not fixed automatically: rename the member to `lockService` and update its uses in the class.",
};

/// Reports lock-decorated classes that inject the service under another name.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let config = &ctx.project.config;
    for (class, facts) in ctx.model.classes.iter().zip(&ctx.classes) {
        let Some(wrong) = &facts.wrong_name else {
            continue;
        };
        // An unread base may own the member: lock-base-unknown says so.
        if facts.lock_uses.is_empty() || facts.is_complete() || facts.member.unread_base().is_some()
        {
            continue;
        }
        let message = format!(
            "{} injects `{}` as `{}`, but lock decorators read `this.{}`; rename it",
            class_label(class),
            config.lock_service_type,
            wrong.name,
            config.lock_service_member
        );
        out.push(
            Finding::new(Rule::LockWrongName, ctx.index, wrong.range.clone(), message)
                .in_class(class.name.as_deref()),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    const JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(private readonly locks: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  async run() {}
}
";

    /// Uses the service by hand: no lock decorator reads the member.
    const SERVICE: &str = "import { Injectable } from '@nestjs/common';
import { DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportService {
  constructor(private readonly locks: DistributedLockService) {}

  run() {
    return this.locks.withLock('report', async () => undefined);
  }
}
";

    #[test]
    fn lock_wrong_name() {
        Tester::new(Rule::LockWrongName)
            .pass(&[("src/report.job.ts", &JOB.replace("locks:", "lockService:"))])
            .pass(&[("src/report.service.ts", SERVICE)])
            .fail(
                &[("src/report.job.ts", JOB)],
                &[(
                    "src/report.job.ts",
                    6,
                    "`ReportJob` injects `DistributedLockService` as `locks`, but lock decorators read `this.lockService`",
                )],
            )
            .fail(
                &[
                    (
                        "src/report.job.ts",
                        &JOB.replace("locks:", "distributedLock:"),
                    ),
                    ("src/report.service.ts", SERVICE),
                ],
                &[("src/report.job.ts", 6, "as `distributedLock`")],
            )
            .test();
    }
}
