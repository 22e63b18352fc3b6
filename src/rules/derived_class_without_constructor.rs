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
