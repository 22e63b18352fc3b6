//! One root (a workspace folder, or a file opened outside every folder)
//! run through the engine exactly as `cronlock check` and `cronlock fix`
//! run it: the same walk, configuration, `Project` loading, rules,
//! suppressions and baseline. The only difference is where texts come
//! from: an [`Overlay`] of the editor's buffers.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use lsp_types::{Diagnostic, Uri};

use super::diagnostics::{self, Encoding, LineIndex, RelatedSite};
use super::documents::{Overlay, path_to_uri};
use crate::baseline::{self, Baseline};
use crate::config::Config;
use crate::engine::{self, Analysis, RuleFilter};
use crate::ids::FileId;
use crate::project::Project;
use crate::rules::Finding;
use crate::session::{Change, Session};
use crate::walk::{self, WalkedFile};
use crate::workers::Workers;

/// A finding as shown in one file.
#[derive(Debug, Clone)]
pub struct Shown {
    /// The diagnostic sent.
    pub diagnostic: Diagnostic,
    /// Whether `cronlock fix` repairs it.
    pub fixable: bool,
}

/// What the engine says about a root, for one snapshot of the buffers.
#[derive(Debug, Default)]
pub struct Findings {
    /// Diagnostics per file that has any.
    pub files: BTreeMap<PathBuf, (Uri, Vec<Shown>)>,
}

/// A root kept loaded between analyses: the engine's [`Session`], the
/// baseline, and the buffers the session's texts come from.
pub struct Loaded {
    session: Session,
    baseline: Option<Baseline>,
    /// The buffers as of the last analysis.
    overlay: Overlay,
    /// Analyses answered in place, without loading the root again.
    updates: usize,
    /// Each file's diagnostics as last shown, with a digest of the findings
    /// they were built from: a file whose findings, and the texts they
    /// point into, did not change is shown again as it was.
    shown: HashMap<FileId, (u64, Vec<Shown>)>,
    /// The last analysis (the readiness report is made from it).
    analysis: Analysis,
    /// How the root was walked: a file created or deleted is taken in place
    /// when a fresh walk agrees (see [`changes_since`]).
    walked: WalkRules,
    /// Scanned files only in a buffer, not on disk (see [`add_unsaved`]).
    unsaved: HashSet<PathBuf>,
}

/// What a fresh load walks by: the `exclude`s of the configuration in force
/// and the package markers the walk saw (sorted).
#[derive(Default)]
struct WalkRules {
    excludes: globset::GlobSet,
    markers: Vec<PathBuf>,
}

impl Loaded {
    /// How many analyses this session answered in place (judging only what
    /// changed), since the root was last loaded.
    pub fn updates(&self) -> usize {
        self.updates
    }

    /// The project as of the last analysis.
    pub fn project(&self) -> &Project {
        self.session.project()
    }

    /// The last analysis.
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// The baseline `check` would use for this root.
    pub fn baseline(&self) -> Option<&Baseline> {
        self.baseline.as_ref()
    }
}

/// Analyses `root` as `cronlock check <root>` would, on `overlay`'s texts.
/// With `previous` (the same root's last analysis), only what changed since
/// is judged again: buffers whose text differs, and `on_disk` (files changed
/// on disk, created or deleted). A change the session cannot take (a
/// `cronlock.toml`, a tsconfig, a `package.json`, a file outside the walk:
/// see [`changes_since`]) loads the root again.
/// The work runs on `workers` (the server's, shared by its roots).
pub fn analyze(
    root: &Path,
    overlay: &Overlay,
    encoding: Encoding,
    previous: Option<Box<Loaded>>,
    on_disk: &[PathBuf],
    workers: &Workers,
) -> Result<(Findings, Box<Loaded>)> {
    workers.install(|| analyze_on(root, overlay, encoding, previous, on_disk, workers))
}

