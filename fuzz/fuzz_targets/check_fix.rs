//! Arbitrary bytes as a .ts file: check and fix never panic, and when the
//! input parses, every fix is accepted (its output parses and keeps the
//! file's classes, decorators and imports) and a second round changes nothing.
#![no_main]

use cronlock::config::Config;
use cronlock::engine::{RuleFilter, analyze, fix_project};
use cronlock::project::Project;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parses = cronlock::parse::with_module(text.trim_start_matches('\u{feff}'), |_| ()).is_ok();
    let config = Config {
        migrate_cron: data.first().is_some_and(|b| b & 1 == 1),
        import_source: Some("@acme/cluster-lock".to_string()),
        ..Config::default()
    };
    let mut project = Project::from_texts(vec![("src/input.ts".to_string(), text.to_string())], config);
    let filter = RuleFilter::default();
    let _ = analyze(&project, &filter);
    let outcome = fix_project(&mut project, &filter);
    if parses {
        assert!(outcome.failures.is_empty(), "a fix was rejected: {:?}", outcome.failures);
        let again = fix_project(&mut project, &filter);
        assert!(again.originals.is_empty(), "a second fix changed the text");
    }
});
