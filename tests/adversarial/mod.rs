//! Small NestJS trees written to break cronlock's shortcuts (the prefilter,
//! its second reads): class chains one to four levels deep across files,
//! reached through named, aliased, string-named, namespace, default and
//! re-exported imports; `new X(...)` and `super(...)` with odd spacing;
//! lowercase and `_` class names; specs whose testing modules provide them;
//! lock modules that set `global: true` inside `forRoot`; and method bodies
//! mixing regexes, divisions, templates, comments, line terminators (U+2028,
//! U+2029, lone CR), non-ASCII whitespace and unicode escapes; and chains
//! whose root runs a plain `@Cron`, with the lock package in the tree (so
//! `--migrate-cron` can migrate it) or with no lock name anywhere (nothing
//! to migrate to). Every tree parses.
//!
//! A tree is decided by a byte string, so the proptest (tests/differential.rs)
//! and the fuzz target (fuzz/fuzz_targets/same_answer.rs) share it.

/// Reads choices from a byte string (zeros once it runs out).
pub struct Choices<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Choices<'a> {
    /// Choices read from `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Choices { bytes, at: 0 }
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        let byte = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        usize::from(byte) % n
    }

    /// One of `items`.
    pub fn pick<'b, T>(&mut self, items: &'b [T]) -> &'b T {
        &items[self.below(items.len())]
    }

    fn flag(&mut self) -> bool {
        self.below(2) == 1
    }
}

/// Statements that are hard to scan: regex or division, comments ended by
/// every line terminator, non-ASCII whitespace, escaped identifiers.
const PIECES: [&str; 27] = [
    "this.count++ / 2;",
    "let i = this.count++\n/ 2 / 1;",
    "const r = /[}{'\"`]/g.test('x');",
    "const d = (this.count + 1) / 2 / 3;",
    "const t = `${`${1}}`}}` + '}{';",
    "// a comment } {\u{2028}const u2028 = 1;",
    "// a comment } {\u{2029}const u2029 = 1;",
    "// a comment } {\rconst cr = 1;",
    "/* } { */ const block = 1;",
    "const\u{a0}nbsp\u{a0}= 1;",
    "const\u{feff}bom\u{2003}= 2;",
    "const \\u0053ecret = 3; void Secret;",
    "const xs = [1, 2] as Array<number>; const y = xs.length / 2;",
    "const of = 4; const z = of / 2 / 1;",
    "const o = { a: '}' }; const f = () => ({ b: 1 });",
    "if (this.count) /}/.test('}');",
    "label: for (const x of [1]) { continue label; }",
    "switch (this.count) { case 1: { break; } default: }",
    "try { void 0; } catch (e) { void e; } finally { void 1; }",
    "const c = class { m() { return 1; } };",
    "const g = function <T>(x: T): T { return x; };",
    "const n = 10 /2/ 5;",
    "return;",
    "const s = 'new Job( super( lockService';",
    "const q = this.count ? { x: 1 } : { y: 2 };",
    "void `line\u{2028}sep ${'}'}`;",
    "const label = new String('Base') + \"jobRunner\" + `_base` + 'Job$';",
];

/// What the generated classes are called.
const NAMES: [&str; 6] = ["Base", "base", "_base", "Job$", "jobRunner", "Ünï"];

/// How `super(` is written.
const SUPERS: [&str; 5] = [
    "super(",
    "super (",
    "super\n    (",
    "super/* c */(",
    "super\t(",
];

/// How `new X` is written (what goes between `new` and the name).
const NEWS: [&str; 5] = [" ", "\t", "  ", "\n      ", " /* c */ "];

/// How a class reaches the class it imports.
#[derive(Clone, Copy, Debug)]
enum Via {
    Named,
    Aliased,
    Namespace,
    Default,
    Barrel,
    BarrelStar,
    /// `import { 'Base' as Local }`: the name appears only in a string.
    Quoted,
}

const VIAS: [Via; 7] = [
    Via::Named,
    Via::Aliased,
    Via::Namespace,
    Via::Default,
    Via::Barrel,
    Via::BarrelStar,
    Via::Quoted,
];

/// How the chain's root schedules its job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Schedule {
    /// With a lock decorator (when it has one).
    Locked,
    /// With a plain `@Cron` that `--migrate-cron` can migrate: the lock
    /// package is in the tree and imported.
    Cron,
    /// With a plain `@Cron`, in a tree that names no lock at all: there is
    /// no lock source to migrate to, so the class never gains the service.
    CronLockless,
}

const SCHEDULES: [Schedule; 4] = [
    Schedule::Locked,
    Schedule::Locked,
    Schedule::Cron,
    Schedule::CronLockless,
];

