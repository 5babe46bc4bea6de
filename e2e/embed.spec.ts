import { expect, test } from './fixtures';

test.describe('the script tag and the host page', () => {
  test('the launcher paints at once, in an open shadow root, with only Confab added to window', async ({ page, sandbox }) => {
    await page.goto(`${sandbox.url}/embed-test.html`).catch(() => undefined);
    await page.setContent('<!doctype html><title>host</title><p>Host page</p>');
    const before = await page.evaluate(() => Object.keys(window));
    const attrs = sandbox.vendors.whoson?.attributes ?? {};
    await page.evaluate(
      ({ base, attrs }) => {
        const s = document.createElement('script');
        s.src = `${base}/confab.js`;
        for (const [k, v] of Object.entries(attrs)) s.setAttribute(`data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, v);
        s.dataset.vendor = 'whoson';
        document.body.append(s);
      },
      { base: sandbox.url, attrs },
    );
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await expect(launcher).toBeVisible();
    expect(await page.evaluate(() => document.querySelector('confab-chat')?.shadowRoot?.mode)).toBe('open');
    const added = (await page.evaluate(() => Object.keys(window))).filter((k) => !before.includes(k));
    expect(added).toEqual(['Confab']);
  });

  test('nothing is stored and no socket opens before the visitor opens the chat', async ({ widget, page }) => {
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await widget.load('whoson');
    await widget.launcher.hover(); // intent: the app loads and runs, but must not connect
    await page.evaluate(() => new Promise((r) => (window as unknown as { Confab: (...a: unknown[]) => void }).Confab('on', 'ready', r)));
    expect(sockets).toEqual([]);
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length, document.cookie])).toEqual([0, 0, '']);
    await widget.launcher.click();
    await expect.poll(() => sockets.length).toBe(1);
  });

  test('only vendors whose lines carry HTML fetch the sanitizer, and they fetch it as the chat connects', async ({ widget, page }) => {
    const sanitizer: string[] = [];
    page.on('request', (r) => /\/assets\/sanitizer-[\w-]+\.js$/.test(r.url()) && sanitizer.push(r.url()));

    // Tencent's desk sends no HTML: a whole bot step, and DOMPurify never downloads.
    await widget.load('tencent');
    await widget.launcher.click();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.log.getByRole('group', { name: 'How can we help?' })).toBeVisible();
    await widget.say('hello');
    await expect(widget.log.getByText('hello', { exact: true })).toBeVisible();
    expect(sanitizer).toEqual([]);

    // WhosOn lines are HTML: the sanitizer arrives with the connection, before the first line,
    // and the agent's markup is rendered as markup (a real link), not as text.
    await widget.load('whoson');
    await widget.launcher.click();
    await expect.poll(() => sanitizer.length).toBe(1);
    await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
    await widget.say('send me a link');
    await expect(widget.log.getByRole('link', { name: 'here' })).toHaveAttribute('rel', 'noopener noreferrer');
    expect(sanitizer).toHaveLength(1);
  });

  test('a missing option logs one clear error naming it, and the page keeps working', async ({ page, sandbox }) => {
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${sandbox.url}/?vendor=whoson&data-domain=`);
    await expect.poll(() => errors.length).toBeGreaterThan(0);
    // Console messages reach the test in order: once this one is here, every earlier one is.
    const barrier = page.waitForEvent('console', (m) => m.text() === 'confab-test: barrier');
    await page.evaluate(() => console.info('confab-test: barrier'));
    await barrier;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('Confab: data-domain is missing');
    await expect(page.getByRole('button', { name: 'Open chat' })).toHaveCount(0);
    await expect(page.getByRole('heading', { name: 'Confab demo' })).toBeVisible();
    expect(await page.evaluate(() => typeof (window as unknown as { Confab: unknown }).Confab)).toBe('function');
  });

  test('calls queued before the script loaded are replayed, and events reach listeners', async ({ page, sandbox }) => {
    await page.addInitScript(() => {
      const w = window as unknown as { Confab: ((...a: unknown[]) => void) & { q?: unknown[][] }; events: string[] };
      w.events = [];
      w.Confab = Object.assign((...a: unknown[]) => void (w.Confab.q ??= []).push(a), {});
      w.Confab('on', 'open', () => w.events.push('open'));
      w.Confab('on', 'message', (m: { text: string }) => w.events.push(`message:${m.text}`));
      w.Confab('open');
    });
    await page.goto(`${sandbox.url}/?vendor=whoson`);
    const dialog = page.locator('confab-chat').getByRole('dialog');
    await expect(dialog).toBeVisible();
    await expect.poll(() => page.evaluate(() => (window as unknown as { events: string[] }).events)).toContain('open');
  });

  test('the JS API opens, closes and destroys the widget', async ({ widget, page }) => {
    await widget.load('whoson');
    await page.evaluate(() => (window as unknown as { Confab: (c: string) => void }).Confab('open'));
    await expect(widget.dialog).toBeVisible();
    // Opening moves focus into the window (after it paints); Escape works from there.
    await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('CONFAB-CHAT');
    await page.keyboard.press('Escape');
    await expect(widget.dialog).toBeHidden();
    await expect(page.getByRole('button', { name: 'Open chat' })).toBeFocused();
    await page.evaluate(() => (window as unknown as { Confab: (c: string) => void }).Confab('toggle'));
    await expect(widget.dialog).toBeVisible();
    await page.evaluate(() => (window as unknown as { Confab: (c: string) => void }).Confab('destroy'));
    await expect(page.locator('confab-chat')).toHaveCount(0);
  });

  test('embed.html fills an iframe with the open widget, options from its query string', async ({ page, sandbox }) => {
    const a = sandbox.vendors.whoson?.attributes ?? {};
    const q = new URLSearchParams({ vendor: 'whoson', ...a });
    await page.setContent(`<iframe title="Chat" src="${sandbox.url}/embed.html?${q}" style="width:400px;height:600px"></iframe>`);
    const frame = page.frameLocator('iframe[title="Chat"]');
    await expect(frame.locator('confab-chat').getByRole('dialog')).toBeVisible();
    await expect(frame.getByRole('button', { name: 'Start chat' })).toBeVisible();
  });
});
