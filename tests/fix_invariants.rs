//! The fix's promises on generated monorepos (issue 21, item 10). Each tree
//! mixes fixable and non-fixable findings in the same files, chains of
//! classes across files (1 to 4 levels, with and without constructors),
//! specs built with `Test.createTestingModule`, `new` calls and `@Module`s.
//! Whatever the tree:
//! - `fix` exits 0 or 1 and prints no `error:`;
//! - `check` afterwards reports only findings no `fix` can repair;
//! - a second `fix` changes nothing;
//! - the dry run names exactly the files `fix` writes.
//!
//! Beyond what cronlock says, the fixed chains are checked against an
//! oracle of their own (see [`expectations`]).
//!
//! Cases: 24 by default (`PROPTEST_CASES` overrides); each runs the binary
//! six times on a small tree. `KEEP_TREE=DIR` also writes each tree there.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use common::{cronlock, snapshot_tree};
use proptest::prelude::*;

/// A finding no plain `fix` repairs, placed in the same file as a class of a
/// chain (or on the class itself).
#[derive(Debug, Clone, Copy)]
enum Extra {
    None,
    /// A plain `@Cron` method on the chain class itself.
    CronOnClass,
    /// A class with a plain `@Cron` beside it.
    Cron,
    /// A class with an `@Interval` beside it.
    Interval,
    /// A class scheduling a job in code beside it.
    Dynamic,
    /// A class injecting the lock service under another name beside it.
    WrongName,
}

/// How a class is used outside its chain.
#[derive(Debug, Clone, Copy)]
enum Usage {
    None,
    /// A spec providing the class.
    Spec,
    /// A spec providing the class and the lock service.
    SpecWithLock,
    /// A factory calling `new X(repo)`.
    New,
}

/// One class of a chain.
#[derive(Debug, Clone)]
struct Level {
    /// Declares a constructor (the base of a chain always does).
    ctor: bool,
    /// When the chain's base takes the lock service: this constructor takes
    /// and passes it (else its `super(...)` lacks it).
    passes_lock: bool,
    /// The constructor ends with an optional parameter.
    optional_tail: bool,
    /// Declared in the file of the class it extends.
    same_file: bool,
    extra: Extra,
    spec: Usage,
}

#[derive(Debug, Clone)]
struct Chain {
    /// The base already takes `lockService`.
    base_has_lock: bool,
    /// The level whose class has the lock-decorated method (clamped to the
    /// chain's length).
    lock_at: usize,
    /// The base lives in a workspace library (`@acme/jobs`, behind a barrel).
    base_in_lib: bool,
    levels: Vec<Level>,
}

#[derive(Debug, Clone)]
struct App {
    chains: Vec<Chain>,
    /// The root module imports the lock module.
    lock_module: bool,
    /// The first chain's classes are provided by a feature module.
    feature_module: bool,
}

#[derive(Debug, Clone)]
struct TreeSpec {
    apps: Vec<App>,
    migrate: bool,
    /// Run in the default mode (every file then mentions a lock name, which
    /// the prefilter reads today), else with `--no-prefilter`.
    default_mode: bool,
}

fn extra() -> impl Strategy<Value = Extra> {
    prop::sample::select(vec![
        Extra::None,
        Extra::None,
        Extra::CronOnClass,
        Extra::Cron,
        Extra::Interval,
        Extra::Dynamic,
        Extra::WrongName,
    ])
}

fn usage() -> impl Strategy<Value = Usage> {
    prop::sample::select(vec![
        Usage::None,
        Usage::None,
        Usage::Spec,
        Usage::SpecWithLock,
        Usage::New,
    ])
}

fn level() -> impl Strategy<Value = Level> {
    (
        prop::bool::weighted(0.7),
        any::<bool>(),
        prop::bool::weighted(0.25),
        prop::bool::weighted(0.25),
        extra(),
        usage(),
    )
        .prop_map(
            |(ctor, passes_lock, optional_tail, same_file, extra, spec)| Level {
                ctor,
                passes_lock,
                optional_tail,
                same_file,
                extra,
                spec,
            },
        )
}

fn chain() -> impl Strategy<Value = Chain> {
    (
        prop::bool::weighted(0.3),
        prop::sample::select(vec![0usize, 0, 0, 1, 2, 3]),
        prop::bool::weighted(0.25),
        prop::collection::vec(level(), 1..=4),
    )
        .prop_map(|(base_has_lock, lock_at, base_in_lib, levels)| Chain {
            base_has_lock,
            lock_at: lock_at.min(levels.len() - 1),
            base_in_lib,
            levels,
        })
}

