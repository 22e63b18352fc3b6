//! constructor-call-missing-lock: `new X(...)` passes too few arguments to
//! reach X's `lockService` parameter. Fixed where the shape says what to
//! pass: a stand-in in a test, the injected service in a `useFactory` whose
//! `inject` is a literal list. Anywhere else it is a person's call.

use super::common::{Shape, import_injected_type_near, injected_at, injection_takers, shape};
use super::{Finding, Rule, RuleDoc};
use crate::config::Injection;
use crate::fix::list::{self, List};
use crate::fix::{Edit, Fix};
use crate::ids::FileId;
use crate::links::Symbol;
use crate::model::{Construction, Factory};
use crate::modules::LockUsers;
use crate::semantic::FileContext;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "pass the lock service (a stand-in in a test, the injected service in a `useFactory`)",
    summary: "`new X(...)` passes too few arguments to reach X's `lockService` parameter",
    why: "A class built by hand (in a spec, a `useFactory` provider, a script) gets no injection: once its \
constructor takes `lockService`, a call that stops short fails to compile (TS2554), or leaves \
`this.lockService` undefined so the lock decorator throws in cluster mode.",
    before: "const job = new ReportJob(repo, config);",
    after: "const job = new ReportJob(repo, config, { withLock: async (_name, fn) => fn() } as DistributedLockService);",
    fix: "`cronlock fix` passes what the call's shape says, when the call passes every argument before the \
lock service's position: in a `useFactory` provider whose `inject` is a literal list (as many entries as \
the factory has parameters), the factory gets a parameter `lockService: DistributedLockService` (last, \
or before its first optional or defaulted parameter: a required one cannot follow those), \
`DistributedLockService` goes to the same position of `inject`, and `lockService` is appended to the \
`new` call (a factory with a rest parameter is left to a person); a call through a namespace import \
(`new ns.X(...)`) counts as one of `X`; in a test \
(a `*.spec.ts`/`*.test.ts` file, or inside a `describe`/`it`/`test` callback) the call gets \
`{} as DistributedLockService` and the file imports the type. Anything else (a `new` in production \
code, a factory whose `inject` is not a literal) is left to a person: pass the injected service or a \
stand-in. Before a fix gives a class the parameter, `check` lists these calls among the finding's related \
sites, and `--migrate-cron` does not migrate a `@Cron` class whose calls it could not fix. Files that \
construct the class are read even when they name no lock name.",
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
        if !takers.may_name_callee(ctx.model, &new.callee) {
            continue;
        }
        let Symbol::Class {
            path: target_path,
            model: target,
            class,
        } = ctx.project.symbol(&path, &model, &new.callee)
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
            .class(ctor_class)
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
        let injections = ctx.project.config.injections();
        let fix = injections.get(k).and_then(|injection| {
            let shape = shape(ctx.project, ctx.index, ctx.model, new, position, injection).ok()?;
            let near = ctx.project.index_of(&target_path);
            pass_member(ctx, new, shape, injection, near)
        });
        let name = target
            .class(class)
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
            .for_injection(k)
            .with_fix(fix),
        );
    }
}

/// The edits that pass `injection`'s member to `new` as its shape says.
fn pass_member(
    ctx: &FileContext<'_>,
    new: &Construction,
    shape: Shape,
    injection: &Injection<'_>,
    near: Option<FileId>,
) -> Option<Fix> {
    let text = ctx.text()?;
    let plan = import_injected_type_near(ctx, injection, near)?;
    let mut edits = Vec::new();
    let argument = match shape {
        Shape::StandIn => {
            edits.extend(plan.edits);
            format!("{{}} as {}", plan.local)
        }
        Shape::Factory(index) => {
            let factory = ctx.model.factories.get(index)?;
            let (name, added) = factory_param(ctx, factory, injection, &plan.local)?;
            if !added.is_empty() {
                edits.extend(added);
                edits.extend(plan.edits);
            }
            name
        }
    };
    let (open, close) = new.parens?;
    let list = List {
        open: open + 1,
        close,
        items: &new.arg_ranges,
    };
    edits.extend(list::append(text, ctx.style(), list, &argument));
    Some(Fix::new(edits))
}

