#!/usr/bin/env node
/**
 * Installs a packed confab-relay into an application directory the way the image does (the
 * Dockerfile's RUN step; test/relay-package/ runs the same script): a package.json that depends
 * on the tarball, a package-lock.json made from the tarball's own npm-shrinkwrap.json (the exact
 * versions this repository tested), then `npm ci --omit=dev`. Extra arguments go to npm
 * (e.g. --offline to install from the local npm cache).
 *
 *   node install.mjs <confab-relay-x.y.z.tgz> <app dir> [npm ci options…]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const [tarball, appDir, ...npmArgs] = process.argv.slice(2);
if (!tarball || !appDir) {
  process.stderr.write('usage: node install.mjs <confab-relay-x.y.z.tgz> <app dir> [npm ci options…]\n');
  process.exit(2);
}
const dir = resolve(appDir);
mkdirSync(dir, { recursive: true });
const file = basename(tarball);
if (resolve(tarball) !== join(dir, file)) copyFileSync(tarball, join(dir, file));
const shrinkwrap = JSON.parse(execFileSync('tar', ['-xzf', join(dir, file), '-O', 'package/npm-shrinkwrap.json'], { encoding: 'utf8' }));
const { '': own, ...deps } = shrinkwrap.packages;
const spec = `file:${file}`;
writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'confab-relay-app', private: true, dependencies: { 'confab-relay': spec } }, null, 2)}\n`);
writeFileSync(
  join(dir, 'package-lock.json'),
  `${JSON.stringify(
    {
      name: 'confab-relay-app',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'confab-relay-app', dependencies: { 'confab-relay': spec } },
        'node_modules/confab-relay': { version: own.version, resolved: spec, dependencies: own.dependencies, bin: own.bin, engines: own.engines },
        ...deps,
      },
    },
    null,
    2,
  )}\n`,
);
// --ignore-scripts: none of the relay's dependencies needs an install script.
execFileSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', ...npmArgs], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
