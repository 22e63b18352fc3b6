#!/usr/bin/env node
// Prints the version of the `cronlock` npm package that a project's lockfile pins, looking in
// DIR and its parents (up to STOP, else the filesystem root) for package-lock.json,
// npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock (classic and berry), as `VERSION<TAB>FILE`.
// Prints nothing (exit 0) when no lockfile names cronlock.
//
//   node action/resolve-version.js DIR [STOP]
"use strict";

const fs = require("fs");
const path = require("path");

const NAME = "cronlock";
const VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$/;

function fromPackageLock(text) {
  const lock = JSON.parse(text);
  const packages = lock.packages || {};
  // lockfile v2/v3: the root's node_modules first, then any workspace's.
  const keys = Object.keys(packages).filter((k) => k === `node_modules/${NAME}` || k.endsWith(`/node_modules/${NAME}`));
  keys.sort((a, b) => a.length - b.length);
  for (const k of keys) if (packages[k] && packages[k].version) return packages[k].version;
  // lockfile v1
  const dep = lock.dependencies && lock.dependencies[NAME];
  return dep && dep.version;
}

function fromPnpmLock(text) {
  // importers: `      cronlock:\n        specifier: ^0.1.0\n        version: 0.1.0` (v6-v9)
  const importer = text.match(new RegExp(`\\n\\s+['"]?${NAME}['"]?:\\n\\s+specifier:[^\\n]*\\n\\s+version:\\s*['"]?([^'"\\s(]+)`));
  if (importer) return importer[1];
  // packages/snapshots keys: `  cronlock@0.1.0:` (v9), `  /cronlock@0.1.0:` (v6), `  /cronlock/0.1.0:` (v5)
  const key = text.match(new RegExp(`\\n\\s+['"]?/?${NAME}[@/]([0-9][^:'"\\s(]*)['"]?:`));
  if (key) return key[1];
  // v5 importers: `  devDependencies:\n    cronlock: 0.1.0`
  const plain = text.match(new RegExp(`\\n\\s+${NAME}:\\s*['"]?([0-9][^'"\\s(]*)`));
  return plain && plain[1];
}

function fromYarnLock(text) {
  // classic: `cronlock@^0.1.0, cronlock@~0.1.0:` then `  version "0.1.0"`;
  // berry:   `"cronlock@npm:^0.1.0":` then `  version: 0.1.0`
  const blocks = text.split(/\r?\n(?=\S)/);
  for (const block of blocks) {
    const [header, ...body] = block.split(/\r?\n/);
    const specs = header.replace(/:\s*$/, "").split(/,\s*/).map((s) => s.replace(/^"|"$/g, ""));
    if (!specs.some((s) => s.startsWith(`${NAME}@`))) continue;
    for (const line of body) {
      const m = line.match(/^\s+version:?\s+"?([^"\s]+)"?/);
      if (m) return m[1];
    }
  }
  return undefined;
}

const READERS = [
  ["package-lock.json", fromPackageLock],
  ["npm-shrinkwrap.json", fromPackageLock],
  ["pnpm-lock.yaml", fromPnpmLock],
  ["yarn.lock", fromYarnLock],
];

function resolveVersion(start, stop) {
  let dir = path.resolve(start);
  const end = stop ? path.resolve(stop) : null;
  for (;;) {
    for (const [file, read] of READERS) {
      const p = path.join(dir, file);
      let text;
      try {
        text = fs.readFileSync(p, "utf8");
      } catch (_) {
        continue;
      }
      let version;
      try {
        version = read(text);
      } catch (e) {
        process.stderr.write(`cronlock action: cannot read ${p}: ${e.message}\n`);
      }
      if (version && VERSION.test(version)) return [version, p];
    }
    const parent = path.dirname(dir);
    if (dir === end || parent === dir) return null;
    dir = parent;
  }
}

if (require.main === module) {
  const found = resolveVersion(process.argv[2] || ".", process.argv[3]);
  if (found) process.stdout.write(`${found[0]}\t${found[1]}\n`);
}

module.exports = { resolveVersion, fromPackageLock, fromPnpmLock, fromYarnLock };
