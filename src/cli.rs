//! The command line, as clap parses it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Finds NestJS classes whose cluster-safe cron jobs would crash for want of
/// an injected `lockService`, and repairs them.
///
/// `@ClusterSafeCron` and `@Lock` read `this.lockService` when the job fires;
/// in cluster mode (PM2 cluster, Kubernetes) they throw when it is missing.
/// Single-instance development never shows it. cronlock finds every such
/// class (and the relatives of that bug) and fixes them by editing only the
/// bytes that must change.
#[derive(Debug, Parser)]
#[command(name = "cronlock", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan and print findings. Exit 0 clean, 1 findings, 2 error.
    ///
    /// With a baseline (cronlock-baseline.json), findings it records are
    /// counted apart and only new findings, or recorded ones that are gone,
    /// fail the run.
    Check(CheckArgs),
    /// Apply fixes in place. Exit 0 nothing left, 1 findings remain, 2 error.
    Fix(FixArgs),
    /// List every rule: name, default severity, fixable or not, one line.
    Rules,
    /// Explain one rule: why it matters, an example before and after.
    Rule {
        /// The rule's name, e.g. missing-lock-service.
        name: String,
    },
    /// A language server over stdio, for editors (VS Code, Neovim, Helix, Zed).
    ///
    /// Diagnostics as you type (the same rules, configuration, suppressions and
    /// baseline as `check`, per workspace folder), quick fixes with the edits
    /// `cronlock fix` makes, `source.fixAll.cronlock`, and suppression comments.
    /// Speaks JSON-RPC on stdin/stdout; the editor starts it. Set-up per editor:
    /// docs/editor.md.
    Lsp,
}

/// Options shared by `check` and `fix`.
#[derive(Debug, Args, Clone)]
pub struct ScanArgs {
    /// Files or directories to scan [default: .]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Configuration file [default: the nearest cronlock.toml from the first PATH upward].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// When to use colour (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Worker threads [default: all cores].
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Only these rules (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub select: Vec<String>,
    /// Never these rules (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub ignore: Vec<String>,
    /// Skip paths matching GLOB (repeatable), e.g. --exclude 'legacy/**'.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Print only the summary (text) and no progress.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// A file swc has not parsed within SECS seconds of CPU time per
    /// started MiB is reported as a parse-error ("took longer than N s to
    /// parse; not checked") and never edited, while the rest of the run
    /// goes on. CPU time, so a busy machine gives the same answer as an
    /// idle one. Default: `parse-timeout` in cronlock.toml, else 5.
    #[arg(long, value_name = "SECS", value_parser = parse_timeout)]
    pub parse_timeout: Option<f64>,
    /// Parse every file, and every function body, in full: by default files
    /// that mention none of the names cronlock looks for are not parsed, and
    /// function bodies that mention none are skipped by the parser. The
    /// findings are the same; slower, but a syntax error inside a skipped
    /// body is reported as parse-error too.
    #[arg(long)]
    pub no_prefilter: bool,
    /// Known findings: those it records do not fail the run; only new ones
    /// do, and so does an entry whose finding is gone (stale) [default:
    /// `baseline` in cronlock.toml, else cronlock-baseline.json beside the
    /// cronlock.toml in use or in the current directory, when present].
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Use no baseline, even when cronlock-baseline.json exists.
    #[arg(long, conflicts_with = "baseline")]
    pub no_baseline: bool,
}

/// Options of `check`.
#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    /// Shared options.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Write (or rewrite) the baseline from the current findings and exit 0:
    /// the start of a migration, and after fixes, to drop the entries that
    /// are gone.
    #[arg(long, conflicts_with = "no_baseline")]
    pub update_baseline: bool,
}

/// Options of `fix`.
#[derive(Debug, Args, Clone)]
pub struct FixArgs {
    /// Shared options.
    #[command(flatten)]
    pub scan: ScanArgs,
    /// Print unified diffs and write nothing. Exit 1 if a change would be made or findings remain.
    #[arg(long)]
    pub dry_run: bool,
    /// Also rewrite unlocked `@Cron(...)` from @nestjs/schedule to `@ClusterSafeCron(...)`.
    #[arg(long)]
    pub migrate_cron: bool,
    /// Write files even when they have uncommitted changes (inside a git work tree, `fix`
    /// refuses otherwise and writes nothing).
    #[arg(long)]
    pub allow_dirty: bool,
    /// Write files whose uncommitted changes are all staged (what a pre-commit hook sees).
    #[arg(long)]
    pub allow_staged: bool,
    /// Leave the findings the baseline records alone; fix only new ones.
    #[arg(long, conflicts_with = "no_baseline")]
    pub skip_baselined: bool,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `file:line:col: severity[rule] message`, a source frame, a summary.
    Text,
    /// One JSON document (its shape: docs/formats.md).
    Json,
    /// A readiness report for a pull request.
    Markdown,
    /// SARIF 2.1.0 for code scanning (docs/formats.md).
    Sarif,
    /// GitHub Actions workflow commands.
    Github,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Only on a terminal, and not when NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }
}

/// A parse budget: a positive number of seconds.
fn parse_timeout(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(secs) if crate::budget::is_valid(secs) => Ok(secs),
        _ => Err(format!(
            "`{value}` is not a number of seconds between 0 and 86400"
        )),
    }
}
