//! The scanned files of one run: loading them (read, prefilter, parse in
//! parallel), the project each belongs to, and each project's lock source.
//! Questions that cross files are answered in `links`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use aho_corasick::AhoCorasick;
use rayon::prelude::*;

use crate::budget::with_module_in_budget;
use crate::config::Config;
use crate::files::{FileSystem, MemoryFileSystem, OsFileSystem, read_text};
use crate::fix::Edit;
use crate::model::{self, Callee, ClassModel, FileModel, Import};
use crate::parse::SyntaxError;
use crate::paths::absolute;
use crate::paths::normalize;
use crate::resolve::Resolver;
use crate::source::SourceText;
use crate::tsconfig::Tsconfigs;
use crate::walk::{WalkedFile, describe_io};
use crate::workspace::{Markers, ProjectFinder};
pub use crate::workspace::{Package, SourceKey};

/// One file of the scan.
#[derive(Debug)]
pub struct ScannedFile {
    /// The path to open.
    pub path: PathBuf,
    /// The path as shown (from the PATH argument, `/` separators).
    pub display: String,
    /// Index of the package in [`Project::packages`].
    pub package: usize,
    /// What was read.
    pub state: FileState,
    /// Absolute, normalised path, for lookups across files.
    key: PathBuf,
    /// What a skipped file's text hints at: it is read again when it may
    /// extend, construct or rename a class that takes (or will take) the
    /// lock service.
    hints: SkipHints,
    /// Parsed by a second read (or an alias round), not because the
    /// prefilter kept it: a session re-decides such files when fewer names
    /// are reachable (see [`Project::redo_second_reads`]).
    second_read: bool,
}

/// Cheap facts about a file the prefilter skipped, each an
/// over-approximation (comments and strings count too): a skipped file can
/// matter to a class of a parsed file only by extending it, by constructing
/// it, or by exporting it under another name (`None` when the text can do
/// none of these, as for most files: one pointer in every [`ScannedFile`]).
#[derive(Debug, Default)]
struct SkipHints(Option<Box<Hints>>);

/// See [`SkipHints`].
#[derive(Debug, Clone, Copy)]
struct Hints {
    /// `extends` appears: a subclass may be declared (with or without a
    /// constructor of its own: one without runs its base's, so its own
    /// subclasses, specs and `new` calls still matter).
    subclasses: bool,
    /// `new` appears: a construction, with any spacing, may be written.
    constructs: bool,
    /// An `export` that may rename (`export {`, `export *`, `export default`,
    /// `export const`, ...): a barrel or an alias.
    renames: bool,
    /// An `import` that may bind a name of its own choosing (`import X from`,
    /// `import X = require(...)`): the file may name a class without
    /// mentioning its name, but not without naming the module it comes from.
    binds_freely: bool,
}

/// What follows `export` in a declaration that cannot rename a class.
const PLAIN_EXPORTS: [&str; 6] = [
    "class",
    "function",
    "interface",
    "enum",
    "abstract",
    "async",
];

impl SkipHints {
    /// Hints from a file's bytes (keywords are ASCII and cannot be escaped,
    /// so no UTF-8 is decoded).
    fn of(bytes: &[u8]) -> SkipHints {
        let has = |word: &str| keyword_follows(bytes, word).next().is_some();
        let hints = Hints {
            subclasses: has("extends"),
            constructs: has("new"),
            renames: keyword_follows(bytes, "export")
                .any(|next| !PLAIN_EXPORTS.iter().any(|w| next.starts_with(w.as_bytes()))),
            binds_freely: keyword_follows(bytes, "import").any(|next| {
                !matches!(next.first(), Some(b'{' | b'*' | b'\'' | b'"' | b'(' | b'.'))
            }),
        };
        if !hints.subclasses && !hints.constructs && !hints.renames {
            return SkipHints::default();
        }
        SkipHints(Some(Box::new(hints)))
    }

    /// Whether the file must be parsed. `names`: whether the text names a
    /// class that takes (or may gain) an injected member, or a name it is
    /// exported under; `default_sources`: whether the text mentions a
    /// module that default-exports such a class (the only way to reach one
    /// without naming it: a default import, or `export { default as X }`).
    fn wanted(&self, names: impl FnOnce() -> bool, default_sources: impl FnOnce() -> bool) -> bool {
        let Some(h) = self.0.as_deref() else {
            return false;
        };
        (h.subclasses || h.constructs || h.renames)
            && (names() || ((h.binds_freely || h.renames) && default_sources()))
    }
}

/// For each whole-word occurrence of `word` in `bytes`: the bytes after it,
/// from the first one that is not ASCII whitespace.
fn keyword_follows<'a>(bytes: &'a [u8], word: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
    memchr::memmem::find_iter(bytes, word.as_bytes()).filter_map(move |at| {
        let end = at + word.len();
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(end).copied();
        if before.is_some_and(is_ascii_word_byte) || after.is_some_and(is_ascii_word_byte) {
            return None;
        }
        let rest = &bytes[end..];
        let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
        Some(&rest[skip..])
    })
}

impl ScannedFile {
    /// The absolute, normalised path.
    pub fn key(&self) -> &Path {
        &self.key
    }
}

/// What cronlock holds of a file.
#[derive(Debug)]
pub enum FileState {
    /// The file mentions none of the configured names, so it cannot produce a
    /// finding and was not parsed.
    Skipped,
    /// Parsed.
    Parsed {
        /// The text: held, or left on disk until asked for.
        text: ParsedText,
        /// What the rules need (shared with base-class lookups).
        model: Arc<FileModel>,
    },
    /// Did not parse.
    Broken {
        /// The text.
        source: Box<SourceText>,
        /// Where and why (boxed: broken files are few, and every file's
        /// state is as large as its largest kind).
        error: Box<SyntaxError>,
    },
}

/// The text of a parsed file. Most files are parsed only for their models
/// (modules, barrels, base classes) and their text is never looked at again,
/// so a file read from disk keeps only a fingerprint of its text; the text
/// is read again, once, when something asks for it (a finding's position, a
/// fix), and must match the fingerprint. A fixed file read from disk keeps
/// the fix's edits as well, and its text is rebuilt from the disk on demand.
/// Texts not on disk (in-memory projects) are held.
#[derive(Debug)]
pub struct ParsedText {
    /// The text once read again (or from the start, when held); `None`
    /// inside when the file changed on disk (or became unreadable) since it
    /// was parsed.
    slot: OnceLock<Option<Box<SourceText>>>,
    /// Where the text comes from.
    backing: Backing,
}

/// Where a [`ParsedText`] comes from.
#[derive(Debug)]
enum Backing {
    /// The slot holds it.
    Held,
    /// The file on disk, which must match the fingerprint.
    OnDisk(Fingerprint),
    /// The file on disk (which must match the fingerprint) with the edits of
    /// each round of fixes spliced in, round after round: a fix of many
    /// files holds no fixed text (a 50k-file fix held ~30 MB of them).
    Fixed(Box<FixedText>),
}

/// A fixed text left on disk: the original's fingerprint and the edits.
#[derive(Debug)]
struct FixedText {
    print: Fingerprint,
    /// Each round's edits, sorted and disjoint, as offsets into the text
    /// the previous rounds left.
    rounds: Vec<Box<[Edit]>>,
}

impl Backing {
    /// The fingerprint of the original text on disk, if the text is there.
    fn print(&self) -> Option<Fingerprint> {
        match self {
            Backing::Held => None,
            Backing::OnDisk(print) => Some(*print),
            Backing::Fixed(fixed) => Some(fixed.print),
        }
    }

