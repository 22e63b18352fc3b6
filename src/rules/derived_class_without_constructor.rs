//! derived-class-without-constructor: a derived class that cannot be given the member automatically.

use super::common::{class_label, class_label_len, describe_uses};
use super::{Finding, Rule, RuleDoc};
use crate::links::Inheritance;
use crate::semantic::{FileContext, Member};

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "",
    summary: "derived class has no constructor and its base has no `lockService`",
    why: "The class inherits its constructor, so nothing injects the lock service and the lock decorator \
throws in cluster mode. A constructor added to a derived class must call `super(...)` with the base's \
parameters, which only a person can write correctly, so cronlock never inserts one.",
    before: "export class ReportJob extends BaseJob {
  @ClusterSafeCronEveryHour()
  async run() {}
}",
    after: "export class ReportJob extends BaseJob {
  constructor(repo: ReportRepository, private readonly lockService: DistributedLockService) {
    super(repo);
  }

  @ClusterSafeCronEveryHour()
  async run() {}
}",
    fix: "Not fixed automatically: add a constructor that takes the base's parameters plus \
`private readonly lockService: DistributedLockService` and calls `super(...)`, or give the base class the member.",
};

/// Reports derived classes without a constructor whose base (read) lacks
/// the member; an unread base is lock-base-unknown's.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for (class, facts) in ctx.model.classes.iter().zip(&ctx.classes) {
        if facts.lock_uses.is_empty() || class.constructor.is_some() || facts.wrong_name.is_some() {
            continue;
        }
        let member = &ctx.project.config.lock_service_member;
        let why = match &facts.member {
            Member::Absent(Inheritance::Lacks { base }) => {
                format!("its base `{base}` has no `{member}`")
            }
            _ => continue,
        };
        let message = format!(
            "{} has {}, no constructor, and {why}: add a constructor that injects `{member}` and calls `super(...)`",
            class_label(class),
            describe_uses(&facts.lock_uses),
        );
        out.push(
            Finding::new(
                Rule::DerivedClassWithoutConstructor,
                ctx.index,
                class.anchor..class.anchor + class_label_len(class),
                message,
            )
            .in_class(class.name.as_deref()),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    /// A subclass of `BaseJob` (from `./base`) without a constructor.
    const DERIVED: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCronEveryDay } from '@acme/cluster-lock';
import { BaseJob } from './base';

@Injectable()
export class DailyReportJob extends BaseJob {
  @ClusterSafeCronEveryDay()
  async send() {}
}
";

    const BASE_WITHOUT_LOCK: &str = "import { Logger } from '@nestjs/common';

export abstract class BaseJob {
  protected readonly logger = new Logger('jobs');
}
";

    const BASE_WITH_LOCK: &str = "import { DistributedLockService } from '@acme/cluster-lock';

export abstract class BaseJob {
  constructor(protected readonly lockService: DistributedLockService) {}
}
";

    const SAME_FILE: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCronEveryDay } from '@acme/cluster-lock';

abstract class BaseJob {
  protected readonly name = 'report';
}

@Injectable()
export class DailyReportJob extends BaseJob {
  @ClusterSafeCronEveryDay()
  async send() {}
}
";

    #[test]
    fn derived_class_without_constructor() {
        Tester::new(Rule::DerivedClassWithoutConstructor)
            .pass(&[("src/report.job.ts", DERIVED), ("src/base.ts", BASE_WITH_LOCK)])
            // With a constructor of its own it can be given the member:
            // missing-lock-service's.
            .pass(&[
                (
                    "src/report.job.ts",
                    &DERIVED.replace(
                        "extends BaseJob {\n",
                        "extends BaseJob {\n  constructor() {\n    super();\n  }\n\n",
                    ),
                ),
                ("src/base.ts", BASE_WITHOUT_LOCK),
            ])
            .fail(
                &[("src/report.job.ts", DERIVED), ("src/base.ts", BASE_WITHOUT_LOCK)],
                &[(
                    "src/report.job.ts",
                    6,
                    "`DailyReportJob` has `@ClusterSafeCronEveryDay` on `send`, no constructor, and its base `BaseJob` has no `lockService`",
                )],
            )
            .fail(
                &[("src/report.job.ts", SAME_FILE)],
                &[("src/report.job.ts", 9, "its base `BaseJob` has no `lockService`")],
            )
            .test();
    }
}
