//! lock-not-property: `lockService` is a constructor parameter but not a property.

use super::common::class_label;
use super::{Finding, Rule, RuleDoc};
use crate::fix::{Edit, Fix};
use crate::links::Inheritance;
use crate::semantic::{FileContext, Member};

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "make it `private readonly lockService`",
    summary: "constructor parameter `lockService` has no accessibility/readonly modifier",
    why: "Without `private`, `protected`, `public` or `readonly`, TypeScript does not turn the parameter \
into a property: Nest injects the service, the constructor drops it, and `this.lockService` is \
undefined when the lock decorator runs, so the job throws in cluster mode.",
    before: "constructor(lockService: DistributedLockService) {}",
    after: "constructor(private readonly lockService: DistributedLockService) {}",
    fix: "`cronlock fix` adds `private readonly ` before the parameter name (after any parameter decorators).",
};

/// Reports a plain `lockService` parameter in a class that needs the member.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for (class, facts) in ctx.model.classes.iter().zip(&ctx.classes) {
        // The base may already own the property: adding a modifier would
        // then redeclare it (TS2415). A base that could not be read is
        // lock-base-unknown's, and gets no fix.
        let Member::PlainParam(index, inheritance) = &facts.member else {
            continue;
        };
        if matches!(inheritance, Inheritance::Unknown { .. }) {
            continue;
        }
        if facts.lock_uses.is_empty() {
            continue;
        }
        let Some(param) = class
            .constructor
            .as_ref()
            .and_then(|c| c.params.get(*index))
        else {
            continue;
        };
        let name = param.name.as_deref().unwrap_or_default();
        let message = format!(
            "`{name}` in the constructor of {} has no `private`/`readonly` modifier, so it never becomes `this.{name}`",
            class_label(class)
        );
        let fix = Fix::new(vec![Edit::insert(
            param.binding_start,
            format!("{} ", ctx.project.lock_modifier(ctx.index)),
        )]);
        out.push(
            Finding::new(
                Rule::LockNotProperty,
                ctx.index,
                param.binding_start..param.range.end,
                message,
            )
            .in_class(class.name.as_deref())
            .with_fix(Some(fix)),
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
  constructor(lockService: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  async run() {}
}
";

    const BASE_WITH_LOCK: &str = "import { DistributedLockService } from '@acme/cluster-lock';

export abstract class LockedJob {
  constructor(protected readonly lockService: DistributedLockService) {}
}
";

    const BASE_WITHOUT_LOCK: &str = "export abstract class LockedJob {
  constructor(protected readonly name: string) {}
}
";

    /// Passes its plain `lockService` parameter to the base in `./base`.
    const DERIVED: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCronEveryHour, DistributedLockService } from '@acme/cluster-lock';
import { LockedJob } from './base';

@Injectable()
export class DigestJob extends LockedJob {
  constructor(lockService: DistributedLockService) {
    super(lockService);
  }

  @ClusterSafeCronEveryHour()
  async run() {}
}
";

    #[test]
    fn lock_not_property() {
        Tester::new(Rule::LockNotProperty)
            .pass(&[(
                "src/report.job.ts",
                &JOB.replace("(lockService", "(private readonly lockService"),
            )])
            // The base owns the property: the plain parameter only passes it on.
            .pass(&[
                ("src/digest.job.ts", DERIVED),
                ("src/base.ts", BASE_WITH_LOCK),
            ])
            .fail(
                &[("src/report.job.ts", JOB)],
                &[(
                    "src/report.job.ts",
                    6,
                    "`lockService` in the constructor of `ReportJob` has no `private`/`readonly` modifier",
                )],
            )
            .fail(
                &[
                    (
                        "src/digest.job.ts",
                        &DERIVED.replace("super(lockService)", "super('digest')"),
                    ),
                    ("src/base.ts", BASE_WITHOUT_LOCK),
                ],
                &[("src/digest.job.ts", 7, "so it never becomes `this.lockService`")],
            )
            .fix(
                &[("src/report.job.ts", JOB)],
                &[(
                    "src/report.job.ts",
                    &JOB.replace("(lockService", "(private readonly lockService"),
                )],
            )
            .test();
    }
}
