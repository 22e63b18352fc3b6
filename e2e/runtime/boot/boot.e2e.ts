// Boots every application of a fixed fixture copy (CRONLOCK_RT_DIR) in cluster mode and calls
// each lock-decorated method once on every instance the application holds, as the scheduler
// would when the job fires. Writes what it did to CRONLOCK_RT_OUT (JSON) for run.sh.
//
// Root modules: the module passed to `NestFactory.create*(X)` in an entry file, found through
// that file's import of X; when no file calls NestFactory, every exported `AppModule`.
// Lock-decorated methods: the registry the lock stand-in (lock/index.ts) fills as classes load.
import * as fs from 'fs';
import * as path from 'path';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { lockRegistry } from '../lock';

interface RootModule {
  file: string;
  name: string;
}
interface AppReport {
  root: string;
  booted: boolean;
  error?: string;
  called: string[];
  failures: string[];
}

const dir = process.env.CRONLOCK_RT_DIR as string;
const out = process.env.CRONLOCK_RT_OUT as string;
const skipDirs = new Set(['node_modules', 'dist', 'build', 'coverage', '.git']);

function sources(d: string, files: string[] = []): string[] {
  for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
    if (skipDirs.has(entry.name)) continue;
    const p = path.join(d, entry.name);
    if (entry.isDirectory()) sources(p, files);
    else if (/\.ts$/.test(entry.name) && !/\.(d|spec)\.ts$/.test(entry.name)) files.push(p);
  }
  return files.sort();
}

function resolveRelative(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function rootModules(): RootModule[] {
  const files = sources(dir);
  const roots: RootModule[] = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const call of text.matchAll(/NestFactory\.create\w*(?:<[^>]*>)?\(\s*([A-Za-z_$][\w$]*)/g)) {
      const name = call[1];
      let target: string | undefined;
      for (const imp of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
        const names = imp[1].split(',').map((n) => n.trim().split(/\s+as\s+/).pop());
        if (names.includes(name)) target = resolveRelative(file, imp[2]);
      }
      if (new RegExp(`class\\s+${name}\\b`).test(text)) target = file;
      if (!target) throw new Error(`${path.relative(dir, file)}: cannot find the module ${name} it boots`);
      roots.push({ file: target, name });
    }
  }
  if (roots.length > 0) return roots;
  for (const file of files) {
    if (/export\s+class\s+AppModule\b/.test(fs.readFileSync(file, 'utf8'))) roots.push({ file, name: 'AppModule' });
  }
  return roots;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

async function bootOne(root: RootModule): Promise<AppReport> {
  const label = `${path.relative(dir, root.file)}#${root.name}`;
  const report: AppReport = { root: label, booted: false, called: [], failures: [] };
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const moduleClass = require(root.file)[root.name];
  if (typeof moduleClass !== 'function') {
    report.error = `${label} is not exported`;
    return report;
  }
  let app;
  try {
    app = await NestFactory.createApplicationContext(moduleClass, { logger: false, abortOnError: false });
  } catch (err) {
    report.error = message(err);
    return report;
  }
  report.booted = true;
  try {
    // Every provider instance the application built, once each.
    const instances = new Set<any>();
    for (const mod of app.get(ModulesContainer).values()) {
      for (const wrapper of mod.providers.values()) {
        if (wrapper.instance && typeof wrapper.instance === 'object') instances.add(wrapper.instance);
      }
    }
    const seen = new Set<string>();
    for (const entry of lockRegistry()) {
      let targets = [...instances].filter((i) => i instanceof (entry.target as any));
      if (targets.length === 0) {
        try {
          const one = app.get(entry.target as any, { strict: false });
          if (one) targets = [one];
        } catch (_) {
          // not in this application
        }
      }
      for (const instance of targets) {
        const what = `${instance.constructor.name}.${entry.method}`;
        if (seen.has(what)) continue;
        seen.add(what);
        report.called.push(what);
        try {
          await instance[entry.method]();
        } catch (err) {
          report.failures.push(`${what}: ${message(err)}`);
        }
      }
    }
  } finally {
    await app.close();
  }
  return report;
}

describe('cluster-mode boot', () => {
  it('boots every application and runs every lock-decorated method once', async () => {
    process.env.CLUSTER_MODE = 'true';
    const reports: AppReport[] = [];
    let error: string | undefined;
    try {
      for (const root of rootModules()) reports.push(await bootOne(root));
    } catch (err) {
      error = message(err);
    }
    fs.writeFileSync(out, JSON.stringify({ error, apps: reports }, null, 2));
    expect(error).toBeUndefined();
    for (const r of reports) {
      expect({ root: r.root, error: r.error, failures: r.failures }).toEqual({ root: r.root, error: undefined, failures: [] });
    }
  });
});
