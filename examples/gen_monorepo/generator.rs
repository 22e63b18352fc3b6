//! A synthetic NestJS monorepo, deterministic by seed: packages of services,
//! controllers, DTOs, entities and helpers (50 to 600 lines each); about 10%
//! of files carry lock decorators and half of those lack `lockService`; a few
//! use plain `@Cron`; node_modules/ and dist/ hold noise that must be skipped.

use std::fmt::Write as _;
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Scanned `.ts` files in total (noise not counted).
    pub files: usize,
    /// Service packages.
    pub packages: usize,
    /// Seed for the generator.
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// `.ts` files outside node_modules/dist.
    pub files: usize,
    /// Files with a lock-decorated class.
    pub locked: usize,
    /// Of those, classes missing `lockService`.
    pub missing: usize,
    /// Files with a plain `@Cron` job.
    pub plain_cron: usize,
    /// Bytes written (scanned files only).
    pub bytes: usize,
}

/// splitmix64: small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    /// Lines for a file: 50 to 600, skewed towards the small end.
    fn lines(&mut self) -> usize {
        let u = self.below(1000) as f64 / 1000.0;
        50 + (550.0 * u * u) as usize
    }
}

const DOMAINS: [&str; 16] = [
    "user", "device", "invoice", "payment", "session", "report", "order", "shipment", "ticket",
    "tenant", "webhook", "audit", "metric", "alert", "token", "catalog",
];
const SHORTHANDS: [&str; 6] = [
    "ClusterSafeCronEveryMinute",
    "ClusterSafeCronEvery5Minutes",
    "ClusterSafeCronEvery10Minutes",
    "ClusterSafeCronEvery30Minutes",
    "ClusterSafeCronEveryHour",
    "ClusterSafeCronEveryDay",
];

