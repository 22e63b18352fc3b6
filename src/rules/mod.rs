//! The rules: each one's checks and documentation (its name, severity,
//! fixability and stage are declared once, in `registry::rule_table`), and
//! the finding they produce.
//!
//! Each rule lives in its own file with its documentation (which `cronlock
//! rule NAME`, the text output's help lines and the SARIF metadata all use),
//! its check function and its tests (a `mod tests` at the bottom, on the
//! in-process `Tester` of `src/rules/tester.rs`). [`Rule::doc`] and
//! [`run_file_rules`] are generated from the rule table; helpers that
//! several rules (or `ripple`) use are in [`common`]. The modules are
//! declared here by hand, so that `cargo fmt` reaches them (it does not
//! look inside macros): a rule's line in the table without its `pub mod`
//! does not compile, and a rule file without its line fails the test
//! `every_rule_file_is_in_the_rule_table`.

pub mod common;
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
#[cfg(test)]
mod tester;
pub mod type_only_lock_import;
pub mod unlocked_cron;
pub mod unlocked_dynamic_job;
pub mod unlocked_interval;

#[cfg(test)]
pub(crate) use tester::Tester;

use crate::fix::Fix;
use crate::ids::FileId;
pub use crate::registry::{Fixability, Rule, Severity, Stage};
use crate::semantic::FileContext;

/// `Rule::doc` and the file-stage dispatch, from
/// [`crate::registry::rule_table`].
macro_rules! rule_modules {
    ($($stage:ident $module:ident => $variant:ident, $name:literal, $severity:ident, $fixable:ident;)*) => {

        impl Rule {
            /// The rule's documentation (from its own file).
            pub fn doc(self) -> &'static RuleDoc {
                match self { $(Rule::$variant => &$module::DOC,)* }
            }
        }

        /// Runs every file-stage rule on one parsed file, in the rule
        /// table's order (the package-stage ones run in `engine::analyze`).
        pub fn run_file_rules(ctx: &FileContext<'_>, out: &mut Vec<Finding>) {
            $(file_rule!($stage $module ctx out);)*
        }

        /// Every rule module's name, for the tests.
        #[cfg(test)]
        const MODULES: &[&str] = &[$(stringify!($module)),*];
    };
}

/// A file-stage rule's call in [`run_file_rules`]; nothing for the others.
macro_rules! file_rule {
    (File $module:ident $ctx:ident $out:ident) => {
        $module::check($ctx, $out)
    };
    ($stage:ident $module:ident $ctx:ident $out:ident) => {};
}

crate::registry::rule_table!(rule_modules);

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

/// One problem found in one file.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Which rule.
    pub rule: Rule,
    /// How serious (the rule's default until configuration applies).
    pub severity: Severity,
    /// The file.
    pub file: FileId,
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
    /// The file.
    pub file: FileId,
    /// Byte offset.
    pub offset: usize,
    /// What happens there.
    pub message: String,
    /// 1-based line and column, worked out with the finding's position.
    pub position: Option<(usize, usize)>,
}

impl Finding {
    /// A finding of `rule` at `range` of file `file`.
    pub fn new(rule: Rule, file: FileId, range: std::ops::Range<usize>, message: String) -> Self {
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{MODULES, Rule};

    fn rules_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules")
    }

    /// Every file under `src/rules` is a rule of the table (or `mod`,
    /// `common`, `tester`), and every rule's module is its own.
    #[test]
    fn every_rule_file_is_in_the_rule_table() {
        let mut files: Vec<String> = std::fs::read_dir(rules_dir())
            .expect("src/rules")
            .filter_map(|entry| {
                let name = entry.ok()?.file_name().into_string().ok()?;
                Some(name.strip_suffix(".rs")?.to_string())
            })
            .filter(|name| !["mod", "common", "tester"].contains(&name.as_str()))
            .collect();
        files.sort();
        let mut modules: Vec<String> = MODULES.iter().map(|m| (*m).to_string()).collect();
        modules.sort();
        assert_eq!(
            files, modules,
            "a file in src/rules without its line in registry::rule_table"
        );
        let by_rule: Vec<&str> = Rule::ALL.iter().map(|r| r.module()).collect();
        assert_eq!(by_rule, MODULES);
    }
}
