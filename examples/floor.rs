//! The floors for benchmarks: reads every file cronlock would scan under a
//! directory (skipping node_modules, dist, build, coverage, .git) on all
//! cores and, unless `--read-only`, parses it with swc_ecma_parser, doing
//! nothing else.
//!
//!     cargo run --release --example floor -- DIR              # read + parse
//!     cargo run --release --example floor -- --read-only DIR  # read every byte
//!     cargo run --release --example floor -- --prefiltered DIR # read, parse some
//!     cargo run --release --example floor -- --prefiltered --no-parse DIR
//!
//! The read-only floor is the physical limit `check` is measured against: the
//! time to walk the tree and read every scanned byte, on all cores.
//! `--prefiltered` reads every byte but parses, in full, only the files
//! cronlock's prefilter keeps (those naming a lock or schedule name as an
//! identifier), with no model and no rules; with `--no-parse` it only counts
//! them, so that the difference between the two is what parsing them costs.

use std::sync::atomic::{AtomicUsize, Ordering};

use ignore::{WalkBuilder, WalkState};
use swc_common::{BytePos, input::StringInput};
use swc_ecma_parser::{Parser, Syntax, TsSyntax};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let read_only = args.iter().any(|a| a == "--read-only");
    let no_parse = args.iter().any(|a| a == "--no-parse");
    let prefilter = if args.iter().any(|a| a == "--prefiltered") {
        cronlock::project::build_prefilter(&cronlock::config::Config::default())
    } else {
        None
    };
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| ".".to_string());
    let parsed = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    let bytes = AtomicUsize::new(0);
    WalkBuilder::new(&dir)
        .hidden(false)
        .filter_entry(|e| {
            !matches!(
                e.file_name().to_str(),
                Some("node_modules" | "dist" | "build" | "coverage" | ".git")
            )
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let Ok(entry) = entry else {
                    return WalkState::Continue;
                };
                let path = entry.path();
                if !entry.file_type().is_some_and(|t| t.is_file())
                    || !cronlock::walk::is_scanned_name(path)
                {
                    return WalkState::Continue;
                }
                if read_only {
                    if let Ok(data) = std::fs::read(path) {
                        bytes.fetch_add(data.len(), Ordering::Relaxed);
                        parsed.fetch_add(1, Ordering::Relaxed);
                    }
                    return WalkState::Continue;
                }
                let Ok(text) = std::fs::read_to_string(path) else {
                    return WalkState::Continue;
                };
                bytes.fetch_add(text.len(), Ordering::Relaxed);
                if let Some(prefilter) = &prefilter
                    && !cronlock::project::mentions_any(prefilter, text.as_bytes())
                {
                    return WalkState::Continue;
                }
                if no_parse {
                    parsed.fetch_add(1, Ordering::Relaxed);
                    return WalkState::Continue;
                }
                let syntax = Syntax::Typescript(TsSyntax {
                    decorators: true,
                    ..Default::default()
                });
                let input = StringInput::new(&text, BytePos(1), BytePos(1 + text.len() as u32));
                let mut parser = Parser::new(syntax, input, None);
                match parser.parse_module() {
                    Ok(_) => parsed.fetch_add(1, Ordering::Relaxed),
                    Err(_) => failed.fetch_add(1, Ordering::Relaxed),
                };
                WalkState::Continue
            })
        });
    let verb = match (read_only, no_parse) {
        (true, _) => "read",
        (false, true) => "kept",
        (false, false) => "parsed",
    };
    if prefilter.is_some() {
        print!("of those read, ");
    }
    println!(
        "{verb} {} files, {} bytes ({} failed)",
        parsed.load(Ordering::Relaxed),
        bytes.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed)
    );
}
