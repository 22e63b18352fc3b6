//! missing-lock-service: a class with lock-decorated methods and no `lockService`.

use super::common::{class_label, class_label_len, describe_uses, import_injected_type};
use super::{Finding, Rule, RuleDoc};
use crate::config::AMBIGUOUS_LOCK_DECORATOR;
use crate::fix::constructor::add_param;
use crate::fix::imports::{ImportPlan, ImportRequest, ensure_value_import};
use crate::fix::{Edit, Fix};
use crate::links::Inheritance;
use crate::model::ClassModel;
use crate::semantic::{ClassFacts, FileContext, GuardNeed, LockUse, Member};

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "inject `private readonly lockService: DistributedLockService`",
    summary: "a class with a lock-decorated method has no `lockService` member",
    why: "`@ClusterSafeCron` and its shorthands (and `@Lock`) read `this.lockService` each time the job \
fires. In cluster mode (PM2 cluster, Kubernetes) the decorator throws when the member is missing, so \
the job never runs on any replica. With a single instance in development the decorator does not take \
the lock, which is why the bug hides until production.",
    before: "@Injectable()
export class ReportJob {
  constructor(private readonly repo: ReportRepository) {}

  @ClusterSafeCronEveryHour()
  async run() {}
}",
    after: "@Injectable()
export class ReportJob {
  constructor(private readonly repo: ReportRepository, private readonly lockService: DistributedLockService) {}

  @ClusterSafeCronEveryHour()
  async run() {}
}",
    fix: "`cronlock fix` appends `private readonly lockService: DistributedLockService` to the constructor \
(before any optional, defaulted or rest parameter), in the parameter list's own layout, or inserts \
`constructor(private readonly lockService: DistributedLockService) {}` after the last property; and \
imports `DistributedLockService` beside the lock decorator. Derived classes without a constructor are \
left to a person (see derived-class-without-constructor).",
};

/// Reports classes that need the lock service member and lack it, and
/// classes that lack a member a `[[guard]]` decorator reads.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for (class, facts) in ctx.model.classes.iter().zip(&ctx.classes) {
        // A member that depends on an unread base is lock-base-unknown's.
        for need in facts
            .guard_needs
            .iter()
            .filter(|n| n.state.unread_base().is_none())
        {
            out.push(guard_finding(ctx, class, need));
        }
        if facts.lock_uses.is_empty() || facts.wrong_name.is_some() {
            continue;
        }
        let member = &ctx.project.config.lock_service_member;
        let (detail, fixable) = match &facts.member {
            Member::Absent(Inheritance::NoBase) => (String::new(), true),
            Member::Absent(Inheritance::Lacks { base }) => {
                if class.constructor.is_none() {
                    continue;
                }
                (format!("; its base `{base}` has none either"), true)
            }
            Member::UninjectedProperty(_) => (
                format!("; the `{member}` property is declared but nothing injects it"),
                false,
            ),
            _ => continue,
        };
        let message = format!(
            "{} has {} but no `{member}`{detail}: the decorator throws in cluster mode",
            class_label(class),
            describe_uses(&facts.lock_uses),
        );
        let fix = if fixable {
            build_fix(ctx, class, facts)
        } else {
            None
        };
        out.push(class_finding(ctx, class, message).with_fix(fix));
    }
}

fn build_fix(ctx: &FileContext<'_>, class: &ClassModel, facts: &ClassFacts) -> Option<Fix> {
    let config = &ctx.project.config;
    // The type joins the decorator's import when that module is where the
    // file should get the service from (a decorator's module may not export
    // it); otherwise it comes from the lock source that exports it.
    let service = config.lock_service_type.as_str();
    let preferred = |u: &&LockUse| {
        ctx.project
            .imports_from_source_of(ctx.index, &ctx.model.imports[u.import], service)
    };
    let beside = facts
        .lock_uses
        .iter()
        .filter(preferred)
        .find(|u| u.name != AMBIGUOUS_LOCK_DECORATOR)
        .or(facts.lock_uses.iter().find(preferred))
        .map(|u| u.import);
    let fallback = ctx.project.source_for_name(ctx.index, service);
    let plan = ensure_value_import(
        ctx.text()?,
        ctx.style(),
        ctx.model,
        ImportRequest {
            name: &config.lock_service_type,
            beside,
            fallback_source: fallback.as_deref(),
        },
    )?;
    let (_, edits) = inject_param(ctx, class, &config.lock_service_member, plan)?;
    Some(Fix::new(edits))
}