/// One generated file: `(path, text)`.
pub type File = (String, String);

/// A class of the chain and how others refer to it.
struct Level {
    file: String,
    class: String,
    default_export: bool,
}

/// The tree `choices` decides.
pub fn tree(choices: &mut Choices<'_>) -> Vec<File> {
    let mut files = vec![
        (
            "package.json".to_string(),
            "{ \"name\": \"adversarial\" }\n".to_string(),
        ),
        ("src/main.ts".to_string(), MAIN.to_string()),
    ];
    let schedule = *choices.pick(&SCHEDULES);
    let lockless = schedule == Schedule::CronLockless;
    let lock = lock_module(choices);
    if !lockless {
        files.push(("src/lock/index.ts".to_string(), lock));
    }
    let depth = 1 + choices.below(4);
    let mut levels: Vec<Level> = Vec::new();
    let mut providers: Vec<(String, String)> = Vec::new();
    for level in 0..depth {
        let name = format!("{}{level}", choices.pick(&NAMES));
        let file = format!("src/level{level}.ts");
        let default_export = choices.below(3) == 0;
        let text = match levels.last() {
            None => base_class(choices, &name, default_export, schedule),
            Some(parent) => derived_class(
                choices,
                &name,
                default_export,
                parent,
                level,
                lockless,
                &mut files,
            ),
        };
        files.push((file.clone(), text));
        if !default_export {
            providers.push((name.clone(), format!("./level{level}")));
        }
        levels.push(Level {
            file,
            class: name,
            default_export,
        });
    }
    for site in 0..choices.below(3) {
        let target = &levels[choices.below(levels.len())];
        let text = construction(choices, target, site, &mut files);
        files.push((format!("src/use{site}.ts"), text));
    }
    for site in 0..choices.below(3) {
        let target = &levels[choices.below(levels.len())];
        let text = testing_spec(choices, target, site, lockless, &mut files);
        files.push((format!("src/test{site}.spec.ts"), text));
    }
    if let Some(text) = hidden_names(choices).filter(|_| !lockless) {
        files.push(("src/hidden.ts".to_string(), text));
    }
    files.push((
        "src/app.module.ts".to_string(),
        app_module(choices, &providers, lockless),
    ));
    files
}

const MAIN: &str = "import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  await app.listen(3000);
}
void bootstrap();
";

/// The lock package, in the tree: its module is global through a decorator,
/// through `global: true` in `forRoot`'s body, or not at all.
fn lock_module(choices: &mut Choices<'_>) -> String {
    let global_decorator = choices.below(4) == 0;
    let for_root = match choices.below(4) {
        0 => {
            "  static forRoot() {\n    return { module: this, global: true, providers, exports: providers };\n  }\n"
        }
        1 => {
            "  static forRoot(): DynamicModule {\n    const dynamic = { module: DistributedLockModule, providers, exports: providers };\n    return { ...dynamic, global: true };\n  }\n"
        }
        2 => {
            "  static forRoot() {\n    return { module: DistributedLockModule, global: false, providers, exports: providers };\n  }\n"
        }
        _ => "",
    };
    format!(
        "import {{ DynamicModule, Global, Injectable, Module }} from '@nestjs/common';

@Injectable()
export class DistributedLockService {{
  async withLock(name: string, work: () => Promise<void>): Promise<void> {{
    await work();
  }}
}}

export function ClusterSafeCron(cron: string): MethodDecorator {{
  return () => undefined;
}}

const providers = [DistributedLockService];

{}@Module({{ providers, exports: providers }})
export class DistributedLockModule {{
{for_root}}}
",
        if global_decorator { "@Global()\n" } else { "" }
    )
}

/// A method body of adversarial pieces.
fn body(choices: &mut Choices<'_>) -> String {
    let mut lines = Vec::new();
    for _ in 0..choices.below(4) {
        // Each in a block of its own, so that names never clash.
        lines.push(format!("    {{ {} }}", choices.pick(&PIECES)));
    }
    lines.join("\n")
}

