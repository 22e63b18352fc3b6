//! lock-module-not-imported: the lock module is declared in the scanned tree
//! and is not global, and a `@Module` that provides a lock-using class does
//! not import it.

use super::common::add_lock_module;
use super::{Finding, Rule, RuleDoc};
use crate::modules::{LockUsers, ModuleClass, imports_lock_module, provided_lock_users};
use crate::project::Project;
use crate::semantic::FileContext;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "add `DistributedLockModule` to this module's `imports`",
    summary: "the lock module is not global and a `@Module` providing a lock-using class does not import it",
    why: "A Nest module sees only the providers of the modules it imports, unless they are global. When \
`DistributedLockModule` is neither `@Global()` nor registered with `global: true`, a module that \
provides a class needing `DistributedLockService` must import it itself (or import a module that \
re-exports it); otherwise Nest fails at boot with \"Nest can't resolve dependencies\".",
    before: "@Module({
  providers: [ReportJob],
})
export class JobsModule {}",
    after: "@Module({
  imports: [DistributedLockModule],
  providers: [ReportJob],
})
export class JobsModule {}",
    fix: "`cronlock fix` adds `DistributedLockModule` to the module's `imports` array in the array's own \
layout (creating `imports: [...]` when absent) and imports the name from the project's lock source. The \
rule applies only when the lock module's source is in the scanned tree, so that cronlock can see it is \
not global.",
};

