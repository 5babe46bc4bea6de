/**
 * Issue 22: importing the package under server-side rendering (Next, Nuxt, Astro) does not
 * throw: nothing touches window, document or navigator until mount(). Runs in plain Node (no DOM),
 * on the source entries and on the built npm entry (npm test builds first).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('importing confab-chat in Node', () => {
  it('has no browser globals here (the test would prove nothing otherwise)', () => {
    expect(typeof window).toBe('undefined');
    expect(typeof document).toBe('undefined');
  });

  it('the source entry imports and exports mount', async () => {
    const mod = await import('../../src/embed/npm');
    expect(mod.mount).toBeTypeOf('function');
  });

  it('the built entry (dist/npm/index.js) imports and exports mount', async () => {
    const built = new URL('../../dist/npm/index.js', import.meta.url);
    expect(existsSync(built), 'run npm run build first').toBe(true);
    const mod = (await import(/* @vite-ignore */ built.href)) as { mount?: unknown };
    expect(mod.mount).toBeTypeOf('function');
  });
});