fn analyze_on(
    root: &Path,
    overlay: &Overlay,
    encoding: Encoding,
    previous: Option<Box<Loaded>>,
    on_disk: &[PathBuf],
    workers: &Workers,
) -> Result<(Findings, Box<Loaded>)> {
    if let Some(mut loaded) = previous {
        let changes = changes_since(&loaded, root, overlay, on_disk);
        if let Some((changes, unsaved)) = changes
            && let Ok(analysis) = loaded.session.update(changes, Arc::new(overlay.clone()))
        {
            loaded.overlay = overlay.clone();
            loaded.unsaved = unsaved;
            loaded.updates += 1;
            let findings = shown(&mut loaded, &analysis, encoding);
            loaded.analysis = analysis;
            return Ok((findings, loaded));
        }
    }
    let (project, baseline, walked) = load(root, overlay)?;
    let unsaved = project
        .file_ids()
        .filter_map(|i| project.file(i))
        .filter(|f| !f.path.is_file())
        .map(|f| f.path.clone())
        .collect();
    let (session, analysis) = Session::new(project, RuleFilter::default(), workers);
    let mut loaded = Box::new(Loaded {
        session,
        baseline,
        overlay: overlay.clone(),
        updates: 0,
        shown: HashMap::new(),
        analysis: Analysis::default(),
        walked,
        unsaved,
    });
    let findings = shown(&mut loaded, &analysis, encoding);
    loaded.analysis = analysis;
    Ok((findings, loaded))
}

/// The changes from the buffers and files `loaded` was analysed on to
/// `after` (a buffer edited, opened or closed) and `on_disk` (files changed,
/// created or deleted on disk), or `None` when one of them is a change no
/// session can take in place (see [`Session::update`]): not a source file
/// (a `cronlock.toml`, a tsconfig, a `package.json`, a `.gitignore`), a
/// source file a fresh walk would not scan, or one the walk finds with
/// package markers that changed. Whether a file came or went is what a
/// fresh walk of `root` says (walked again only then). Also gives the
/// scanned files only in a buffer once the changes are in.
fn changes_since(
    loaded: &Loaded,
    root: &Path,
    after: &Overlay,
    on_disk: &[PathBuf],
) -> Option<(Vec<Change>, HashSet<PathBuf>)> {
    let before = &loaded.overlay;
    let mut paths: Vec<&PathBuf> = before
        .paths()
        .chain(after.paths())
        .filter(|path| match (before.text(path), after.text(path)) {
            (Some(a), Some(b)) => !Arc::ptr_eq(a, b) && a != b,
            _ => true,
        })
        .chain(on_disk)
        .collect();
    paths.sort();
    paths.dedup();
    let mut walk: Option<HashMap<PathBuf, WalkedFile>> = None;
    let mut unsaved = loaded.unsaved.clone();
    let mut changes = Vec::with_capacity(paths.len());
    for path in paths {
        if !walk::is_scanned_name(path) {
            return None;
        }
        let scanned = loaded.session.scans(path);
        let text = after.read_text(path);
        // A scanned file that came onto the disk or left it: imports of it
        // resolve otherwise (the resolver reads the disk).
        let moved = scanned && text.is_some() && unsaved.contains(path) == path.is_file();
        let walk = match &walk {
            Some(walk) => walk,
            None if scanned && text.is_some() && !moved => {
                changes.push(Change::Text(path.clone(), text?));
                continue;
            }
            None => walk.insert(walk_again(root, after, &loaded.walked)?),
        };
        let walked = walk.get(path);
        changes.push(match (scanned, walked, text) {
            (true, Some(_), Some(text)) if moved => Change::Moved(path.clone(), text),
            (true, Some(_), Some(text)) => Change::Text(path.clone(), text),
            (false, Some(walked), Some(text)) => Change::Added(walked.clone(), text),
            (true, None, _) | (true, _, None) => Change::Removed(path.clone()),
            // Not scanned before, and not now: a file outside the walk,
            // which may have been read on demand.
            (false, _, _) => return None,
        });
        if path.is_file() {
            unsaved.remove(path);
        } else {
            unsaved.insert(path.clone());
        }
    }
    Some((changes, unsaved))
}

/// The files a fresh load of `root` would scan now, by path, as [`load`]
/// walks them; `None` when the walk's package markers are not those of the
/// load (a fresh load would place files otherwise).
fn walk_again(
    root: &Path,
    overlay: &Overlay,
    rules: &WalkRules,
) -> Option<HashMap<PathBuf, WalkedFile>> {
    let mut walked = walk::walk(&[root.to_path_buf()], &rules.excludes);
    walked.markers.sort();
    if walked.markers != rules.markers {
        return None;
    }
    add_unsaved(&mut walked.files, root, overlay, &rules.excludes);
    Some(
        walked
            .files
            .into_iter()
            .map(|file| (file.path.clone(), file))
            .collect(),
    )
}