/// Findings for every module that provides a lock-using class without
/// importing a non-global lock module. `skip` are modules another finding
/// already adds the lock module to.
pub fn check(
    project: &Project,
    modules: &[ModuleClass],
    lock_users: &LockUsers,
    skip: &[ModuleClass],
) -> Vec<Finding> {
    if crate::modules::lock_module_is_global(project, modules) != Some(false) {
        return Vec::new();
    }
    let lock_module = &project.config.lock_module;
    let mut findings = Vec::new();
    for module in modules {
        if skip.contains(module) {
            continue;
        }
        let provided = provided_lock_users(project, module, lock_users);
        let Some((_, first_class)) = provided.first() else {
            continue;
        };
        if imports_lock_module(project, module) != Some(false) {
            continue;
        }
        let Some(ctx) = FileContext::new(project, module.file) else {
            continue;
        };
        let Some(class) = ctx.model.class(module.class) else {
            continue;
        };
        if class.name.as_deref() == Some(lock_module.as_str()) {
            continue;
        }
        let Some(decorator) = class.decorators.get(module.decorator) else {
            continue;
        };
        let provided_name = provided
            .first()
            .and_then(|(path, _)| project.model_at(path))
            .and_then(|m| m.class(*first_class).and_then(|c| c.name.clone()))
            .unwrap_or_else(|| "a lock-using class".to_string());
        let message = format!(
            "`{}` provides `{provided_name}`, which needs `{}`, but does not import `{lock_module}`, \
which is not global; Nest cannot resolve the dependency",
            class.name.as_deref().unwrap_or("(anonymous)"),
            project.config.lock_service_type
        );
        findings.push(
            Finding::new(
                Rule::LockModuleNotImported,
                module.file,
                decorator.range.clone(),
                message,
            )
            .in_class(class.name.as_deref())
            .with_fix(add_lock_module(&ctx, decorator)),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    /// The lock module, in the scanned tree and not global.
    const LOCK_MODULE: &str = "import { Module } from '@nestjs/common';
import { DistributedLockService } from './lock.service';

@Module({
  providers: [DistributedLockService],
  exports: [DistributedLockService],
})
export class DistributedLockModule {}
";

    const LOCK_SERVICE: &str = "import { Injectable } from '@nestjs/common';

@Injectable()
export class DistributedLockService {
  async withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
    return work();
  }
}
";

    const JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(private readonly lockService: DistributedLockService) {}

  @ClusterSafeCron('0 0 6 * * *')
  async build() {}
}
";

    const JOBS_MODULE: &str = "import { Module } from '@nestjs/common';
import { ReportJob } from './report.job';

@Module({
  providers: [ReportJob],
})
export class JobsModule {}
";

    const APP_MODULE: &str = "import { Module } from '@nestjs/common';
import { DistributedLockModule } from '../lock/lock.module';
import { JobsModule } from './jobs/jobs.module';

@Module({
  imports: [DistributedLockModule, JobsModule],
})
export class AppModule {}
";

    #[test]
    fn lock_module_not_imported() {
        let project = [
            ("lock/lock.module.ts", LOCK_MODULE),
            ("lock/lock.service.ts", LOCK_SERVICE),
            ("src/jobs/report.job.ts", JOB),
            ("src/jobs/jobs.module.ts", JOBS_MODULE),
            ("src/app.module.ts", APP_MODULE),
        ];
        let global = LOCK_MODULE
            .replace("import { Module }", "import { Global, Module }")
            .replace("@Module({\n", "@Global()\n@Module({\n");
        let importing = JOBS_MODULE
            .replace(
                "import { ReportJob }",
                "import { DistributedLockModule } from '../../lock/lock.module';\nimport { ReportJob }",
            )
            .replace("@Module({\n", "@Module({\n  imports: [DistributedLockModule],\n");
        // A second feature module that provides the job and does not import
        // the lock module either.
        let reports_module = JOBS_MODULE.replace("JobsModule", "ReportsModule");
        let app_with_reports = APP_MODULE
            .replace(
                "import { JobsModule }",
                "import { ReportsModule } from './jobs/reports.module';\nimport { JobsModule }",
            )
            .replace("JobsModule]", "JobsModule, ReportsModule]");
        // The jobs module imports a shared module that exports, beside a
        // plain service, the lock module renamed twice: through a file that
        // names no lock name (the prefilter skips it) and one that does.
        let via_shared = JOBS_MODULE
            .replace(
                "import { ReportJob }",
                "import { SharedModule } from '../shared/shared.module';\nimport { ReportJob }",
            )
            .replace("@Module({\n", "@Module({\n  imports: [SharedModule],\n");
        let shared_module = "import { Module } from '@nestjs/common';
import { Coordination } from './coordination';
import { Clock } from './clock';

@Module({
  imports: [Coordination],
  providers: [Clock],
  exports: [Clock, Coordination],
})
export class SharedModule {}
";
        let shared_without_lock =
            shared_module.replace("exports: [Clock, Coordination]", "exports: [Clock]");
        fn shared_files(module: &str) -> [(&'static str, &str); 4] {
            [
                (
                    "src/shared/coordination.ts",
                    "export { Locks as Coordination } from './locks';\n",
                ),
                (
                    "src/shared/locks.ts",
                    "export { DistributedLockModule as Locks } from '../../lock/lock.module';\n",
                ),
                (
                    "src/shared/clock.ts",
                    "export class Clock {\n  now() {\n    return Date.now();\n  }\n}\n",
                ),
                ("src/shared/shared.module.ts", module),
            ]
        }
        Tester::new(Rule::LockModuleNotImported)
            .pass(
                &[
                    ("lock/lock.module.ts", LOCK_MODULE),
                    ("lock/lock.service.ts", LOCK_SERVICE),
                    ("src/jobs/report.job.ts", JOB),
                    ("src/jobs/jobs.module.ts", &via_shared),
                    ("src/app.module.ts", APP_MODULE),
                ]
                .into_iter()
                .chain(shared_files(shared_module))
                .collect::<Vec<_>>(),
            )
            .fail(
                &[
                    ("lock/lock.module.ts", LOCK_MODULE),
                    ("lock/lock.service.ts", LOCK_SERVICE),
                    ("src/jobs/report.job.ts", JOB),
                    ("src/jobs/jobs.module.ts", &via_shared),
                    ("src/app.module.ts", APP_MODULE),
                ]
                .into_iter()
                .chain(shared_files(&shared_without_lock))
                .collect::<Vec<_>>(),
                &[("src/jobs/jobs.module.ts", 5, "`JobsModule` provides `ReportJob`")],
            )
            .pass(&[
                ("lock/lock.module.ts", &global),
                ("lock/lock.service.ts", LOCK_SERVICE),
                ("src/jobs/report.job.ts", JOB),
                ("src/jobs/jobs.module.ts", JOBS_MODULE),
                ("src/app.module.ts", APP_MODULE),
            ])
            .pass(&[
                ("lock/lock.module.ts", LOCK_MODULE),
                ("lock/lock.service.ts", LOCK_SERVICE),
                ("src/jobs/report.job.ts", JOB),
                ("src/jobs/jobs.module.ts", &importing),
                ("src/app.module.ts", APP_MODULE),
            ])
            // `providers: [jobs.ReportJob]`, through a namespace import.
            .fail(
                &[
                    ("lock/lock.module.ts", LOCK_MODULE),
                    ("lock/lock.service.ts", LOCK_SERVICE),
                    ("src/jobs/report.job.ts", JOB),
                    (
                        "src/jobs/jobs.module.ts",
                        &JOBS_MODULE
                            .replace("import { ReportJob }", "import * as jobs")
                            .replace("[ReportJob]", "[jobs.ReportJob]"),
                    ),
                    ("src/app.module.ts", APP_MODULE),
                ],
                &[(
                    "src/jobs/jobs.module.ts",
                    4,
                    "`JobsModule` provides `ReportJob`, which needs `DistributedLockService`",
                )],
            )
            .fail(
                &project,
                &[(
                    "src/jobs/jobs.module.ts",
                    4,
                    "`JobsModule` provides `ReportJob`, which needs `DistributedLockService`, but does not import `DistributedLockModule`, which is not global",
                )],
            )
            .fail(
                &[
                    ("lock/lock.module.ts", LOCK_MODULE),
                    ("lock/lock.service.ts", LOCK_SERVICE),
                    ("src/jobs/report.job.ts", JOB),
                    ("src/jobs/jobs.module.ts", JOBS_MODULE),
                    ("src/jobs/reports.module.ts", &reports_module),
                    ("src/app.module.ts", &app_with_reports),
                ],
                &[
                    ("src/jobs/jobs.module.ts", 4, "`JobsModule` provides `ReportJob`"),
                    ("src/jobs/reports.module.ts", 4, "`ReportsModule` provides `ReportJob`"),
                ],
            )
            .fix(
                &project,
                &[(
                    "src/jobs/jobs.module.ts",
                    &JOBS_MODULE
                        .replace(
                            "import { ReportJob } from './report.job';\n",
                            "import { ReportJob } from './report.job';\nimport { DistributedLockModule } from '@acme/cluster-lock';\n",
                        )
                        .replace("@Module({\n", "@Module({\n  imports: [DistributedLockModule],\n"),
                )],
            )
            .test();
    }
}
