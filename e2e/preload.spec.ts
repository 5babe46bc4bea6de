/**
 * Issue 27: before the visitor shows intent, the idle preload only fetches the app's chunks
 * into the HTTP cache; nothing of the app is compiled or run. Intent (hover, keyboard focus)
 * runs it, a click opens the window. The launcher and its badge never shift the host page.
 * Functional checks only: the timings are the benchmark's (npm run bench), never a test's.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CDPSession, Page } from '@playwright/test';
import { expect, test } from './fixtures';

type Probe = { ready: number; shifts: { value: number; input: boolean; sources: string[]; rects: Box[] }[] };
type Box = { left: number; top: number; right: number; bottom: number };
const APP_CHUNKS = /\/assets\/(app|embed-shared)-[\w-]+\.js$/;

/** Every script V8 compiles in the page (a prefetch compiles nothing; an import does). */
async function compiledScripts(page: Page): Promise<{ urls: string[]; cdp: CDPSession }> {
  const cdp = await page.context().newCDPSession(page);
  const urls: string[] = [];
  cdp.on('Debugger.scriptParsed', (e) => urls.push(e.url));
  await cdp.send('Debugger.enable');
  return { urls, cdp };
}

/** Before any page script: the app's public ready event, and every layout shift with what moved. */
async function probe(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const p: Probe = { ready: 0, shifts: [] };
    (window as unknown as { probe: Probe }).probe = p;
    addEventListener('confab:ready', () => p.ready++);
    const name = (n: Node | null) => {
      if (!n) return '?';
      const host = (n.getRootNode() as ShadowRoot).host;
      return `${host ? `${host.nodeName.toLowerCase()} ` : ''}${n.nodeName.toLowerCase()}${n instanceof Element && n.className ? `.${String(n.className)}` : ''}`;
    };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean; sources: { node: Node | null; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[] })[]) {
        p.shifts.push({
          value: e.value,
          input: e.hadRecentInput,
          sources: e.sources.map((s) => name(s.node)),
          rects: e.sources.flatMap((s) => [s.previousRect, s.currentRect]).map((r) => ({ left: r.left, top: r.top, right: r.right, bottom: r.bottom })),
        });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}
const read = (page: Page) => page.evaluate(() => (window as unknown as { probe: Probe }).probe);

/** The page has been idle: an idle callback, then a frame, then a task. */
const settle = (page: Page) =>
  page.evaluate(() => new Promise((r) => requestIdleCallback(() => requestAnimationFrame(() => setTimeout(r)), { timeout: 2000 })));

/** How each app chunk was requested so far (initiator types of its finished resource entries). */
const appFetches = (page: Page) =>
  page.evaluate((src) => {
    const re = new RegExp(src);
    return performance.getEntriesByType('resource').filter((e) => re.test(e.name) && (e as PerformanceResourceTiming).responseEnd > 0).map((e) => (e as PerformanceResourceTiming).initiatorType);
  }, APP_CHUNKS.source);

