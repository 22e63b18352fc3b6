//! An in-process test bench for one rule, in the style of oxc's `Tester`:
//! each case is a set of files (path, text) built into a project in memory
//! ([`Project::from_texts`]), analyzed by the engine as `cronlock check`
//! would, and judged on the findings of the rule under test only.
//!
//! ```ignore
//! Tester::new(Rule::MissingLockService)
//!     .pass(&[("src/a.job.ts", "...")])
//!     .fail(&[("src/a.job.ts", "..."), ("src/base.ts", "...")], &[("src/a.job.ts", 7, "has `@ClusterSafeCron`")])
//!     .fix(&[("src/a.job.ts", "...")], &[("src/a.job.ts", "...fixed...")])
//!     .test();
//! ```
//!
//! Files sit under one in-memory package root: one package (an application
//! is named `cronlock-in-memory`; `from_texts` reads no `package.json`), in
//! which relative imports between the files resolve and files the prefilter
//! skipped are read again as on disk. Every case also runs without the
//! prefilter and must find the same. A case whose files do not parse fails
//! (unless the rule is parse-error), so that a typo cannot make a `pass`
//! case pass.

use std::panic::Location;

use crate::config::Config;
use crate::engine::{self, RuleFilter};
use crate::project::Project;
use crate::rules::{Finding, Rule};

/// One expected finding: the file it is in (as given to the case), its
/// 1-based line, and a piece of its message.
pub type Expected<'a> = (&'a str, usize, &'a str);

/// What a case expects.
enum Expect {
    /// No finding of the rule.
    Pass,
    /// Exactly these findings of the rule (in file, line order).
    Fail(Vec<(String, usize, String)>),
    /// `cronlock fix --select <rule>` leaves these files with these texts.
    Fix(Vec<(String, String)>),
}

struct Case {
    files: Vec<(String, String)>,
    expect: Expect,
    at: &'static Location<'static>,
}

/// The cases of one rule.
pub struct Tester {
    rule: Rule,
    config: Config,
    cases: Vec<Case>,
}

impl Tester {
    /// A bench for `rule`, with the default configuration.
    pub fn new(rule: Rule) -> Tester {
        Tester {
            rule,
            config: Config::default(),
            cases: Vec::new(),
        }
    }

    /// Changes the configuration of every case.
    pub fn configure(mut self, change: impl FnOnce(&mut Config)) -> Tester {
        change(&mut self.config);
        self
    }

    /// A case where the rule finds nothing.
    #[track_caller]
    pub fn pass(self, files: &[(&str, &str)]) -> Tester {
        self.case(files, Expect::Pass)
    }

