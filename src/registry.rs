//! The rule registry: every rule's name, default severity and fixability.
//! It sits below `config` (which maps rule names to severities) and below the
//! rules themselves, whose documentation `rules::Rule::doc` returns.

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

macro_rules! rules {
    ($($variant:ident => $name:literal, $severity:ident, $fixable:ident;)*) => {
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
        }
    };
}

rules! {
    MissingLockService => "missing-lock-service", Error, Always;
    MissingLockImport => "missing-lock-import", Error, Always;
    TypeOnlyLockImport => "type-only-lock-import", Error, Always;
    LockNotProperty => "lock-not-property", Error, Always;
    LockWrongName => "lock-wrong-name", Error, Manual;
    OptionalLockService => "optional-lock-service", Warning, Manual;
    DerivedClassWithoutConstructor => "derived-class-without-constructor", Error, Manual;
    LockBaseUnknown => "lock-base-unknown", Warning, Manual;
    MissingLockModule => "missing-lock-module", Error, Always;
    UnlockedCron => "unlocked-cron", Warning, WithMigrateCron;
    UnlockedInterval => "unlocked-interval", Warning, Manual;
    ParseError => "parse-error", Error, Manual;
    LockModuleNotImported => "lock-module-not-imported", Error, Always;
    LockModuleUnknown => "lock-module-unknown", Warning, Manual;
    SuperCallMissingLock => "super-call-missing-lock", Error, Always;
    TestModuleMissingLock => "test-module-missing-lock", Error, Always;
    ConstructorCallMissingLock => "constructor-call-missing-lock", Error, Partly;
    UnlockedDynamicJob => "unlocked-dynamic-job", Warning, Manual;
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