    /// The text, read through `fs` from `path`; `None` when it is held, or
    /// when the file no longer holds the text that was parsed.
    fn load(&self, fs: &dyn FileSystem, path: &Path) -> Option<String> {
        let print = self.print()?;
        let text = read_text(fs, path).filter(|t| Fingerprint::of(t.as_bytes()) == print)?;
        match self {
            Backing::Fixed(fixed) => fixed
                .rounds
                .iter()
                .try_fold(text, |text, edits| crate::fix::splice(&text, edits)),
            _ => Some(text),
        }
    }
}

impl ParsedText {
    /// A text kept in memory.
    fn held(source: SourceText) -> ParsedText {
        ParsedText {
            slot: OnceLock::from(Some(Box::new(source))),
            backing: Backing::Held,
        }
    }

    /// A text left on disk, read again on demand.
    fn on_disk(print: Fingerprint) -> ParsedText {
        ParsedText {
            slot: OnceLock::new(),
            backing: Backing::OnDisk(print),
        }
    }

    /// The text, read again through `fs` from `path` on first use; `None`
    /// when the file no longer holds the text that was parsed.
    fn get(&self, fs: &dyn FileSystem, path: &Path) -> Option<&SourceText> {
        self.slot
            .get_or_init(|| {
                self.backing
                    .load(fs, path)
                    .map(|text| Box::new(SourceText::new(text)))
            })
            .as_deref()
    }

    /// The text for one use: the held (or cached) one, else read again
    /// through `fs` from `path` and not kept; `None` when the file no longer
    /// holds the text that was parsed (then that is remembered).
    fn peek(&self, fs: &dyn FileSystem, path: &Path) -> Option<SourceRef<'_>> {
        if let Some(held) = self.slot.get() {
            return held.as_deref().map(SourceRef::Held);
        }
        self.backing.print()?;
        match self.backing.load(fs, path) {
            Some(text) => Some(SourceRef::Read(Box::new(SourceText::new(text)))),
            None => {
                let _ = self.slot.set(None);
                None
            }
        }
    }

    /// The file was read again and no longer holds the text that was parsed.
    fn changed(&self) -> bool {
        matches!(self.slot.get(), Some(None))
    }
}

/// A file's text for one use: the project's, or read again for the caller
/// alone (dropped with it, so that reading every file with a finding does
/// not keep every such text).
#[derive(Debug)]
pub enum SourceRef<'a> {
    /// Held by the project.
    Held(&'a SourceText),
    /// Read again from disk.
    Read(Box<SourceText>),
}

impl std::ops::Deref for SourceRef<'_> {
    type Target = SourceText;

    fn deref(&self) -> &SourceText {
        match self {
            SourceRef::Held(source) => source,
            SourceRef::Read(source) => source,
        }
    }
}

/// A changed file's text before the fix loop changed it.
#[derive(Debug)]
pub enum Original {
    /// Held (the text the fix started from was not the file's on disk).
    Text(String),
    /// The file's text on disk, as parsed: read again when needed (see
    /// [`Project::original_text`]), so that a fix of many files does not
    /// hold every original text.
    OnDisk(Fingerprint),
}

/// Length and 64-bit hash of a file's bytes: enough to tell that a file read
/// again is the one that was parsed.
///
/// Made of 4-byte parts (the length saturates; the hash tells longer files
/// apart), so that the tag of an enum holding one fits beside it: every
/// [`ScannedFile`] holds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    len: u32,
    /// The 64-bit hash, in halves.
    hash: [u32; 2],
}

impl Fingerprint {
    /// The fingerprint of `bytes`.
    pub fn of(bytes: &[u8]) -> Fingerprint {
        use std::hash::Hasher;
        let mut hasher = rustc_hash::FxHasher::default();
        hasher.write(bytes);
        let hash = hasher.finish();
        Fingerprint {
            len: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
            hash: [(hash >> 32) as u32, hash as u32],
        }
    }
}

/// A file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The path as shown.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// A file read on demand: parsed by the first thread that asks (`None`:
/// unreadable or not parseable).
type OnDemand = OnceLock<Option<Arc<FileModel>>>;

/// All files of one run and what is known about them.
pub struct Project {
    /// The configuration in force.
    pub config: Config,
    /// Every scanned file, sorted by display path.
    pub files: Vec<ScannedFile>,
    /// Every package a file belongs to.
    pub packages: Vec<Package>,
    /// Resolves import specifiers to files.
    pub resolver: Resolver,
    /// Where source texts are read from.
    fs: Arc<dyn FileSystem>,
    /// The tsconfig flags the fix depends on.
    tsconfigs: Tsconfigs,
    /// Names a lock decorator is re-exported under somewhere in the scan;
    /// only a decorator imported under one of them is followed to its
    /// declaration.
    pub lock_aliases: Vec<String>,
    by_key: HashMap<PathBuf, usize>,
    /// Files read on demand (outside the scan, or skipped by the prefilter);
    /// each is parsed once, outside the map's lock.
    outside: Mutex<HashMap<PathBuf, Arc<OnDemand>>>,
    prefilter: Option<AhoCorasick>,
}

impl Project {
    /// Reads and parses `files` (in parallel) and works out their packages.
    /// `roots` are the PATH arguments, for the name of package-less files;
    /// `markers` the project files the walk saw;
    /// `progress` is called once per file.
    pub fn load(
        files: Vec<WalkedFile>,
        roots: &[PathBuf],
        markers: Markers,
        config: Config,
        progress: &(dyn Fn() + Sync),
    ) -> (Project, Vec<LoadError>) {
        Project::load_from(
            Arc::new(OsFileSystem),
            files,
            roots,
            markers,
            config,
            progress,
        )
    }

    /// [`Project::load`], reading every source text through `fs` (the
    /// language server's overlay of unsaved buffers), also when a text is
    /// read again later (a finding's position, a fix).
    pub fn load_from(
        fs: Arc<dyn FileSystem>,
        files: Vec<WalkedFile>,
        roots: &[PathBuf],
        markers: Markers,
        config: Config,
        progress: &(dyn Fn() + Sync),
    ) -> (Project, Vec<LoadError>) {
        let prefilter = build_prefilter(&config);
        // Projects are found from paths alone (on one thread) while the other
        // threads read; the finder is done, and its per-directory caches
        // gone, long before the texts and models fill memory.
        let ((keys, placement, packages, workspace), read) = rayon::join(
            || place_in_projects(&files, roots, markers),
            || {
                files
                    .par_iter()
                    .map(|walked| {
                        progress();
                        read_state(fs.as_ref(), &walked.path, prefilter.as_ref())
                    })
                    .collect::<Vec<_>>()
            },
        );
        let mut errors = Vec::new();
        let mut scanned = Vec::with_capacity(files.len());
        for (((walked, key), package), read) in files.into_iter().zip(keys).zip(placement).zip(read)
        {
            match read {
                Ok((state, hints)) => scanned.push(ScannedFile {
                    path: walked.path,
                    display: walked.display,
                    package,
                    state,
                    key,
                    hints,
                    second_read: false,
                }),
                Err(reason) => errors.push(LoadError {
                    path: walked.display,
                    reason,
                }),
            }
        }
        let resolver = Resolver::new(workspace);
        let mut project = Project::assemble(config, scanned, packages, prefilter, resolver, fs);
        project.parse_alias_users();
        project.parse_second_reads();
        // The hints served their one purpose; they go before the rules run.
        for file in &mut project.files {
            file.hints = SkipHints::default();
        }
        (project, errors)
    }

