//! missing-lock-import: `lockService` typed `DistributedLockService`, which is not imported.

use super::{Finding, Rule, RuleDoc};
use crate::fix::Fix;
use crate::fix::imports::{ImportRequest, ensure_value_import};
use crate::model::has_decorator;
use crate::semantic::FileContext;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "import `DistributedLockService` beside the lock decorators",
    summary: "`lockService` is typed `DistributedLockService` but that name is not imported",
    why: "Nest resolves constructor parameters by their type at run time (emitDecoratorMetadata). \
Without the import the file does not compile, or with transpile-only builds the type becomes \
`Object` and Nest cannot inject the lock service, so the lock decorator finds nothing in cluster mode.",
    before: "import { ClusterSafeCron } from '@acme/cluster-lock';
...
  constructor(private readonly lockService: DistributedLockService) {}",
    after: "import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';
...
  constructor(private readonly lockService: DistributedLockService) {}",
    fix: "`cronlock fix` adds the name to the lock decorator's import list, or adds \
`import { DistributedLockService } from '<lock source>'` after the last import.",
};

/// Reports lock service members whose type is not imported.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let config = &ctx.project.config;
    let wanted = config.lock_service_type.as_str();
    let imported = ctx
        .model
        .imports
        .iter()
        .flat_map(|i| &i.named)
        .any(|n| n.local == wanted)
        || ctx
            .model
            .imports
            .iter()
            .any(|i| i.default.as_deref() == Some(wanted))
        || ctx.model.local_types.iter().any(|t| t == wanted);
    if imported {
        return;
    }
    for class in &ctx.model.classes {
        let params = class
            .constructor
            .iter()
            .flat_map(|c| &c.params)
            .map(|p| (&p.name, &p.type_name, p.range.clone()));
        let props = class
            .properties
            .iter()
            .filter(|p| has_decorator(&p.decorators, "Inject"))
            .map(|p| (&p.name, &p.type_name, p.range.clone()));
        for (name, type_name, range) in params.chain(props) {
            if name.as_deref() != Some(config.lock_service_member.as_str())
                || type_name.as_deref() != Some(wanted)
            {
                continue;
            }
            let message = format!(
                "`{wanted}` is used as the type of `{}` but is not imported",
                config.lock_service_member
            );
            let source = ctx.project.source_for_name(ctx.index, wanted);
            let beside = ctx
                .model
                .imports
                .iter()
                .position(|i| ctx.project.imports_from_source_of(ctx.index, i, wanted));
            let fix = ctx
                .text()
                .and_then(|text| {
                    ensure_value_import(
                        text,
                        ctx.style(),
                        ctx.model,
                        ImportRequest {
                            name: wanted,
                            beside,
                            fallback_source: source.as_deref(),
                        },
                    )
                })
                .map(|plan| Fix::new(plan.edits));
            out.push(
                Finding::new(Rule::MissingLockImport, ctx.index, range, message)
                    .in_class(class.name.as_deref())
                    .with_fix(fix),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    const JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(private readonly lockService: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  async run() {}
}
";

    const INJECTED_PROPERTY: &str = "import { Inject, Injectable } from '@nestjs/common';
import { ClusterSafeCron } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  @Inject() private readonly lockService: DistributedLockService;

  @ClusterSafeCron('0 * * * *')
  async run() {}
}
";

    #[test]
    fn missing_lock_import() {
        Tester::new(Rule::MissingLockImport)
            .pass(&[(
                "src/report.job.ts",
                &JOB.replace("{ ClusterSafeCron }", "{ ClusterSafeCron, DistributedLockService }"),
            )])
            // Imported as a type only: type-only-lock-import's, not this rule's.
            .pass(&[(
                "src/report.job.ts",
                &JOB.replace(
                    "import { Injectable }",
                    "import type { DistributedLockService } from '@acme/cluster-lock';\nimport { Injectable }",
                ),
            )])
            .fail(
                &[("src/report.job.ts", JOB)],
                &[(
                    "src/report.job.ts",
                    6,
                    "`DistributedLockService` is used as the type of `lockService` but is not imported",
                )],
            )
            .fail(
                &[("src/report.job.ts", INJECTED_PROPERTY)],
                &[("src/report.job.ts", 6, "is not imported")],
            )
            .fix(
                &[("src/report.job.ts", JOB)],
                &[(
                    "src/report.job.ts",
                    &JOB.replace("{ ClusterSafeCron }", "{ ClusterSafeCron, DistributedLockService }"),
                )],
            )
            .test();
    }
}
