//! lock-base-unknown: a class with a lock-decorated method inherits from a
//! base class that could not be read, so whether it has the member the
//! decorator reads is unknown. It is a warning and never fixed: cronlock
//! does not assume what an unread base holds (it may well own
//! `lockService`), and the class counts as unknown in the readiness verdict.

use super::common::{class_label, class_label_len, describe_uses};
use super::{Finding, Rule, RuleDoc};
use crate::model::ClassModel;
use crate::semantic::{FileContext, LockUse, Member};

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "",
    summary: "a class with a lock-decorated method inherits from a base that could not be read: whether it has `lockService` is unknown",
    why: "Lock decorators read `this.lockService`, and a class may inherit it. When the base class comes \
from a package cronlock does not read, or from an import that does not resolve, nobody can tell from \
the scan whether the base declares the member. cronlock neither reports a missing member it cannot \
see nor assumes the base is fine: the class is reported as unknown, and the readiness verdict says \
UNKNOWN until the base can be read (make the import resolve: a tsconfig `paths` entry, a workspace \
package) or the class declares the member itself.",
    before: "import { BaseReportJob } from '@acme/jobs'; // not read by cronlock

export class DailyReportJob extends BaseReportJob {
  @ClusterSafeCronEveryDay()
  async build() {}
}",
    after: "// either the base is readable and declares `protected readonly lockService`, or:
export class DailyReportJob extends BaseReportJob {
  constructor(private readonly lockService: DistributedLockService) {
    super();
  }

  @ClusterSafeCronEveryDay()
  async build() {}
}",
    fix: "Not fixed automatically: cronlock does not know the base's constructor or members. Check that \
the base class declares `lockService` (then nothing is needed, and making its source readable clears \
the warning), or inject it in the class and pass the base's parameters to `super(...)`.",
};

/// Reports lock-decorated (or guard-decorated) classes whose member
/// depends on a base class that could not be read.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let config = &ctx.project.config;
    for (class, facts) in ctx.model.classes.iter().zip(&ctx.classes) {
        if !facts.lock_uses.is_empty()
            && let Some(finding) = unknown_member(
                ctx,
                class,
                &facts.lock_uses,
                &facts.member,
                &config.lock_service_member,
            )
        {
            out.push(finding);
        }
        for need in &facts.guard_needs {
            if let Some(finding) = unknown_member(ctx, class, &need.uses, &need.state, &need.member)
            {
                out.push(finding);
            }
        }
    }
}

/// The finding for `class`, whose `uses` read `member`, when its `state`
/// depends on an unread base.
fn unknown_member(
    ctx: &FileContext<'_>,
    class: &ClassModel,
    uses: &[LockUse],
    state: &Member,
    member: &str,
) -> Option<Finding> {
    let (base, reason) = state.unread_base()?;
    let detail = match state {
        Member::PlainParam(..) => format!(
            "; its constructor's `{member}` parameter has no modifier, so it is `this.{member}` only if the base declares it"
        ),
        _ => String::new(),
    };
    let message = format!(
        "{} has {} and extends `{base}`, which could not be read ({reason}): whether it has `{member}` is unknown{detail}",
        class_label(class),
        describe_uses(uses),
    );
    Some(
        Finding::new(
            Rule::LockBaseUnknown,
            ctx.index,
            class.anchor..class.anchor + class_label_len(class),
            message,
        )
        .in_class(class.name.as_deref()),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    /// A subclass of `BaseReportJob`, imported from `SOURCE`.
    const DERIVED: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCronEveryDay } from '@acme/cluster-lock';
import { BaseReportJob } from 'SOURCE';

@Injectable()
export class DailyReportJob extends BaseReportJob {
  @ClusterSafeCronEveryDay()
  async build() {}
}
";

    const BASE: &str = "import { DistributedLockService } from '@acme/cluster-lock';

export abstract class BaseReportJob {
  constructor(protected readonly lockService: DistributedLockService) {}
}
";

    #[test]
    fn lock_base_unknown() {
        Tester::new(Rule::LockBaseUnknown)
            // The base is read: it has the member.
            .pass(&[
                ("src/report.job.ts", &DERIVED.replace("SOURCE", "./base")),
                ("src/base.ts", BASE),
            ])
            // The class declares the member itself.
            .pass(&[(
                "src/report.job.ts",
                &DERIVED.replace("SOURCE", "@acme/jobs").replace(
                    "extends BaseReportJob {\n",
                    "extends BaseReportJob {\n  constructor(private readonly lockService: DistributedLockService) {\n    super();\n  }\n\n",
                ),
            )])
            .fail(
                &[("src/report.job.ts", &DERIVED.replace("SOURCE", "@acme/jobs"))],
                &[(
                    "src/report.job.ts",
                    6,
                    "`DailyReportJob` has `@ClusterSafeCronEveryDay` on `build` and extends `BaseReportJob`, which could not be read",
                )],
            )
            // A relative import that leads to no file of the scan.
            .fail(
                &[
                    ("src/report.job.ts", &DERIVED.replace("SOURCE", "./missing")),
                    ("src/base.ts", BASE),
                ],
                &[("src/report.job.ts", 6, "whether it has `lockService` is unknown")],
            )
            .test();
    }
}