fn pascal(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// Writes the monorepo under `out` and returns what it holds.
pub fn generate(out: &Path, spec: Spec) -> std::io::Result<Stats> {
    let mut rng = Rng(spec.seed);
    let mut stats = Stats::default();
    let packages = spec.packages.max(1);
    std::fs::create_dir_all(out)?;
    std::fs::write(
        out.join("package.json"),
        "{\n  \"name\": \"synthetic-monorepo\",\n  \"private\": true\n}\n",
    )?;
    let per_package = spec.files.div_ceil(packages);
    let mut remaining = spec.files;
    for p in 0..packages {
        let count = per_package.min(remaining);
        remaining -= count;
        let dir = out.join(format!("services/svc-{p:03}"));
        std::fs::create_dir_all(dir.join("src"))?;
        std::fs::write(
            dir.join("package.json"),
            format!("{{\n  \"name\": \"@synthetic/svc-{p:03}\",\n  \"private\": true\n}}\n"),
        )?;
        if count == 0 {
            continue;
        }
        let mut features = Vec::new();
        for i in 1..count {
            let domain = DOMAINS[rng.below(DOMAINS.len())];
            let feature = format!("{domain}{}", i / 8);
            let (name, text, kind) = file_for(&mut rng, &feature, i);
            let path = dir.join("src").join(&feature).join(&name);
            std::fs::create_dir_all(path.parent().unwrap_or(&dir))?;
            stats.bytes += text.len();
            stats.files += 1;
            match kind {
                Kind::Locked { missing } => {
                    stats.locked += 1;
                    stats.missing += usize::from(missing);
                }
                Kind::PlainCron => stats.plain_cron += 1,
                Kind::Other => {}
            }
            std::fs::write(path, text)?;
            if !features.contains(&feature) {
                features.push(feature);
            }
        }
        let module = app_module(&features);
        stats.bytes += module.len();
        stats.files += 1;
        std::fs::write(dir.join("src/app.module.ts"), module)?;
        noise(&dir, &mut rng)?;
    }
    Ok(stats)
}

enum Kind {
    Locked { missing: bool },
    PlainCron,
    Other,
}

fn file_for(rng: &mut Rng, feature: &str, i: usize) -> (String, String, Kind) {
    let class = format!("{}{}", pascal(feature), i);
    let lines = rng.lines();
    let roll = rng.below(1000);
    if roll < 100 {
        let missing = roll < 50;
        (
            format!("{feature}-{i}.job.ts"),
            locked_service(rng, &class, lines, missing),
            Kind::Locked { missing },
        )
    } else if roll < 115 {
        (
            format!("{feature}-{i}.scheduler.ts"),
            plain_cron(rng, &class, lines),
            Kind::PlainCron,
        )
    } else if roll < 400 {
        (
            format!("{feature}-{i}.service.ts"),
            service(rng, &class, lines),
            Kind::Other,
        )
    } else if roll < 600 {
        (
            format!("{feature}-{i}.controller.ts"),
            controller(rng, &class, lines),
            Kind::Other,
        )
    } else if roll < 850 {
        (
            format!("{feature}-{i}.dto.ts"),
            dto(rng, &class, lines),
            Kind::Other,
        )
    } else {
        (
            format!("{feature}-{i}.util.ts"),
            util(rng, &class, lines),
            Kind::Other,
        )
    }
}

/// Method bodies: loops, awaits, logging, arithmetic; `n` lines.
fn body(rng: &mut Rng, out: &mut String, n: usize, indent: &str) {
    for k in 0..n {
        let line = match rng.below(6) {
            0 => {
                format!("{indent}const value{k} = items.filter((item) => item.score > {k}).length;")
            }
            1 => {
                format!("{indent}this.logger.log(`processed ${{items.length}} items in step {k}`);")
            }
            2 => {
                format!("{indent}total += items.reduce((sum, item) => sum + item.score * {k}, 0);")
            }
            3 => format!(
                "{indent}if (total > {}) {{ total = Math.floor(total / 2); }}",
                rng.below(10_000)
            ),
            4 => format!("{indent}await this.flush('{k}', total);"),
            _ => format!("{indent}// step {k}: keep totals within bounds for the nightly export"),
        };
        out.push_str(&line);
        out.push('\n');
    }
}

fn methods(
    rng: &mut Rng,
    out: &mut String,
    lines: usize,
    decorator: &dyn Fn(usize) -> Option<String>,
) {
    let mut written = 0;
    let mut m = 0;
    while written < lines {
        let size = 6 + rng.below(20);
        if let Some(d) = decorator(m) {
            let _ = writeln!(out, "  {d}");
        }
        let _ = writeln!(
            out,
            "  async method{m}(items: Array<{{ score: number }}>): Promise<number> {{"
        );
        out.push_str("    let total = 0;\n");
        body(rng, out, size, "    ");
        out.push_str("    return total;\n  }\n\n");
        written += size + 5;
        m += 1;
    }
    out.push_str("  private async flush(step: string, total: number): Promise<void> {\n    this.logger.debug(`${step}: ${total}`);\n  }\n");
}

fn constructor(rng: &mut Rng, out: &mut String, with_lock: bool) {
    let deps = rng.below(4);
    let mut params: Vec<String> = (0..deps)
        .map(|d| format!("private readonly dep{d}: Dependency{d}"))
        .collect();
    if with_lock {
        params.push("private readonly lockService: DistributedLockService".to_string());
    }
    if params.is_empty() {
        return;
    }
    if rng.chance(50) {
        let _ = writeln!(out, "  constructor({}) {{}}\n", params.join(", "));
    } else {
        out.push_str("  constructor(\n");
        for p in &params {
            let _ = writeln!(out, "    {p},");
        }
        out.push_str("  ) {}\n\n");
    }
}

fn header(out: &mut String, extra: &[&str]) {
    out.push_str("import { Injectable, Logger } from '@nestjs/common';\n");
    for line in extra {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str(
        "import { Dependency0, Dependency1, Dependency2 } from '../shared/dependencies';\n\n",
    );
}

fn locked_service(rng: &mut Rng, class: &str, lines: usize, missing: bool) -> String {
    let shorthand = SHORTHANDS[rng.below(SHORTHANDS.len())];
    let mut out = String::new();
    let import = if missing {
        format!("import {{ ClusterSafeCron, {shorthand} }} from '@acme/cluster-lock';")
    } else {
        format!(
            "import {{ ClusterSafeCron, {shorthand}, DistributedLockService }} from '@acme/cluster-lock';"
        )
    };
    header(&mut out, &[&import]);
    let _ = writeln!(out, "@Injectable()\nexport class {class} {{");
    let _ = writeln!(
        out,
        "  private readonly logger = new Logger({class}.name);\n"
    );
    constructor(rng, &mut out, !missing);
    let shorthand = shorthand.to_string();
    methods(rng, &mut out, lines.saturating_sub(12), &|m| match m {
        0 => Some(format!("@{shorthand}()")),
        1 => Some("@ClusterSafeCron('0 */15 * * * *', { name: 'sync' })".to_string()),
        _ => None,
    });
    out.push_str("}\n");
    out
}

fn plain_cron(rng: &mut Rng, class: &str, lines: usize) -> String {
    let mut out = String::new();
    header(
        &mut out,
        &["import { Cron, CronExpression } from '@nestjs/schedule';"],
    );
    let _ = writeln!(out, "@Injectable()\nexport class {class} {{");
    let _ = writeln!(
        out,
        "  private readonly logger = new Logger({class}.name);\n"
    );
    constructor(rng, &mut out, false);
    methods(rng, &mut out, lines.saturating_sub(12), &|m| {
        (m == 0).then(|| "@Cron(CronExpression.EVERY_HOUR)".to_string())
    });
    out.push_str("}\n");
    out
}

fn service(rng: &mut Rng, class: &str, lines: usize) -> String {
    let mut out = String::new();
    header(&mut out, &[]);
    let _ = writeln!(out, "@Injectable()\nexport class {class}Service {{");
    let _ = writeln!(out, "  private readonly logger = new Logger('{class}');\n");
    constructor(rng, &mut out, false);
    methods(rng, &mut out, lines.saturating_sub(12), &|_| None);
    out.push_str("}\n");
    out
}

fn controller(rng: &mut Rng, class: &str, lines: usize) -> String {
    let mut out = String::new();
    out.push_str(
        "import { Controller, Get, Post, Body, Param, Logger } from '@nestjs/common';\n\n",
    );
    let _ = writeln!(
        out,
        "@Controller('{}')\nexport class {class}Controller {{",
        class.to_lowercase()
    );
    out.push_str("  private readonly logger = new Logger('http');\n\n");
    methods(rng, &mut out, lines.saturating_sub(10), &|m| {
        Some(if m % 2 == 0 {
            "@Get(':id')".into()
        } else {
            "@Post()".into()
        })
    });
    out.push_str("}\n");
    out
}

fn dto(rng: &mut Rng, class: &str, lines: usize) -> String {
    let mut out =
        String::from("import { IsString, IsInt, IsOptional } from 'class-validator';\n\n");
    let mut written = 2;
    let mut n = 0;
    while written < lines {
        let _ = writeln!(out, "export class {class}Dto{n} {{");
        for f in 0..(4 + rng.below(8)) {
            let _ = writeln!(out, "  @IsString()\n  field{f}!: string;\n");
            written += 3;
        }
        out.push_str("}\n\n");
        written += 3;
        n += 1;
    }
    out
}

fn util(rng: &mut Rng, class: &str, lines: usize) -> String {
    let mut out = String::from("// Helpers shared by the feature.\n\n");
    let mut written = 2;
    let mut n = 0;
    while written < lines {
        let size = 4 + rng.below(12);
        let _ = writeln!(
            out,
            "export function {}Helper{n}(values: number[]): number {{\n  let acc = 0;",
            class.to_lowercase()
        );
        for k in 0..size {
            let _ = writeln!(
                out,
                "  acc += values.length > {k} ? values[{k}] * {} : 0;",
                rng.below(100)
            );
        }
        out.push_str("  return acc;\n}\n\n");
        written += size + 5;
        n += 1;
    }
    out
}

fn app_module(features: &[String]) -> String {
    let mut out = String::from(
        "import { Module } from '@nestjs/common';\nimport { ScheduleModule } from '@nestjs/schedule';\nimport { DistributedLockModule } from '@acme/cluster-lock';\n\n",
    );
    out.push_str("@Module({\n  imports: [\n    ScheduleModule.forRoot(),\n    DistributedLockModule.forRoot({ ttl: 30_000 }),\n  ],\n  providers: [\n");
    for f in features.iter().take(50) {
        let _ = writeln!(out, "    // {f}");
    }
    out.push_str("  ],\n})\nexport class AppModule {}\n");
    out
}

/// node_modules/ and dist/ files that a scan must skip: lock-decorated
/// classes without `lockService`, so that a walk that fails to skip them shows.
fn noise(dir: &Path, rng: &mut Rng) -> std::io::Result<()> {
    let text = "import { ClusterSafeCronEveryHour } from '@acme/cluster-lock';\nexport class Noise {\n  @ClusterSafeCronEveryHour()\n  run() {}\n}\n";
    for sub in [
        "node_modules/@acme/cluster-lock/src",
        "node_modules/left-pad",
        "dist/jobs",
    ] {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d)?;
        for k in 0..(1 + rng.below(3)) {
            std::fs::write(d.join(format!("noise{k}.ts")), text)?;
        }
    }
    Ok(())
}
