//! The `cronlock` binary: parse arguments, run, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: a fifth of a run's time went to the C allocator (small AST
/// nodes and strings allocated and freed per file, across threads).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A crash inside swc is reported as that file's parse-error.
        if !cronlock::parse::is_parsing() {
            default_hook(info);
        }
    }));
    let cli = cronlock::cli::Cli::parse();
    cronlock::write::install_interrupt_handler();
    match cronlock::app::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(error) => {
            let chain: Vec<String> = error.chain().map(ToString::to_string).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::from(2)
        }
    }
}
