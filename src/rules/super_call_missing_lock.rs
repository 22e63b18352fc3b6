//! super-call-missing-lock: a derived class's constructor calls `super(...)`
//! without the `lockService` its base's constructor takes.

use super::{Finding, Rule, RuleDoc, import_lock_name};
use crate::fix::constructor::add_param;
use crate::fix::{Edit, Fix};
use crate::links::Symbol;
use crate::model::{ClassModel, SuperCall};
use crate::rules::missing_lock_service::class_label;
use crate::semantic::{FileContext, Member, lock_type_names};

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
parameter, and passes it to `super(...)` at the base's parameter position. It also runs, in the same \
`fix`, for the subclasses of a class the fix has just given `lockService`.",
};

/// Reports derived classes whose `super(...)` call lacks the lock service.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let Some((path, model)) = ctx.project.file_model(ctx.index) else {
        return;
    };
    let member = ctx.project.config.lock_service_member.as_str();
    for (class, facts) in ctx.model.classes.iter().zip(&ctx.classes) {
        let (Some(base), Some(ctor)) = (&class.super_class, &class.constructor) else {
            continue;
        };
        // missing-lock-service gives such a class its parameter first; the
        // argument follows in the fix's next round.
        if !facts.lock_uses.is_empty() && matches!(facts.member, Member::Absent(_)) {
            continue;
        }
        let Some(call) = &ctor.super_call else {
            continue;
        };
        let Some(args) = &call.args else {
            continue;
        };
        let Symbol::Class {
            model: base_model,
            class: base_index,
            ..
        } = ctx.project.symbol(&path, &model, base)
        else {
            continue;
        };
        let Some(base_class) = base_model.classes.get(base_index) else {
            continue;
        };
        let Some(position) = base_class
            .constructor
            .iter()
            .flat_map(|c| &c.params)
            .position(|p| p.name.as_deref() == Some(member))
        else {
            continue;
        };
        if passes_lock_service(ctx, class, call, position) {
            continue;
        }
        let base_name = base_class.name.as_deref().unwrap_or("the base class");
        let message = format!(
            "{} calls `super(...)` without the `{member}` that `{base_name}`'s constructor takes (argument {}); \
the lock decorator would get {}",
            class_label(class),
            position + 1,
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
            .with_fix(pass_lock_service(ctx, class, call, args, position)),
        );
    }
}

/// Whether the argument at `position` is the lock service: a parameter
/// named like the member or typed as the lock service.
fn passes_lock_service(
    ctx: &FileContext<'_>,
    class: &ClassModel,
    call: &SuperCall,
    position: usize,
) -> bool {
    let Some(Some(name)) = call.arg_names.get(position) else {
        return false;
    };
    if name == &ctx.project.config.lock_service_member {
        return true;
    }
    let types = lock_type_names(ctx.project, ctx.model);
    class.constructor.iter().flat_map(|c| &c.params).any(|p| {
        p.name.as_ref() == Some(name) && p.type_name.as_ref().is_some_and(|t| types.contains(t))
    })
}

fn pass_lock_service(
    ctx: &FileContext<'_>,
    class: &ClassModel,
    call: &SuperCall,
    args: &[std::ops::Range<usize>],
    position: usize,
) -> Option<Fix> {
    let config = &ctx.project.config;
    let member = config.lock_service_member.as_str();
    let mut edits = Vec::new();
    let has_param = class
        .constructor
        .iter()
        .flat_map(|c| &c.params)
        .any(|p| p.name.as_deref() == Some(member));
    if !has_param {
        let plan = import_lock_name(ctx, &config.lock_service_type)?;
        edits.extend(add_param(
            ctx.text(),
            &ctx.style,
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
    Some(Fix::new(edits))
}
