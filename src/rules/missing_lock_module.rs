//! missing-lock-module: an application's module graph reaches a lock-using
//! class but never `DistributedLockModule`.

use super::common::add_lock_module;
use super::{Finding, Rule, RuleDoc};
pub use crate::modules::ModuleClass;
use crate::modules::{Application, Registration, module_decorator};
use crate::project::Project;
use crate::semantic::FileContext;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "add `DistributedLockModule` to the root module's `imports`",
    summary: "an application's module graph reaches a class that uses the lock service but never `DistributedLockModule`",
    why: "`DistributedLockService` is provided by `DistributedLockModule`. When no module of the service \
imports it, Nest cannot inject the lock service: the application fails at boot, or with `@Optional()` \
the lock decorator throws in cluster mode.",
    before: "@Module({
  imports: [ScheduleModule.forRoot(), UsersModule],
})
export class AppModule {}",
    after: "@Module({
  imports: [ScheduleModule.forRoot(), UsersModule, DistributedLockModule],
})
export class AppModule {}",
    fix: "Each application is judged on its own: its root module is the one passed to \
`NestFactory.create*` in its files, else `AppModule`, else the module in `app.module.ts`, else the one \
module no other imports. Its graph is what that module's `imports` reach, followed across files \
(relative imports, tsconfig paths, workspace packages, barrels); any module in it importing \
`DistributedLockModule` (plain, `.forRoot(...)`, `.forRootAsync(...)`, `.register(...)`) satisfies the \
rule. `cronlock fix` adds `DistributedLockModule` to the root module's `imports` array in the array's \
own layout, creating `imports: [...]` when absent, and imports the name from the project's lock source. \
A spread of array literals or of a `const` array is read branch by branch (see lock-module-unknown). \
When a list on the way cannot be read (lock-module-unknown says which), the rule still reports the \
application when its root module's own `imports` can be edited, and the fix adds the lock module there: \
that registers it whatever the other lists hold, and the verdict after the fix is computed as for any \
tree. When the lock module comes in only under a condition, the rule stays silent.",
};

/// The `@Module` classes of a file.
pub fn module_classes(ctx: &FileContext<'_>) -> Vec<ModuleClass> {
    ctx.model
        .classes_with_ids()
        .filter_map(|(id, class)| {
            Some(ModuleClass {
                file: ctx.index,
                class: id,
                decorator: module_decorator(ctx.model, class)?,
            })
        })
        .collect()
}

/// The finding for an application whose graph never reaches the lock module.
///
/// An application whose registration is unknown only because some `imports`
/// list cannot be read (not because the lock module comes in under a
/// condition) is reported too when its root module's own list can be
/// edited: importing the lock module there is right whatever the other
/// lists hold (Nest shares one instance of a module imported twice).
pub fn check_application(project: &Project, app: &Application) -> Option<Finding> {
    let unknown = app.registration == Registration::Unknown
        && app.conditional.is_empty()
        && !app.reached.is_empty();
    if app.registration != Registration::No && !unknown {
        return None;
    }
    let root = app.root;
    let ctx = FileContext::new(project, root.file)?;
    let class = ctx.model.class(root.class)?;
    let decorator = class.decorators.get(root.decorator)?;
    let package_name = &project.package(app.package)?.name;
    let lock_module = &project.config.lock_module;
    let root_name = class.name.as_deref().unwrap_or("(anonymous)");
    let service = &project.config.lock_service_type;
    let message = if unknown {
        format!(
            "application `{package_name}` uses the lock service but cronlock cannot verify that its graph imports \
`{lock_module}` (an `imports` list cannot be read); importing it in the root module `{root_name}` \
registers it whatever those lists hold, or Nest may not inject `{service}`"
        )
    } else {
        format!(
            "application `{package_name}` uses the lock service but its root module `{root_name}` never imports \
`{lock_module}`, directly or through its imports; Nest cannot inject `{service}`"
        )
    };
    let fix = add_lock_module(&ctx, decorator);
    if unknown && fix.is_none() {
        return None;
    }
    Some(
        Finding::new(
            Rule::MissingLockModule,
            root.file,
            decorator.range.clone(),
            message,
        )
        .in_class(class.name.as_deref())
        .with_fix(fix),
    )
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    /// A complete lock-using job.
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
  exports: [ReportJob],
})
export class JobsModule {}
";

    const APP_MODULE: &str = "import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { JobsModule } from './jobs/jobs.module';

