#!/usr/bin/env node
// Writes the npm packages from Cargo.toml, the one source of the version:
// - npm/cli-<platform>/package.json for every platform package (name, version, os, cpu,
//   libc, files, license, repository, preferUnplugged), and a README;
// - the version and optionalDependencies of npm/cronlock/package.json;
// and copies built binaries into the platform packages' folders.
//
//   node npm/scripts/generate-packages.mjs [--binary PLATFORM=PATH]... [--dist DIR]
//                                          [--repository URL] [--require-all]
//
// --binary linux-x64=target/release/cronlock   copy one binary
// --dist DIR           copy DIR/cronlock-<platform>[.exe] for each platform found there
//                      (the release workflow's downloaded artifacts)
// --repository URL     the git URL written into every manifest (npm --provenance requires
//                      it to be the repository the workflow runs in)
// --require-all        fail unless every platform package holds its binary (before publish)
// Prints the version. Modelled on biome's packages/@biomejs/biome/scripts/generate-packages.mjs.
import * as fs from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const NPM_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const REPO_ROOT = resolve(NPM_ROOT, "..");
const MAIN_MANIFEST = join(NPM_ROOT, "cronlock", "package.json");

// platform id -> npm os, cpu, libc. Keep in step with npm/cronlock/bin/cronlock.
const PLATFORMS = {
  "linux-x64": { os: "linux", cpu: "x64", libc: "glibc" },
  "linux-arm64": { os: "linux", cpu: "arm64", libc: "glibc" },
  "linux-x64-musl": { os: "linux", cpu: "x64", libc: "musl" },
  "darwin-x64": { os: "darwin", cpu: "x64" },
  "darwin-arm64": { os: "darwin", cpu: "arm64" },
  "win32-x64": { os: "win32", cpu: "x64" },
};

function die(message) {
  console.error(`generate-packages: ${message}`);
  process.exit(2);
}

/** The `[package]` table's string fields of Cargo.toml (version, license, ...). */
function cargoPackage() {
  const text = fs.readFileSync(join(REPO_ROOT, "Cargo.toml"), "utf8");
  const fields = {};
  let inPackage = false;
  for (const line of text.split(/\r?\n/)) {
    const table = line.match(/^\s*\[([^\]]+)\]\s*$/);
    if (table) {
      inPackage = table[1].trim() === "package";
      continue;
    }
    const kv = inPackage && line.match(/^\s*([A-Za-z0-9_-]+)\s*=\s*"([^"]*)"\s*(#.*)?$/);
    if (kv) fields[kv[1]] = kv[2];
  }
  if (!fields.version) die("no version in Cargo.toml's [package]");
  return fields;
}

function parseArgs(argv) {
  const opts = { binaries: {}, dist: null, repository: null, requireAll: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) die(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "--binary") {
      const [platform, ...rest] = value().split("=");
      if (!PLATFORMS[platform] || rest.length === 0) {
        die(`--binary wants PLATFORM=PATH with PLATFORM one of ${Object.keys(PLATFORMS).join(", ")}`);
      }
      opts.binaries[platform] = resolve(rest.join("="));
    } else if (arg === "--dist") opts.dist = resolve(value());
    else if (arg === "--repository") opts.repository = value();
    else if (arg === "--require-all") opts.requireAll = true;
    else die(`unknown argument ${arg}`);
  }
  return opts;
}

function writeJson(path, value) {
  fs.writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

const opts = parseArgs(process.argv.slice(2));
const cargo = cargoPackage();
const { version } = cargo;
const main = JSON.parse(fs.readFileSync(MAIN_MANIFEST, "utf8"));
if (cargo.license) main.license = cargo.license;
if (opts.repository) main.repository = { ...main.repository, url: opts.repository };
if (main.license === "UNLICENSED") {
  console.warn("generate-packages: warning: no `license` in Cargo.toml; the packages say UNLICENSED");
}

main.version = version;
main.optionalDependencies = {};
for (const platform of Object.keys(PLATFORMS)) {
  main.optionalDependencies[`@cronlock/cli-${platform}`] = version;
}
writeJson(MAIN_MANIFEST, main);

const missing = [];
for (const [platform, { os, cpu, libc }] of Object.entries(PLATFORMS)) {
  const name = `@cronlock/cli-${platform}`;
  const dir = join(NPM_ROOT, `cli-${platform}`);
  const exe = os === "win32" ? "cronlock.exe" : "cronlock";
  fs.mkdirSync(dir, { recursive: true });
  writeJson(join(dir, "package.json"), {
    name,
    version,
    description: `The ${platform} binary of cronlock (installed by the cronlock package).`,
    license: main.license,
    repository: { ...main.repository, directory: `npm/cli-${platform}` },
    engines: main.engines,
    os: [os],
    cpu: [cpu],
    ...(libc ? { libc: [libc] } : {}),
    files: [exe],
    preferUnplugged: true,
    publishConfig: main.publishConfig,
  });
  fs.writeFileSync(
    join(dir, "README.md"),
    `# ${name}\n\nThe ${platform} binary of [cronlock](https://www.npmjs.com/package/cronlock). ` +
      "Install `cronlock`, which depends on this package on that platform only.\n",
  );

  const fromDist = opts.dist && join(opts.dist, `cronlock-${platform}${os === "win32" ? ".exe" : ""}`);
  const source = opts.binaries[platform] ?? (fromDist && fs.existsSync(fromDist) ? fromDist : null);
  const target = join(dir, exe);
  if (source) {
    if (!fs.existsSync(source)) die(`${platform}: no binary at ${source}`);
    fs.copyFileSync(source, target);
    fs.chmodSync(target, 0o755);
    console.error(`generate-packages: ${name}@${version} <- ${source}`);
  }
  if (!fs.existsSync(target)) missing.push(platform);
}
if (opts.requireAll && missing.length > 0) die(`no binary for ${missing.join(", ")}`);
console.log(version);
