//! A parsed file's text is left on disk and read again when a fix or a
//! finding's position needs it; a file that changed in between is an error,
//! never a fix spliced into another text.

use std::path::PathBuf;

use cronlock::config::Config;
use cronlock::engine::{CHANGED_ON_DISK, RuleFilter, analyze, fix_project};
use cronlock::ids::FileId;
use cronlock::project::{Fingerprint, Project};
use cronlock::walk::{exclude_set, walk};
use cronlock::workspace::Markers;

/// The one file of the scans below.
const JOBS_FILE: FileId = FileId::new(0);

const JOBS: &str = "import { Injectable } from '@nestjs/common';
import { ClusterSafeCron } from '@acme/cluster-lock';

@Injectable()
export class ReportJob {
  @ClusterSafeCron('0 * * * *', 'report')
  run() {}
}
";

fn load(dir: &std::path::Path) -> Project {
    let paths = vec![PathBuf::from(dir)];
    let walked = walk(&paths, &exclude_set(&[]).expect("no globs"));
    let markers = Markers::new(&walked.walked_dirs, &walked.markers);
    let (project, errors) = Project::load(walked.files, &paths, markers, Config::default(), &|| {});
    assert!(errors.is_empty(), "{errors:?}");
    project
}

/// A directory holding `jobs.ts` (JOBS), that file's path, and the project
/// loaded from it.
/// Runs the fix loop on `project` (nothing written) and gives its outcome
/// and the fixed text of its one file.
fn fixed_in_memory(project: &mut Project) -> (cronlock::engine::FixOutcome, String) {
    let outcome = fix_project(project, &RuleFilter::default());
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    let fixed = project
        .read_source(JOBS_FILE)
        .expect("fixed text")
        .text()
        .to_string();
    (outcome, fixed)
}

fn jobs_project() -> (tempfile::TempDir, PathBuf, Project) {
    let work = tempfile::tempdir().expect("temp dir");
    let path = work.path().join("jobs.ts");
    std::fs::write(&path, JOBS).expect("write");
    let project = load(work.path());
    (work, path, project)
}

#[test]
fn an_unchanged_file_is_read_again_and_fixed() {
    let (_work, _, mut project) = jobs_project();
    let outcome = fix_project(&mut project, &RuleFilter::default());
    assert!(outcome.failures.is_empty(), "{:?}", outcome.failures);
    let original = outcome.originals.get(&JOBS_FILE).expect("changed");
    assert_eq!(
        project.original_text(JOBS_FILE, original).as_deref(),
        Some(JOBS)
    );
    assert!(project.changed_on_disk().is_empty());
}

#[test]
fn a_fixed_text_is_rebuilt_from_the_disk_and_never_from_another_text() {
    let (_work, path, mut project) = jobs_project();
    let (outcome, fixed) = fixed_in_memory(&mut project);
    assert!(fixed.contains("lockService"), "{fixed}");
    assert!(outcome.remaining.findings.is_empty());
    // The fixed text is held nowhere: once the file changes on disk, it
    // cannot be built again, and the file is reported changed.
    std::fs::write(&path, JOBS.replace("report", "REPORT")).expect("write");
    assert!(project.read_source(JOBS_FILE).is_none());
    assert_eq!(project.changed_on_disk(), vec![JOBS_FILE]);
    let original = outcome.originals.get(&JOBS_FILE).expect("changed");
    assert!(project.original_text(JOBS_FILE, original).is_none());
}

#[test]
fn a_file_changed_after_the_parse_is_not_fixed() {
    let (_work, path, mut project) = jobs_project();
    // Same length, other text: the fix's offsets would land elsewhere.
    std::fs::write(&path, JOBS.replace("report", "REPORT")).expect("write");
    let outcome = fix_project(&mut project, &RuleFilter::default());
    // The rules find the text gone, so they build no fix (and were one built,
    // applying it would fail with CHANGED_ON_DISK).
    assert!(
        outcome
            .failures
            .iter()
            .all(|f| f.file == JOBS_FILE && f.reason == CHANGED_ON_DISK),
        "{:?}",
        outcome.failures
    );
    assert!(outcome.originals.is_empty());
    assert_eq!(outcome.fixed, 0);
    assert!(!outcome.remaining.findings.is_empty());
    assert_eq!(project.changed_on_disk(), vec![JOBS_FILE]);
    // The disk keeps what was written there.
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        JOBS.replace("report", "REPORT")
    );
}

#[test]
fn a_finding_in_a_file_changed_after_the_parse_is_flagged() {
    let (_work, path, project) = jobs_project();
    std::fs::write(&path, format!("// edited\n{JOBS}")).expect("write");
    let analysis = analyze(&project, &RuleFilter::default());
    assert!(!analysis.findings.is_empty());
    assert!(analysis.findings.iter().all(|f| f.fix.is_none()));
    assert_eq!(project.changed_on_disk(), vec![JOBS_FILE]);
}

#[test]
fn a_file_cronlock_wrote_is_read_as_its_new_text_and_a_later_change_is_still_seen() {
    let (_work, path, mut project) = jobs_project();
    let (_, fixed) = fixed_in_memory(&mut project);
    // What `fix` does once it has written the file.
    std::fs::write(&path, &fixed).expect("write");
    project.wrote(&[(JOBS_FILE, Fingerprint::of(fixed.as_bytes()))]);
    assert_eq!(
        project.read_source(JOBS_FILE).map(|s| s.text().to_string()),
        Some(fixed.clone())
    );
    assert!(project.changed_on_disk().is_empty());
    // Another process changes it after cronlock's write: that is a change.
    std::fs::write(&path, fixed.replace("report", "REPORT")).expect("write");
    assert!(project.read_source(JOBS_FILE).is_none());
    assert_eq!(project.changed_on_disk(), vec![JOBS_FILE]);
}
