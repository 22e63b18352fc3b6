//! lock-module-unknown: an `imports` list on the way from a root module
//! cannot be read, so whether the application registers the lock module
//! cannot be verified.

use super::{Finding, Rule, RuleDoc};
use crate::modules::{Application, Registration};
use crate::project::Project;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "",
    summary: "an `imports` list on the way from a root module cannot be read, or brings the lock module in only under a condition, so registration cannot be verified",
    why: "cronlock judges each application by what its root module's `imports` reach. A spread of array \
literals (`...(flag ? [X] : [])`, `...(flag && [X])`, `...[X, Y]`) or of a `const` array (declared in the \
file or imported) is read branch by branch: when no branch brings `DistributedLockModule` in, the spread \
changes nothing; when every branch does (`...(c ? [X.forRoot(a)] : [X.forRoot(b)])`), it is registered. \
When only some branches do, the lock module is registered only under those branches' conditions, and \
the warning names each of them (\"only when `a` is true, or when `a` is false and `b` is true\"). A list built otherwise (a function call, a parameter) may or may not bring it \
in; cronlock does not guess, and the readiness report says UNKNOWN rather than READY.",
    before: "@Module({
  imports: [ScheduleModule.forRoot(), ...optionalModules(), JobsModule],
})
export class AppModule {}",
    after: "@Module({
  imports: [
    ScheduleModule.forRoot(),
    DistributedLockModule,
    ...optionalModules(),
    JobsModule,
  ],
})
export class AppModule {}",
    fix: "No automatic fix. Import `DistributedLockModule` in a list cronlock can read (the root module's \
own `imports` is best), or silence the warning with `// cronlock-ignore lock-module-unknown` above the \
list once you have checked it by hand.",
};

/// One warning per unreadable list of an application whose registration is
/// unknown, and one per spread that brings the lock module in only under a
/// condition (naming it).
pub fn check(project: &Project, app: &Application) -> Vec<Finding> {
    if app.registration != Registration::Unknown {
        return Vec::new();
    }
    let app_name = project
        .package(app.package)
        .map_or("?", |p| p.name.as_str());
    let lock_module = &project.config.lock_module;
    let class_of = |module: &crate::modules::ModuleClass| {
        project
            .model(module.file)
            .and_then(|m| m.class(module.class))
            .and_then(|c| c.name.clone())
    };
    let unreadable = app.unreadable.iter().map(|u| {
        let class = class_of(&u.module);
        let message = format!(
            "cannot read this `imports` list of `{}` ({}), so cronlock cannot verify that application \
`{app_name}` registers `{lock_module}`",
            class.as_deref().unwrap_or("(anonymous)"),
            u.why
        );
        Finding::new(Rule::LockModuleUnknown, u.module.file, u.range.clone(), message)
            .in_class(class.as_deref())
    });
    let conditional = app.conditional.iter().map(|c| {
        let class = class_of(&c.module);
        let message = format!(
            "application `{app_name}` registers `{lock_module}` only when {} (through a spread in \
this `imports` list of `{}`); otherwise Nest cannot inject `{}`",
            c.describe(),
            class.as_deref().unwrap_or("(anonymous)"),
            project.config.lock_service_type
        );
        Finding::new(
            Rule::LockModuleUnknown,
            c.module.file,
            c.range.clone(),
            message,
        )
        .in_class(class.as_deref())
    });
    unreadable.chain(conditional).collect()
}

#[cfg(test)]
mod tests {
    use crate::rules::{Rule, Tester};

    const JOB: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron, DistributedLockService } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  constructor(private readonly lockService: DistributedLockService) {}

  @ClusterSafeCron('0 0 5 * * 1')
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

    /// The root module's `imports` spreads what a function returns.
    const UNREADABLE: &str = "import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { JobsModule } from './jobs/jobs.module';

@Module({
  imports: [ScheduleModule.forRoot(), ...optionalModules(), JobsModule],
})
export class AppModule {}

