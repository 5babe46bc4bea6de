/**
 * Issue 22: mounting and destroying the widget again and again (a single-page app's routes,
 * React StrictMode, hot reload) leaves nothing behind. 200 cycles — each one widget destroyed
 * before its app loaded and one destroyed after its app booted — and the heap after garbage
 * collection stays where it was (it grew by ~9 KB a cycle, 1.7 MB over 200, when destroyed
 * widgets stayed in the dispatcher).
 */
import { expect, test } from './fixtures';

test('200 mount/destroy cycles leave the heap flat and the page without a widget', async ({ page, sandbox }) => {
  test.setTimeout(180_000);
  await page.goto(`${sandbox.url}/embed.css`);
  await page.setContent('<!doctype html><title>host</title><p>Host page</p>');
  await page.addScriptTag({ url: `${sandbox.url}/confab.js` }); // a bare tag: defines <confab-chat>
  const attrs = { vendor: 'omnidesk', ...(sandbox.vendors.omnidesk?.attributes ?? {}) };
  const cycles = (n: number) =>
    page.evaluate(
      async ({ n, attrs }) => {
        const Confab = (window as unknown as { Confab: (...a: unknown[]) => unknown }).Confab;
        const make = (name: string) => {
          const el = document.createElement('confab-chat');
          for (const [k, v] of Object.entries({ ...attrs, name })) el.setAttribute(k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`), v);
          document.body.append(el);
        };
        for (let i = 0; i < n; i++) {
          make('early');
          Confab('early:destroy'); // before its app has loaded
          make('booted');
          await Confab('booted:ready'); // loads and boots the app
          Confab('booted:destroy');
        }
        return document.querySelectorAll('confab-chat').length;
      },
      { n, attrs },
    );
  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  expect(await cycles(20)).toBe(0); // warm up: the app chunk, its locale, the JIT
  const before = await heap();
  expect(await cycles(200)).toBe(0);
  const growth = (await heap()) - before;
  console.log(`heap growth over 200 cycles: ${growth} bytes`);
  expect(growth, `heap grew by ${growth} bytes over 200 cycles`).toBeLessThan(200 * 1024);
});