/// The findings of `analysis` as diagnostics, baselined ones left out.
/// Only files whose findings (or the texts they point into) changed since
/// the last answer are converted again.
fn shown(loaded: &mut Loaded, analysis: &Analysis, encoding: Encoding) -> Findings {
    let project = loaded.session.project();
    let baselined = loaded
        .baseline
        .as_ref()
        .map(|b| b.compare(project, &analysis.findings).baselined);
    let mut by_file: BTreeMap<FileId, Vec<&Finding>> = BTreeMap::new();
    for (index, finding) in analysis.findings.iter().enumerate() {
        if baselined
            .as_ref()
            .is_some_and(|b| b.get(index) == Some(&true))
        {
            continue;
        }
        by_file.entry(finding.file).or_default().push(finding);
    }
    let changed = loaded.session.last_changed();
    let is_changed = |file: FileId| changed.binary_search(&file).is_ok();
    let mut previous = std::mem::take(&mut loaded.shown);
    let mut out = Findings::default();
    let mut texts = Texts::new(project);
    for (file, findings) in by_file {
        let (Some(entry), Some(uri)) = (
            project.file(file),
            project.file(file).and_then(|f| path_to_uri(&f.path)),
        ) else {
            continue;
        };
        let digest = digest(&findings);
        let points_into_changed = findings
            .iter()
            .any(|f| is_changed(f.file) || f.related.iter().any(|r| is_changed(r.file)));
        let list = match previous.remove(&file) {
            Some((old, list)) if old == digest && !points_into_changed => list,
            _ => findings
                .iter()
                .filter_map(|finding| show(finding, project, &mut texts, encoding))
                .collect(),
        };
        loaded.shown.insert(file, (digest, list.clone()));
        out.files.insert(entry.path.clone(), (uri, list));
    }
    out
}