test.describe('idle preload (issue 27)', () => {
  test('at idle the app chunks are prefetched, not compiled or run; hovering runs the app; a click opens the window', async ({ widget, page }) => {
    await probe(page);
    const compiled = await compiledScripts(page);
    await widget.load('whoson');
    // Both chunks (the app and what it shares with the frame host) come in through <link rel=prefetch>.
    await expect.poll(() => appFetches(page)).toEqual(['link', 'link']);
    await settle(page);
    expect(compiled.urls.filter((u) => APP_CHUNKS.test(u))).toEqual([]);
    expect((await read(page)).ready).toBe(0);
    // Only the app describes the launcher (its unread count); the loader's launcher has no description.
    await expect(widget.launcher).not.toHaveAttribute('aria-describedby', /./);

    await widget.launcher.hover();
    await expect.poll(async () => (await read(page)).ready).toBe(1);
    expect(compiled.urls.filter((u) => APP_CHUNKS.test(u))).toHaveLength(2);
    await expect(widget.launcher).toHaveAttribute('aria-describedby', /./);
    await expect(widget.dialog).toHaveCount(0); // a hover opens nothing
    // ...but the window is rendered, hidden, so the click only shows it: invisible (out of the
    // accessibility tree and the tab order), with focus still on the host page.
    const prerendered = widget.root.locator('.confab-window');
    await expect(prerendered).toHaveCount(1);
    await expect(prerendered).toBeHidden();
    expect(await page.evaluate(() => document.activeElement === document.body)).toBe(true);

    await widget.launcher.click();
    await expect(widget.dialog).toBeVisible();
    await expect(widget.dialog.getByLabel('Please enter your name:')).toBeVisible();
    // The pre-render ends with the first opening: a closed window is unmounted, as before.
    await page.keyboard.press('Escape');
    await expect(prerendered).toHaveCount(0);
    await compiled.cdp.detach();
  });

  test('keyboard focus on the launcher is intent too: the app runs, Enter opens the window', async ({ widget, page }) => {
    await probe(page);
    await widget.load('whoson');
    await settle(page);
    expect((await read(page)).ready).toBe(0);
    await widget.launcher.focus();
    await expect.poll(async () => (await read(page)).ready).toBe(1);
    await page.keyboard.press('Enter');
    await expect(widget.dialog.getByLabel('Please enter your name:')).toBeVisible();
  });

  test('under Save-Data nothing is prefetched; a click still loads the app and opens the window', async ({ widget, page }) => {
    await page.addInitScript(() => Object.defineProperty(navigator, 'connection', { configurable: true, value: { saveData: true, effectiveType: '4g' } }));
    const requested: string[] = [];
    page.on('request', (r) => APP_CHUNKS.test(r.url()) && requested.push(r.url()));
    await widget.load('whoson');
    await settle(page);
    await settle(page);
    expect(requested).toEqual([]);
    await widget.launcher.click();
    await expect(widget.dialog.getByLabel('Please enter your name:')).toBeVisible();
    expect(requested).toHaveLength(2);
  });

  test('the launcher and its unread badge never shift the host page (CLS 0, measured with a layout-shift observer)', async ({ widget, page, sandbox }) => {
    // A host page of static content and the widget's script tag only, served beside confab.js:
    // the demo page writes its own lists as its scripts run, which may shift it after a first
    // paint (its own shifts, not the widget's).
    const attrs = Object.entries({ vendor: 'whoson', ...sandbox.vendors.whoson!.attributes })
      .map(([k, v]) => ` data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}="${String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`)
      .join('');
    const host = `cls-host-${test.info().workerIndex}.html`;
    writeFileSync(
      join(process.env.CONFAB_DIST ?? fileURLToPath(new URL('../dist', import.meta.url)), host),
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body><h1>A host page</h1><p>Some content.</p><script src="./confab.js" async${attrs}></script></body></html>`,
    );
    await probe(page);
    await page.goto(`${sandbox.url}/${host}`);
    await expect(widget.launcher).toBeVisible();
    await expect.poll(() => appFetches(page)).toHaveLength(2);
    await settle(page);
    await widget.launcher.hover();
    await expect.poll(async () => (await read(page)).ready).toBe(1);
    await settle(page);
    // Load, the launcher's paint, the prefetch and the app's boot on intent: no shift at all.
    expect((await read(page)).shifts).toEqual([]);

    await widget.launcher.click();
    await widget.dialog.getByLabel('Please enter your name:').fill('Cleo');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
    await widget.launcher.click(); // close
    await expect(widget.dialog).toHaveCount(0);
    await settle(page);
    const whileOpen = (await read(page)).shifts.length;
    // An agent line while the window is closed raises the badge, with no input near it.
    await page.evaluate(() => (window as unknown as { Confab: (...a: unknown[]) => unknown }).Confab('send', 'are you there?'));
    await expect(page.locator('confab-chat .badge')).toBeVisible();
    await settle(page);
    const { shifts } = await read(page);
    expect(shifts.slice(whileOpen)).toEqual([]);
    // While the window was open, only its own content moved (its rows and header, inside the
    // widget's shadow root, whose nodes the API does not expose): never a host page node, and
    // nothing where the launcher and its badge are.
    const box = (await widget.launcher.boundingBox())!;
    const overLauncher = (r: Box) => r.right > box.x && r.left < box.x + box.width && r.bottom > box.y && r.top < box.y + box.height;
    for (const s of shifts) {
      expect(s.sources.filter((n) => n !== '?' && !n.startsWith('confab-chat '))).toEqual([]);
      expect(s.rects.some(overLauncher)).toBe(false);
    }
  });
});
