//! cronlock finds NestJS classes whose cluster-safe cron jobs would crash for
//! want of a `lockService`, and repairs them by splicing the original text.
//!
//! The modules read like the pipeline: walk, parse, model, judge, check,
//! fix, print.
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
