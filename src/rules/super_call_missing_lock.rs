//! super-call-missing-lock: a derived class's constructor calls `super(...)`
//! without the `lockService` its base's constructor takes.

use super::common::{class_label, import_injected_type_near};
use super::{Finding, Rule, RuleDoc};
use crate::config::Injection;
use crate::fix::constructor::add_param;
use crate::fix::{Edit, Fix};
use crate::ids::FileId;
use crate::links::Symbol;
use crate::model::{ClassModel, SuperCall};
use crate::semantic::{ClassFacts, FileContext, Member, type_names};

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "take `lockService` and pass it to `super(...)`",
    summary: "a derived class calls `super(...)` without the `lockService` its base's constructor takes",
    why: "When a base class takes `lockService: DistributedLockService`, every subclass constructor must \
pass it on. One that does not fails to compile (TS2554), or worse, passes its next argument where the \
lock service belongs, so the lock decorator receives a number or a string at run time.",
    before: "constructor(cursors: CursorStore) {
  super(cursors, 'invoices');
}",
    after: "constructor(cursors: CursorStore, lockService: DistributedLockService) {
  super(cursors, 'invoices', lockService);
}",
    fix: "`cronlock fix` gives the subclass constructor a plain parameter `lockService: \
DistributedLockService` (no modifier: the base owns the property), placed like the main fix's \
parameter, and passes it to `super(...)` at the base's parameter position (`super(cursors, 'x', 200)` \
becomes `super(cursors, 'x', lockService, 200)`). It also runs, in the same `fix`, for the subclasses of \
a class the fix has just given `lockService`, at any depth, including subclasses whose files name no \
lock name.",
};

/// Reports derived classes whose `super(...)` call lacks the lock service.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    for (k, injection) in ctx.project.config.injections().iter().enumerate() {
        check_injection(ctx, k, injection, out);
    }
}

/// Whether missing-lock-service gives the class the member first (the
/// argument follows in the fix's next round).
fn gains_member_first(facts: &ClassFacts, injection: &Injection<'_>) -> bool {
    match injection.guard {
        None => !facts.lock_uses.is_empty() && matches!(facts.member, Member::Absent(_)),
        Some(_) => facts
            .guard_needs
            .iter()
            .any(|n| n.member == injection.member && matches!(n.state, Member::Absent(_))),
    }
}

fn check_injection(
    ctx: &FileContext<'_>,
    k: usize,
    injection: &Injection<'_>,
    out: &mut Vec<Finding>,
) {
    let Some((path, model)) = ctx.project.file_model(ctx.index) else {
        return;
    };
    let member = injection.member;
    for (class, facts) in ctx.model.classes.iter().zip(&ctx.classes) {
        let (Some(base), Some(ctor)) = (&class.super_class, &class.constructor) else {
            continue;
        };
        if gains_member_first(facts, injection) {
            continue;
        }
        let Some(call) = &ctor.super_call else {
            continue;
        };
        let Some(args) = &call.args else {
            continue;
        };
        let Symbol::Class {
            path: base_path,
            model: base_model,
            class: base_id,
        } = ctx.project.symbol(&path, &model, base)
        else {
            continue;
        };
        // A base without a constructor of its own runs its base's.
        let Some((ctor_path, ctor_model, ctor_id)) =
            ctx.project
                .constructing_class(&base_path, &base_model, base_id)
        else {
            continue;
        };
        let (Some(base_class), Some(ctor_class)) =
            (base_model.class(base_id), ctor_model.class(ctor_id))
        else {
            continue;
        };
        let Some(position) = ctor_class
            .constructor
            .iter()
            .flat_map(|c| &c.params)
            .position(|p| p.name.as_deref() == Some(member))
        else {
            continue;
        };
        if passes_member(ctx, injection, class, call, position) {
            continue;
        }
        let inherited = (&ctor_path, ctor_id) != (&base_path, base_id);
        let base_name = constructor_owner(base_class, inherited.then_some(ctor_class));
        let message = format!(
            "{} calls `super(...)` without the `{member}` that {base_name} takes (argument {}); \
the {} would get {}",
            class_label(class),
            position + 1,
            if injection.guard.is_some() {
                "guard decorator"
            } else {
                "lock decorator"
            },
            if args.len() > position {
                "the wrong argument"
            } else {
                "`undefined`"
            }
        );
        out.push(
            Finding::new(
                Rule::SuperCallMissingLock,
                ctx.index,
                class.anchor..class.anchor + class.name.as_ref().map_or(5, String::len),
                message,
            )
            .in_class(class.name.as_deref())
            .for_injection(k)
            .with_fix(pass_member(
                ctx,
                injection,
                (class, call, args),
                position,
                ctx.project.index_of(&ctor_path),
            )),
        );
    }
}

/// Whose constructor `super(...)` calls, in words: `` `Base`'s constructor ``,
/// or `` `Middle`'s constructor (inherited from `Base`) `` when the base
/// declares none.
pub(crate) fn constructor_owner(base: &ClassModel, inherited_from: Option<&ClassModel>) -> String {
    let name = |c: &ClassModel| {
        c.name
            .clone()
            .unwrap_or_else(|| "the base class".to_string())
    };
    match inherited_from {
        None => format!("`{}`'s constructor", name(base)),
        Some(owner) => format!(
            "`{}`'s constructor (inherited from `{}`)",
            name(base),
            name(owner)
        ),
    }
}

