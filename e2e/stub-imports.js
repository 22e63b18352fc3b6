// Writes ambient declarations for every name the files under a directory import
// from a package that e2e/stubs does not describe (typeorm, @nestjs/config, ...):
// each name becomes both a value and a generic type of type `any`, so that the
// type check is about the code cronlock writes, not about those packages.
// Imports the fixture resolves itself (workspace packages, tsconfig paths/baseUrl)
// are left alone. Needs e2e/node_modules/typescript (run.sh installs it).
// Usage: node stub-imports.js <dir> <out.d.ts>
'use strict';
const fs = require('fs');
const path = require('path');

const [dir, out] = process.argv.slice(2);
const stubDir = path.join(__dirname, 'stubs');
const known = new Map(); // module -> Set of declared names
for (const file of fs.readdirSync(stubDir)) {
  const text = fs.readFileSync(path.join(stubDir, file), 'utf8');
  for (const block of text.matchAll(/declare module '([^'*]+)' \{([\s\S]*?)\n\}/g)) {
    const names = new Set([...block[2].matchAll(/export (?:declare )?(?:function|class|const|type|interface|enum) (\w+)/g)].map((m) => m[1]));
    known.set(block[1], names);
    // `export * from 'other'` re-exports a module declared earlier.
    for (const star of block[2].matchAll(/export \* from '([^']+)'/g)) {
      for (const name of known.get(star[1]) || []) names.add(name);
    }
  }
}

function walk(d, files) {
  for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'build', 'coverage', '.git'].includes(entry.name)) continue;
    const p = path.join(d, entry.name);
    if (entry.isDirectory()) walk(p, files);
    else if (/\.(ts|mts|cts)$/.test(entry.name) && !/\.d\.ts$/.test(entry.name)) files.push(p);
  }
  return files;
}

// Specifiers the fixture resolves itself are never stubbed: an ambient `declare module` would
// win over the real file and hide it from the type check. They are the names of the workspace
// packages inside the fixture (run.sh links node_modules/<name> to each), the `compilerOptions.paths`
// patterns of any tsconfig in it (following `extends`), and what a `baseUrl` maps to a file.
function walkNamed(d, re, files) {
  for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'build', 'coverage', '.git'].includes(entry.name)) continue;
    const p = path.join(d, entry.name);
    if (entry.isDirectory()) walkNamed(p, re, files);
    else if (re.test(entry.name)) files.push(p);
  }
  return files;
}

const workspaceNames = new Set();
for (const file of walkNamed(dir, /^package\.json$/, [])) {
  if (path.resolve(path.dirname(file)) === path.resolve(dir)) continue;
  try {
    const name = JSON.parse(fs.readFileSync(file, 'utf8')).name;
    if (typeof name === 'string' && name) workspaceNames.add(name);
  } catch (_) { /* not JSON: not a package */ }
}

const pathPatterns = []; // [prefix, suffix] for `pre*suf`, [key, null] for an exact key
const baseUrls = new Set();
for (const file of walkNamed(dir, /^tsconfig.*\.json$/, [])) {
  if (path.basename(file) === 'tsconfig.cronlock-e2e.json') continue;
  const ts = require(path.join(__dirname, 'node_modules', 'typescript')); // only fixtures with a tsconfig pay for it
  const read = ts.readConfigFile(file, ts.sys.readFile);
  if (!read.config) continue;
  const { options } = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(file), undefined, file);
  for (const key of Object.keys(options.paths || {})) {
    const star = key.indexOf('*');
    pathPatterns.push(star < 0 ? [key, null] : [key.slice(0, star), key.slice(star + 1)]);
  }
  if (options.baseUrl) baseUrls.add(options.baseUrl);
}

function resolvedByFixture(source) {
  for (const name of workspaceNames) if (source === name || source.startsWith(name + '/')) return true;
  for (const [pre, suf] of pathPatterns) {
    if (suf === null ? source === pre : source.length >= pre.length + suf.length && source.startsWith(pre) && source.endsWith(suf)) return true;
  }
  const stem = source.replace(/\.(js|mjs|cjs)$/, '');
  for (const base of baseUrls) {
    const candidates = ['.ts', '.mts', '.cts', '.d.ts', '/index.ts'].map((ext) => path.join(base, stem + ext));
    if (candidates.some((c) => fs.existsSync(c))) return true;
  }
  return false;
}

const wanted = new Map(); // module -> { named: Set, default: bool }
const importRe = /import\s+(type\s+)?([\w$]+\s*,?\s*)?(\*\s+as\s+[\w$]+\s*)?(\{[^}]*\})?\s*from\s*['"]([^'"]+)['"]/g;
for (const file of walk(dir, [])) {
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(importRe)) {
    const source = m[5];
    if (source.startsWith('.') || resolvedByFixture(source)) continue;
    const entry = wanted.get(source) || { named: new Set(), default: false };
    if (m[2] && m[2].replace(',', '').trim()) entry.default = true;
    if (m[4]) {
      for (const spec of m[4].slice(1, -1).split(',')) {
        const name = spec.replace(/^\s*type\s+/, '').split(/\s+as\s+/)[0].trim();
        if (name) entry.named.add(name);
      }
    }
    wanted.set(source, entry);
  }
}

let text = '// Generated by e2e/stub-imports.js: names without a hand-written stub.\n' +
  '// Loose: callable (with type arguments), constructible, and every property is Loose again.\n' +
  'interface CronlockE2eLoose { <A = any, B = any, C = any>(...args: any[]): any; new <A = any, B = any, C = any>(...args: any[]): { [key: string]: any }; [key: string]: CronlockE2eLoose; }\n';
for (const [source, entry] of [...wanted].sort()) {
  const declared = known.get(source) || new Set();
  const names = [...entry.named].filter((n) => !declared.has(n)).sort();
  if (!names.length && !(entry.default && !declared.has('default'))) continue;
  text += `declare module '${source}' {\n`;
  for (const name of names) {
    text += `  export const ${name}: CronlockE2eLoose;\n  export type ${name}<A = any, B = any, C = any> = CronlockE2eLoose;\n`;
  }
  if (entry.default && !known.has(source)) {
    text += `  const __default: any;\n  type __default<A = any, B = any> = any;\n  export default __default;\n`;
  }
  text += '}\n';
}
fs.writeFileSync(out, text);
