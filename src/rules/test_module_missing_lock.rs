//! test-module-missing-lock: a `Test.createTestingModule({...})` provides a
//! class that takes the lock service but neither provides
//! `DistributedLockService` nor imports `DistributedLockModule`.

use super::common::{import_injected_type_near, injection_takers, provides, provides_itself};
use super::{Finding, Rule, RuleDoc};
use crate::config::Injection;
use crate::fix::Fix;
use crate::fix::list::{self, List};
use crate::ids::FileId;
use crate::links::Symbol;
use crate::model::TestingModule;
use crate::modules::LockUsers;
use crate::semantic::FileContext;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "provide `{ provide: DistributedLockService, useValue: {} }` in this testing module",
    summary: "a `Test.createTestingModule` provides a class that takes `lockService` but not `DistributedLockService`",
    why: "Nest builds every provider of a testing module with its constructor's dependencies. Once a class \
takes `lockService: DistributedLockService`, a spec that provides the class without the service fails \
with \"Nest can't resolve dependencies of the ReportJob (?)\": the migration turns the test suite red.",
    before: "const moduleRef = await Test.createTestingModule({
  providers: [ReportJob, { provide: ReportRepository, useValue: repo }],
}).compile();",
    after: "const moduleRef = await Test.createTestingModule({
  providers: [ReportJob, { provide: ReportRepository, useValue: repo }, { provide: DistributedLockService, useValue: {} }],
}).compile();",
    fix: "`cronlock fix` appends `{ provide: DistributedLockService, useValue: {} }` to the `providers` array \
in the array's own layout (one line stays one line, one per line gets its own line) and imports \
`DistributedLockService` from the project's lock source. A testing module that provides the service \
(bare or `{ provide: ... }`) or imports `DistributedLockModule` is left alone, and so is one that only \
provides a stand-in for the class (`{ provide: ReportJob, useValue: mock }`, `useFactory`, `useExisting`, \
`useClass: Other`): Nest never calls its constructor there. The same fix runs when \
`cronlock fix` adds `lockService` to a class that specs already provide.",
};

/// Findings for the testing modules of one file; `takers` are the classes
/// whose constructor takes the lock service (or that inject it).
pub fn check(ctx: &FileContext<'_>, takers: &[LockUsers], out: &mut Vec<Finding>) {
    for (k, injection, takers) in injection_takers(&ctx.project.config, takers) {
        check_injection(ctx, k, &injection, takers, out);
    }
}

fn check_injection(
    ctx: &FileContext<'_>,
    k: usize,
    injection: &Injection<'_>,
    takers: &LockUsers,
    out: &mut Vec<Finding>,
) {
    let Some((path, model)) = ctx.project.file_model(ctx.index) else {
        return;
    };
    for testing in &ctx.model.testing_modules {
        let Some(providers) = &testing.metadata.providers else {
            continue;
        };
        if provides(ctx.model, testing, injection) {
            continue;
        }
        // Following a name across files may read and parse files the
        // prefilter skipped: only names that may stand for a taker are.
        let provided = provides_itself(providers).find_map(|head| {
            if !takers.may_name_callee(ctx.model, &head) {
                return None;
            }
            let Symbol::Class { path, class, model } = ctx.project.symbol(&path, &model, &head)
            else {
                return None;
            };
            if !takers.contains(&(path.clone(), class)) {
                return None;
            }
            let name = model.class(class)?.name.clone()?;
            // Where the constructor that takes the service is declared.
            let near = ctx
                .project
                .constructing_class(&path, &model, class)
                .and_then(|(owner, _, _)| ctx.project.index_of(&owner));
            Some((name, near))
        });
        let Some((class, near)) = provided else {
            continue;
        };
        let instead = match injection.module {
            Some(module) => format!("neither provides it nor imports `{module}`"),
            None => "does not provide it".to_string(),
        };
        let message = format!(
            "this testing module provides `{class}`, which takes `{}`, but {instead}; \
Nest cannot resolve `{class}` in this test",
            injection.type_name
        );
        out.push(
            Finding::new(
                Rule::TestModuleMissingLock,
                ctx.index,
                testing.callee.clone(),
                message,
            )
            .in_class(Some(&class))
            .for_injection(k)
            .with_fix(provide_type(ctx, injection, testing, near)),
        );
    }
}