    /// A case where the rule finds exactly `expected`.
    #[track_caller]
    pub fn fail(self, files: &[(&str, &str)], expected: &[Expected<'_>]) -> Tester {
        assert!(!expected.is_empty(), "a failing case expects a finding");
        let mut expected: Vec<(String, usize, String)> = expected
            .iter()
            .map(|&(file, line, message)| (file.to_string(), line, message.to_string()))
            .collect();
        expected.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        self.case(files, Expect::Fail(expected))
    }

    /// A case where fixing the rule's findings (`cronlock fix --select
    /// <rule>`, in memory) gives `fixed` (file, whole text).
    #[track_caller]
    pub fn fix(self, files: &[(&str, &str)], fixed: &[(&str, &str)]) -> Tester {
        let fixed = fixed
            .iter()
            .map(|&(file, text)| (file.to_string(), text.to_string()))
            .collect();
        self.case(files, Expect::Fix(fixed))
    }

    #[track_caller]
    fn case(mut self, files: &[(&str, &str)], expect: Expect) -> Tester {
        self.cases.push(Case {
            files: files
                .iter()
                .map(|&(path, text)| (path.to_string(), text.to_string()))
                .collect(),
            expect,
            at: Location::caller(),
        });
        self
    }

    /// Runs every case; panics with every case that went wrong.
    pub fn test(self) {
        assert!(!self.cases.is_empty(), "no cases for {}", self.rule.name());
        let failures: Vec<String> = self
            .cases
            .iter()
            .filter_map(|case| {
                self.run(case)
                    .err()
                    .map(|why| format!("{} case at {}: {why}", self.rule.name(), case.at))
            })
            .collect();
        assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    }

    fn run(&self, case: &Case) -> Result<(), String> {
        let mut project = Project::from_texts(case.files.clone(), self.config.clone());
        let analysis = engine::analyze(&project, &RuleFilter::default());
        if self.rule != Rule::ParseError {
            let broken: Vec<String> = analysis
                .findings
                .iter()
                .filter(|f| f.rule == Rule::ParseError)
                .map(|f| describe(&project, f))
                .collect();
            if !broken.is_empty() {
                return Err(format!("the case does not parse: {broken:?}"));
            }
        }
        let found: Vec<&Finding> = analysis
            .findings
            .iter()
            .filter(|f| f.rule == self.rule)
            .collect();
        let others: Vec<String> = analysis
            .findings
            .iter()
            .filter(|f| f.rule != self.rule)
            .map(|f| format!("{} {}", f.rule.name(), describe(&project, f)))
            .collect();
        let shown: Vec<String> = found.iter().map(|f| describe(&project, f)).collect();
        if self.config.prefilter {
            // The prefilter only saves work: a full parse finds the same.
            let config = Config {
                prefilter: false,
                ..self.config.clone()
            };
            let full = Project::from_texts(case.files.clone(), config);
            let unfiltered: Vec<String> = engine::analyze(&full, &RuleFilter::default())
                .findings
                .iter()
                .filter(|f| f.rule == self.rule)
                .map(|f| describe(&full, f))
                .collect();
            if unfiltered != shown {
                return Err(format!(
                    "with the prefilter: {shown:#?}\nwithout: {unfiltered:#?}"
                ));
            }
        }
        let shown = format!("{shown:#?}\n-- other rules' findings: {others:#?}");
        match &case.expect {
            Expect::Pass if found.is_empty() => Ok(()),
            Expect::Pass => Err(format!("expected no finding, got {shown}")),
            Expect::Fail(expected) => {
                let matches = found.len() == expected.len()
                    && found
                        .iter()
                        .zip(expected)
                        .all(|(f, (file, line, message))| {
                            project.files[f.file].display == *file
                                && f.position.map(|p| p.line) == Some(*line)
                                && f.message.contains(message.as_str())
                        });
                if matches {
                    Ok(())
                } else {
                    Err(format!("expected {expected:#?}, got {shown}"))
                }
            }
            Expect::Fix(fixed) => {
                if found.is_empty() {
                    return Err("nothing to fix: no finding".to_string());
                }
                let filter = RuleFilter {
                    select: vec![self.rule],
                    ..RuleFilter::default()
                };
                let outcome = engine::fix_project(&mut project, &filter);
                if !outcome.failures.is_empty() {
                    return Err(format!("the fix failed: {:?}", outcome.failures));
                }
                for (file, want) in fixed {
                    let index = project
                        .files
                        .iter()
                        .position(|f| f.display == *file)
                        .ok_or_else(|| format!("no file {file} in the case"))?;
                    let text = project
                        .source(crate::ids::FileId::new(index))
                        .map(|s| s.text().to_string())
                        .or_else(|| {
                            let (_, original) = case.files.iter().find(|(p, _)| p == file)?;
                            Some(original.clone())
                        })
                        .unwrap_or_default();
                    if text != *want {
                        return Err(format!(
                            "{file} fixed:\n{text}\n-- expected:\n{want}\n-- findings before: {shown}"
                        ));
                    }
                }
                Ok(())
            }
        }
    }
}

/// `file:line:column: message`.
fn describe(project: &Project, finding: &Finding) -> String {
    let (line, column) = finding.position.map_or((0, 0), |p| (p.line, p.column));
    format!(
        "{}:{line}:{column}: {}",
        project.files[finding.file].display, finding.message
    )
}