/// The factory parameter that holds the injected service, and the edits
/// that add it when it has none: a parameter `<member>: <type>` before the
/// first optional, defaulted or rest parameter (else last), and the type at
/// the same position of `inject` (which lists one entry per parameter).
fn factory_param(
    ctx: &FileContext<'_>,
    factory: &Factory,
    injection: &Injection<'_>,
    local: &str,
) -> Option<(String, Vec<Edit>)> {
    let inject = factory.inject.as_ref()?;
    if let Some(index) = injected_at(ctx.model, factory, injection).ok()? {
        let name = factory.params.get(index)?.1.clone()?;
        return Some((name, Vec::new()));
    }
    let text = ctx.text()?;
    let (bracket_open, bracket_close) = inject.brackets?;
    let items: Vec<_> = inject.elements.iter().map(|(r, _)| r.clone()).collect();
    let at = factory.required;
    let mut edits = list::insert_before(
        text,
        ctx.style(),
        List {
            open: bracket_open + 1,
            close: bracket_close,
            items: &items,
        },
        at,
        local,
    );
    let (open, close) = factory.parens?;
    let params: Vec<_> = factory.params.iter().map(|(r, _)| r.clone()).collect();
    edits.extend(list::insert_before(
        text,
        ctx.style(),
        List {
            open: open + 1,
            close,
            items: &params,
        },
        at,
        &format!("{}: {local}", injection.member),
    ));
    Some((injection.member.to_string(), edits))
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    const JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(
    private readonly reports: ReportRepository,
    private readonly lockService: DistributedLockService,
  ) {}

  @ClusterSafeCron('0 */5 * * * *')
  async run() {}
}

export class ReportRepository {}
";

    const SPEC: &str = "import { ReportJob, ReportRepository } from './report.job';

describe('ReportJob', () => {
  it('runs', async () => {
    const job = new ReportJob(new ReportRepository());
    await job.run();
  });
});
";

    /// Production code that builds the job by hand.
    const SCRIPT: &str = "import { ReportJob, ReportRepository } from './report.job';