fn passes_member(
    ctx: &FileContext<'_>,
    injection: &Injection<'_>,
    class: &ClassModel,
    call: &SuperCall,
    position: usize,
) -> bool {
    let Some(Some(name)) = call.arg_names.get(position) else {
        return false;
    };
    if name == injection.member {
        return true;
    }
    let types = type_names(ctx.model, injection.type_name);
    class.constructor.iter().flat_map(|c| &c.params).any(|p| {
        p.name.as_ref() == Some(name) && p.type_name.as_ref().is_some_and(|t| types.contains(t))
    })
}

/// The fix: the subclass takes the member (unless it does) and passes it
/// at `position`; the type's import comes, when the subclass's project
/// imports no lock name, from the lock source of file `near` (where the
/// constructor that takes it is declared).
fn pass_member(
    ctx: &FileContext<'_>,
    injection: &Injection<'_>,
    (class, call, args): (&ClassModel, &SuperCall, &[std::ops::Range<usize>]),
    position: usize,
    near: Option<FileId>,
) -> Option<Fix> {
    let member = injection.member;
    let mut edits = Vec::new();
    let has_param = class
        .constructor
        .iter()
        .flat_map(|c| &c.params)
        .any(|p| p.name.as_deref() == Some(member));
    if !has_param {
        let plan = import_injected_type_near(ctx, injection, near)?;
        edits.extend(add_param(
            ctx.text()?,
            ctx.style(),
            class,
            &format!("{member}: {}", plan.local),
        )?);
        edits.extend(plan.edits);
    }
    edits.push(match args.get(position) {
        Some(at) => Edit::insert(at.start, format!("{member}, ")),
        None => match args.last() {
            Some(last) => Edit::insert(last.end, format!(", {member}")),
            None => Edit::insert(call.close, member.to_string()),
        },
    });
    Some(match injection.guard {
        None => Fix::new(edits),
        Some(_) => Fix::titled(
            edits,
            format!("take `{member}` and pass it to `super(...)`"),
        ),
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    const BASE: &str =
        "import { ClusterSafeCronEvery5Minutes, DistributedLockService } from '@acme/cluster-lock';
import { CursorStore } from './cursor.store';

export abstract class BaseSyncJob {
  constructor(
    protected readonly cursors: CursorStore,
    protected readonly lockService: DistributedLockService,
  ) {}

  @ClusterSafeCronEvery5Minutes()
  async sync() {}
}
";

    const STORE: &str = "export class CursorStore {}\n";

    /// Calls `super(cursors)`: one argument short of the base's `lockService`.
    const DERIVED: &str = "import { Injectable } from '@nestjs/common';
import { BaseSyncJob } from './base-sync.job';
import { CursorStore } from './cursor.store';

@Injectable()
export class InvoiceSyncJob extends BaseSyncJob {
  constructor(cursors: CursorStore) {
    super(cursors);
  }
}
";

    /// The base takes `lockService` before a batch size the subclass passes.
    const SAME_FILE: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCronEvery5Minutes, DistributedLockService } from '@acme/cluster-lock';

export abstract class BaseSyncJob {
  constructor(
    protected readonly entity: string,
    protected readonly lockService: DistributedLockService,
    protected readonly batchSize = 100,
  ) {}

  @ClusterSafeCronEvery5Minutes()
  async sync() {}
}

@Injectable()
export class PaymentSyncJob extends BaseSyncJob {
  constructor() {
    super('payments', 200);
  }
}
";

    #[test]
    fn super_call_missing_lock() {
        Tester::new(Rule::SuperCallMissingLock)
            .pass(&[
                (
                    "src/invoice-sync.job.ts",
                    &DERIVED
                        .replace(
                            "(cursors: CursorStore)",
                            "(cursors: CursorStore, lockService: DistributedLockService)",
                        )
                        .replace("super(cursors)", "super(cursors, lockService)"),
                ),
                ("src/base-sync.job.ts", BASE),
                ("src/cursor.store.ts", STORE),
            ])
            // The base takes no lock service.
            .pass(&[
                ("src/invoice-sync.job.ts", DERIVED),
                (
                    "src/base-sync.job.ts",
                    &BASE.replace(
                        "protected readonly lockService: DistributedLockService,",
                        "",
                    ),
                ),
                ("src/cursor.store.ts", STORE),
            ])
            .fail(
                &[
                    ("src/invoice-sync.job.ts", DERIVED),
                    ("src/base-sync.job.ts", BASE),
                    ("src/cursor.store.ts", STORE),
                ],
                &[(
                    "src/invoice-sync.job.ts",
                    6,
                    "`InvoiceSyncJob` calls `super(...)` without the `lockService` that `BaseSyncJob`'s constructor takes (argument 2); the lock decorator would get `undefined`",
                )],
            )
            .fail(
                &[("src/payment-sync.job.ts", SAME_FILE)],
                &[(
                    "src/payment-sync.job.ts",
                    16,
                    "(argument 2); the lock decorator would get the wrong argument",
                )],
            )
            .fix(
                &[
                    ("src/invoice-sync.job.ts", DERIVED),
                    ("src/base-sync.job.ts", BASE),
                    ("src/cursor.store.ts", STORE),
                ],
                &[
                    (
                        "src/invoice-sync.job.ts",
                        &DERIVED
                            .replace(
                                "import { CursorStore } from './cursor.store';\n",
                                "import { CursorStore } from './cursor.store';\nimport { DistributedLockService } from '@acme/cluster-lock';\n",
                            )
                            .replace(
                                "(cursors: CursorStore)",
                                "(cursors: CursorStore, lockService: DistributedLockService)",
                            )
                            .replace("super(cursors)", "super(cursors, lockService)"),
                    ),
                    ("src/base-sync.job.ts", BASE),
                ],
            )
            .test();
    }
}
