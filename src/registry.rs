//! The rule registry: the one declaration of every rule (`rule_table`),
//! and from it the [`Rule`] enum with each rule's name, default severity,
//! fixability and stage. It sits below `config` (which maps rule names to
//! severities) and below the rules themselves, whose modules, documentation
//! (`rules::Rule::doc`) and file-stage dispatch (`rules::run_file_rules`)
//! `rules` expands from the same table.

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Breaks in cluster mode.
    Error,
    /// Worth fixing; may be intended.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Whether and how a rule's findings are fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixability {
    /// `cronlock fix` repairs it.
    Always,
    /// Only `cronlock fix --migrate-cron` repairs it.
    WithMigrateCron,
    /// `cronlock fix` repairs it where its shape says how (the rule's
    /// documentation says where); elsewhere it needs a person.
    Partly,
    /// Needs a person.
    Manual,
}

/// Where a rule runs, which says what its module must provide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// On one parsed file, from what the file and the files it imports
    /// show: the module has `pub fn check(ctx: &FileContext<'_>, out: &mut
    /// Vec<Finding>)`, which `rules::run_file_rules` calls for every parsed
    /// file (in parallel).
    File,
    /// Once the files are judged, on what only the whole scan shows
    /// (applications, `@Module` graphs, the classes that take the lock
    /// service and their callers): `engine::analyze` calls the module with
    /// the arguments it builds there.
    Package,
    /// On a file that did not parse: `engine::check_file` calls
    /// `parse_error::finding`.
    Parse,
}

/// The rule table: the one declaration of every rule. Each line is
///
/// ```text
/// Stage  module => Variant, "kebab-name", DefaultSeverity, Fixability;
/// ```
///
/// where `module` is the rule's file, `src/rules/<module>.rs`, which holds
/// its `pub const DOC: RuleDoc` (and its tests). The order of the lines is
/// the order `cronlock rules`, the docs and the SARIF metadata list the
/// rules in, and the order the file-stage rules run in.
///
/// Two expansions are made from it: here, the [`Rule`] enum and its lookups
/// (name, default severity, fixability, stage); in `rules`, the rule
/// modules themselves (`pub mod <module>;`), `Rule::doc` and
/// `rules::run_file_rules`, the dispatch of the file-stage rules.
///
/// Adding a **file-stage** rule takes its file (its `DOC`, its
/// `pub fn check(ctx: &FileContext<'_>, out: &mut Vec<Finding>)` and a
/// `#[cfg(test)] mod tests` of `rules::Tester` cases) and one `File` line
/// here: it then runs on every parsed file, is configurable by name and
/// selectable, and `CRONLOCK_UPDATE_DOCS=1 cargo test --test docs` writes
/// its page and README row from its `DOC`.
///
/// Adding a **package-stage** rule takes its file (its `DOC`, its check
/// function with whatever arguments it needs, its tests), one `Package` line
/// here (which gives it its variant, name, severity, fixability, module and
/// docs) and one call in `engine::analyze`, where its arguments are built:
/// per application next to `missing_lock_module::check_application` (it
/// gets the [`crate::modules::Application`]), once over the whole scan next
/// to `lock_module_not_imported::check` (the `@Module` classes and the lock
/// users), or per file that builds testing modules or constructs classes in
/// `engine::caller_findings` (the [`crate::modules::LockUsers`] that take
/// each injected member; widen that function's file filter if the rule
/// looks at other files). Its findings join the others there and go
/// through the same configuration, suppression and sorting.
macro_rules! rule_table {
    ($callback:ident) => {
        $callback! {
            File    missing_lock_service              => MissingLockService, "missing-lock-service", Error, Always;
            File    missing_lock_import               => MissingLockImport, "missing-lock-import", Error, Always;
            File    type_only_lock_import             => TypeOnlyLockImport, "type-only-lock-import", Error, Always;
            File    lock_not_property                 => LockNotProperty, "lock-not-property", Error, Always;
            File    lock_wrong_name                   => LockWrongName, "lock-wrong-name", Error, Manual;
            File    optional_lock_service             => OptionalLockService, "optional-lock-service", Warning, Manual;
            File    derived_class_without_constructor => DerivedClassWithoutConstructor, "derived-class-without-constructor", Error, Manual;
            File    lock_base_unknown                 => LockBaseUnknown, "lock-base-unknown", Warning, Manual;
            Package missing_lock_module               => MissingLockModule, "missing-lock-module", Error, Always;
            File    unlocked_cron                     => UnlockedCron, "unlocked-cron", Warning, WithMigrateCron;
            File    unlocked_interval                 => UnlockedInterval, "unlocked-interval", Warning, Manual;
            Parse   parse_error                       => ParseError, "parse-error", Error, Manual;
            Package lock_module_not_imported          => LockModuleNotImported, "lock-module-not-imported", Error, Always;
            Package lock_module_unknown               => LockModuleUnknown, "lock-module-unknown", Warning, Manual;
            File    super_call_missing_lock           => SuperCallMissingLock, "super-call-missing-lock", Error, Always;
            Package test_module_missing_lock          => TestModuleMissingLock, "test-module-missing-lock", Error, Always;
            Package constructor_call_missing_lock     => ConstructorCallMissingLock, "constructor-call-missing-lock", Error, Partly;
            File    unlocked_dynamic_job              => UnlockedDynamicJob, "unlocked-dynamic-job", Warning, Manual;
        }
    };
}
pub(crate) use rule_table;

/// The [`Rule`] enum and its lookups, from [`rule_table`].
macro_rules! rule_enum {
    ($($stage:ident $module:ident => $variant:ident, $name:literal, $severity:ident, $fixable:ident;)*) => {
        /// Every rule cronlock knows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $(
                #[doc = $name]
                $variant,
            )*
        }

        impl Rule {
            /// All rules, in the order `cronlock rules` lists them.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The rule's kebab-case name.
            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name),* }
            }

            /// Severity unless configured otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$severity),* }
            }

            /// Whether and how findings are fixed.
            pub fn fixability(self) -> Fixability {
                match self { $(Rule::$variant => Fixability::$fixable),* }
            }

            /// Where the rule runs.
            pub fn stage(self) -> Stage {
                match self { $(Rule::$variant => Stage::$stage),* }
            }

            /// The name of the rule's module (its file under `src/rules`).
            pub fn module(self) -> &'static str {
                match self { $(Rule::$variant => stringify!($module)),* }
            }
        }
    };
}

rule_table!(rule_enum);

impl Rule {
    /// Looks a rule up by name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|rule| rule.name() == name)
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}
