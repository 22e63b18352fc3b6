//! optional-lock-service: `@Optional()` or `?` on the lock service member.

use super::common::class_label;
use super::{Finding, Rule, RuleDoc};
use crate::semantic::FileContext;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "",
    summary: "`@Optional()` or `?` on `lockService`: a missing provider becomes a throw at run time",
    why: "Marked optional, the member is `undefined` when `DistributedLockModule` is not imported: Nest \
starts without complaint and the lock decorator throws each time the job fires in cluster mode. \
Required, the same mistake stops the application at boot, where it is seen.",
    before: "constructor(@Optional() private readonly lockService?: DistributedLockService) {}",
    after: "constructor(private readonly lockService: DistributedLockService) {}",
    fix: "Not fixed automatically: remove `@Optional()` and `?` once the module is registered.",
};

/// Reports an optional lock service member.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for (class, facts) in ctx.model.classes.iter().zip(&ctx.classes) {
        let Some(range) = &facts.optional_member else {
            continue;
        };
        if facts.lock_uses.is_empty() && !facts.injects_member {
            continue;
        }
        let message = format!(
            "`{}` of {} is optional: without the provider it is undefined and the lock decorator throws at run time",
            ctx.project.config.lock_service_member,
            class_label(class)
        );
        out.push(
            Finding::new(Rule::OptionalLockService, ctx.index, range.clone(), message)
                .in_class(class.name.as_deref()),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    const JOB: &str = "import { Injectable, Optional } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(@Optional() private readonly lockService: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  async run() {}
}
";

    /// Injects the member without a lock decorator, marked `?`.
    const SERVICE: &str = "import { Injectable } from '@nestjs/common';
import { DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportService {
  constructor(
    private readonly repo: ReportRepository,
    private readonly lockService?: DistributedLockService,
  ) {}
}
";

    #[test]
    fn optional_lock_service() {
        Tester::new(Rule::OptionalLockService)
            .pass(&[("src/report.job.ts", &JOB.replace("@Optional() ", ""))])
            // `@Optional()` on another parameter.
            .pass(&[(
                "src/report.job.ts",
                &JOB.replace(
                    "(@Optional() private readonly lockService: DistributedLockService)",
                    "(private readonly lockService: DistributedLockService, @Optional() private readonly tracer?: Tracer)",
                ),
            )])
            .fail(
                &[("src/report.job.ts", JOB)],
                &[(
                    "src/report.job.ts",
                    6,
                    "`lockService` of `ReportJob` is optional",
                )],
            )
            .fail(
                &[("src/report.service.ts", SERVICE)],
                &[("src/report.service.ts", 8, "`lockService` of `ReportService` is optional")],
            )
            .test();
    }
}
