//! type-only-lock-import: `DistributedLockService` imported with `import type` or `type`.

use super::common::class_label;
use super::{Finding, Rule, RuleDoc};
use crate::fix::Fix;
use crate::fix::imports::make_value_import;
use crate::model::has_decorator;
use crate::semantic::FileContext;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "make it a value import",
    summary: "`DistributedLockService` is imported with `import type` or a `type` modifier",
    why: "A type-only import is erased at compile time, so the constructor's parameter type is gone \
from the decorator metadata: Nest has no runtime token and cannot inject the lock service. The \
decorator then finds no `lockService` in cluster mode.",
    before: "import type { DistributedLockService } from '@acme/cluster-lock';",
    after: "import { DistributedLockService } from '@acme/cluster-lock';",
    fix: "`cronlock fix` removes the `type` modifier; when `import type` lists other names, they keep \
their type-only status as inline `type` modifiers.",
};

/// Reports type-only imports of the lock service type that a class injects.
pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
    let wanted = ctx.project.config.lock_service_type.as_str();
    for import in &ctx.model.imports {
        for named in &import.named {
            if named.imported != wanted || !(import.type_only || named.type_only) {
                continue;
            }
            let Some(class) = ctx.model.classes.iter().find(|class| {
                let in_params = class
                    .constructor
                    .iter()
                    .flat_map(|c| &c.params)
                    .any(|p| p.type_name.as_deref() == Some(named.local.as_str()));
                let in_props = class.properties.iter().any(|p| {
                    has_decorator(&p.decorators, "Inject")
                        && p.type_name.as_deref() == Some(named.local.as_str())
                });
                in_params || in_props
            }) else {
                continue;
            };
            let how = if named.type_only {
                "a `type` modifier"
            } else {
                "`import type`"
            };
            let message = format!(
                "`{wanted}` is imported with {how}, so Nest has no runtime token to inject into {}",
                class_label(class)
            );
            let fix = ctx
                .text()
                .map(|text| Fix::new(make_value_import(text, import, named)));
            out.push(
                Finding::new(
                    Rule::TypeOnlyLockImport,
                    ctx.index,
                    import.range.clone(),
                    message,
                )
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
import type { DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(private readonly lockService: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  async run() {}
}
";

    const INLINE: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron, type DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(private readonly lockService: DistributedLockService) {}

  @ClusterSafeCron('0 * * * *')
  async run() {}
}
";

    /// The type used in a signature only, never injected.
    const SIGNATURE_ONLY: &str = "import type { DistributedLockService } from '@acme/cluster-lock';

export function describeLock(lock: DistributedLockService): string {
  return String(lock);
}
";

    #[test]
    fn type_only_lock_import() {
        Tester::new(Rule::TypeOnlyLockImport)
            .pass(&[("src/report.job.ts", &JOB.replace("import type {", "import {"))])
            .pass(&[("src/lock.util.ts", SIGNATURE_ONLY)])
            .fail(
                &[("src/report.job.ts", JOB)],
                &[(
                    "src/report.job.ts",
                    3,
                    "`DistributedLockService` is imported with `import type`, so Nest has no runtime token to inject into `ReportJob`",
                )],
            )
            .fail(
                &[("src/report.job.ts", INLINE), ("src/lock.util.ts", SIGNATURE_ONLY)],
                &[("src/report.job.ts", 2, "is imported with a `type` modifier")],
            )
            .fix(
                &[("src/report.job.ts", JOB)],
                &[("src/report.job.ts", &JOB.replace("import type {", "import {"))],
            )
            .fix(
                &[("src/report.job.ts", INLINE)],
                &[("src/report.job.ts", &INLINE.replace("type DistributedLockService", "DistributedLockService"))],
            )
            .test();
    }
}