    /// A lock decorator re-exported under another name (`export {
    /// ClusterSafeCron as ScheduledJob } from ...`) makes files that use only
    /// the new name worth parsing: the prefilter skipped them, so they are
    /// read again and parsed when they mention one of those names. A file
    /// that renames an alias again (`export { ScheduledJob as NightlyJob }`)
    /// names no lock decorator either: rounds go on until no new alias
    /// turns up, so a chain of renames of any depth is followed.
    fn parse_alias_users(&mut self) -> Vec<usize> {
        let mut parsed = Vec::new();
        loop {
            let new: Vec<String> = self
                .lock_decorator_aliases(&self.lock_aliases)
                .into_iter()
                .filter(|a| !self.lock_aliases.contains(a))
                .collect();
            if new.is_empty() {
                return parsed;
            }
            self.lock_aliases.extend(new.iter().cloned());
            if self.prefilter.is_none() {
                continue;
            }
            let Ok(matcher) = AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&new)
            else {
                return parsed;
            };
            let skipped: Vec<usize> = (0..self.files.len())
                .filter(|&i| matches!(self.files[i].state, FileState::Skipped))
                .collect();
            parsed.extend(self.parse_matching(skipped, &matcher));
        }
    }

    /// Subclasses and callers mention no lock name, so the prefilter skips
    /// them; but when a class takes (or the fix gives it) `lockService`, its
    /// subclasses' `super(...)` and its `new X(...)` calls must pass it, at
    /// any depth. Skipped files are read again and parsed, round after round
    /// until no new name turns up, when their hints (see [`SkipHints`]) say
    /// they may extend, construct or rename a class of a parsed file: under
    /// its name, under a name a parsed file exports it as, or under a name of
    /// their own (a default import of the module that default-exports it).
    /// The hints over-approximate, so every file a full parse would judge is
    /// parsed (issue 22). A round tests only the names found since the last:
    /// the files it passes over were tested against the older ones already.
    fn parse_second_reads(&mut self) {
        if self.prefilter.is_none() {
            return;
        }
        // A file passed over in an earlier round did not mention the names
        // known then; only names that are new since can make it wanted.
        let mut seen_names = std::collections::HashSet::new();
        let mut seen_sources = std::collections::HashSet::new();
        loop {
            let reach = self.reachable_names();
            let new_names: Vec<String> = reach
                .names
                .into_iter()
                .filter(|n| seen_names.insert(n.clone()))
                .collect();
            let new_sources: Vec<String> = reach
                .default_sources
                .into_iter()
                .filter(|s| seen_sources.insert(s.clone()))
                .collect();
            let names = word_matcher(&new_names);
            let default_sources = substring_matcher(&new_sources);
            if names.is_none() && default_sources.is_none() {
                return;
            }
            let candidates: Vec<usize> = (0..self.files.len())
                .filter(|&i| matches!(self.files[i].state, FileState::Skipped))
                .filter(|&i| self.files[i].hints.0.is_some())
                .collect();

            let wanted = self.read_wanted(candidates, names.as_ref(), default_sources.as_ref());
            for &index in &wanted {
                // Read once: a file parsed (or broken) gives no more hints.
                self.files[index].hints = SkipHints::default();
            }
        }
    }

    /// The names under which a class that takes (or may gain) an injected
    /// member may be reached: the classes of parsed files that declare a
    /// member's parameter, carry a lock or guard decorator on a method, or
    /// extend a class (they may inherit one), and every name a parsed file
    /// exports, re-exports or binds to a constant one of those as.
    fn reachable_names(&self) -> Reach {
        let members: Vec<String> = self
            .config
            .injections()
            .iter()
            .map(|i| i.member.to_string())
            .collect();
        let models: Vec<(usize, &FileModel)> = (0..self.files.len())
            .filter_map(|i| Some((i, self.model(i)?)))
            .collect();
        let mut known: std::collections::HashSet<String> = models
            .iter()
            .flat_map(|(_, m)| {
                m.classes
                    .iter()
                    .filter(|c| self.may_take_member(m, c, &members))
                    .filter_map(|c| c.name.clone())
            })
            .collect();
        loop {
            let before = known.len();
            for (_, model) in &models {
                let aliases: Vec<String> = aliases_of(model, &known).collect();
                known.extend(aliases);
            }
            if known.len() == before {
                break;
            }
        }
        let default_sources = models
            .iter()
            .filter(|(_, m)| default_exports_reachable(m, &known))
            .filter_map(|&(i, _)| module_name(&self.files[i].key))
            .collect();
        let mut names: Vec<String> = known.into_iter().collect();
        names.sort_unstable();
        Reach {
            names,
            default_sources,
        }
    }

    /// Whether `class` (of `model`) may take an injected member, now or
    /// once fixed (see [`Project::reachable_names`]).
    fn may_take_member(&self, model: &FileModel, class: &ClassModel, members: &[String]) -> bool {
        let param = class
            .constructor
            .iter()
            .flat_map(|c| &c.params)
            .any(|p| p.name.as_ref().is_some_and(|n| members.contains(n)));
        let decorated = class.methods.iter().flat_map(|m| &m.decorators).any(|d| {
            let name = match &d.callee {
                Callee::Ident(n) => model.imported_name(n),
                Callee::Member { property, .. } => property.as_str(),
                Callee::Other => return true,
            };
            // `@Cron` may become `@ClusterSafeCron` (`--migrate-cron`): its
            // class's ripple is shown before the migration (see `ripple`).
            self.config.is_lock_decorator(name)
                || name == "Cron"
                || self.config.guard_of(name).is_some()
                || self.lock_aliases.iter().any(|a| a == name)
        });
        param || decorated || class.super_class.is_some()
    }

    /// Reads `candidates` again, parses those their hints want (see
    /// [`SkipHints::wanted`]; `names`: the names classes may be reached by;
    /// `default_sources`: the modules that default-export one), and gives
    /// the files parsed.
    fn read_wanted(
        &mut self,
        candidates: Vec<usize>,
        names: Option<&AhoCorasick>,
        default_sources: Option<&AhoCorasick>,
    ) -> Vec<usize> {
        self.parse_if(candidates, |file, bytes| {
            file.hints.wanted(
                || names.is_some_and(|m| mentions_any(m, bytes)),
                || default_sources.is_some_and(|m| m.is_match(bytes)),
            )
        })
    }

    /// Reads `candidates` again and parses those that mention a name of
    /// `matcher` as a whole identifier.
    fn parse_matching(&mut self, candidates: Vec<usize>, matcher: &AhoCorasick) -> Vec<usize> {
        self.parse_if(candidates, |_, bytes| mentions_any(matcher, bytes))
    }

    /// Reads `candidates` again (in parallel), parses those whose bytes
    /// `wanted` accepts, puts their states in place and gives their indexes.
    fn parse_if(
        &mut self,
        candidates: Vec<usize>,
        wanted: impl Fn(&ScannedFile, &[u8]) -> bool + Sync,
    ) -> Vec<usize> {
        let states: Vec<(usize, FileState)> = candidates
            .into_par_iter()
            .filter_map(|index| {
                let file = &self.files[index];
                let text = with_buffer(|buf| {
                    self.fs.read_into(&file.path, buf).ok()?;
                    if !wanted(file, buf) {
                        return None;
                    }
                    String::from_utf8(buf.clone()).ok()
                })?;
                Some((index, state_of(SourceText::new(text), None, true)))
            })
            .collect();
        let parsed: Vec<usize> = states.iter().map(|(index, _)| *index).collect();
        self.install(states);
        parsed
    }

    /// Puts the states of files read again in place.
    fn install(&mut self, states: Vec<(usize, FileState)>) {
        if states.is_empty() {
            return;
        }
        for (index, state) in states {
            if matches!(state, FileState::Parsed { .. }) {
                self.by_key.insert(self.files[index].key.clone(), index);
            }
            self.files[index].state = state;
            self.files[index].second_read = true;
        }
        self.collect_lock_sources();
    }

    /// Names lock decorators (or the aliases already known) are re-exported
    /// under in the parsed files (`export { ClusterSafeCron as ScheduledJob
    /// }`, `export const ScheduledJob = ClusterSafeCron`).
    fn lock_decorator_aliases(&self, known: &[String]) -> Vec<String> {
        let mut aliases: Vec<String> = Vec::new();
        for index in 0..self.files.len() {
            let Some(model) = self.model(index) else {
                continue;
            };
            let renamed = model
                .reexports
                .iter()
                .flat_map(|r| r.names.iter().flatten())
                .map(|(exported, original)| (exported, original))
                .chain(model.exports.iter().map(|e| (&e.exported, &e.local)))
                .chain(
                    model
                        .consts
                        .iter()
                        .filter_map(|(name, head)| Some((name, head.as_ref()?))),
                );
            for (exported, original) in renamed {
                if exported != original
                    && (self.config.is_lock_decorator(original)
                        || self.config.guard_of(original).is_some()
                        || known.contains(original))
                    && !aliases.contains(exported)
                {
                    aliases.push(exported.clone());
                }
            }
        }
        aliases
    }

    /// Indexes the files and works out each package's lock sources.
    fn assemble(
        config: Config,
        files: Vec<ScannedFile>,
        packages: Vec<Package>,
        prefilter: Option<AhoCorasick>,
        resolver: Resolver,
        fs: Arc<dyn FileSystem>,
    ) -> Project {
        // Only parsed files are looked up by path (see `model_at`).
        let by_key = files
            .iter()
            .enumerate()
            .filter(|(_, f)| matches!(f.state, FileState::Parsed { .. }))
            .map(|(i, f)| (f.key.clone(), i))
            .collect();
        let mut project = Project {
            config,
            files,
            packages,
            resolver,
            fs,
            tsconfigs: Tsconfigs::default(),
            lock_aliases: Vec::new(),
            by_key,
            outside: Mutex::new(HashMap::new()),
            prefilter,
        };
        project.collect_lock_sources();
        project
    }

    /// A project of in-memory texts (for property tests and fuzzing): each
    /// `(path, text)` is placed under a directory that does not exist, so no
    /// `package.json` or base class is read from disk (all the texts are one
    /// project). Relative imports between the texts resolve to one another,
    /// and texts the prefilter skipped are read again (from memory) as a
    /// scan reads them from the disk.
    pub fn from_texts(texts: Vec<(String, String)>, config: Config) -> Project {
        let prefilter = build_prefilter(&config);
        let root = PathBuf::from("/cronlock-in-memory");
        let mut packages = ProjectFinder::default();
        // Their texts stay readable, for base classes and modules that the
        // prefilter skipped (read when another file needs them).
        let memory = MemoryFileSystem::new(
            texts
                .iter()
                .map(|(display, text)| (normalize(&root.join(display)), text.clone())),
        );
        let files: Vec<ScannedFile> = texts
            .into_iter()
            .map(|(display, text)| {
                let key = normalize(&root.join(&display));
                let package = packages.package_of(&key, &root);
                let hints = SkipHints::of(text.as_bytes());
                let state = state_of(SourceText::new(text), prefilter.as_ref(), false);
                ScannedFile {
                    path: key.clone(),
                    display,
                    package,
                    // A skipped text is read again from `memory` when its
                    // hints say so, as from the disk.
                    hints: match state {
                        FileState::Skipped => hints,
                        _ => SkipHints::default(),
                    },
                    state,
                    key,
                    second_read: false,
                }
            })
            .collect();
        let resolver = Resolver::in_memory(files.iter().map(|f| f.key.clone()));
        let fs: Arc<dyn FileSystem> = Arc::new(memory);
        let mut project =
            Project::assemble(config, files, packages.packages, prefilter, resolver, fs);
        project.parse_alias_users();
        project.parse_second_reads();
        for file in &mut project.files {
            file.hints = SkipHints::default();
        }
        project
    }

    /// Replaces files' texts (after fixes), re-derives what depends on them,
    /// and gives back the texts they replaced (moved out, not copied: a fix
    /// of a large tree would otherwise hold every changed file three times).
    pub fn replace_texts(&mut self, texts: Vec<(usize, String)>) -> Vec<(usize, Original)> {
        // The old models go before the new ones are built. The new texts
        // were parsed once already, by the fix verifier; keeping those models
        // instead of parsing again costs ~20 MiB more at 50k files (every
        // changed file's old and new model alive at once), so they are rebuilt.
        let mut replaced = Vec::with_capacity(texts.len());
        for (index, _) in &texts {
            if let Some(file) = self.files.get_mut(*index) {
                match std::mem::replace(&mut file.state, FileState::Skipped) {
                    FileState::Parsed { text, .. } => match text.backing.print() {
                        // Callers replace texts they read, which matched
                        // the fingerprint; a file seen changed has none.
                        Some(print) if !text.changed() => {
                            replaced.push((*index, Original::OnDisk(print)));
                        }
                        Some(_) => {}
                        None => {
                            if let Some(source) = text.slot.into_inner().flatten() {
                                replaced.push((*index, Original::Text(source.into_text())));
                            }
                        }
                    },
                    FileState::Broken { source, .. } => {
                        replaced.push((*index, Original::Text(source.into_text())));
                    }
                    FileState::Skipped => {}
                }
            }
        }
        let prefilter = self.prefilter.as_ref();
        let states: Vec<(usize, FileState)> = texts
            .into_par_iter()
            .map(|(index, text)| {
                let state = state_of(SourceText::new(text), prefilter, false);
                (index, state)
            })
            .collect();
        for (index, state) in states {
            if let Some(file) = self.files.get_mut(index) {
                file.state = state;
            }
        }
        if let Ok(mut cache) = self.outside.lock() {
            cache.clear();
        }
        self.collect_lock_sources();
        replaced
    }

    /// Splices each file's edits (sorted and disjoint, as
    /// [`crate::fix::apply`] gives them: offsets into the file's current
    /// text) into its text, re-derives what depends on the texts, and gives
    /// back the texts they replaced, like [`Project::replace_texts`]. A file
    /// whose text is on disk keeps only the edits (see [`ParsedText`]), so
    /// that no fixed text is held; its text is rebuilt to be parsed, one file
    /// at a time per thread.
    pub fn splice_edits(&mut self, mut changes: Vec<(usize, Vec<Edit>)>) -> Vec<(usize, Original)> {
        changes.sort_by_key(|(index, _)| *index);
        let prefilter = self.prefilter.as_ref();
        let fs = self.fs.as_ref();
        let changes = &changes;
        let replaced: Vec<(usize, Original)> = self
            .files
            .par_iter_mut()
            .enumerate()
            .filter_map(|(index, file)| {
                let at = changes.binary_search_by_key(&index, |(i, _)| *i).ok()?;
                let (state, original) = spliced(
                    std::mem::replace(&mut file.state, FileState::Skipped),
                    &changes[at].1,
                    fs,
                    &file.path,
                    prefilter,
                );
                file.state = state;
                Some((index, original?))
            })
            .collect();
        if let Ok(mut cache) = self.outside.lock() {
            cache.clear();
        }
        self.collect_lock_sources();
        replaced
    }

    /// The model of file `index`, when it parsed.
    pub fn model(&self, index: usize) -> Option<&FileModel> {
        crate::deps::read_file(index);
        match &self.files.get(index)?.state {
            FileState::Parsed { model, .. } => Some(model.as_ref()),
            _ => None,
        }
    }

    /// The text of file `index`, when it was read in full. A parsed file's
    /// text is read again from disk on first use (see [`ParsedText`]):
    /// `None` when the file changed on disk since it was parsed (see
    /// [`Project::changed_on_disk`]).
    pub fn source(&self, index: usize) -> Option<&SourceText> {
        crate::deps::read_file(index);
        let file = self.files.get(index)?;
        match &file.state {
            FileState::Parsed { text, .. } => text.get(self.fs.as_ref(), &file.path),
            FileState::Broken { source, .. } => Some(source.as_ref()),
            FileState::Skipped => None,
        }
    }

    /// The text `original` (of file `index`) stands for; `None` when it was
    /// left on disk and the file changed since it was parsed.
    pub fn original_text<'o>(
        &self,
        index: usize,
        original: &'o Original,
    ) -> Option<std::borrow::Cow<'o, str>> {
        match original {
            Original::Text(text) => Some(std::borrow::Cow::Borrowed(text)),
            Original::OnDisk(print) => {
                let text = read_text(self.fs.as_ref(), &self.files.get(index)?.path)?;
                (Fingerprint::of(text.as_bytes()) == *print)
                    .then_some(std::borrow::Cow::Owned(text))
            }
        }
    }

    /// The text of file `index` for one use, like [`Project::source`] but
    /// not kept by the project when it had to be read again.
    pub fn read_source(&self, index: usize) -> Option<SourceRef<'_>> {
        crate::deps::read_file(index);
        let file = self.files.get(index)?;
        match &file.state {
            FileState::Parsed { text, .. } => text.peek(self.fs.as_ref(), &file.path),
            FileState::Broken { source, .. } => Some(SourceRef::Held(source)),
            FileState::Skipped => None,
        }
    }

    /// Records that cronlock itself wrote each file's new text (given by its
    /// fingerprint): from now on the file is expected to hold that text, so
    /// reading it again for the report of what the fix left (a finding's
    /// source frame) is no change on disk. A file another process changes
    /// after this write still is one.
    pub fn wrote(&mut self, written: &[(usize, Fingerprint)]) {
        for &(index, print) in written {
            if let Some(FileState::Parsed { text, .. }) =
                self.files.get_mut(index).map(|f| &mut f.state)
                && text.backing.print().is_some()
            {
                *text = ParsedText::on_disk(print);
            }
        }
    }

    /// The lock source of file `near`'s project as seen from file `index`,
    /// for a file whose own project imports no lock name (a spec in an
    /// application whose jobs all live in a library): `near` declares the
    /// class whose new parameter reaches file `index`, and that parameter's
    /// type comes from there.
    pub fn lock_source_near(&self, index: usize, near: usize) -> Option<String> {
        let package = self.packages.get(self.files.get(near)?.package)?;
        let dir = self.dir_of(index);
        package
            .lock_sources
            .first()
            .map(|key| key.specifier_from(&dir))
    }

    /// Files whose text was read again and no longer matched the text that
    /// was parsed: they changed on disk during the run, so nothing about
    /// them (positions, fixes) can be trusted.
    pub fn changed_on_disk(&self) -> Vec<usize> {
        (0..self.files.len())
            .filter(|&i| matches!(&self.files[i].state, FileState::Parsed { text, .. } if text.changed()))
            .collect()
    }

    /// Directory of file `index` (absolute).
    pub fn dir_of(&self, index: usize) -> PathBuf {
        self.files
            .get(index)
            .and_then(|f| f.key.parent())
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    /// Whether `import` of file `index` comes from its package's lock source
    /// (or the configured `import-source`).
    pub fn is_lock_source(&self, index: usize, import: &Import) -> bool {
        if self.config.import_source.as_deref() == Some(import.source.as_str()) {
            return true;
        }
        let Some(file) = self.files.get(index) else {
            return false;
        };
        let key = SourceKey::new(&self.dir_of(index), &import.source);
        self.packages
            .get(file.package)
            .is_some_and(|p| p.lock_sources.contains(&key))
    }

    /// The module specifier to import guard `guard`'s type from in file
    /// `index`: its `import-source`, made relative to the file when it names
    /// a file relative to the configuration's directory (`src/redlock`),
    /// else as written (a package, a path alias).
    pub fn guard_source_for(&self, index: usize, guard: usize) -> Option<String> {
        let source = self.config.guards.get(guard)?.import_source.as_deref()?;
        let config_dir = self.config.path.as_deref().and_then(Path::parent);
        let target = config_dir.and_then(|dir| {
            let base = dir.join(source);
            let candidates = [".ts", ".tsx", ".mts", "/index.ts"].map(|ext| {
                let mut path = base.clone().into_os_string();
                path.push(ext);
                PathBuf::from(path)
            });
            candidates
                .into_iter()
                .any(|p| p.is_file())
                .then(|| normalize(&absolute(&base)))
        });
        Some(match target {
            Some(target) => crate::paths::relative_specifier(&self.dir_of(index), &target),
            None => source.to_string(),
        })
    }

    /// Ranks each package's lock sources: modules that provide the lock
    /// service or module first, then those of the built-in decorators, then
    /// modules of configured extra decorators; more imports rank higher.
    fn collect_lock_sources(&mut self) {
        let mut ranks: Vec<HashMap<SourceKey, (SourceRole, usize)>> =
            vec![HashMap::new(); self.packages.len()];
        for (index, file) in self.files.iter().enumerate() {
            let FileState::Parsed { model, .. } = &file.state else {
                continue;
            };
            let dir = self.dir_of(index);
            for import in &model.imports {
                let role = source_role(model, import, &self.config);
                if role == SourceRole::None {
                    continue;
                }
                let entry = ranks[file.package]
                    .entry(SourceKey::new(&dir, &import.source))
                    .or_insert((role, 0));
                entry.0 = entry.0.max(role);
                entry.1 += 1;
            }
        }
        for (package, ranks) in self.packages.iter_mut().zip(ranks) {
            let mut sources: Vec<(SourceKey, (SourceRole, usize))> = ranks.into_iter().collect();
            sources.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            package.lock_sources = sources.into_iter().map(|(key, _)| key).collect();
        }
    }

    /// The model of any file by absolute path: a scanned one, or one read on
    /// demand (a base class outside the scan, or in a file the prefilter
    /// skipped). Each on-demand file is read and parsed once, by whichever
    /// thread asks first; the map's lock is held only to find its slot.
    pub fn model_at(&self, key: &Path) -> Option<Arc<FileModel>> {
        crate::deps::read_key(key);
        if let Some(&index) = self.by_key.get(key)
            && let FileState::Parsed { model, .. } = &self.files[index].state
        {
            return Some(Arc::clone(model));
        }
        let slot = {
            let mut cache = self.outside.lock().ok()?;
            Arc::clone(cache.entry(key.to_path_buf()).or_default())
        };
        slot.get_or_init(|| {
            let source = Arc::new(SourceText::new(read_text(self.fs.as_ref(), key)?));
            with_module_in_budget(&source, build_model)
                .ok()
                .map(Arc::new)
        })
        .clone()
    }

    /// The modifier an injected lock service member gets in file `index`:
    /// the configured one, else `protected readonly` when the file's tsconfig
    /// sets `noUnusedLocals`, else `private readonly`.
    pub fn lock_modifier(&self, index: usize) -> &str {
        let strict = self.config.lock_service_modifier.is_none()
            && self
                .files
                .get(index)
                .is_some_and(|f| self.tsconfigs.no_unused_locals(&f.key));
        self.config.member_modifier(strict)
    }

    /// The absolute path and shared model of scanned file `index`.
    pub fn file_model(&self, index: usize) -> Option<(PathBuf, Arc<FileModel>)> {
        crate::deps::read_file(index);
        let file = self.files.get(index)?;
        match &file.state {
            FileState::Parsed { model, .. } => Some((file.key.clone(), Arc::clone(model))),
            _ => None,
        }
    }

    /// The scanned, parsed file at an absolute path.
    pub fn index_of(&self, key: &Path) -> Option<usize> {
        crate::deps::read_key(key);
        self.by_key.get(key).copied()
    }
}