/// A class lacking the member a guard decorator reads. Fixed like the lock
/// service when the guard names a `type` (and where it comes from, or the
/// file imports it already); reported otherwise.
fn guard_finding(ctx: &FileContext<'_>, class: &ClassModel, need: &GuardNeed) -> Finding {
    let guard = &ctx.project.config.guards[need.guard];
    let member = &need.member;
    let (detail, fix) = match &need.state {
        Member::Absent(Inheritance::NoBase) => {
            (String::new(), inject_guard_member(ctx, class, need))
        }
        Member::Absent(Inheritance::Lacks { base }) => match class.constructor {
            Some(_) => (
                format!("; its base `{base}` has none either"),
                inject_guard_member(ctx, class, need),
            ),
            None => (
                format!(
                    "; its base `{base}` has none either, and the class has no constructor to take it"
                ),
                None,
            ),
        },
        // Never reached: `check` leaves an unread base to lock-base-unknown.
        Member::Absent(Inheritance::Unknown { .. }) => (String::new(), None),
        Member::PlainParam(i, inheritance) => {
            let param = class.constructor.as_ref().and_then(|c| c.params.get(*i));
            let fix = param
                .filter(|_| !matches!(inheritance, Inheritance::Unknown { .. }))
                .map(|p| {
                    let modifier = ctx.project.lock_modifier(ctx.index);
                    Fix::titled(
                        vec![Edit::insert(p.modifiers_start, format!("{modifier} "))],
                        format!("make `{member}` a `{modifier}` parameter property"),
                    )
                });
            (
                format!(
                    "; the constructor parameter `{member}` has no `private`/`readonly` modifier, so it never becomes `this.{member}`"
                ),
                fix,
            )
        }
        Member::UninjectedProperty(_) => (
            format!("; the `{member}` property is declared but nothing injects it"),
            None,
        ),
        Member::Present | Member::Inherited | Member::Absent(Inheritance::Has) => {
            (String::new(), None)
        }
    };
    let message = format!(
        "{} has {} but no `{member}`{detail}: {} reads `this.{member}` and fails without it",
        class_label(class),
        describe_uses(&need.uses),
        guard.label(),
    );
    // Only a fix that adds the parameter has a ripple (see `ripple`).
    let adds_parameter = matches!(need.state, Member::Absent(_)) && fix.is_some();
    let injection = ctx
        .project
        .config
        .injections()
        .iter()
        .position(|i| i.member == member)
        .filter(|_| adds_parameter);
    class_finding(ctx, class, message)
        .for_injection(injection.unwrap_or(usize::MAX))
        .with_fix(fix)
}

/// A missing-lock-service finding on `class`'s name.
fn class_finding(ctx: &FileContext<'_>, class: &ClassModel, message: String) -> Finding {
    Finding::new(
        Rule::MissingLockService,
        ctx.index,
        class.anchor..class.anchor + class_label_len(class),
        message,
    )
    .in_class(class.name.as_deref())
}

/// `<modifier> <member>: <type>` in the constructor, the type imported from
/// the guard's `import-source` (or an import the file already has).
fn inject_guard_member(ctx: &FileContext<'_>, class: &ClassModel, need: &GuardNeed) -> Option<Fix> {
    let injections = ctx.project.config.injections();
    let injection = injections.iter().find(|i| i.member == need.member)?;
    let plan = import_injected_type(ctx, injection)?;
    let (param, edits) = inject_param(ctx, class, injection.member, plan)?;
    Some(Fix::titled(edits, format!("inject `{param}`")))
}