@Module({ imports: [ScheduleModule.forRoot(), JobsModule], providers: [] })
export class AppModule {}
";

    const MAIN: &str = "import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  await app.listen(3000);
}

bootstrap();
";

    /// Provides the job itself, with no `imports` at all.
    const FLAT_APP_MODULE: &str = "import { Module } from '@nestjs/common';
import { ReportJob } from './jobs/report.job';

@Module({
  providers: [ReportJob],
})
export class AppModule {}
";

    #[test]
    fn missing_lock_module() {
        let registered = APP_MODULE
            .replace(
                "import { JobsModule }",
                "import { DistributedLockModule } from '@acme/cluster-lock';\nimport { JobsModule }",
            )
            .replace("JobsModule]", "DistributedLockModule.forRoot(), JobsModule]");
        let registering_jobs_module = JOBS_MODULE
            .replace(
                "import { ReportJob }",
                "import { DistributedLockModule } from '@acme/cluster-lock';\nimport { ReportJob }",
            )
            .replace(
                "providers:",
                "imports: [DistributedLockModule],\n  providers:",
            );
        let app = [
            ("src/jobs/report.job.ts", JOB),
            ("src/jobs/jobs.module.ts", JOBS_MODULE),
            ("src/app.module.ts", APP_MODULE),
            ("src/main.ts", MAIN),
        ];
        let flat = [
            ("src/jobs/report.job.ts", JOB),
            ("src/app.module.ts", FLAT_APP_MODULE),
        ];
        Tester::new(Rule::MissingLockModule)
            .pass(&[
                ("src/jobs/report.job.ts", JOB),
                ("src/jobs/jobs.module.ts", JOBS_MODULE),
                ("src/app.module.ts", &registered),
                ("src/main.ts", MAIN),
            ])
            // Registered in the feature module: the graph reaches it.
            .pass(&[
                ("src/jobs/report.job.ts", JOB),
                ("src/jobs/jobs.module.ts", &registering_jobs_module),
                ("src/app.module.ts", APP_MODULE),
                ("src/main.ts", MAIN),
            ])
            .fail(
                &app,
                &[(
                    "src/app.module.ts",
                    5,
                    "application `cronlock-in-memory` uses the lock service but its root module `AppModule` never imports `DistributedLockModule`",
                )],
            )
            .fail(
                &flat,
                &[("src/app.module.ts", 4, "its root module `AppModule` never imports")],
            )
            .fix(
                &app,
                &[(
                    "src/app.module.ts",
                    &APP_MODULE
                        .replace(
                            "import { JobsModule } from './jobs/jobs.module';\n",
                            "import { JobsModule } from './jobs/jobs.module';\nimport { DistributedLockModule } from '@acme/cluster-lock';\n",
                        )
                        .replace("JobsModule]", "JobsModule, DistributedLockModule]"),
                )],
            )
            .fix(
                &flat,
                &[(
                    "src/app.module.ts",
                    &FLAT_APP_MODULE
                        .replace(
                            "import { ReportJob } from './jobs/report.job';\n",
                            "import { ReportJob } from './jobs/report.job';\nimport { DistributedLockModule } from '@acme/cluster-lock';\n",
                        )
                        .replace("@Module({\n", "@Module({\n  imports: [DistributedLockModule],\n"),
                )],
            )
            .test();
    }
}