function optionalModules() {
  return [];
}
";

    /// The lock module comes in under a condition only.
    const CONDITIONAL: &str = "import { Module } from '@nestjs/common';
import { DistributedLockModule } from '@acme/cluster-lock';
import { JobsModule } from './jobs/jobs.module';

@Module({
  imports: [
    JobsModule,
    ...(process.env.CLUSTER === 'on' ? [DistributedLockModule.forRoot()] : []),
  ],
})
export class AppModule {}
";

    #[test]
    fn lock_module_unknown() {
        let with_root = |root: &'static str| {
            [
                ("src/jobs/report.job.ts", JOB),
                ("src/jobs/jobs.module.ts", JOBS_MODULE),
                ("src/app.module.ts", root),
            ]
        };
        // The root module imports the lock module itself: the spread cannot
        // change that.
        let registered = UNREADABLE
            .replace(
                "import { JobsModule }",
                "import { DistributedLockModule } from '@acme/cluster-lock';\nimport { JobsModule }",
            )
            .replace("JobsModule],", "JobsModule, DistributedLockModule],");
        // No lock-using class is reached: nothing to verify.
        let unlocked_job = JOB
            .replace("@ClusterSafeCron('0 0 5 * * 1')\n", "")
            .replace("private readonly lockService: DistributedLockService", "");
        Tester::new(Rule::LockModuleUnknown)
            .pass(&[
                ("src/jobs/report.job.ts", JOB),
                ("src/jobs/jobs.module.ts", JOBS_MODULE),
                ("src/app.module.ts", &registered),
            ])
            .pass(&[
                ("src/jobs/report.job.ts", &unlocked_job),
                ("src/jobs/jobs.module.ts", JOBS_MODULE),
                ("src/app.module.ts", UNREADABLE),
            ])
            .fail(
                &with_root(UNREADABLE),
                &[(
                    "src/app.module.ts",
                    6,
                    "cannot read this `imports` list of `AppModule` (it spreads a value cronlock cannot read), so cronlock cannot verify that application `cronlock-in-memory` registers `DistributedLockModule`",
                )],
            )
            .fail(
                &with_root(CONDITIONAL),
                &[(
                    "src/app.module.ts",
                    6,
                    "application `cronlock-in-memory` registers `DistributedLockModule` only when",
                )],
            )
            .test();
    }

    /// Registered in every branch of a conditional (recursively): as good
    /// as unconditional. Registered in some: the message names every way.
    #[test]
    fn lock_module_in_branches() {
        let root = |spread: &str| {
            CONDITIONAL.replace(
                "...(process.env.CLUSTER === 'on' ? [DistributedLockModule.forRoot()] : []),",
                spread,
            )
        };
        let every = root(
            "...(a ? [DistributedLockModule.forRoot({ url: 'redis' })] : b ? [DistributedLockModule] : [DistributedLockModule.forRoot({ url: 'mem' })]),",
        );
        let two_of_three =
            root("...(a ? [DistributedLockModule] : (b ? [DistributedLockModule] : [])),");
        let and = root("...(a && [DistributedLockModule]),");
        fn files(root: &str) -> [(&str, &str); 3] {
            [
                ("src/jobs/report.job.ts", JOB),
                ("src/jobs/jobs.module.ts", JOBS_MODULE),
                ("src/app.module.ts", root),
            ]
        }
        Tester::new(Rule::LockModuleUnknown)
            .pass(&files(&every))
            .fail(
                &files(&two_of_three),
                &[(
                    "src/app.module.ts",
                    6,
                    "registers `DistributedLockModule` only when `a` is true, or when `a` is false and `b` is true (through a spread",
                )],
            )
            .fail(
                &files(&and),
                &[(
                    "src/app.module.ts",
                    6,
                    "registers `DistributedLockModule` only when `a` is true (through a spread",
                )],
            )
            .test();
    }
}
