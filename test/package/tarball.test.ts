/**
 * What `npm pack` puts in the confab-chat tarball (npm test builds first): what consumers need
 * and nothing else — the CDN build (confab.js, its assets/, embed.html/.css), the npm build
 * (dist/npm/ with the React and Vue entries and the generated types), LICENSE, CHANGELOG,
 * README — and every `exports` target is in it. No demo page, no source, no server code.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  name: string;
  private?: boolean;
  license?: string;
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  sideEffects: string[];
};

describe('the confab-chat package', () => {
  it('is publishable: named, licensed, with server-only and unused packages out of its dependencies', () => {
    expect(pkg.name).toBe('confab-chat');
    expect(pkg.private).toBeUndefined();
    expect(pkg.license).toBe('MIT');
    // @tencentcloud/lite-chat was never imported. (ws, busboy and ioredis move with the relay's
    // own package: see packages/confab-relay.)
    expect(Object.keys(pkg.dependencies)).not.toContain('@tencentcloud/lite-chat');
    expect(Object.keys(pkg.dependencies)).not.toContain('react');
    expect(Object.keys(pkg.dependencies)).not.toContain('vue');
    expect(pkg.peerDependenciesMeta.react?.optional && pkg.peerDependenciesMeta.vue?.optional).toBe(true);
    expect(pkg.sideEffects).toEqual(['./dist/confab.js']);
  });

  it('packs only what consumers need, and every export is in the tarball', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    for (const needed of ['LICENSE', 'CHANGELOG.md', 'README.md', 'package.json', 'dist/confab.js', 'dist/embed.html', 'dist/embed.css']) {
      expect(files).toContain(needed);
    }
    expect(files.some((f) => /^dist\/assets\/app-\w+/.test(f))).toBe(true);
    // No demo page, no source, tests or servers, no second copy of the CDN build.
    expect(files.filter((f) => /(^|\/)(index\.html|demo\.(js|css))$|^(src|test|e2e|scripts|bench|public)\//.test(f))).toEqual([]);
    const targets = Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)));
    for (const target of targets.filter((t) => !t.includes('*'))) expect(files).toContain(target.replace(/^\.\//, ''));
  });
});
