//! `--no-prefilter` is the oracle (issue 22): the bytes decide an
//! adversarial tree (tests/adversarial, shared with the proptest in
//! tests/differential.rs), written to a temporary directory and loaded twice,
//! with the prefilter and its second reads and without; the findings and
//! the fixed texts must be the same.
//!
//! CI runs it for a minute (`fuzz/ci.sh`), beside the proptest
//! `generated_trees_give_the_same_answer_either_way`; run it longer with
//! `bash fuzz/run.sh MINUTES same_answer`.
#![no_main]

#[path = "../../tests/adversarial/mod.rs"]
mod adversarial;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use cronlock::config::Config;
use cronlock::engine::{RuleFilter, analyze, fix_project};
use cronlock::project::Project;
use libfuzzer_sys::fuzz_target;

/// A fresh directory for one input.
fn scratch() -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("cronlock-same-answer-{}-{n}", std::process::id()))
}

/// Findings, then every fixed text, of the tree under `root`.
fn answer(root: &Path, prefilter: bool) -> String {
    let roots = vec![root.to_path_buf()];
    let excludes = cronlock::walk::exclude_set(&[]).expect("no globs");
    let walked = cronlock::walk::walk(&roots, &excludes);
    let markers = cronlock::workspace::Markers::new(&walked.walked_dirs, &walked.markers);
    let config = Config {
        prefilter,
        ..Config::default()
    };
    let (mut project, _) = Project::load(walked.files, &roots, markers, config, &|| ());
    let filter = RuleFilter::default();
    let findings = format!("{:#?}", analyze(&project, &filter).findings);
    let outcome = fix_project(&mut project, &filter);
    let mut out = findings;
    for &index in outcome.originals.keys() {
        let text = project.source(index).map(|s| s.text().to_string());
        out.push_str(&format!("\n--- {}\n{text:?}", project.files[index].display));
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let files = adversarial::tree(&mut adversarial::Choices::new(data));
    let root = scratch();
    for (path, text) in &files {
        let path = root.join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    let fast = answer(&root, true);
    let full = answer(&root, false);
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(fast, full, "default mode and --no-prefilter differ");
});