/// What [`Project::update_texts`] changed.
#[derive(Debug, Default)]
pub struct Updated {
    /// Files whose state changed.
    pub files: Vec<usize>,
    /// A fact that every file's stage may read changed (a package's lock
    /// sources): every file must be judged again.
    pub globals_changed: bool,
}

/// Why [`Project::update_texts`] cannot bring the project up to date in
/// place: which files a fresh load parses may have changed in a way only a
/// fresh load works out (see [`Project::update_texts`]). The project must
/// be loaded again.
#[derive(Debug, PartialEq, Eq)]
pub struct NeedsLoad;

/// The names second reads have followed (see
/// [`Project::parse_second_reads`]), kept between updates by a long-running
/// session.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reached {
    names: std::collections::BTreeSet<String>,
    sources: std::collections::BTreeSet<String>,
}

impl Reached {
    /// Whether every name and module `other` holds is held here too.
    pub fn includes(&self, other: &Reached) -> bool {
        self.names.is_superset(&other.names) && self.sources.is_superset(&other.sources)
    }
}

/// Incremental updates, for a long-running [`crate::session::Session`].
impl Project {
    /// Reads texts through `fs` from now on (the editor's buffers as they
    /// are now): files read again or on demand must be read as a fresh load
    /// would read them. Every file whose text differs between the two must
    /// go through [`Project::update_texts`].
    pub fn set_file_system(&mut self, fs: Arc<dyn FileSystem>) {
        self.fs = fs;
    }