fn app() -> impl Strategy<Value = App> {
    (
        prop::collection::vec(chain(), 1..=3),
        prop::bool::weighted(0.7),
        any::<bool>(),
    )
        .prop_map(|(chains, lock_module, feature_module)| App {
            chains,
            lock_module,
            feature_module,
        })
}

fn tree_spec() -> impl Strategy<Value = TreeSpec> {
    (
        prop::collection::vec(app(), 1..=2),
        prop::bool::weighted(0.3),
        any::<bool>(),
    )
        .prop_map(|(apps, migrate, default_mode)| TreeSpec {
            apps,
            migrate,
            default_mode,
        })
}

/// The files of a tree being written: path -> text.
#[derive(Default)]
struct Files(BTreeMap<String, String>, Vec<Placed>);

/// Where a class of a chain was written, for [`expectations`].
struct Placed {
    /// App, chain and level.
    at: (usize, usize, usize),
    /// Its file, from the tree's root.
    file: String,
    name: String,
}

impl Files {
    fn append(&mut self, path: &str, text: &str) {
        self.0.entry(path.to_string()).or_default().push_str(text);
    }
}

/// What one file imports, gathered while its classes are written.
#[derive(Default)]
struct Imports {
    lock: BTreeSet<&'static str>,
    schedule: BTreeSet<&'static str>,
    local: BTreeMap<String, BTreeSet<String>>,
}

impl Imports {
    fn render(&self) -> String {
        let mut out = "import { Injectable } from '@nestjs/common';\n".to_string();
        let list = |names: &BTreeSet<&str>| names.iter().copied().collect::<Vec<_>>().join(", ");
        if !self.lock.is_empty() {
            let _ = writeln!(
                out,
                "import {{ {} }} from '@acme/cluster-lock';",
                list(&self.lock)
            );
        }
        if !self.schedule.is_empty() {
            let _ = writeln!(
                out,
                "import {{ {} }} from '@nestjs/schedule';",
                list(&self.schedule)
            );
        }
        for (from, names) in &self.local {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let _ = writeln!(out, "import {{ {} }} from '{from}';", names.join(", "));
        }
        out
    }
}

/// One class of a chain, as written.
struct Written {
    name: String,
    /// Its file, from the tree's root, without `.ts`.
    module: String,
    /// The module of the `Repo` it uses.
    repo: String,
    /// Whether its constructor takes the lock service as written.
    takes_lock: bool,
}

/// Writes app `a`: its chains, specs, factories and modules.
fn write_app(files: &mut Files, a: usize, app: &App, names_for_prefilter: bool) {
    let src = format!("apps/app{a}/src");
    let lib = "libs/jobs/src";
    files.append(
        &format!("apps/app{a}/package.json"),
        &format!("{{\"name\": \"app{a}\", \"private\": true}}\n"),
    );
    files.append(
        &format!("{src}/repo.ts"),
        "import { Injectable } from '@nestjs/common';\n\n@Injectable()\nexport class Repo {\n  async save(name: string): Promise<string> {\n    return name;\n  }\n}\n",
    );
    let mut bodies: BTreeMap<String, (Imports, String)> = BTreeMap::new();
    let mut providers: Vec<Vec<(String, String)>> = Vec::new();
    for (c, chain) in app.chains.iter().enumerate() {
        let mut written: Vec<Written> = Vec::new();
        let mut provided = Vec::new();
        for (l, level) in chain.levels.iter().enumerate() {
            let (repo, module) = match written.last() {
                Some(base) if level.same_file => (base.repo.clone(), base.module.clone()),
                None if chain.base_in_lib => {
                    files.append("libs/jobs/package.json", "");
                    files.append(
                        &format!("{lib}/index.ts"),
                        &format!("export * from './a{a}c{c}.base';\n"),
                    );
                    (format!("{lib}/repo"), format!("{lib}/a{a}c{c}.base"))
                }
                _ => (format!("{src}/repo"), format!("{src}/c{c}/l{l}.job")),
            };
            let at = Place {
                name: format!("A{a}C{c}L{l}Job"),
                module,
                repo,
                locked: l == chain.lock_at,
            };
            let class = write_level(&mut bodies, at, chain, level, written.last());
            provided.push((class.name.clone(), class.module.clone()));
            provided.extend(extra_provider(&class, level.extra));
            write_use(files, &class, level.spec, names_for_prefilter);
            files.1.push(Placed {
                at: (a, c, l),
                file: format!("{}.ts", class.module),
                name: class.name.clone(),
            });
            written.push(class);
        }
        providers.push(provided);
    }
    for (module, (imports, body)) in bodies {
        let mut text = String::new();
        if names_for_prefilter {
            text.push_str(
                "// Cluster jobs: they read this.lockService (DistributedLockService).\n",
            );
        }
        text.push_str(&imports.render());
        text.push_str(body.as_str());
        files.append(&format!("{module}.ts"), &text);
    }
    write_modules(files, &src, app, &providers);
}

