//! lock-module-unknown: an `imports` list on the way from a root module
//! cannot be read, so whether the application registers the lock module
//! cannot be verified.

use super::{Finding, Rule, RuleDoc};
use crate::modules::{Application, Registration};
use crate::project::Project;

/// Documentation.
pub const DOC: RuleDoc = RuleDoc {
    fix_title: "",
    summary: "an `imports` list on the way from a root module cannot be read, so registration of the lock module cannot be verified",
    why: "cronlock judges each application by what its root module's `imports` reach. A list built at run \
time (`...(flag ? [X] : [])`, a variable, a function call) may or may not bring `DistributedLockModule` \
in; cronlock does not guess, and the readiness report says UNKNOWN rather than READY.",
    before: "@Module({
  imports: [ScheduleModule.forRoot(), ...(process.env.METRICS ? [MetricsModule] : []), JobsModule],
})
export class AppModule {}",
    after: "@Module({
  imports: [
    ScheduleModule.forRoot(),
    DistributedLockModule,
    ...(process.env.METRICS ? [MetricsModule] : []),
    JobsModule,
  ],
})
export class AppModule {}",
    fix: "No automatic fix. Import `DistributedLockModule` in a list cronlock can read (the root module's \
own `imports` is best), or silence the warning with `// cronlock-ignore lock-module-unknown` above the \
list once you have checked it by hand.",
};

/// One warning per unreadable list of an application whose registration is
/// unknown.
pub fn check(project: &Project, app: &Application) -> Vec<Finding> {
    if app.registration != Registration::Unknown {
        return Vec::new();
    }
    let app_name = project
        .packages
        .get(app.package)
        .map_or("?", |p| p.name.as_str());
    let lock_module = &project.config.lock_module;
    app.unreadable
        .iter()
        .map(|u| {
            let class = project
                .model(u.module.file)
                .and_then(|m| m.classes.get(u.module.class))
                .and_then(|c| c.name.clone());
            let message = format!(
                "cannot read this `imports` list of `{}` ({}), so cronlock cannot verify that application \
`{app_name}` registers `{lock_module}`",
                class.as_deref().unwrap_or("(anonymous)"),
                u.why
            );
            Finding::new(Rule::LockModuleUnknown, u.module.file, u.range.clone(), message)
                .in_class(class.as_deref())
        })
        .collect()
}