    /// The names second reads follow today (everything reachable from the
    /// parsed files).
    pub fn reached(&self) -> Reached {
        let reach = self.reachable_names();
        Reached {
            names: reach.names.into_iter().collect(),
            sources: reach.default_sources.into_iter().collect(),
        }
    }

    /// Replaces the texts of scanned files (an editor's buffers, or files
    /// changed on disk) and brings what depends on them up to date, reading
    /// no other file. A changed file the prefilter keeps is parsed; one it
    /// skips is left skipped, for [`Project::second_reads_of`] to decide
    /// once every change is in. A new or lost alias of a lock decorator is
    /// [`NeedsLoad`]: the project is then half updated, and must be loaded
    /// again.
    pub fn update_texts(&mut self, changes: Vec<(usize, String)>) -> Result<Updated, NeedsLoad> {
        // Texts read on demand from now on are the new ones.
        if let Ok(mut cache) = self.outside.lock() {
            for (index, _) in &changes {
                if let Some(file) = self.files.get(*index) {
                    cache.remove(&file.key);
                }
            }
        }
        let aliases_before = self.alias_fixpoint();
        let mut parse = Vec::with_capacity(changes.len());
        let mut skip = Vec::new();
        for (index, text) in changes {
            let kept = self
                .prefilter
                .as_ref()
                .is_none_or(|p| is_kept(p, text.as_bytes()));
            if kept {
                parse.push((index, text));
            } else {
                // Whether a second read wants it is decided once every
                // change is in (see `Session::update`).
                skip.push(index);
            }
        }
        let sources_before: Vec<Vec<SourceKey>> = self
            .packages
            .iter()
            .map(|p| p.lock_sources.clone())
            .collect();
        let mut states: Vec<(usize, FileState)> = parse
            .into_par_iter()
            .map(|(index, text)| (index, state_of(SourceText::new(text), None, false)))
            .collect();
        states.extend(skip.into_iter().map(|index| (index, FileState::Skipped)));
        let mut updated = Updated::default();
        for (index, state) in states {
            let Some(file) = self.files.get_mut(index) else {
                continue;
            };
            if let Ok(mut cache) = self.outside.lock() {
                cache.remove(&file.key);
            }
            if matches!(state, FileState::Parsed { .. }) {
                self.by_key.insert(file.key.clone(), index);
            } else {
                self.by_key.remove(&file.key);
            }
            file.state = state;
            file.second_read = false;
            updated.files.push(index);
        }
        if self.alias_fixpoint() != aliases_before {
            return Err(NeedsLoad);
        }
        self.collect_lock_sources();
        updated.globals_changed = self
            .packages
            .iter()
            .zip(&sources_before)
            .any(|(p, before)| p.lock_sources != *before);
        updated.files.sort_unstable();
        updated.files.dedup();
        Ok(updated)
    }