/// Where a class of a chain goes.
struct Place {
    name: String,
    module: String,
    repo: String,
    /// It has the lock-decorated method.
    locked: bool,
}

/// The class of a level, written into its file's body.
fn write_level(
    bodies: &mut BTreeMap<String, (Imports, String)>,
    at: Place,
    chain: &Chain,
    level: &Level,
    base: Option<&Written>,
) -> Written {
    let Place {
        name,
        module,
        repo,
        locked,
    } = at;
    let (imports, body) = bodies.entry(module.clone()).or_default();
    imports
        .local
        .entry(specifier(&module, &repo))
        .or_default()
        .insert("Repo".to_string());
    let tail = if level.optional_tail {
        ", protected readonly label?: string"
    } else {
        ""
    };
    let mut takes_lock = false;
    let head = match base {
        None => {
            let lock = if chain.base_has_lock {
                imports.lock.insert("DistributedLockService");
                takes_lock = true;
                ", protected readonly lockService: DistributedLockService"
            } else {
                ""
            };
            format!(
                "@Injectable()\nexport class {name} {{\n  constructor(protected readonly repo: Repo{lock}{tail}) {{}}\n"
            )
        }
        Some(base) => {
            if base.module != module {
                imports
                    .local
                    .entry(specifier(&module, &base.module))
                    .or_default()
                    .insert(base.name.clone());
            }
            let ctor = if level.ctor {
                takes_lock = base.takes_lock && level.passes_lock;
                let (param, arg) = if takes_lock {
                    imports.lock.insert("DistributedLockService");
                    (", lockService: DistributedLockService", ", lockService")
                } else {
                    ("", "")
                };
                format!("  constructor(repo: Repo{param}{tail}) {{\n    super(repo{arg});\n  }}\n")
            } else {
                takes_lock = base.takes_lock;
                String::new()
            };
            format!(
                "@Injectable()\nexport class {name} extends {} {{\n{ctor}",
                base.name
            )
        }
    };
    body.push('\n');
    body.push_str(&head);
    if locked {
        imports.lock.insert("ClusterSafeCron");
        body.push_str(&format!(
            "\n  @ClusterSafeCron('0 * * * *')\n  async run{name}(): Promise<void> {{\n    await this.repo.save('{name}');\n  }}\n"
        ));
    }
    if matches!(level.extra, Extra::CronOnClass) {
        imports.schedule.insert("Cron");
        body.push_str("\n  @Cron('0 0 * * *')\n  nightly(): void {}\n");
    }
    body.push_str("}\n");
    body.push_str(&extra_class(imports, &name, level.extra));
    Written {
        name,
        module,
        repo,
        takes_lock,
    }
}

/// A class beside the chain's that carries a finding no plain fix repairs.
fn extra_class(imports: &mut Imports, name: &str, extra: Extra) -> String {
    let (needs, body) = match extra {
        Extra::None | Extra::CronOnClass => return String::new(),
        Extra::Cron => (
            ("schedule", "Cron"),
            "  @Cron('0 0 * * *')\n  nightly(): void {}\n".to_string(),
        ),
        Extra::Interval => (
            ("schedule", "Interval"),
            "  @Interval(60000)\n  poll(): void {}\n".to_string(),
        ),
        Extra::Dynamic => (
            ("schedule", "SchedulerRegistry"),
            "  constructor(private readonly registry: SchedulerRegistry) {}\n\n  start(): void {\n    this.registry.addInterval('poll', setInterval(() => undefined, 1000));\n  }\n".to_string(),
        ),
        Extra::WrongName => {
            imports.lock.insert("ClusterSafeCron");
            (
                ("lock", "DistributedLockService"),
                "  constructor(private readonly locks: DistributedLockService) {}\n\n  @ClusterSafeCron('0 0 1 * * *')\n  charge(): void {}\n".to_string(),
            )
        }
    };
    match needs {
        ("schedule", what) => imports.schedule.insert(what),
        (_, what) => imports.lock.insert(what),
    };
    format!("\n@Injectable()\nexport class {name}Extra {{\n{body}}}\n")
}

