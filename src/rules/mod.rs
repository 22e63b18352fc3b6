//! The rules: each one's checks and documentation (its name, severity and
//! fixability are in `registry`), and the finding they produce.
//!
//! Each rule lives in its own file with its documentation (which `cronlock
//! rule NAME`, the text output's help lines and the SARIF metadata all use)
//! and its check function.

pub mod constructor_call_missing_lock;
pub mod derived_class_without_constructor;
pub mod lock_base_unknown;
pub mod lock_module_not_imported;
pub mod lock_module_unknown;
pub mod lock_not_property;
pub mod lock_wrong_name;
pub mod missing_lock_import;
pub mod missing_lock_module;
pub mod missing_lock_service;
pub mod optional_lock_service;
pub mod parse_error;
pub mod super_call_missing_lock;
pub mod test_module_missing_lock;
pub mod type_only_lock_import;
pub mod unlocked_cron;
pub mod unlocked_dynamic_job;
pub mod unlocked_interval;

use crate::config::Injection;
use crate::fix::Fix;
use crate::fix::imports::{ImportPlan, ImportRequest, ensure_value_import};
pub use crate::registry::{Fixability, Rule, Severity};
use crate::semantic::FileContext;

/// Makes `name` (a lock name: the service or the module) a value import of
/// the file, from the lock source that exports it (see
/// [`crate::project::Project::source_for_name`]) unless the file imports it
/// already.
pub fn import_lock_name(ctx: &FileContext<'_>, name: &str) -> Option<ImportPlan> {
    import_lock_name_near(ctx, name, None)
}

/// Like [`import_lock_name`]; when no module of the file's project says where
/// `name` comes from (a spec in an application whose jobs all live in a
/// library), from the lock source of file `near`'s project (see
/// [`Project::lock_source_near`]).
///
/// [`Project::lock_source_near`]: crate::project::Project::lock_source_near
fn import_lock_name_near(
    ctx: &FileContext<'_>,
    name: &str,
    near: Option<usize>,
) -> Option<ImportPlan> {
    let source = ctx
        .project
        .source_for_name(ctx.index, name)
        .or_else(|| ctx.project.lock_source_near(ctx.index, near?));
    ensure_value_import(
        ctx.text()?,
        ctx.style(),
        ctx.model,
        ImportRequest {
            name,
            beside: None,
            fallback_source: source.as_deref(),
        },
    )
}

/// Makes an injected member's type a value import of the file: the lock
/// service from the project's lock source, a guard's type from its
/// `import-source`.
pub fn import_injected_type(
    ctx: &FileContext<'_>,
    injection: &Injection<'_>,
) -> Option<ImportPlan> {
    import_injected_type_near(ctx, injection, None)
}

/// Like [`import_injected_type`], for a ripple site: the lock service comes,
/// when the file's project imports no lock name, from the lock source of
/// file `near` (the class whose new parameter reaches this file).
pub fn import_injected_type_near(
    ctx: &FileContext<'_>,
    injection: &Injection<'_>,
    near: Option<usize>,
) -> Option<ImportPlan> {
    let Some(guard) = injection.guard else {
        return import_lock_name_near(ctx, injection.type_name, near);
    };
    let source = ctx.project.guard_source_for(ctx.index, guard);
    ensure_value_import(
        ctx.text()?,
        ctx.style(),
        ctx.model,
        ImportRequest {
            name: injection.type_name,
            beside: None,
            fallback_source: source.as_deref(),
        },
    )
}

/// Each injected member (see `Config::injections`) with its index and the
/// classes that take it (`takers`, in the same order).
pub fn injection_takers<'c, 't>(
    config: &'c crate::config::Config,
    takers: &'t [crate::modules::LockUsers],
) -> Vec<(usize, Injection<'c>, &'t crate::modules::LockUsers)> {
    config
        .injections()
        .into_iter()
        .zip(takers)
        .enumerate()
        .map(|(k, (injection, takers))| (k, injection, takers))
        .collect()
}

/// A rule's documentation, shown by `cronlock rule NAME` and used as help text.
#[derive(Debug, Clone, Copy)]
pub struct RuleDoc {
    /// What the fix does, in a few words (empty when there is no fix).
    pub fix_title: &'static str,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Why it matters in cluster mode.
    pub why: &'static str,
    /// Code that the rule flags.
    pub before: &'static str,
    /// The same code once fixed.
    pub after: &'static str,
    /// How the finding is fixed.
    pub fix: &'static str,
}

