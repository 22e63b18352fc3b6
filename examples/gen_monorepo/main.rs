//! Writes a synthetic NestJS monorepo for benchmarks and tests.
//!
//!     cargo run --release --example gen_monorepo -- OUT_DIR FILES [PACKAGES] [SEED]

mod generator;

use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(out), Some(files)) = (args.first(), args.get(1).and_then(|f| f.parse().ok())) else {
        eprintln!("usage: gen_monorepo OUT_DIR FILES [PACKAGES] [SEED]");
        return std::process::ExitCode::from(2);
    };
    let packages = args
        .get(2)
        .and_then(|p| p.parse().ok())
        .unwrap_or(files / 500 + 1);
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(42);
    let spec = generator::Spec {
        files,
        packages,
        seed,
    };
    match generator::generate(&PathBuf::from(out), spec) {
        Ok(stats) => {
            println!(
                "{} files ({} MB) in {packages} packages: {} with lock decorators, {} missing lockService, {} plain @Cron",
                stats.files,
                stats.bytes / 1_000_000,
                stats.locked,
                stats.missing,
                stats.plain_cron
            );
            std::process::ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {out}: {error}");
            std::process::ExitCode::from(2)
        }
    }
}
