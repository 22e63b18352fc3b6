//! cronlock finds NestJS classes whose cluster-safe cron jobs would crash for
//! want of a `lockService`, and repairs them by splicing the original text.
//!
//! The modules read like the pipeline: walk, parse, model, judge, check,
//! fix, print. Where to look:
//!
//! - **input**: [`walk`] (which files), [`files`] (their texts, from disk or
//!   an editor's buffers), [`source`], [`paths`], [`vcs`], [`config`],
//!   [`workspace`] (packages), [`tsconfig`];
//! - **syntax**: [`parse`], [`budget`] (no parse may hang a run), [`style`],
//!   [`prefilter`] (which files need parsing at all);
//! - **one file**: [`model`] (what the AST says, as plain data), [`semantic`]
//!   (judged against the configuration);
//! - **the scan**: [`project`] (the file table, loading, second reads),
//!   [`ids`];
//! - **between files**: [`resolve`], [`links`], [`modules`] (applications and
//!   their module graphs), [`deps`];
//! - **judging**: [`registry`] (every rule declared once), [`rules`] (one file
//!   per rule), [`engine`] (file stage, package stage, settling, the fix
//!   loop), [`ripple`];
//! - **repairing**: [`fix`], [`diff`], [`write`](mod@write), [`confine`], [`baseline`];
//! - **front ends**: [`cli`], [`app`] (what each command does), [`output`],
//!   [`lsp`] and [`session`] (the language server), [`docs`] (generated rule
//!   pages); [`workers`] (the thread pool of one engine instance).
#![deny(missing_docs)]

pub mod app;
pub mod baseline;
pub mod budget;
pub mod cli;
pub mod config;
pub mod confine;
pub mod deps;
pub mod diff;
pub mod docs;
pub mod engine;
pub mod files;
pub mod fix;
pub mod ids;
pub mod links;
pub mod lsp;
pub mod model;
pub mod modules;
pub mod output;
pub mod parse;
pub mod paths;
pub mod prefilter;
pub mod project;
pub mod registry;
pub mod resolve;
pub mod ripple;
pub mod rules;
pub mod semantic;
pub mod session;
pub mod source;
pub mod style;
pub mod tsconfig;
pub mod vcs;
pub mod walk;
pub mod workers;
pub mod workspace;
pub mod write;