    /// Reads `files` (skipped ones) again and parses those a second read
    /// wants given everything reachable now (see [`SkipHints::wanted`]), or
    /// that name an alias of a lock decorator; gives the files parsed.
    pub fn second_reads_of(&mut self, files: Vec<usize>, reached: &Reached) -> Vec<usize> {
        if self.prefilter.is_none() {
            return Vec::new();
        }
        let candidates: Vec<usize> = files
            .into_iter()
            .filter(|&i| {
                self.files
                    .get(i)
                    .is_some_and(|f| matches!(f.state, FileState::Skipped))
            })
            .collect();
        if candidates.is_empty() {
            return Vec::new();
        }
        let names: Vec<String> = reached.names.iter().cloned().collect();
        let sources: Vec<String> = reached.sources.iter().cloned().collect();
        let (names, sources) = (word_matcher(&names), substring_matcher(&sources));
        let aliases = word_matcher(&self.lock_aliases);
        self.parse_if(candidates, |_, bytes| {
            aliases.as_ref().is_some_and(|m| mentions_any(m, bytes))
                || SkipHints::of(bytes).wanted(
                    || names.as_ref().is_some_and(|m| mentions_any(m, bytes)),
                    || sources.as_ref().is_some_and(|m| m.is_match(bytes)),
                )
        })
    }

    /// Decides again, from the files the prefilter keeps, which files
    /// second reads parse, as loading does: every file parsed by a second
    /// read goes back to skipped, then the alias rounds and the second-read
    /// rounds run from nothing. For when fewer names are reachable than
    /// before (a fresh load would parse fewer files). Gives the files whose
    /// state changed.
    pub fn redo_second_reads(&mut self) -> Vec<usize> {
        let demoted: Vec<usize> = (0..self.files.len())
            .filter(|&i| self.files[i].second_read)
            .collect();
        for &index in &demoted {
            let file = &mut self.files[index];
            file.state = FileState::Skipped;
            file.second_read = false;
            self.by_key.remove(&file.key);
        }
        if let Ok(mut cache) = self.outside.lock() {
            cache.clear();
        }
        self.lock_aliases.clear();
        let mut changed = demoted;
        changed.extend(self.parse_alias_users());
        changed.extend(self.second_reads_since(&mut Reached::default()));
        self.collect_lock_sources();
        changed.sort_unstable();
        changed.dedup();
        changed
    }

    /// Every name a lock decorator is re-exported under, sorted, as the
    /// parsed files say today (without reading skipped files).
    fn alias_fixpoint(&self) -> Vec<String> {
        let mut known: Vec<String> = Vec::new();
        loop {
            let new: Vec<String> = self
                .lock_decorator_aliases(&known)
                .into_iter()
                .filter(|a| !known.contains(a))
                .collect();
            if new.is_empty() {
                known.sort();
                return known;
            }
            known.extend(new);
        }
    }