/// The provider an extra class adds to the app's module.
fn extra_provider(class: &Written, extra: Extra) -> Option<(String, String)> {
    match extra {
        Extra::None | Extra::CronOnClass => None,
        _ => Some((format!("{}Extra", class.name), class.module.clone())),
    }
}

/// A spec or a factory that uses the class.
fn write_use(files: &mut Files, class: &Written, spec: Usage, names: bool) {
    let Written {
        name, module, repo, ..
    } = class;
    let comment = if names {
        "// Builds a job that reads this.lockService.\n"
    } else {
        ""
    };
    let own = specifier(module, module);
    let repo = specifier(module, repo);
    match spec {
        Usage::None => {}
        Usage::Spec | Usage::SpecWithLock => {
            let with_lock = matches!(spec, Usage::SpecWithLock);
            let (import, provider) = if with_lock {
                (
                    "import { DistributedLockService } from '@acme/cluster-lock';\n",
                    ", { provide: DistributedLockService, useValue: {} }",
                )
            } else {
                ("", "")
            };
            files.append(
                &format!("{module}.{name}.spec.ts"),
                &format!(
                    "{comment}import {{ Test }} from '@nestjs/testing';\n{import}import {{ {name} }} from '{own}';\nimport {{ Repo }} from '{repo}';\n\ndescribe('{name}', () => {{\n  it('builds', async () => {{\n    const moduleRef = await Test.createTestingModule({{\n      providers: [{name}, Repo{provider}],\n    }}).compile();\n    expect(moduleRef.get({name})).toBeDefined();\n      }});\n}});\n",
                ),
            );
        }
        Usage::New => files.append(
            &format!("{module}.{name}.factory.ts"),
            &format!(
                "{comment}import {{ {name} }} from '{own}';\nimport {{ Repo }} from '{repo}';\n\nexport function make{name}(repo: Repo): {name} {{\n  return new {name}(repo);\n}}\n",
            ),
        ),
    }
}

/// A chain's providers: class name and module.
type Providers = Vec<(String, String)>;