/// The chain's root: takes the lock service, or will once fixed (a lock
/// decorator and no `lockService`, or a `@Cron` to migrate), or neither.
/// Lockless, it names no lock: a `@Cron`, or a `repo` in place of the lock
/// service.
fn base_class(
    choices: &mut Choices<'_>,
    name: &str,
    default_export: bool,
    schedule: Schedule,
) -> String {
    // The chain's root may itself extend a class of a package outside the
    // project, whose constructor the engine never reads; such a root may
    // take nothing and carry no lock (second reads pass over its subclasses
    // and callers then, unless they take a member of their own).
    let external = choices.below(3) == 0;
    let (ctor, decorated) = match choices.below(if external { 4 } else { 3 }) {
        0 => (
            "  constructor(private readonly lockService: DistributedLockService) {}\n",
            false,
        ),
        1 => ("  constructor(private readonly repo: string) {}\n", true),
        2 => ("", true),
        _ => ("", false),
    };
    let ctor = if schedule == Schedule::CronLockless {
        ctor.replace("lockService: DistributedLockService", "repo: string")
    } else {
        ctor.to_string()
    };
    let ctor = if external {
        ctor.replace(") {}", ") {\n    super();\n  }")
    } else {
        ctor
    };
    let decorator = match (decorated, schedule) {
        (false, _) => "",
        (true, Schedule::Locked) => "  @ClusterSafeCron('* * * * *')\n",
        (true, _) => "  @Cron('* * * * *')\n",
    };
    let lock_import = match schedule {
        Schedule::Locked => "import { ClusterSafeCron, DistributedLockService } from './lock';\n",
        Schedule::Cron => {
            "import { Cron } from '@nestjs/schedule';\nimport { ClusterSafeCron, DistributedLockService } from './lock';\n"
        }
        Schedule::CronLockless => "import { Cron } from '@nestjs/schedule';\n",
    };
    let export = if default_export {
        "export default"
    } else {
        "export"
    };
    let (base_import, extends) = if external {
        (
            "import { EventEmitter2 } from 'eventemitter2';\n",
            " extends EventEmitter2",
        )
    } else {
        ("", "")
    };
    format!(
        "import {{ Injectable }} from '@nestjs/common';
{base_import}{lock_import}
@Injectable()
{export} class {name}{extends} {{
  count = 0;
{ctor}
{decorator}  run() {{
{}
  }}
}}
",
        body(choices)
    )
}

/// How file `level` imports `parent` (adding a barrel file when the import
/// goes through one), and the expression that names it.
fn import_of(
    choices: &mut Choices<'_>,
    parent: &Level,
    from: &str,
    tag: &str,
    files: &mut Vec<File>,
) -> (String, String) {
    let module = format!(
        "./{}",
        parent
            .file
            .trim_start_matches("src/")
            .trim_end_matches(".ts")
    );
    let via = *choices.pick(&VIAS);
    let local = format!("{}{tag}", choices.pick(&NAMES));
    let exported = if parent.default_export {
        "default"
    } else {
        &parent.class
    };
    match via {
        Via::Named | Via::Aliased | Via::Quoted if parent.default_export => {
            (format!("import {local} from '{module}';\n"), local)
        }
        Via::Named => (
            format!("import {{ {exported} }} from '{module}';\n"),
            exported.to_string(),
        ),
        Via::Aliased => (
            format!("import {{ {exported} as {local} }} from '{module}';\n"),
            local,
        ),
        Via::Quoted => (
            format!("import {{ '{exported}' as {local} }} from '{module}';\n"),
            local,
        ),
        Via::Namespace => (
            format!("import * as ns{tag} from '{module}';\n"),
            format!("ns{tag}.{exported}"),
        ),
        Via::Default if parent.default_export => {
            (format!("import {local} from '{module}';\n"), local)
        }
        Via::Default => {
            // A module whose default export is the parent.
            let barrel = format!("src/default{tag}.ts");
            files.push((
                barrel,
                format!("import {{ {exported} }} from '{module}';\nexport default {exported};\n"),
            ));
            (format!("import {local} from './default{tag}';\n"), local)
        }
        Via::Barrel | Via::BarrelStar => {
            let barrel = format!("src/barrel{tag}.ts");
            let star = matches!(via, Via::BarrelStar) && !parent.default_export;
            let text = if star {
                format!("export * from '{module}';\n")
            } else {
                format!("export {{ {exported} as {local} }} from '{module}';\n")
            };
            files.push((barrel, text));
            let name = if star { exported.to_string() } else { local };
            let _ = from;
            (format!("import {{ {name} }} from './barrel{tag}';\n"), name)
        }
    }
}

/// A subclass of `parent`, with or without a constructor of its own.
fn derived_class(
    choices: &mut Choices<'_>,
    name: &str,
    default_export: bool,
    parent: &Level,
    level: usize,
    lockless: bool,
    files: &mut Vec<File>,
) -> String {
    let tag = format!("L{level}");
    let (import, base) = import_of(choices, parent, name, &tag, files);
    let ctor = match choices.below(3) {
        0 => String::new(),
        2 if !lockless => format!(
            "  constructor(lockService: DistributedLockService, private readonly other: string) {{\n    {}lockService);\n  }}\n",
            choices.pick(&SUPERS)
        ),
        _ => format!(
            "  constructor(private readonly other: string) {{\n    {}other as never);\n  }}\n",
            choices.pick(&SUPERS)
        ),
    };
    let lock_import = if ctor.contains("DistributedLockService") {
        "import { DistributedLockService } from './lock';\n"
    } else {
        ""
    };
    let export = if default_export {
        "export default"
    } else {
        "export"
    };
    format!(
        "{import}{lock_import}
{export} class {name} extends {base} {{
{ctor}
  work() {{
{}
  }}
}}
",
        body(choices)
    )
}

