//! Helpers shared by the integration tests: copy a fixture to a temporary
//! directory and run the built binary in it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every fixture folder, sorted.
pub fn fixtures() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(root().join("fixtures"))
        .expect("fixtures/ exists")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    out.sort();
    out
}

/// A copy of a fixture in a temporary directory, under the fixture's own
/// name (so that package names in the output do not depend on the temp dir).
pub struct Copy {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Copy {
    /// The copied tree.
    pub fn path(&self) -> &Path {
        &self.root
    }
}

/// Copies `from` into a fresh temporary directory.
pub fn copy_tree(from: &Path) -> Copy {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join(from.file_name().unwrap_or_default());
    copy_dir(from, &root);
    Copy { _dir: dir, root }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Output of one run.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Runs `cronlock ARGS` in `dir`.
pub fn cronlock(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_cronlock"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run cronlock");
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

/// Every file under `dir` with its bytes, sorted by relative path.
pub fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    collect(dir, dir, &mut out);
    out.sort();
    out
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.is_dir() {
            collect(base, &path, out);
        } else {
            let relative = path
                .strip_prefix(base)
                .expect("under base")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((relative, std::fs::read(&path).expect("read")));
        }
    }
}

/// Makes CR and BOM visible in snapshots (insta would otherwise hide them).
pub fn visible(text: &str) -> String {
    text.replace('\u{feff}', "<BOM>").replace('\r', "␍")
}

/// Extra arguments a fixture asks for: `fixture-args` (every command) or
/// `fixture-fix-args` (only `fix`, e.g. `--migrate-cron`).
pub fn fixture_args(dir: &Path, file: &str) -> Vec<String> {
    std::fs::read_to_string(dir.join(file))
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Checks that every line `fixed` changed relative to `original` lies in a
/// constructor's parameter list or an import declaration (blank lines aside);
/// the `Err` names the first line that does not.
pub fn changes_only_constructors_and_imports(original: &str, fixed: &str) -> Result<(), String> {
    let old_allowed = allowed_lines(original);
    let new_allowed = allowed_lines(fixed);
    let diff = similar::TextDiff::from_lines(original, fixed);
    for change in diff.iter_all_changes() {
        match change.tag() {
            similar::ChangeTag::Delete => {
                let line = change.old_index().unwrap_or_default() + 1;
                if !old_allowed.iter().any(|r| r.contains(&line)) {
                    return Err(format!(
                        "changed line {line} is outside constructors and imports: {:?}",
                        change.value()
                    ));
                }
            }
            similar::ChangeTag::Insert => {
                let line = change.new_index().unwrap_or_default() + 1;
                let blank = change.value().trim().is_empty();
                if !blank && !new_allowed.iter().any(|r| r.contains(&line)) {
                    return Err(format!(
                        "added line {line} is outside constructors and imports: {:?}",
                        change.value()
                    ));
                }
            }
            similar::ChangeTag::Equal => {}
        }
    }
    Ok(())
}

/// Lines (1-based) that constructor parameter lists and imports span.
fn allowed_lines(text: &str) -> Vec<std::ops::RangeInclusive<usize>> {
    let source = cronlock::source::SourceText::new(text.to_string());
    let Ok(module) = cronlock::parse::parse_module(source.code()) else {
        return Vec::new();
    };
    let model = cronlock::model::build(&module, source.text(), source.bom_len());
    let mut ranges: Vec<std::ops::RangeInclusive<usize>> = model
        .imports
        .iter()
        .map(|i| source.line_col(i.range.start).0..=source.line_col(i.range.end).0)
        .collect();
    for class in &model.classes {
        if let Some((open, close)) = class.constructor.as_ref().and_then(|c| c.parens) {
            ranges.push(source.line_col(open).0..=source.line_col(close).0);
        }
    }
    ranges
}

/// A temporary tree of `(path, text)` files.
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}