    /// Second reads for the names that became reachable since `reached`
    /// (see [`Project::parse_second_reads`]), round after round, as loading
    /// runs them: skipped files are read again and parsed when their hints
    /// want them. Gives the files parsed.
    pub fn second_reads_since(&mut self, reached: &mut Reached) -> Vec<usize> {
        let mut parsed = Vec::new();
        loop {
            let reach = self.reachable_names();
            let new_names: Vec<String> = reach
                .names
                .into_iter()
                .filter(|n| reached.names.insert(n.clone()))
                .collect();
            let new_sources: Vec<String> = reach
                .default_sources
                .into_iter()
                .filter(|s| reached.sources.insert(s.clone()))
                .collect();
            if self.prefilter.is_none() {
                return parsed;
            }
            let names = word_matcher(&new_names);
            let sources = substring_matcher(&new_sources);
            if names.is_none() && sources.is_none() {
                return parsed;
            }
            let candidates: Vec<usize> = (0..self.files.len())
                .filter(|&i| matches!(self.files[i].state, FileState::Skipped))
                .collect();
            parsed.extend(self.parse_if(candidates, |_, bytes| {
                SkipHints::of(bytes).wanted(
                    || names.as_ref().is_some_and(|m| mentions_any(m, bytes)),
                    || sources.as_ref().is_some_and(|m| m.is_match(bytes)),
                )
            }));
        }
    }
}

/// Whether `class` declares a member named one of `names` that ends up on
/// `this`: a parameter property, or a property injected with `@Inject`.
pub fn declares_member(class: &ClassModel, names: &[&str]) -> bool {
    let param = class
        .constructor
        .iter()
        .flat_map(|c| &c.params)
        .any(|p| p.is_property && p.name.as_deref().is_some_and(|n| names.contains(&n)));
    let property = class.properties.iter().any(|p| {
        p.name.as_deref().is_some_and(|n| names.contains(&n))
            && has_decorator(&p.decorators, "Inject")
    });
    param || property
}

/// Whether one of `decorators` is called `name` (directly or as `ns.name`).
pub fn has_decorator(decorators: &[model::Decorator], name: &str) -> bool {
    decorators.iter().any(|d| match &d.callee {
        Callee::Ident(n) => n == name,
        Callee::Member { property, .. } => property == name,
        Callee::Other => false,
    })
}

/// What an import says about its module as a source of lock names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum SourceRole {
    /// Nothing lock-related.
    None,
    /// A configured extra lock decorator.
    ExtraDecorator,
    /// A built-in `ClusterSafeCron*` decorator.
    Decorator,
    /// The lock service type or the lock module.
    Service,
}

fn source_role(model: &FileModel, import: &Import, config: &Config) -> SourceRole {
    let role_of = |name: &str| {
        if name == config.lock_service_type || name == config.lock_module {
            SourceRole::Service
        } else if !config.marks_lock_source(name) {
            SourceRole::None
        } else if crate::config::DEFAULT_LOCK_DECORATORS.contains(&name) {
            SourceRole::Decorator
        } else {
            SourceRole::ExtraDecorator
        }
    };
    let named = import.named.iter().map(|n| role_of(&n.imported)).max();
    let through_namespace = import.namespace.as_ref().and_then(|namespace| {
        model
            .classes
            .iter()
            .flat_map(|c| c.methods.iter().flat_map(|m| &m.decorators))
            .filter_map(|d| match &d.callee {
                Callee::Member { object, property } if object == namespace => {
                    Some(role_of(property))
                }
                _ => None,
            })
            .max()
    });
    named.max(through_namespace).unwrap_or(SourceRole::None)
}

/// The prefilter: builds a matcher for the configured names (`None` turns
/// prefiltering off, so that every file is parsed).
/// Each file's key (absolute, normalised path) and project, the projects
/// found and the workspace packages seen. `roots` are the PATH arguments.
fn place_in_projects(
    files: &[WalkedFile],
    roots: &[PathBuf],
    markers: Markers,
) -> (
    Vec<PathBuf>,
    Vec<usize>,
    Vec<Package>,
    Vec<crate::workspace::WorkspacePackage>,
) {
    // `absolute` would ask for the working directory once per file.
    let cwd = std::env::current_dir().unwrap_or_default();
    let mut finder = ProjectFinder::new(markers);
    // A directory's project is looked up once, by its bytes (hashing a
    // `Path` walks its components, which was most of the lookup's time).
    let mut by_dir: HashMap<(usize, std::ffi::OsString), usize, rustc_hash::FxBuildHasher> =
        HashMap::default();
    let (keys, placement) = files
        .iter()
        .map(|walked| {
            let key = normalize(&cwd.join(&walked.path));
            let dir = key.parent().unwrap_or(&key).as_os_str().to_owned();
            let package = *by_dir.entry((walked.root, dir)).or_insert_with(|| {
                let root = roots.get(walked.root).cloned().unwrap_or_default();
                finder.package_of(&key, &root)
            });
            (key, package)
        })
        .unzip();
    let (packages, workspace) = finder.into_parts();
    (keys, placement, packages, workspace)
}

/// The prefilter `config` asks for: a matcher of the names a file must
/// mention to be parsed (`None`: parse every file).
pub fn build_prefilter(config: &Config) -> Option<AhoCorasick> {
    if !config.prefilter {
        return None;
    }
    AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(config.interesting_names())
        .ok()
}

/// Whether `text` holds one of the names as a whole identifier. A file that
/// does not can import none of them, so it cannot produce a finding and is
/// not parsed. (Leftmost-longest matching: a shorter name at the same spot
/// is part of the same longer identifier, so nothing valid is skipped.)
pub fn mentions_any(prefilter: &AhoCorasick, bytes: &[u8]) -> bool {
    whole_words(prefilter, bytes).next().is_some()
}

/// Whether the prefilter keeps a file: it names one of the names, or may
/// name one through an escape.
fn is_kept(prefilter: &AhoCorasick, bytes: &[u8]) -> bool {
    mentions_any(prefilter, bytes) || has_escape(bytes)
}

/// Starts of the matches of `matcher` in `bytes` that are whole identifiers.
pub(crate) fn whole_words<'a>(
    matcher: &'a AhoCorasick,
    bytes: &'a [u8],
) -> impl Iterator<Item = usize> + 'a {
    matcher.find_iter(bytes).filter_map(move |m| {
        let before = m.start().checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(m.end()).copied();
        (!before.is_some_and(is_ascii_word_byte) && !after.is_some_and(is_ascii_word_byte))
            .then_some(m.start())
    })
}

/// Whether `b` is an ASCII identifier byte. A non-ASCII neighbour ends a
/// match here: it may be whitespace (NBSP, U+FEFF, U+2003), so a name next to
/// one counts, which at worst parses a file more.
fn is_ascii_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Whether the text holds a `\u` escape: an escaped identifier
/// (`\u0043ron`) names what the prefilter looks for without spelling it,
/// so such a file is parsed.
fn has_escape(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"\\u").is_some()
}

/// The names `model` exports, re-exports or binds to a constant one of
/// `known` as (`export { A as B }`, `export { A as B } from`, `const B = A`).
/// What second reads look for (see [`Project::reachable_names`]).
struct Reach {
    /// Names a class that takes (or may gain) an injected member is declared
    /// or exported under.
    names: Vec<String>,
    /// How importers name the modules that default-export such a class: the
    /// file's name without its extension (`base.job`), or its directory's
    /// name for an `index` file.
    default_sources: Vec<String>,
}

/// Whether `model` default-exports a class in `known`, or a class without a
/// name, or re-exports some module's default.
fn default_exports_reachable(model: &FileModel, known: &std::collections::HashSet<String>) -> bool {
    let exported = model
        .exports
        .iter()
        .any(|e| e.exported == "default" && (known.contains(&e.local) || e.local == "default"));
    let anonymous = model.classes.iter().any(|c| c.name.is_none());
    let reexported = model
        .reexports
        .iter()
        .flat_map(|r| r.names.iter().flatten())
        .any(|(exported, original)| exported == "default" || original == "default");
    exported || anonymous || reexported
}

