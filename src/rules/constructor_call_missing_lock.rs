//! constructor-call-missing-lock: `new X(...)` passes too few arguments to
//! reach X's `lockService` parameter. No fix: what to pass (a mock in a
//! spec, the injected service in a factory) is a person's call.

use super::{Finding, Rule, RuleDoc, injection_takers};
use crate::links::Symbol;
use crate::model::Callee;
use crate::modules::LockUsers;
use crate::semantic::FileContext;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "",
    summary: "`new X(...)` passes too few arguments to reach X's `lockService` parameter",
    why: "A class built by hand (in a spec, a `useFactory` provider, a script) gets no injection: once its \
constructor takes `lockService`, a call that stops short fails to compile (TS2554), or leaves \
`this.lockService` undefined so the lock decorator throws in cluster mode.",
    before: "const job = new ReportJob(repo, config);",
    after: "const job = new ReportJob(repo, config, { withLock: async (_name, fn) => fn() } as DistributedLockService);",
    fix: "No automatic fix: pass the injected `DistributedLockService` (in a factory, add it to `inject`) or a \
stand-in (in a spec). `cronlock check` lists these calls after `cronlock fix` has given a class the \
parameter, so the remaining work is known; before the fix, `check` lists them among the finding's \
related sites. Files that construct the class are read even when they name no lock name.",
};

/// Reports constructions of a class that takes the lock service; `takers`
/// are the classes whose constructor (or properties) take it.
pub fn check(ctx: &FileContext<'_>, takers: &[LockUsers], out: &mut Vec<Finding>) {
    for (k, injection, takers) in injection_takers(&ctx.project.config, takers) {
        check_injection(ctx, k, injection.member, takers, out);
    }
}

fn check_injection(
    ctx: &FileContext<'_>,
    k: usize,
    member: &str,
    takers: &LockUsers,
    out: &mut Vec<Finding>,
) {
    let Some((path, model)) = ctx.project.file_model(ctx.index) else {
        return;
    };
    for new in &ctx.model.constructions {
        let Some(passed) = new.args else {
            continue;
        };
        if !takers.may_name(ctx.model, &new.class) {
            continue;
        }
        let Symbol::Class {
            path: target_path,
            model: target,
            class,
        } = ctx
            .project
            .symbol(&path, &model, &Callee::Ident(new.class.clone()))
        else {
            continue;
        };
        // A class without a constructor of its own takes its base's parameters.
        let Some((_, ctor_model, ctor_class)) =
            ctx.project.constructing_class(&target_path, &target, class)
        else {
            continue;
        };
        let Some(position) = ctor_model
            .classes
            .get(ctor_class)
            .and_then(|c| c.constructor.as_ref())
            .and_then(|c| {
                c.params
                    .iter()
                    .position(|p| p.name.as_deref() == Some(member))
            })
        else {
            continue;
        };
        if passed > position {
            continue;
        }
        let name = target
            .classes
            .get(class)
            .and_then(|c| c.name.clone())
            .unwrap_or_else(|| new.class.clone());
        let message = format!(
            "`new {}(...)` passes {passed} argument{} but `{name}` takes `{member}` as argument {}; pass {} \
(a stand-in in a spec) or the job throws in cluster mode",
            new.class,
            if passed == 1 { "" } else { "s" },
            position + 1,
            if k == 0 { "the lock service" } else { "it" },
        );
        out.push(
            Finding::new(
                Rule::ConstructorCallMissingLock,
                ctx.index,
                new.range.clone(),
                message,
            )
            .in_class(Some(&name))
            .for_injection(k),
        );
    }
}
