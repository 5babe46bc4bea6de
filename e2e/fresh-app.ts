/**
 * A fresh app that installs confab-chat from its packed tarball, offline: its package-lock.json
 * is taken from this repository's lock (the same versions, whose tarballs `npm ci` put in the
 * local npm cache), so `npm ci --offline` needs no registry and resolves the same tree every run.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const root = new URL('../', import.meta.url);
type Entry = {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [k: string]: unknown;
};
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, Entry> };
const own = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as Entry & { name: string };

/** Where Node would find `name` from the package at `from` (a lock path), as the lock lays it out. */
function locate(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(@[^/]+\/)?[^/]+$/, '')) {
    const path = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (lock.packages[path]) return path;
    if (!dir) return undefined;
  }
}

/** `npm pack` this repository into `dir`; returns the tarball's path. */
export function pack(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = execFileSync('npm', ['pack', '--pack-destination', dir, '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  return join(dir, (JSON.parse(out) as { filename: string }[])[0]!.filename);
}

/** Write the app's files and lock, and install it offline. `deps` are names from this repository's lock. */
export function install(dir: string, tarball: string, deps: string[], files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const tgz = `file:${basename(tarball)}`;
  execFileSync('cp', [tarball, join(dir, basename(tarball))]);
  const packages: Record<string, Entry> = {};
  const walk = (path: string) => {
    if (packages[path]) return;
    const { dev: _d, devOptional: _o, peer: _p, ...entry } = lock.packages[path] as Entry;
    // The registry URL the cache holds the tarball under (this lock leaves the default out).
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    entry.resolved ??= `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
    packages[path] = entry;
    const optionalPeers = Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, m]) => m.optional).map(([n]) => n);
    const names = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((n) => !optionalPeers.includes(n)),
    ];
    for (const name of names) {
      const found = locate(name, path);
      if (found) walk(found);
      else if (!entry.optionalDependencies?.[name]) throw new Error(`fresh app: ${name} (for ${path}) is not in package-lock.json`);
    }
  };
  const versions: Record<string, string> = {};
  for (const name of deps) {
    walk(`node_modules/${name}`);
    versions[name] = lock.packages[`node_modules/${name}`]!.version!;
  }
  for (const name of Object.keys(own.dependencies ?? {})) walk(`node_modules/${name}`);
  packages['node_modules/confab-chat'] = {
    version: own.version,
    resolved: tgz,
    integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
    license: own.license,
    dependencies: own.dependencies,
    peerDependencies: own.peerDependencies,
    peerDependenciesMeta: own.peerDependenciesMeta,
  };
  const dependencies = { 'confab-chat': tgz, ...versions };
  packages[''] = { name: basename(dir), dependencies };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: basename(dir), private: true, type: 'module', dependencies }, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify({ name: basename(dir), lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: 'pipe' });
}

/** Build the app with its own Vite (from its node_modules). */
export function build(dir: string): string {
  execFileSync(process.execPath, [join(dir, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: dir, stdio: 'pipe' });
  return join(dir, 'dist');
}