/// The root module (and a feature module) providing every class.
fn write_modules(files: &mut Files, src: &str, app: &App, providers: &[Vec<(String, String)>]) {
    let import_all = |from: &str, list: &[(String, String)]| {
        list.iter()
            .map(|(name, module)| {
                format!("import {{ {name} }} from '{}';\n", specifier(from, module))
            })
            .collect::<String>()
    };
    let names = |list: &[(String, String)]| {
        list.iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (feature, root): (&[Providers], &[Providers]) = if app.feature_module {
        providers.split_at(1)
    } else {
        (&[], providers)
    };
    let root: Vec<(String, String)> = root.iter().flatten().cloned().collect();
    let mut imports = vec!["ScheduleModule.forRoot()".to_string()];
    let mut text = "import { Module } from '@nestjs/common';\nimport { ScheduleModule } from '@nestjs/schedule';\n".to_string();
    if app.lock_module {
        text.push_str("import { DistributedLockModule } from '@acme/cluster-lock';\n");
        imports.push("DistributedLockModule".to_string());
    }
    if let Some(list) = feature.first() {
        files.append(
            &format!("{src}/feature.module.ts"),
            &format!(
                "import {{ Module }} from '@nestjs/common';\nimport {{ Repo }} from './repo';\n{}\n@Module({{\n  providers: [Repo, {}],\n}})\nexport class FeatureModule {{}}\n",
                import_all(&format!("{src}/feature.module"), list),
                names(list)
            ),
        );
        text.push_str("import { FeatureModule } from './feature.module';\n");
        imports.push("FeatureModule".to_string());
    }
    text.push_str("import { Repo } from './repo';\n");
    text.push_str(&import_all(&format!("{src}/app.module"), &root));
    let provided = if root.is_empty() {
        "Repo".to_string()
    } else {
        format!("Repo, {}", names(&root))
    };
    let _ = write!(
        text,
        "\n@Module({{\n  imports: [{}],\n  providers: [{provided}],\n}})\nexport class AppModule {{}}\n",
        imports.join(", ")
    );
    files.append(&format!("{src}/app.module.ts"), &text);
}

/// The import specifier of module `to` in module `from` (both from the
/// tree's root, without `.ts`): the workspace library's name from outside
/// it, else a relative path.
fn specifier(from: &str, to: &str) -> String {
    let lib = "libs/jobs/";
    if to.starts_with(lib) && !from.starts_with(lib) {
        return "@acme/jobs".to_string();
    }
    let from_parts: Vec<&str> = from.split('/').collect();
    let from_dir = &from_parts[..from_parts.len() - 1];
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let up = from_dir.len() - common;
    let rest = to_parts[common..].join("/");
    if up == 0 {
        format!("./{rest}")
    } else {
        format!("{}{rest}", "../".repeat(up))
    }
}

/// What the fixed tree must hold, class by class, whatever the rules say:
/// an oracle that does not ask cronlock. Along each chain, a class takes the
/// lock service once fixed when it already did, or when it (or, for a class
/// without a constructor, the class whose constructor it runs) has a
/// lock-decorated method (`@Cron` ones too under `--migrate-cron`, unless
/// held back: see [`held_back`]), or when
/// the constructor its `super(...)` calls takes it. Then its `super(...)`
/// passes it on exactly when that constructor takes it, and a spec
/// providing a class that takes it provides the service.
fn expectations(spec: &TreeSpec, placed: &[Placed], root: &Path) -> Vec<String> {
    let mut wrong = Vec::new();
    for (a, app) in spec.apps.iter().enumerate() {
        for (c, chain) in app.chains.iter().enumerate() {
            let mut above = false;
            for (l, level) in chain.levels.iter().enumerate() {
                let locked = l == chain.lock_at
                    || (spec.migrate
                        && matches!(level.extra, Extra::CronOnClass)
                        && !held_back(chain, l));
                let Some(place) = placed.iter().find(|p| p.at == (a, c, l)) else {
                    continue;
                };
                let text = std::fs::read_to_string(root.join(&place.file)).unwrap_or_default();
                let block = class_block(&text, &place.name);
                let takes = if l == 0 {
                    chain.base_has_lock || locked
                } else if level.ctor {
                    let passes = block
                        .lines()
                        .find(|line| line.contains("super("))
                        .is_some_and(|line| line.contains("lockService"));
                    if passes != above {
                        wrong.push(format!(
                            "{}: super(...) passes lockService: {passes}, expected {above}",
                            place.name
                        ));
                    }
                    above || locked
                } else {
                    above
                };
                if matches!(level.spec, Usage::Spec) {
                    let spec_file = place
                        .file
                        .replace(".ts", &format!(".{}.spec.ts", place.name));
                    let provided = std::fs::read_to_string(root.join(&spec_file))
                        .is_ok_and(|t| t.contains("DistributedLockService"));
                    if provided != takes {
                        wrong.push(format!(
                            "{spec_file}: provides the lock service: {provided}, expected {takes}"
                        ));
                    }
                }
                above = takes;
            }
        }
    }
    wrong
}

/// Whether `--migrate-cron` leaves the `@Cron` class at level `l` alone: its
/// constructor would gain `lockService` (nothing in the chain has it, and it
/// declares a constructor or is the base), and its ripple reaches a
/// hand-written `new` (a factory function in production code) at its level
/// or below before a lock-decorated level that declares a constructor: that
/// level's own fix (missing-lock-service) gives the parameter anyway. A
/// lock-decorated level without a constructor is no such stop: its finding
/// (derived-class-without-constructor) is never fixed, so the `new` sites at
/// and below it would break only because of the migration.
fn held_back(chain: &Chain, l: usize) -> bool {
    let declares_ctor = |m: usize| m == 0 || chain.levels.get(m).is_some_and(|level| level.ctor);
    let gains = !chain.base_has_lock && l != chain.lock_at && declares_ctor(l);
    let stops_ripple = |m: usize| m != l && m == chain.lock_at && declares_ctor(m);
    gains
        && chain
            .levels
            .iter()
            .enumerate()
            .skip(l)
            .take_while(|(m, _)| !stops_ripple(*m))
            .any(|(_, level)| matches!(level.spec, Usage::New))
}

/// The text of class `name` in `text`, up to its closing line.
fn class_block<'t>(text: &'t str, name: &str) -> &'t str {
    let Some(start) = text.find(&format!("export class {name} ")) else {
        return "";
    };
    let rest = &text[start..];
    rest.find("\n}\n").map_or(rest, |end| &rest[..end])
}

