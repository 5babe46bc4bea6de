import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from '@playwright/test';
import { expect, test } from './fixtures';

type ConfabFn = (...args: unknown[]) => unknown;

/** The chat frame (data-mode="iframe"), to run code in. */
function chatFrame(page: Page): Frame {
  const frame = page.frames().find((f) => f.url().includes('/embed.html'));
  if (!frame) throw new Error('no chat frame');
  return frame;
}

/**
 * Two animation frames of `frame` and a task after them have passed: whatever its last render
 * scheduled (Preact runs effects after the next paint) has run. A condition, not a duration.
 */
async function painted(frame: Page | Frame): Promise<void> {
  await frame.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r)))));
}
const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Pages the tests write, served for real from loopback (Chromium's local-network rules treat
 * a route-fulfilled page as public and refuse its requests to loopback). As
 * http://localhost:<port> it is the host page's origin; as http://127.0.0.1:<port> it is a
 * third origin, neither the host page nor the widget's (the sandbox).
 */
const pages = new Map<string, string>();
let pagesServer: Server;
let hostOrigin = '';
let thirdOrigin = '';

/**
 * Console messages reach the test in order, per frame: once a marker logged in each frame
 * (the page and any chat frame) is here, every message those frames logged before it is.
 */
async function consoleBarrier(page: Page): Promise<void> {
  for (const frame of page.frames()) {
    const tag = `confab-test: barrier ${frame.url()}`;
    const seen = page.waitForEvent('console', (m) => m.text() === tag);
    await frame.evaluate((t) => console.info(t), tag);
    await seen;
  }
}
test.beforeAll(async () => {
  pages.set('/ad', `<!doctype html><title>ad</title><script>
    addEventListener('message', (e) => { if (e.data === 'attack') {
      parent.postMessage({ confab: 'state', open: true, unread: 42 }, '*');
      parent.postMessage({ confab: 'event', name: 'message', detail: { text: 'forged event' } }, '*');
      for (let i = 0; i < parent.frames.length; i++) {
        try { parent.frames[i].postMessage({ confab: 'call', method: 'send', args: ['forged line'] }, '*'); } catch (err) {}
      }
      parent.postMessage('attacked', '*');
    }});
  </script>`);
  pagesServer = createServer((req, res) => {
    const body = pages.get((req.url ?? '').split('?')[0] ?? '');
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((r) => pagesServer.listen(0, '127.0.0.1', r));
  const port = (pagesServer.address() as AddressInfo).port;
  hostOrigin = `http://localhost:${port}`;
  thirdOrigin = `http://127.0.0.1:${port}`;
});
test.afterAll(() => new Promise<void>((r) => pagesServer.close(() => r())));

let pageCount = 0;
/** Navigate to a page with this HTML on the host origin (or another). */
async function servePage(page: Page, html: string, origin = hostOrigin): Promise<void> {
  const path = `/page-${++pageCount}.html`;
  pages.set(path, html);
  await page.goto(`${origin}${path}`);
}

/** A host page on another origin than the widget's that pastes the snippet. */
async function hostPage(page: Page, sandboxUrl: string, scripts: Record<string, string>[], body = '', origin = hostOrigin): Promise<void> {
  const tags = scripts
    .map((attrs) => `<script src="${sandboxUrl}/confab.js" async ${Object.entries(attrs).map(([k, v]) => `data-${kebab(k)}="${v}"`).join(' ')}></script>`)
    .join('\n');
  await servePage(page, `<!doctype html><html lang="en"><head><title>Host</title></head><body><h1>Host page</h1>${body}${tags}</body></html>`, origin);
}

test.describe('embedding', () => {
  test('data-mode="iframe": the window is a cross-origin frame; forged messages from a third origin are ignored', async ({ page, sandbox, widget }) => {
    const attrs = { vendor: 'whoson', ...sandbox.vendors.whoson?.attributes, mode: 'iframe' };
    await hostPage(page, sandbox.url, [attrs], `<iframe id="ad" title="Advert" src="${thirdOrigin}/ad"></iframe>`);
    await page.evaluate(() => {
      const w = window as unknown as { seen: unknown[] };
      w.seen = [];
      addEventListener('confab:message', (e) => w.seen.push((e as CustomEvent).detail));
    });
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.click();
    const frame = page.frameLocator('confab-chat >> iframe');
    await expect(frame.getByRole('dialog')).toBeVisible();
    await frame.getByLabel('Please enter your name:').fill('Iris');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await expect(frame.getByRole('log').getByText(/How can I help you today/)).toBeVisible();

    // The JS API works the same through the bridge, and events come back out.
    await page.evaluate(() => (window as unknown as { Confab: ConfabFn }).Confab('send', 'hello from the API'));
    await expect(frame.getByRole('log').getByText('hello from the API')).toBeVisible();
    await expect.poll(() => page.evaluate(() => (window as unknown as { seen: { text: string }[] }).seen.map((m) => m.text))).toContain('hello from the API');

    // Forgeries from a third origin, both ways.
    const attacked = page.evaluate(() => new Promise((r) => addEventListener('message', (e) => e.data === 'attacked' && r(true))));
    await page.evaluate(() => (document.getElementById('ad') as HTMLIFrameElement).contentWindow?.postMessage('attack', '*'));
    await attacked;
    // A line through the bridge after the forgeries: messages from one window to another
    // arrive in order, so once the server has it (and its echo is back on this page), the
    // forged call reached the frame first and the forged state and event this page.
    await page.evaluate(() => (window as unknown as { Confab: ConfabFn }).Confab('send', 'after the forgeries'));
    await expect.poll(() => widget.received('whoson').some((f) => f.name === 'Message' && (f.payload as string[])[2] === 'after the forgeries')).toBe(true);
    await expect.poll(() => page.evaluate(() => (window as unknown as { seen: { text: string }[] }).seen.map((m) => m.text))).toContain('after the forgeries');
    await expect(page.locator('confab-chat .badge')).toBeHidden();
    expect(await page.evaluate(() => (window as unknown as { seen: { text: string }[] }).seen.map((m) => m.text))).not.toContain('forged event');
    const lines = widget.received('whoson').filter((f) => f.name === 'Message').map((f) => (f.payload as string[])[2]);
    expect(lines).toContain('hello from the API');
    expect(lines).not.toContain('forged line');

    // Minimising inside the frame hands focus back to the host page's launcher.
    await frame.getByRole('button', { name: 'Minimise chat' }).click();
    await expect(page.getByRole('button', { name: 'Open chat' })).toBeFocused();
  });

  for (const size of [
    { width: 1280, height: 720 },
    { width: 375, height: 667 },
  ]) {
    test(`a frame that never loads never covers the host page (${size.width}×${size.height})`, async ({ page, sandbox }) => {
      await page.setViewportSize(size);
      const attrs = { vendor: 'whoson', ...sandbox.vendors.whoson?.attributes, mode: 'iframe' };
      await page.route('**/embed.html*', (route) => route.abort());
      // One button in the middle of the page, one where the window would be (above the launcher).
      const button = (name: string, where: string) =>
        `<button style="position:fixed;${where}" onclick="(window.clicks = window.clicks || []).push('${name}')">${name}</button>`;
      await hostPage(page, sandbox.url, [attrs], button('Centre', 'top:45%;left:40%') + button('Corner', 'bottom:150px;right:60px'));
      const launcher = page.getByRole('button', { name: 'Open chat' });
      const frameFailed = page.waitForEvent('requestfailed', (r) => r.url().includes('/embed.html'));
      await launcher.click();
      await frameFailed; // the frame host loaded, the frame's load failed
      for (const name of ['Centre', 'Corner']) await page.getByRole('button', { name }).click({ timeout: 3000 });
      expect(await page.evaluate(() => (window as unknown as { clicks: string[] }).clicks)).toEqual(['Centre', 'Corner']);
      // The visitor asked for the window; the frame has not said it is ready: busy, not shown.
      await expect(launcher).toHaveAttribute('aria-busy', 'true');
      // The launcher itself still answers: a second click takes the request back.
      await launcher.click({ timeout: 3000 });
      await expect(launcher).toHaveAttribute('aria-expanded', 'false');
      await expect(launcher).not.toHaveAttribute('aria-busy', 'true');
    });
  }

  test('data-mode="iframe" on a phone: the frame fills the screen, sized to the visual viewport, and the host page does not scroll while it is open', async ({ page, sandbox }) => {
    await page.setViewportSize({ width: 375, height: 667 });
    const attrs = { vendor: 'whoson', ...sandbox.vendors.whoson?.attributes, mode: 'iframe' };
    await hostPage(page, sandbox.url, [attrs], '<div style="height:3000px">A long host page</div>');
    const html = () => page.evaluate(() => document.documentElement.style.overflow);
    const scrollY = () => page.evaluate(() => window.scrollY);
    await page.getByRole('button', { name: 'Open chat' }).click();
    const frame = page.frameLocator('confab-chat >> iframe');
    await expect(frame.getByRole('dialog')).toBeVisible();
    expect(await page.locator('confab-chat iframe').boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
    expect(await html()).toBe('hidden');
    // Sized to the visual viewport (page.ts, as in-page), so the keyboard never covers the composer.
    expect(await page.locator('confab-chat').evaluate((el) => el.shadowRoot!.querySelector('div')!.style.getPropertyValue('--confab-viewport-height'))).toBe('667px');
    await page.mouse.move(180, 300);
    // The frame sees the wheel, then the host page paints twice: a scroll would have started.
    const inner = chatFrame(page);
    await inner.evaluate(() => addEventListener('wheel', () => Object.assign(window, { wheeled: true }), { capture: true }));
    await page.mouse.wheel(0, 800);
    await expect.poll(() => inner.evaluate(() => (window as unknown as { wheeled?: boolean }).wheeled === true)).toBe(true);
    await painted(page);
    expect(await scrollY()).toBe(0);

    await frame.getByRole('button', { name: 'Minimise chat' }).click();
    await expect(page.getByRole('button', { name: 'Open chat' })).toBeFocused();
    expect(await html()).toBe('');
    await page.mouse.wheel(0, 800);
    await expect.poll(scrollY).toBeGreaterThan(0);
  });

  test('data-mode="iframe": the host page\'s launcher speaks the visitor\'s language and takes setTheme colours', async ({ page, sandbox }) => {
    const attrs = { vendor: 'whoson', ...sandbox.vendors.whoson?.attributes, mode: 'iframe', locale: 'ar' };
    await hostPage(page, sandbox.url, [attrs]);
    const launcher = page.locator('confab-chat').getByRole('button');
    // The frame loads as the in-page app does (without a click), and sends its labels.
    await expect(launcher).toHaveAccessibleName('فتح المحادثة');
    await page.evaluate(() => (window as unknown as { Confab: ConfabFn }).Confab('setTheme', { color: '#0a7d4f' }));
    await expect(launcher).toHaveCSS('background-color', 'rgb(10, 125, 79)');
    await launcher.click();
    await expect(page.frameLocator('confab-chat >> iframe').getByRole('dialog')).toBeVisible();
    await expect(launcher).toHaveAccessibleName('إغلاق المحادثة');
    await expect(launcher).toHaveAttribute('aria-expanded', 'true');
    await page.evaluate(() => (window as unknown as { Confab: ConfabFn }).Confab('close'));
    await expect(launcher).toHaveAccessibleName('فتح المحادثة');
    await expect(launcher).toHaveCSS('background-color', 'rgb(10, 125, 79)');
  });

  test('data-mode="iframe": the unread count goes into the host page\'s title while it is hidden', async ({ page, sandbox }) => {
    const attrs = { vendor: 'whoson', ...sandbox.vendors.whoson?.attributes, mode: 'iframe' };
    await hostPage(page, sandbox.url, [attrs]);
    const api = (...args: unknown[]) => page.evaluate((a) => (window as unknown as { Confab: ConfabFn }).Confab(...a), args);
    const setHidden = (hidden: boolean) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    const launcher = page.locator('confab-chat').locator('.launcher'); // (not the preview card beside it)
    await launcher.click();
    const frame = page.frameLocator('confab-chat >> iframe');
    await frame.getByLabel('Please enter your name:').fill('Iris');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await expect(frame.getByRole('log').getByText(/How can I help you today/)).toBeVisible();

    // Window closed: the agent's reply is unread.
    await api('close');
    await setHidden(true);
    await api('send', 'are you there?');
    await expect(page).toHaveTitle(/^\(\d+\) Host$/);
    await expect(launcher).toHaveAccessibleDescription(/unread/);
    await setHidden(false);
    await expect(page).toHaveTitle('Host');

    // Window open on a hidden tab: the visitor has not read those lines either.
    await api('open');
    await expect(frame.getByRole('dialog')).toBeVisible();
    await setHidden(true);
    await api('send', 'Could you please help me with product installation');
    await expect(frame.getByRole('log').getByText(/Let me check that for you/).first()).toBeVisible();
    await expect(page).toHaveTitle(/^\(\d+\) Host$/);
    await setHidden(false);
    await expect(page).toHaveTitle('Host');
  });

  for (const mode of ['in-page', 'iframe'] as const) {
    test(`ready (${mode}): on('ready'), the ready() promise and confab:ready all mean the app has loaded, no open needed`, async ({ page, sandbox }) => {
      await page.addInitScript(() => {
        if (window !== window.top) return; // the host page only, not the widget's frame
        const w = window as unknown as { log: string[]; Confab: ((...a: unknown[]) => void) & { q?: unknown[] } };
        w.log = [];
        w.Confab = function (...a: unknown[]) {
          (w.Confab.q ??= []).push(a);
        };
        w.Confab('on', 'ready', () => w.log.push('on:ready')); // queued before the script loads
        addEventListener('confab:ready', (e) => w.log.push(`window:ready:${(e as CustomEvent<{ widget: string }>).detail.widget}`));
      });
      const attrs: Record<string, string> = { vendor: 'whoson', ...sandbox.vendors.whoson?.attributes };
      if (mode === 'iframe') attrs.mode = 'iframe';
      await hostPage(page, sandbox.url, [attrs]);
      const log = () => page.evaluate(() => (window as unknown as { log: string[] }).log);
      const api = (...args: unknown[]) => page.evaluate((a) => (window as unknown as { Confab: ConfabFn }).Confab(...a), args);
      await expect.poll(log).toEqual(['window:ready:whoson', 'on:ready']);
      await api('ready'); // resolves (page.evaluate awaits the promise)
      // A listener added once the app is there still hears it, once, as a later ready() resolves.
      await page.evaluate(() => new Promise((resolve) => (window as unknown as { Confab: ConfabFn }).Confab('on', 'ready', resolve)));
      expect(await api('isOpen')).toBe(false);

      // Opening loads the vendor's transport: that is no second `ready`.
      await page.getByRole('button', { name: 'Open chat' }).click();
      const dialog = mode === 'iframe' ? page.frameLocator('confab-chat >> iframe').getByRole('dialog') : page.locator('confab-chat').getByRole('dialog');
      await expect(dialog.getByLabel('Please enter your name:')).toBeVisible();
      // The transport has loaded and connected (the form is the server's). A message from the
      // window after that (minimising it tells this page) comes after any second `ready` would.
      await dialog.getByRole('button', { name: 'Minimise chat' }).click();
      await expect.poll(() => api('isOpen')).toBe(false);
      expect(await log()).toEqual(['window:ready:whoson', 'on:ready']);
    });
  }

  for (const mode of ['in-page', 'iframe'] as const) {
    test(`invalid optional attributes (${mode}): one console error each, naming it and its value; the widget works with the defaults`, async ({ page, sandbox }) => {
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && m.text().startsWith('Confab') && errors.push(m.text()));
      const attrs: Record<string, string> = { vendor: 'whoson', ...sandbox.vendors.whoson?.attributes, theme: 'neon', position: 'middle', color: 'red' };
      if (mode === 'iframe') attrs.mode = 'iframe';
      await hostPage(page, sandbox.url, [attrs]);
      // The app (in-page) loads on intent (issue 27); the frame loads at idle.
      await page.locator('confab-chat').getByRole('button').hover();
      await expect.poll(() => errors.length).toBeGreaterThanOrEqual(3);
      // The defaults: on the right, the default colour; and the chat works.
      const launcher = page.locator('confab-chat').getByRole('button');
      expect((await launcher.boundingBox())!.x).toBeGreaterThan(page.viewportSize()!.width / 2);
      await expect(launcher).toHaveCSS('background-color', 'rgb(31, 95, 191)');
      await launcher.click();
      const dialog = mode === 'iframe' ? page.frameLocator('confab-chat >> iframe').getByRole('dialog') : page.locator('confab-chat').getByRole('dialog');
      await expect(dialog.getByLabel('Please enter your name:')).toBeVisible();
      await consoleBarrier(page);
      // One each, also in iframe mode (the frame gets the defaults, not the host's bad values).
      expect(errors).toEqual([
        expect.stringMatching(/^Confab: data-theme is "neon", which is not one of light, dark, auto/),
        expect.stringMatching(/^Confab: data-position is "middle", which is not one of right, left/),
        expect.stringMatching(/^Confab: data-color is "red", which is not a #rgb or #rrggbb colour/),
      ]);
    });
  }

  test('the JS API: every call, its return values, events and window CustomEvents', async ({ page, sandbox }) => {
    await hostPage(page, sandbox.url, [{ vendor: 'whoson', ...sandbox.vendors.whoson?.attributes }]);
    const api = (...args: unknown[]) => page.evaluate((a) => (window as unknown as { Confab: ConfabFn }).Confab(...a), args);
    await expect(page.getByRole('button', { name: 'Open chat' })).toBeVisible();
    expect(await api('isOpen')).toBe(false);
    expect(await api('unreadCount')).toBe(0);
    await page.evaluate(() => {
      const w = window as unknown as { log: string[]; Confab: ConfabFn; offMessage: () => void };
      w.log = [];
      for (const name of ['ready', 'open', 'close', 'message', 'unread', 'ended']) {
        addEventListener(`confab:${name}`, () => w.log.push(`window:${name}`));
      }
      w.Confab('on', 'open', () => w.log.push('on:open'));
      w.offMessage = w.Confab('on', 'message', () => w.log.push('on:message')) as () => void;
    });
    await page.evaluate(() => (window as unknown as { Confab: ConfabFn }).Confab('ready'));
    await api('identify', { name: 'Jo Example', email: 'jo@example.com' });
    await api('open');
    const dialog = page.locator('confab-chat').getByRole('dialog');
    await expect(dialog).toBeVisible();
    expect(await api('isOpen')).toBe(true);
    await expect(dialog.getByLabel('Please enter your name:')).toHaveValue('Jo Example');
    await api('setTheme', { theme: 'dark', color: '#ffcc00' });
    await expect(page.locator('confab-chat')).toHaveAttribute('data-theme', 'dark');
    await dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(dialog.getByRole('log').getByText(/How can I help you today/)).toBeVisible();
    await page.evaluate(() => (window as unknown as { offMessage: () => void }).offMessage());
    await api('close');
    expect(await api('isOpen')).toBe(false);
    await api('send', 'are you there?');
    await expect.poll(() => api('unreadCount')).toBeGreaterThan(0);
    await expect(page.locator('confab-chat .badge')).toBeVisible();
    const log = () => page.evaluate(() => (window as unknown as { log: string[] }).log);
    await expect.poll(log).toEqual(expect.arrayContaining(['window:open', 'on:open', 'window:message', 'window:close', 'window:unread']));
    // After unsubscribing, window events keep coming but the listener hears nothing more.
    const count = (l: string[], what: string) => l.filter((x) => x === what).length;
    const before = await log();
    await api('send', 'still there?');
    await expect.poll(async () => count(await log(), 'window:message')).toBeGreaterThan(count(before, 'window:message'));
    expect(count(await log(), 'on:message')).toBe(count(before, 'on:message'));
    await api('destroy');
    await expect(page.locator('confab-chat')).toHaveCount(0);
  });

  test('two widgets on one page, two vendors, work independently', async ({ page, sandbox, widget }) => {
    await hostPage(page, sandbox.url, [
      { vendor: 'whoson', name: 'sales', position: 'left', ...sandbox.vendors.whoson?.attributes },
      { vendor: 'omnidesk', name: 'support', ...sandbox.vendors.omnidesk?.attributes },
    ]);
    const widgets = page.locator('confab-chat');
    await expect(widgets).toHaveCount(2);
    await page.evaluate(() => (window as unknown as { Confab: ConfabFn }).Confab('sales:open'));
    // Async script tags run in whichever order they arrive, so either element may be "sales":
    // the one that opened is, and its survey must be WhosOn's.
    await expect(widgets.getByRole('dialog')).toHaveCount(1);
    const open = await widgets.evaluateAll((els) => els.findIndex((el) => el.shadowRoot?.querySelector('[role=dialog]')));
    const sales = widgets.nth(open).getByRole('dialog');
    await expect(sales).toBeVisible();
    await expect(widgets.nth(1 - open).getByRole('dialog')).toHaveCount(0);
    await sales.getByLabel('Please enter your name:').fill('Ann');
    await sales.getByRole('button', { name: 'Start chat' }).click();
    await expect(sales.getByRole('log').getByText(/How can I help you today/)).toBeVisible();
    await widgets.nth(1 - open).getByRole('button', { name: 'Open chat' }).click();
    const support = widgets.nth(1 - open).getByRole('dialog');
    await expect(support).toBeVisible();
    await expect(sales).toBeVisible();
    expect(widget.received('whoson').some((f) => f.name === 'Hello')).toBe(true);
  });

  test('<confab-chat> with the options as attributes, no data attributes needed', async ({ page, sandbox }) => {
    const attrs = Object.entries({ vendor: 'whoson', ...sandbox.vendors.whoson?.attributes })
      .map(([k, v]) => `${kebab(k)}="${v}"`)
      .join(' ');
    await servePage(page, `<!doctype html><title>Element</title><confab-chat ${attrs} title="Help desk"></confab-chat><script src="${sandbox.url}/confab.js"></script>`);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await expect(page.getByRole('dialog', { name: 'Help desk' })).toBeVisible();
  });
  test('data-mode="iframe": a chat left open comes back open after a reload; closed, an agent line raises the unread badge', async ({ page, sandbox }) => {
    const attrs = { vendor: 'omnidesk', ...sandbox.vendors.omnidesk?.attributes, mode: 'iframe' };
    // Same site as the sandbox (127.0.0.1), another origin: a cross-site frame gets no storage
    // in this browser (third-party storage blocked), so it has nothing to resume from.
    await hostPage(page, sandbox.url, [attrs], '', thirdOrigin);
    const api = (...args: unknown[]) => page.evaluate((a) => (window as unknown as { Confab: ConfabFn }).Confab(...a), args);
    const frame = page.frameLocator('confab-chat >> iframe');
    await page.getByRole('button', { name: 'Open chat' }).click();
    await frame.getByLabel('Your name').fill(`Iris Frame ${Math.random().toString(36).slice(2, 8)}`);
    await frame.getByLabel('Email (optional)').fill('iris.frame@test.com');
    await frame.getByRole('button', { name: 'Start chat' }).click();
    await expect(frame.getByRole('log').getByText(/How can I help you today/)).toBeVisible();

    await page.reload();
    // The frame restores the open window before it says it is ready: the host page shows it.
    await expect(frame.getByRole('log').getByText(/How can I help you today/)).toBeVisible();
    const launcher = page.locator('confab-chat').locator('.launcher'); // (not the preview card beside it)
    await expect(launcher).toHaveAttribute('aria-expanded', 'true');
    await expect(launcher).toHaveAccessibleName('Close chat');
    expect(await api('isOpen')).toBe(true);
    // Restored, not opened by the visitor: focus stays on the host page.
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('CONFAB-CHAT');

    await launcher.click();
    await expect(page.locator('confab-chat iframe')).toBeHidden();
    await api('send', 'a question while the window is closed');
    await expect(page.locator('confab-chat .badge')).toBeVisible();
    await expect(launcher).toHaveAccessibleDescription(/unread/);
    expect(await api('unreadCount')).toBeGreaterThan(0);
  });

  test('data-mode="iframe": data-open leaves focus where the host page put it; the launcher moves it into the frame', async ({ page, sandbox }) => {
    const attrs = { vendor: 'whoson', ...sandbox.vendors.whoson?.attributes, mode: 'iframe', open: '' };
    await hostPage(page, sandbox.url, [attrs], '<label>Search <input id="search" autofocus></label>');
    const frame = page.frameLocator('confab-chat >> iframe');
    const nameField = frame.getByLabel('Please enter your name:');
    await expect(nameField).toBeVisible();
    // A stray focus() from the frame's open would have run by its next paints.
    await painted(chatFrame(page));
    await expect(page.getByLabel('Search')).toBeFocused();
    await expect(nameField).not.toBeFocused();

    const launcher = page.locator('confab-chat').getByRole('button');
    await launcher.click(); // closes
    await expect(page.locator('confab-chat iframe')).toBeHidden();
    await launcher.click();
    await expect(nameField).toBeFocused();
  });
});
