//! The read+parse floor for benchmarks: reads every `.ts` file under a
//! directory (skipping node_modules, dist, build, coverage, .git) and parses
//! it with swc_ecma_parser on all cores, doing nothing else.
//!
//!     cargo run --release --example floor -- DIR

use std::sync::atomic::{AtomicUsize, Ordering};

use ignore::{WalkBuilder, WalkState};
use swc_common::{BytePos, input::StringInput};
use swc_ecma_parser::{Parser, Syntax, TsSyntax};

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".to_string());
    let parsed = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
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
                let name = path.to_string_lossy();
                if !entry.file_type().is_some_and(|t| t.is_file())
                    || !name.ends_with(".ts")
                    || name.ends_with(".d.ts")
                {
                    return WalkState::Continue;
                }
                let Ok(text) = std::fs::read_to_string(path) else {
                    return WalkState::Continue;
                };
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
    println!(
        "parsed {} files ({} failed)",
        parsed.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed)
    );
}