/// The constructor parameter `<modifier> <member>: <type>` (the type named
/// as `plan` imports it) and the import's edits: the parameter's text and
/// every edit.
fn inject_param(
    ctx: &FileContext<'_>,
    class: &ClassModel,
    member: &str,
    plan: ImportPlan,
) -> Option<(String, Vec<Edit>)> {
    let modifier = ctx.project.lock_modifier(ctx.index);
    let param = format!("{modifier} {member}: {}", plan.local);
    let mut edits = add_param(ctx.text()?, ctx.style(), class, &param)?;
    edits.extend(plan.edits);
    Some((param, edits))
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    const JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(private readonly repo: ReportRepository) {}

  @ClusterSafeCron('0 * * * *')
  async run() {}
}
";

    const BASE_WITH_LOCK: &str = "import { DistributedLockService } from '@acme/cluster-lock';

export abstract class LockedJob {
  constructor(protected readonly lockService: DistributedLockService) {}
}
";

    const BASE_WITHOUT_LOCK: &str = "export abstract class BaseJob {
  constructor(protected readonly name: string) {}
}
";

    const DERIVED: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCronEveryHour } from '@acme/cluster-lock';
import { BASE } from './base/job';

@Injectable()
export class DigestJob extends BASE {
  constructor() {
    super('digest');
  }

  @ClusterSafeCronEveryHour()
  async run() {}
}
";

    #[test]
    fn missing_lock_service() {
        Tester::new(Rule::MissingLockService)
            .pass(&[(
                "src/report.job.ts",
                &JOB.replace(
                    "private readonly repo: ReportRepository",
                    "private readonly repo: ReportRepository, private readonly lockService: DistributedLockService",
                ),
            )])
            .pass(&[
                (
                    "src/digest.job.ts",
                    &DERIVED
                        .replace("BASE", "LockedJob")
                        .replace("constructor() {\n    super('digest');\n  }\n\n", ""),
                ),
                ("src/base/job.ts", BASE_WITH_LOCK),
            ])
            // The base behind an `export *` barrel whose other module, of
            // constants, is passed over unparsed (it names no `BaseJob`).
            .fail(
                &[
                    ("src/digest.job.ts", &DERIVED.replace("BASE", "BaseJob")),
                    (
                        "src/base/job.ts",
                        "export * from './limits';\nexport /* the base */ * from './plain';\n",
                    ),
                    ("src/base/limits.ts", "export const MAX_RUNS = 3;\n"),
                    ("src/base/plain.ts", BASE_WITHOUT_LOCK),
                ],
                &[(
                    "src/digest.job.ts",
                    6,
                    "its base `BaseJob` has none either",
                )],
            )
            .pass(&[
                (
                    "src/digest.job.ts",
                    &DERIVED
                        .replace("BASE", "LockedJob")
                        .replace("constructor() {\n    super('digest');\n  }\n\n", ""),
                ),
                (
                    "src/base/job.ts",
                    "export * from './limits';\nexport * from './locked';\n",
                ),
                ("src/base/limits.ts", "export const MAX_RUNS = 3;\n"),
                ("src/base/locked.ts", BASE_WITH_LOCK),
            ])
            .fail(
                &[("src/report.job.ts", JOB)],
                &[(
                    "src/report.job.ts",
                    5,
                    "`ReportJob` has `@ClusterSafeCron` on `run` but no `lockService`",
                )],
            )
            .fail(
                &[
                    ("src/digest.job.ts", &DERIVED.replace("BASE", "BaseJob")),
                    ("src/base/job.ts", BASE_WITHOUT_LOCK),
                ],
                &[(
                    "src/digest.job.ts",
                    6,
                    "its base `BaseJob` has none either",
                )],
            )
            // A property nothing injects: reported, not fixed.
            .fail(
                &[(
                    "src/report.job.ts",
                    &JOB.replace(
                        "  constructor(",
                        "  private readonly lockService: DistributedLockService;\n\n  constructor(",
                    ),
                )],
                &[(
                    "src/report.job.ts",
                    5,
                    "the `lockService` property is declared but nothing injects it",
                )],
            )
            .fix(
                &[("src/report.job.ts", JOB)],
                &[(
                    "src/report.job.ts",
                    &JOB.replace(
                        "import { ClusterSafeCron } from",
                        "import { ClusterSafeCron, DistributedLockService } from",
                    )
                    .replace(
                        "ReportRepository) {}",
                        "ReportRepository, private readonly lockService: DistributedLockService) {}",
                    ),
                )],
            )
            .test();
    }
}