export function runOnce() {
  const job = new ReportJob(new ReportRepository());
  return job.run();
}
";

    #[test]
    fn constructor_call_missing_lock() {
        let passing = SPEC.replace(
            "new ReportJob(new ReportRepository())",
            "new ReportJob(new ReportRepository(), lock)",
        );
        Tester::new(Rule::ConstructorCallMissingLock)
            .pass(&[("src/report.job.ts", JOB), ("src/report.job.spec.ts", &passing)])
            // `ReportRepository` takes no lock service.
            .pass(&[
                ("src/report.job.ts", JOB),
                (
                    "src/repository.spec.ts",
                    "import { ReportRepository } from './report.job';\n\nit('builds', () => new ReportRepository());\n",
                ),
            ])
            .fail(
                &[("src/report.job.ts", JOB), ("src/report.job.spec.ts", SPEC)],
                &[(
                    "src/report.job.spec.ts",
                    5,
                    "`new ReportJob(...)` passes 1 argument but `ReportJob` takes `lockService` as argument 2",
                )],
            )
            .fail(
                &[
                    ("src/report.job.ts", JOB),
                    ("src/run-once.ts", SCRIPT),
                    ("src/report.job.spec.ts", &passing),
                ],
                &[("src/run-once.ts", 4, "`new ReportJob(...)` passes 1 argument")],
            )
            // In a test: a stand-in. In production code: left to a person.
            .fix(
                &[
                    ("src/report.job.ts", JOB),
                    ("src/report.job.spec.ts", SPEC),
                    ("src/run-once.ts", SCRIPT),
                ],
                &[
                    (
                        "src/report.job.spec.ts",
                        &SPEC
                            .replace(
                                "import { ReportJob, ReportRepository } from './report.job';\n",
                                "import { ReportJob, ReportRepository } from './report.job';\nimport { DistributedLockService } from '@acme/cluster-lock';\n",
                            )
                            .replace(
                                "new ReportJob(new ReportRepository())",
                                "new ReportJob(new ReportRepository(), {} as DistributedLockService)",
                            ),
                    ),
                    ("src/run-once.ts", SCRIPT),
                ],
            )
            .test();
    }

    /// `new ns.X(...)` through a namespace import names the class as surely
    /// as a named import does (the regression: it was never followed).
    #[test]
    fn constructor_call_through_a_namespace_import() {
        let spec = "import * as jobs from './report.job';

describe('ReportJob', () => {
  it('runs', async () => {
    const job = new jobs.ReportJob(new jobs.ReportRepository());
    await job.run();
  });
});
";
        let script = "import * as jobs from './report.job';

export const job = new jobs.ReportJob(new jobs.ReportRepository());
";
        Tester::new(Rule::ConstructorCallMissingLock)
            .fail(
                &[("src/report.job.ts", JOB), ("src/run-once.ts", script)],
                &[(
                    "src/run-once.ts",
                    3,
                    "`new jobs.ReportJob(...)` passes 1 argument but `ReportJob` takes `lockService` as argument 2",
                )],
            )
            .fix(
                &[("src/report.job.ts", JOB), ("src/report.job.spec.ts", spec)],
                &[(
                    "src/report.job.spec.ts",
                    &spec
                        .replace(
                            "import * as jobs from './report.job';\n",
                            "import * as jobs from './report.job';\nimport { DistributedLockService } from '@acme/cluster-lock';\n",
                        )
                        .replace(
                            "new jobs.ReportJob(new jobs.ReportRepository())",
                            "new jobs.ReportJob(new jobs.ReportRepository(), {} as DistributedLockService)",
                        ),
                )],
            )
            .test();
    }

    /// A `useFactory` with an optional, defaulted or rest parameter: a
    /// required parameter after one does not compile (TS1016), so the lock
    /// service's goes before it, at the same position of `inject`; in front
    /// of a rest parameter nothing lines up with `inject`: left to a person.
    #[test]
    fn factory_with_optional_parameters() {
        let module = |params: &str, inject: &str| {
            format!(
                "import {{ Module }} from '@nestjs/common';
import {{ ReportJob, ReportRepository }} from './report.job';

@Module({{
  providers: [
    ReportRepository,
    {{
      provide: ReportJob,
      useFactory: ({params}) => new ReportJob(r),
      inject: [{inject}],
    }},
  ],
}})
export class ReportModule {{}}
"
            )
        };
        let with_lock = |text: String| {
            text.replace(
                "import { ReportJob, ReportRepository } from './report.job';\n",
                "import { ReportJob, ReportRepository } from './report.job';\nimport { DistributedLockService } from '@acme/cluster-lock';\n",
            )
            .replace("new ReportJob(r)", "new ReportJob(r, lockService)")
        };
        let optional = module(
            "r: ReportRepository, label?: string",
            "ReportRepository, { token: 'LABEL', optional: true }",
        );
        let defaulted = module(
            "r: ReportRepository, label = 'daily'",
            "ReportRepository, 'LABEL'",
        );
        let rest = module(
            "r: ReportRepository, ...labels: string[]",
            "ReportRepository, 'LABEL'",
        );
        Tester::new(Rule::ConstructorCallMissingLock)
            .fix(
                &[("src/report.job.ts", JOB), ("src/report.module.ts", &optional)],
                &[(
                    "src/report.module.ts",
                    &with_lock(module(
                        "r: ReportRepository, lockService: DistributedLockService, label?: string",
                        "ReportRepository, DistributedLockService, { token: 'LABEL', optional: true }",
                    )),
                )],
            )
            .fix(
                &[("src/report.job.ts", JOB), ("src/report.module.ts", &defaulted)],
                &[(
                    "src/report.module.ts",
                    &with_lock(module(
                        "r: ReportRepository, lockService: DistributedLockService, label = 'daily'",
                        "ReportRepository, DistributedLockService, 'LABEL'",
                    )),
                )],
            )
            .fail(
                &[("src/report.job.ts", JOB), ("src/report.module.ts", &rest)],
                &[("src/report.module.ts", 9, "`new ReportJob(...)` passes 1 argument")],
            )
            .fix(
                &[("src/report.job.ts", JOB), ("src/report.module.ts", &rest)],
                &[("src/report.module.ts", &rest)],
            )
            .test();
    }
}
