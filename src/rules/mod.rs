//! The rule table: every rule's name, default severity, fixability and docs,
//! and the checks that produce findings.
//!
//! Each rule lives in its own file with its documentation (which `cronlock
//! rule NAME`, the text output's help lines and the SARIF metadata all use)
//! and its check function.

pub mod derived_class_without_constructor;
pub mod lock_module_not_imported;
pub mod lock_module_unknown;
pub mod lock_not_property;
pub mod lock_wrong_name;
pub mod missing_lock_import;
pub mod missing_lock_module;
pub mod missing_lock_service;
pub mod optional_lock_service;
pub mod parse_error;
pub mod type_only_lock_import;
pub mod unlocked_cron;
pub mod unlocked_interval;

use serde::Serialize;

use crate::fix::Fix;

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
    /// Needs a person.
    Manual,
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

macro_rules! rules {
    ($($variant:ident => $name:literal, $module:ident, $severity:ident, $fixable:ident;)*) => {
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

            /// The rule's documentation.
            pub fn doc(self) -> &'static RuleDoc {
                match self { $(Rule::$variant => &$module::DOC),* }
            }
        }
    };
}

rules! {
    MissingLockService => "missing-lock-service", missing_lock_service, Error, Always;
    MissingLockImport => "missing-lock-import", missing_lock_import, Error, Always;
    TypeOnlyLockImport => "type-only-lock-import", type_only_lock_import, Error, Always;
    LockNotProperty => "lock-not-property", lock_not_property, Error, Always;
    LockWrongName => "lock-wrong-name", lock_wrong_name, Error, Manual;
    OptionalLockService => "optional-lock-service", optional_lock_service, Warning, Manual;
    DerivedClassWithoutConstructor => "derived-class-without-constructor", derived_class_without_constructor, Error, Manual;
    MissingLockModule => "missing-lock-module", missing_lock_module, Error, Always;
    UnlockedCron => "unlocked-cron", unlocked_cron, Warning, WithMigrateCron;
    UnlockedInterval => "unlocked-interval", unlocked_interval, Warning, Manual;
    ParseError => "parse-error", parse_error, Error, Manual;
    LockModuleNotImported => "lock-module-not-imported", lock_module_not_imported, Error, Always;
    LockModuleUnknown => "lock-module-unknown", lock_module_unknown, Warning, Manual;
}

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
        }
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
        self.fix.is_some() && self.rule.fixability() == Fixability::Always
    }

    /// Attaches a fix.
    pub fn with_fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }
}