/// How an import names the module at `key`: its file name without the
/// extension, or its directory's name for an `index` file.
fn module_name(key: &Path) -> Option<String> {
    let stem = key.file_stem()?.to_str()?;
    let stem = stem
        .strip_suffix(".d")
        .unwrap_or(stem)
        .trim_end_matches(".ts");
    if stem == "index" {
        return key.parent()?.file_name()?.to_str().map(str::to_string);
    }
    Some(stem.to_string())
}

/// An automaton that finds `names` as whole identifiers (see
/// [`mentions_any`]); `None` when there are none or it cannot be built.
fn word_matcher(names: &[String]) -> Option<AhoCorasick> {
    if names.is_empty() {
        return None;
    }
    AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(names)
        .ok()
}

/// An automaton that finds any of `needles` anywhere.
fn substring_matcher(needles: &[String]) -> Option<AhoCorasick> {
    if needles.is_empty() {
        return None;
    }
    AhoCorasick::new(needles).ok()
}

fn aliases_of<'a>(
    model: &'a FileModel,
    known: &'a std::collections::HashSet<String>,
) -> impl Iterator<Item = String> + 'a {
    let exports = model
        .exports
        .iter()
        .filter(|e| known.contains(&e.local))
        .map(|e| e.exported.clone());
    let reexports = model
        .reexports
        .iter()
        .flat_map(|r| r.names.iter().flatten())
        .filter(|(_, original)| known.contains(original) || original == "default")
        .map(|(exported, _)| exported.clone());
    let consts = model
        .consts
        .iter()
        .filter(|(_, head)| head.as_ref().is_some_and(|h| known.contains(h)))
        .map(|(name, _)| name.clone());
    exports
        .chain(reexports)
        .chain(consts)
        .filter(|name| !known.contains(name))
}

thread_local! {
    /// Each worker's read buffer: a file is read once, into memory reused
    /// from file to file; only a file that is parsed gets its own copy.
    static READ_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Runs `use_buffer` with this thread's read buffer (a fresh one when the
/// thread's is in use), and gives back the memory of an unusually large file.
fn with_buffer<R>(use_buffer: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    const KEEP: usize = 1 << 20;
    READ_BUFFER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            let result = use_buffer(&mut buf);
            if buf.capacity() > KEEP {
                *buf = Vec::new();
            }
            result
        }
        Err(_) => use_buffer(&mut Vec::new()),
    })
}

/// Reads and judges one file, with hints when the prefilter skips it.
fn read_state(
    fs: &dyn FileSystem,
    path: &Path,
    prefilter: Option<&AhoCorasick>,
) -> Result<(FileState, SkipHints), String> {
    with_buffer(|buf| {
        fs.read_into(path, buf).map_err(|e| match e.kind() {
            std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
            _ => describe_io(&e),
        })?;
        // Binary means not UTF-8: NUL and other control characters inside
        // valid UTF-8 text are parsed like any other character, as tsc does.
        // Validated in place: a skipped file is never copied.
        let text = std::str::from_utf8(buf).map_err(|e| {
            format!(
                "binary file (not valid UTF-8: invalid byte at offset {}); not scanned",
                e.valid_up_to()
            )
        })?;
        if let Some(prefilter) = prefilter
            && !is_kept(prefilter, buf)
        {
            return Ok((FileState::Skipped, SkipHints::of(buf)));
        }
        let text = text.to_owned();
        Ok((
            state_of(SourceText::new(text), None, true),
            SkipHints::default(),
        ))
    })
}

/// Parses `source` (unless the prefilter skips it). `on_disk`: the text is
/// the file's on disk, so only its fingerprint is kept (see [`ParsedText`]);
/// otherwise the text is held.
fn state_of(source: SourceText, prefilter: Option<&AhoCorasick>, on_disk: bool) -> FileState {
    if let Some(prefilter) = prefilter
        && !is_kept(prefilter, source.text().as_bytes())
    {
        return FileState::Skipped;
    }
    let source = Arc::new(source);
    match with_module_in_budget(&source, build_model) {
        Ok(model) => {
            let text = if on_disk {
                let print = Fingerprint::of(source.text().as_bytes());
                drop(source);
                ParsedText::on_disk(print)
            } else {
                // The helper let go of the text unless the parse overran
                // (then a copy).
                ParsedText::held(Arc::try_unwrap(source).unwrap_or_else(|shared| (*shared).clone()))
            };
            FileState::Parsed {
                text,
                model: Arc::new(compact(model)),
            }
        }
        Err(mut error) => {
            let source =
                Box::new(Arc::try_unwrap(source).unwrap_or_else(|shared| (*shared).clone()));
            if !error.timed_out {
                error.offset += source.bom_len();
            }
            FileState::Broken {
                source,
                error: Box::new(error),
            }
        }
    }
}

/// `state` with `edits` spliced into its text (see
/// [`Project::splice_edits`]), and the original text when it changed.
fn spliced(
    state: FileState,
    edits: &[Edit],
    fs: &dyn FileSystem,
    path: &Path,
    prefilter: Option<&AhoCorasick>,
) -> (FileState, Option<Original>) {
    // A text in memory is spliced and held, like any replaced text.
    let in_memory = |old: String, state: FileState| match crate::fix::splice(&old, edits) {
        Some(new) => (
            state_of(SourceText::new(new), prefilter, false),
            Some(Original::Text(old)),
        ),
        None => (state, None),
    };
    match state {
        FileState::Parsed { text, model } => {
            let Some(print) = text.backing.print() else {
                let Some(source) = text.slot.get().and_then(Option::as_deref) else {
                    return (FileState::Parsed { text, model }, None);
                };
                let old = source.text().to_string();
                return in_memory(old, FileState::Parsed { text, model });
            };
            if text.changed() {
                return (FileState::Parsed { text, model }, None);
            }
            let mut rounds = match text.backing {
                Backing::Fixed(fixed) => fixed.rounds,
                _ => Vec::new(),
            };
            rounds.push(edits.into());
            let backing = Backing::Fixed(Box::new(FixedText { print, rounds }));
            let original = Some(Original::OnDisk(print));
            let Some(new) = backing.load(fs, path) else {
                // The file changed on disk since the fix read it: the old
                // model stays, the text is marked changed (reported as such).
                let text = ParsedText {
                    slot: OnceLock::from(None),
                    backing,
                };
                return (FileState::Parsed { text, model }, original);
            };
            drop(model);
            let state = match state_of(SourceText::new(new), prefilter, false) {
                FileState::Parsed { model, .. } => FileState::Parsed {
                    text: ParsedText {
                        slot: OnceLock::new(),
                        backing,
                    },
                    model,
                },
                other => other,
            };
            (state, original)
        }
        FileState::Broken { source, error } => {
            let old = source.text().to_string();
            in_memory(old, FileState::Broken { source, error })
        }
        FileState::Skipped => (FileState::Skipped, None),
    }
}

/// `model` copied, now that the syntax tree it was built beside is gone. The
/// model's many small blocks were allocated between the tree's, so once the
/// tree is freed they pin down pages that are mostly empty; the copy packs
/// them into the holes the tree left, and the blocks it replaces become
/// holes that the next file's tree fills. Every parsed model lives until the
/// run ends: at 50k files this keeps ~5 MB less resident, for a copy of
/// each model.
fn compact(model: FileModel) -> FileModel {
    model.clone()
}

/// The model of a parsed file.
pub fn build_model(module: &swc_ecma_ast::Module, source: &SourceText) -> FileModel {
    let mut model = model::build(module, source.text(), source.bom_len());
    model.shrink();
    model
}