fn provide_type(
    ctx: &FileContext<'_>,
    injection: &Injection<'_>,
    testing: &TestingModule,
    near: Option<FileId>,
) -> Option<Fix> {
    let providers = testing.metadata.providers.as_ref()?;
    let brackets = providers.brackets?;
    let plan = import_injected_type_near(ctx, injection, near)?;
    let items: Vec<_> = providers.elements.iter().map(|(r, _)| r.clone()).collect();
    let list = List {
        open: brackets.0 + 1,
        close: brackets.1,
        items: &items,
    };
    let entry = format!("{{ provide: {}, useValue: {{}} }}", plan.local);
    let mut edits = list::append(ctx.text()?, ctx.style(), list, &entry);
    edits.extend(plan.edits);
    Some(match injection.guard {
        None => Fix::new(edits),
        Some(_) => Fix::titled(edits, format!("provide `{entry}` in this testing module")),
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    const JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';
import { ReportRepository } from './report.repository';

@Injectable()
export class ReportJob {
  constructor(
    private readonly reports: ReportRepository,
    private readonly lockService: DistributedLockService,
  ) {}

  @ClusterSafeCron('0 */5 * * * *')
  async run() {}
}
";

    const REPOSITORY: &str = "import { Injectable } from '@nestjs/common';

@Injectable()
export class ReportRepository {}
";

    const SPEC: &str = "import { Test } from '@nestjs/testing';
import { ReportJob } from './report.job';
import { ReportRepository } from './report.repository';

describe('ReportJob', () => {
  it('runs', async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [ReportJob, { provide: ReportRepository, useValue: {} }],
    }).compile();
    expect(moduleRef.get(ReportJob)).toBeDefined();
  });
});
";

    /// Takes the lock service from its base (in another file), with no
    /// constructor of its own.
    const SUBCLASS: &str = "import { Injectable } from '@nestjs/common';
import { ReportJob } from './report.job';

@Injectable()
export class WeeklyReportJob extends ReportJob {}
";

    #[test]
    fn test_module_missing_lock() {
        let provided = SPEC
            .replace(
                "import { ReportRepository } from './report.repository';\n",
                "import { ReportRepository } from './report.repository';\nimport { DistributedLockService } from '@acme/cluster-lock';\n",
            )
            .replace("useValue: {} }]", "useValue: {} }, { provide: DistributedLockService, useValue: {} }]");
        let stand_in = SPEC.replace(
            "providers: [ReportJob,",
            "providers: [{ provide: ReportJob, useValue: {} },",
        );
        let subclass_spec = SPEC
            .replace("ReportJob", "WeeklyReportJob")
            .replace("'./report.job'", "'./weekly-report.job'");
        Tester::new(Rule::TestModuleMissingLock)
            .pass(&[
                ("src/report.job.ts", JOB),
                ("src/report.repository.ts", REPOSITORY),
                ("src/report.job.spec.ts", &provided),
            ])
            // A stand-in for the class: Nest never calls its constructor.
            .pass(&[
                ("src/report.job.ts", JOB),
                ("src/report.repository.ts", REPOSITORY),
                ("src/report.job.spec.ts", &stand_in),
            ])
            .fail(
                &[
                    ("src/report.job.ts", JOB),
                    ("src/report.repository.ts", REPOSITORY),
                    ("src/report.job.spec.ts", SPEC),
                ],
                &[(
                    "src/report.job.spec.ts",
                    7,
                    "this testing module provides `ReportJob`, which takes `DistributedLockService`, but neither provides it nor imports `DistributedLockModule`",
                )],
            )
            // Through a namespace import: `providers: [jobs.ReportJob]`.
            .fail(
                &[
                    ("src/report.job.ts", JOB),
                    ("src/report.repository.ts", REPOSITORY),
                    (
                        "src/report.job.spec.ts",
                        &SPEC
                            .replace(
                                "import { ReportJob } from './report.job';",
                                "import * as jobs from './report.job';",
                            )
                            .replace("ReportJob,", "jobs.ReportJob,")
                            .replace("get(ReportJob)", "get(jobs.ReportJob)"),
                    ),
                ],
                &[(
                    "src/report.job.spec.ts",
                    7,
                    "this testing module provides `ReportJob`, which takes `DistributedLockService`",
                )],
            )
            .fail(
                &[
                    ("src/report.job.ts", JOB),
                    ("src/weekly-report.job.ts", SUBCLASS),
                    ("src/report.repository.ts", REPOSITORY),
                    ("src/weekly-report.job.spec.ts", &subclass_spec),
                ],
                &[(
                    "src/weekly-report.job.spec.ts",
                    7,
                    "provides `WeeklyReportJob`, which takes `DistributedLockService`",
                )],
            )
            .fix(
                &[
                    ("src/report.job.ts", JOB),
                    ("src/report.repository.ts", REPOSITORY),
                    ("src/report.job.spec.ts", SPEC),
                ],
                &[("src/report.job.spec.ts", &provided), ("src/report.job.ts", JOB)],
            )
            .test();
    }
}