impl Rule {
    /// The rule's documentation (from its own file).
    pub fn doc(self) -> &'static RuleDoc {
        match self {
            Rule::MissingLockService => &missing_lock_service::DOC,
            Rule::MissingLockImport => &missing_lock_import::DOC,
            Rule::TypeOnlyLockImport => &type_only_lock_import::DOC,
            Rule::LockNotProperty => &lock_not_property::DOC,
            Rule::LockWrongName => &lock_wrong_name::DOC,
            Rule::OptionalLockService => &optional_lock_service::DOC,
            Rule::DerivedClassWithoutConstructor => &derived_class_without_constructor::DOC,
            Rule::LockBaseUnknown => &lock_base_unknown::DOC,
            Rule::MissingLockModule => &missing_lock_module::DOC,
            Rule::UnlockedCron => &unlocked_cron::DOC,
            Rule::UnlockedInterval => &unlocked_interval::DOC,
            Rule::ParseError => &parse_error::DOC,
            Rule::LockModuleNotImported => &lock_module_not_imported::DOC,
            Rule::LockModuleUnknown => &lock_module_unknown::DOC,
            Rule::SuperCallMissingLock => &super_call_missing_lock::DOC,
            Rule::TestModuleMissingLock => &test_module_missing_lock::DOC,
            Rule::ConstructorCallMissingLock => &constructor_call_missing_lock::DOC,
            Rule::UnlockedDynamicJob => &unlocked_dynamic_job::DOC,
        }
    }
}

/// One problem found in one file.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Which rule.
    pub rule: Rule,
    /// How serious (the rule's default until configuration applies).
    pub severity: Severity,
    /// Index of the file in the project.
    pub file: usize,
    /// Byte offset the finding points at.
    pub offset: usize,
    /// Byte offset where the highlighted text ends.
    pub end: usize,
    /// The class concerned.
    pub class: Option<String>,
    /// The method concerned.
    pub method: Option<String>,
    /// What is wrong.
    pub message: String,
    /// The repair, when the rule can make one here.
    pub fix: Option<Fix>,
    /// Other places the fix also changes, or leaves to a person (the
    /// ripple of a constructor that gains a parameter).
    pub related: Vec<Related>,
    /// Which injected member it is about (an index into
    /// `Config::injections`: 0 is the lock service).
    pub injection: usize,
    /// `--migrate-cron` leaves this finding's class alone (a call site no
    /// fix can update would break): its help then says what a person does
    /// instead of naming a fix that will not come.
    pub held_back: bool,
    /// Where it is, worked out once the rules are done (see
    /// [`crate::engine::analyze`]); `None` when the file's text is not at
    /// hand.
    pub position: Option<Position>,
}

/// 1-based lines and columns (in characters) of a finding's start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line of the start.
    pub line: usize,
    /// Column of the start.
    pub column: usize,
    /// Line of the end.
    pub end_line: usize,
    /// Column of the end.
    pub end_column: usize,
}

/// A place a finding's fix reaches beyond its own file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// File index.
    pub file: usize,
    /// Byte offset.
    pub offset: usize,
    /// What happens there.
    pub message: String,
    /// 1-based line and column, worked out with the finding's position.
    pub position: Option<(usize, usize)>,
}

impl Finding {
    /// A finding of `rule` at `range` of file `file`.
    pub fn new(rule: Rule, file: usize, range: std::ops::Range<usize>, message: String) -> Self {
        Finding {
            rule,
            severity: rule.default_severity(),
            file,
            offset: range.start,
            end: range.end.max(range.start),
            class: None,
            method: None,
            message,
            fix: None,
            related: Vec::new(),
            injection: 0,
            held_back: false,
            position: None,
        }
    }

    /// Sets the injected member it is about.
    pub fn for_injection(mut self, injection: usize) -> Self {
        self.injection = injection;
        self
    }

    /// Sets the class.
    pub fn in_class(mut self, class: Option<&str>) -> Self {
        self.class = class.map(str::to_string);
        self
    }

    /// Sets the method.
    pub fn in_method(mut self, method: Option<&str>) -> Self {
        self.method = method.map(str::to_string);
        self
    }

    /// Whether `cronlock fix` (without flags) repairs this finding.
    pub fn is_fixable(&self) -> bool {
        self.fix.is_some()
            && matches!(
                self.rule.fixability(),
                Fixability::Always | Fixability::Partly
            )
    }

    /// Attaches a fix.
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }
}
