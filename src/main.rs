//! The `cronlock` binary: parse arguments, run, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: a fifth of a run's time went to the C allocator (small AST
/// nodes and strings allocated and freed per file, across threads).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` (mimalloc.h; the same number in v2 and v3):
/// `libmimalloc-sys` names no constant for it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // mimalloc gives freed pages back to the system 10 ms after they empty
    // (by default); a run frees memory all the time (every file's syntax
    // tree), so those pages add up: after 1 ms instead, the peak resident
    // memory at 50k files is ~6 MB lower, for about 2% more CPU time.
    // SAFETY: the function and option exist in the linked mimalloc, which
    // reads the option whenever it schedules a purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1) };
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A crash inside swc is reported as that file's parse-error.
        if !cronlock::parse::is_parsing() {
            default_hook(info);
        }
    }));
    let cli = cronlock::cli::Cli::parse();
    // The handler lets an interrupted `fix` finish the file it is writing
    // (and `check --update-baseline` its baseline). The other commands write
    // nothing, so they go without it (and without its thread); the language
    // server ends on the editor's signal.
    let writes = match &cli.command {
        cronlock::cli::Command::Fix(_) => true,
        cronlock::cli::Command::Check(args) => args.update_baseline,
        _ => false,
    };
    if writes {
        cronlock::write::install_interrupt_handler();
    }
    match cronlock::app::run(cli) {
        Ok(status) => ExitCode::from(status.code()),
        Err(error) => {
            let chain: Vec<String> = error.chain().map(ToString::to_string).collect();
            eprintln!("error: {}", chain.join(": "));
            ExitCode::from(2)
        }
    }
}
