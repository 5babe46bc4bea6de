/**
 * Compiles the relay (src/server/relay/main.ts and what it imports from src/) to plain
 * JavaScript in dist/, so the package runs on Node alone: no tsx, no TypeScript, no front-end
 * tree. npm packages stay imports (`packages: 'external'`) and are this package's dependencies;
 * code splitting keeps the lazily imported Redis store (and ioredis) out of a memory-only start.
 */
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
// --outdir=<dir>: a private build (tests), without the shrinkwrap. It must lie inside this
// repository so that the compiled code finds node_modules.
const outArg = process.argv.find((a) => a.startsWith('--outdir='));
const outdir = outArg ? outArg.slice('--outdir='.length) : join(here, 'dist');
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: join(here, '../../src/server/relay/main.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  legalComments: 'none',
  banner: { js: '#!/usr/bin/env node' },
  logLevel: process.argv.includes('--quiet') ? 'warning' : 'info',
});

/**
 * npm-shrinkwrap.json: the exact versions this repository's lockfile tested, shipped with the
 * package, so `npm install confab-relay` (or `npm ci` of a project depending on it) gets them and
 * nothing newer. Derived from the root package-lock.json: the closure of this package's
 * dependencies, resolved as Node resolves them (nearest node_modules first), without the
 * root's dev flags (here they are the package's production dependencies).
 */
import { readFile, writeFile } from 'node:fs/promises';

if (outArg) process.exit(0);
const rootLock = JSON.parse(await readFile(join(here, '../../package-lock.json'), 'utf8'));
const own = JSON.parse(await readFile(join(here, 'package.json'), 'utf8'));
const all = rootLock.packages;
const picked = {};
const tarball = (name, version) => `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${version}.tgz`;
function resolveFrom(from, name) {
  for (let dir = from; ; ) {
    const key = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (all[key]) return key;
    if (!dir) return null;
    const at = dir.lastIndexOf('/node_modules/');
    dir = at < 0 ? '' : dir.slice(0, at);
  }
}
function visit(from, deps) {
  for (const name of Object.keys(deps ?? {})) {
    const key = resolveFrom(from, name);
    if (!key) throw new Error(`confab-relay build: ${name} (needed by ${from || 'the relay'}) is not in package-lock.json; run npm install`);
    if (picked[key]) continue;
    const { dev, devOptional, peer, ...entry } = all[key];
    picked[key] = { resolved: tarball(name, entry.version), ...entry };
    visit(key, { ...entry.dependencies, ...entry.optionalDependencies });
  }
}
visit('', own.dependencies);
const shrinkwrap = {
  name: own.name,
  version: own.version,
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: own.name, version: own.version, license: own.license, dependencies: own.dependencies, bin: own.bin, engines: own.engines },
    ...Object.fromEntries(Object.entries(picked).sort(([a], [b]) => a.localeCompare(b))),
  },
};
await writeFile(join(here, 'npm-shrinkwrap.json'), `${JSON.stringify(shrinkwrap, null, 2)}\n`);