/// A file that constructs `target`.
fn construction(
    choices: &mut Choices<'_>,
    target: &Level,
    site: usize,
    files: &mut Vec<File>,
) -> String {
    let tag = format!("U{site}");
    let (import, class) = import_of(choices, target, "", &tag, files);
    let space = choices.pick(&NEWS);
    let args = if choices.flag() { "'a'" } else { "" };
    format!(
        "{import}
export function make{site}() {{
{}
  return new{space}{class}({args});
}}
",
        body(choices)
    )
}

/// How a spec's testing module provides `{class}`.
const PROVIDES: [&str; 3] = [
    "{class}",
    "Other, {class}",
    "{ provide: {class}, useClass: {class} }",
];

/// A spec whose testing module provides `target` (the spec names nothing
/// else cronlock looks for, unless it provides the lock service too).
fn testing_spec(
    choices: &mut Choices<'_>,
    target: &Level,
    site: usize,
    lockless: bool,
    files: &mut Vec<File>,
) -> String {
    let tag = format!("T{site}");
    let (import, class) = import_of(choices, target, "", &tag, files);
    let provided = choices.pick(&PROVIDES).replace("{class}", &class);
    let (lock_import, lock) = if choices.below(4) == 0 && !lockless {
        (
            "import { DistributedLockService } from './lock';\n",
            ", { provide: DistributedLockService, useValue: {} }",
        )
    } else {
        ("", "")
    };
    format!(
        "{import}{lock_import}import {{ Test }} from '@nestjs/testing';

class Other {{}}

describe('{class}', () => {{
  it('builds', async () => {{
    const moduleRef = await Test.createTestingModule({{
      providers: [{provided}{lock}],
    }}).compile();
    void moduleRef;
  }});
}});
"
    )
}

/// A job class whose only mentions of lock names sit next to non-ASCII
/// whitespace, are written with unicode escapes, or follow quotes, strings
/// and comments on their line that a hasty reader would take them to be
/// inside of (or `None`).
fn hidden_names(choices: &mut Choices<'_>) -> Option<String> {
    let (import, decorator) = match choices.below(9) {
        0 => ("ClusterSafeCron\u{a0}", "ClusterSafeCron\u{feff}"),
        1 => ("\\u0043lusterSafeCron", "\\u{43}lusterSafeCron"),
        2 => ("ClusterSafeCron\u{2003}", "\\u0043lusterSafeCron"),
        3 => return Some(after_quotes("note = 'it\\'s'; ")),
        4 => return Some(after_quotes("note = \"\\\"\"; ")),
        5 => return Some(after_quotes("// a\u{2029}")),
        6 => return Some(after_quotes("// y\r")),
        7 => return Some(after_quotes("note = 'a\\\nb'; ")),
        _ => return None,
    };
    Some(format!(
        "import {{\u{a0}{import} }} from './lock';\n\nexport class Hidden\u{a0}{{\n  @{decorator}('* * * * *')\n  run() {{}}\n}}\n"
    ))
}

/// A job class whose lock decorator, reached through a namespace import,
/// follows `before` on its line.
fn after_quotes(before: &str) -> String {
    format!(
        "import * as lock from './lock';\n\nexport class Hidden {{\n  {before}@lock.ClusterSafeCron('* * * * *') run() {{}}\n}}\n"
    )
}

/// The root module: imports the lock module (plainly, through `forRoot`, or
/// not; never in a lockless tree) and provides the chain's classes.
fn app_module(choices: &mut Choices<'_>, providers: &[(String, String)], lockless: bool) -> String {
    let lock = match choices.below(3) {
        _ if lockless => "",
        0 => "DistributedLockModule",
        1 => "DistributedLockModule.forRoot()",
        _ => "",
    };
    let mut text = String::from("import { Module } from '@nestjs/common';\n");
    if !lockless {
        text.push_str("import { DistributedLockModule } from './lock';\n");
    }
    for (class, module) in providers {
        text.push_str(&format!("import {{ {class} }} from '{module}';\n"));
    }
    let names: Vec<&str> = providers.iter().map(|(c, _)| c.as_str()).collect();
    text.push_str(&format!(
        "\n@Module({{ imports: [{lock}], providers: [{}] }})\nexport class AppModule {{}}\n",
        names.join(", ")
    ));
    text
}