fn write_tree(spec: &TreeSpec, root: &Path) -> Vec<Placed> {
    let mut files = Files::default();
    files.append(
        "package.json",
        "{\"name\": \"monorepo\", \"private\": true}\n",
    );
    if spec.migrate {
        // A library may hold nothing but plain `@Cron` jobs: the migration
        // must be told where `ClusterSafeCron` comes from.
        files.append("cronlock.toml", "import-source = \"@acme/cluster-lock\"\n");
    }
    for (a, app) in spec.apps.iter().enumerate() {
        write_app(&mut files, a, app, spec.default_mode);
    }
    if files.0.contains_key("libs/jobs/package.json") {
        files.0.insert(
            "libs/jobs/package.json".to_string(),
            "{\"name\": \"@acme/jobs\", \"private\": true}\n".to_string(),
        );
        files.0.insert(
            "libs/jobs/src/repo.ts".to_string(),
            "import { Injectable } from '@nestjs/common';\n\n@Injectable()\nexport class Repo {\n  async save(name: string): Promise<string> {\n    return name;\n  }\n}\n".to_string(),
        );
    }
    for (path, text) in files.0 {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    files.1
}

/// The files a dry run's diffs name.
fn diffed(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("--- a/"))
        .map(str::to_string)
        .collect()
}

/// The files whose bytes differ between two snapshots of a tree.
fn changed(before: &[(String, Vec<u8>)], after: &[(String, Vec<u8>)]) -> BTreeSet<String> {
    let old: BTreeMap<&String, &Vec<u8>> = before.iter().map(|(p, b)| (p, b)).collect();
    after
        .iter()
        .filter(|(p, b)| old.get(p) != Some(&b))
        .map(|(p, _)| p.clone())
        .collect()
}

/// The rules of the findings a JSON report holds that a fix could repair.
fn fixable(stdout: &str) -> Vec<String> {
    let doc: serde_json::Value = serde_json::from_str(stdout).expect("json report");
    doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["fixable"] == true)
        .map(|f| format!("{} {}:{}", f["rule"], f["file"], f["line"]))
        .collect()
}

fn check_invariants(spec: &TreeSpec) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let placed = write_tree(spec, root);
    if let Ok(keep) = std::env::var("KEEP_TREE") {
        let n = std::fs::read_dir(&keep).map(|d| d.count()).unwrap_or(0);
        let target = Path::new(&keep).join(format!("t{n}"));
        write_tree(spec, &target);
    }
    let mode: &[&str] = if spec.default_mode {
        &[]
    } else {
        &["--no-prefilter"]
    };
    let mut fix_args = vec!["fix"];
    fix_args.extend(mode);
    if spec.migrate {
        fix_args.push("--migrate-cron");
    }
    let before = snapshot_tree(root);
    let dry = cronlock(root, &[&fix_args[..], &["--dry-run"]].concat());
    assert!(!dry.stderr.contains("error:"), "dry run: {}", dry.stderr);
    let fix = cronlock(root, &fix_args);
    let after = snapshot_tree(root);
    assert!(
        fix.code == 0 || fix.code == 1,
        "fix exited {}:\n{}",
        fix.code,
        fix.stderr
    );
    assert!(!fix.stderr.contains("error:"), "fix: {}", fix.stderr);
    assert_eq!(
        diffed(&dry.stdout),
        changed(&before, &after),
        "the dry run and the fix disagree on the files"
    );
    for full in [mode, &["--no-prefilter"]] {
        let check = cronlock(root, &[&["check", "--format", "json"], full].concat());
        assert_eq!(
            fixable(&check.stdout),
            Vec::<String>::new(),
            "fixable findings after fix ({full:?})"
        );
    }
    let wrong = expectations(spec, &placed, root);
    assert!(
        wrong.is_empty(),
        "the fixed tree is wrong:\n{}",
        wrong.join("\n")
    );
    let again = cronlock(root, &fix_args);
    assert!(
        !again.stderr.contains("error:"),
        "second fix: {}",
        again.stderr
    );
    assert_eq!(after, snapshot_tree(root), "a second fix changed files");
    assert_eq!(fix.code, again.code, "the second fix exits otherwise");
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn fix_keeps_its_promises_on_generated_trees(spec in tree_spec()) {
        check_invariants(&spec);
    }
}