/// A digest of what a file's diagnostics are built from.
fn digest(findings: &[&Finding]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for f in findings {
        (f.rule, f.offset, f.end, &f.message, f.is_fixable()).hash(&mut hasher);
        std::mem::discriminant(&f.severity).hash(&mut hasher);
        for r in &f.related {
            (r.file, r.offset, &r.message).hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// One finding as a diagnostic, or `None` when its text is not at hand.
fn show(
    finding: &Finding,
    project: &Project,
    texts: &mut Texts<'_>,
    encoding: Encoding,
) -> Option<Shown> {
    let range = texts.range(finding.file, finding.offset, finding.end, encoding)?;
    let related = finding
        .related
        .iter()
        .filter_map(|site| {
            let uri = path_to_uri(&project.file(site.file)?.path)?;
            let range = texts.range(site.file, site.offset, site.offset, encoding)?;
            Some(RelatedSite {
                uri,
                range,
                message: site.message.clone(),
            })
        })
        .collect();
    Some(Shown {
        diagnostic: diagnostics::diagnostic(
            finding.rule,
            finding.severity,
            range,
            &finding.message,
            related,
        ),
        fixable: finding.is_fixable(),
    })
}

/// The texts findings point into, each indexed once.
struct Texts<'p> {
    project: &'p Project,
    held: HashMap<FileId, Option<String>>,
}

impl<'p> Texts<'p> {
    fn new(project: &'p Project) -> Texts<'p> {
        Texts {
            project,
            held: HashMap::new(),
        }
    }

    fn range(
        &mut self,
        file: FileId,
        start: usize,
        end: usize,
        encoding: Encoding,
    ) -> Option<lsp_types::Range> {
        let project = self.project;
        let text = self
            .held
            .entry(file)
            .or_insert_with(|| project.read_source(file).map(|s| s.text().to_string()))
            .as_deref()?;
        Some(LineIndex::new(text).range(start, end, encoding))
    }
}

/// One file a fix changes.
#[derive(Debug, Clone)]
pub struct Changed {
    /// Its path.
    pub path: PathBuf,
    /// The text the fix started from (the buffer's, when open).
    pub before: String,
    /// The text `cronlock fix` would write.
    pub after: String,
}

/// What `cronlock fix` would change, as all-or-nothing sets of files.
pub type ChangeSets = Vec<Vec<Changed>>;

/// Runs `cronlock fix --skip-baselined <root>` in memory on `overlay`'s
/// texts, and gives each change set's files before and after: nothing is
/// written. Baselined findings are not shown, so they are not fixed either.
/// The work runs on `workers`.
pub fn fix(root: &Path, overlay: &Overlay, workers: &Workers) -> Result<ChangeSets> {
    workers.install(|| fix_on(root, overlay))
}

fn fix_on(root: &Path, overlay: &Overlay) -> Result<ChangeSets> {
    let (mut project, baseline, _) = load(root, overlay)?;
    let filter = RuleFilter {
        skip_baselined: baseline.map(Arc::new),
        ..RuleFilter::default()
    };
    let outcome = engine::fix_project(&mut project, &filter);
    let project = &project;
    let mut sets = Vec::new();
    for set in &outcome.change_sets {
        let mut changed = Vec::new();
        for &file in set {
            let (Some(original), Some(entry)) = (outcome.originals.get(&file), project.file(file))
            else {
                continue;
            };
            let (Some(before), Some(after)) = (
                project.original_text(file, original),
                project.read_source(file),
            ) else {
                continue;
            };
            changed.push(Changed {
                path: entry.path.clone(),
                before: before.into_owned(),
                after: after.text().to_string(),
            });
        }
        if !changed.is_empty() {
            sets.push(changed);
        }
    }
    Ok(sets)
}

/// Walks and loads `root` as `check` does (configuration discovered from it,
/// its `exclude`s, its baseline), reading texts through `overlay`.
fn load(root: &Path, overlay: &Overlay) -> Result<(Project, Option<Baseline>, WalkRules)> {
    // An unsaved `cronlock.toml` counts, as an unsaved source file does.
    let config = match Config::discover_with(root, |p| overlay.text(p).is_some() || p.is_file()) {
        Some(path) => Config::load_from(&path, overlay)?,
        None => Config::default(),
    };
    let excludes = walk::exclude_set(&config.exclude).context("invalid exclude glob")?;
    let roots = vec![root.to_path_buf()];
    let mut walked = walk::walk(&roots, &excludes);
    add_unsaved(&mut walked.files, root, overlay, &excludes);
    let markers = crate::workspace::Markers::new(&walked.walked_dirs, &walked.markers);
    let baseline = baseline_of(root, &config)?;
    let fs = Arc::new(overlay.clone());
    let (project, _errors) = Project::load_from(fs, walked.files, &roots, markers, config, &|| {});
    walked.markers.sort();
    let rules = WalkRules {
        excludes,
        markers: walked.markers,
    };
    Ok((project, baseline, rules))
}

/// Open buffers under a folder root that are not on disk yet (a new file,
/// never saved): the walk cannot see them, the user can.
fn add_unsaved(
    files: &mut Vec<WalkedFile>,
    root: &Path,
    overlay: &Overlay,
    excludes: &globset::GlobSet,
) {
    if !root.is_dir() {
        return;
    }
    let mut added = false;
    for path in overlay.paths() {
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        if path.exists() || !walk::is_scanned_name(path) || excludes.is_match(relative) {
            continue;
        }
        files.push(WalkedFile {
            display: walk::display_path(path),
            path: path.clone(),
            root: 0,
        });
        added = true;
    }
    if added {
        files.sort_by(|a, b| a.display.cmp(&b.display));
    }
}

/// The baseline `check` would use for this root: `baseline` in
/// cronlock.toml, else cronlock-baseline.json beside cronlock.toml, else in
/// the root (the editor's working directory means nothing to the user).
fn baseline_of(root: &Path, config: &Config) -> Result<Option<Baseline>> {
    let mut location = baseline::locate(None, config);
    if config.baseline.is_none() && config.path.is_none() {
        let dir = if root.is_dir() {
            root
        } else {
            root.parent().unwrap_or(root)
        };
        location.path = dir.join(baseline::DEFAULT_FILE);
        location.shown = walk::display_path(&location.path);
    }
    Ok(baseline::for_run(location)?)
}
