import type { Page } from '@playwright/test';
import { expect, test, type Widget } from './fixtures';

/** What the page has stored and which sockets it opened, as the visitor's browser sees it. */
async function storageOf(page: Page) {
  return page.evaluate(() => ({ session: sessionStorage.length, local: localStorage.length, cookie: document.cookie }));
}
function watchSockets(page: Page): string[] {
  const sockets: string[] = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  return sockets;
}
const style = (w: Widget, selector: string, prop: string) =>
  w.root.locator(selector).first().evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), prop);

/**
 * Headless Chromium keeps every page visible (bringToFront changes nothing), so the test
 * switches the page's visibility the way a tab switch does: document.hidden and
 * visibilityState, then the visibilitychange event.
 */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

async function startChat(widget: Widget, name = 'Thomas'): Promise<void> {
  await widget.dialog.getByLabel('Please enter your name:').fill(name);
  await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(widget.log.getByText(`Hello ${name}, my name is Alex. How can I help you today?`)).toBeVisible();
}

test.describe('everyday UX', () => {
  test.describe('on a 375×667 phone', () => {
    test.use({ viewport: { width: 375, height: 667 }, hasTouch: true });

    test('the window fills the screen, locks the page scroll while open and gives it back on close', async ({ widget, page }) => {
      await widget.load('whoson');
      const html = () => page.evaluate(() => document.documentElement.style.overflow);
      expect(await html()).toBe('');
      await widget.launcher.click();
      await expect(widget.dialog).toBeVisible();
      // Polled: the opening motion may still be moving the window.
      await expect.poll(() => widget.dialog.boundingBox()).toEqual({ x: 0, y: 0, width: 375, height: 667 });
      expect(await html()).toBe('hidden');
      // Sized to the visual viewport (page.ts), so the keyboard never covers the composer.
      expect(await page.locator('confab-chat').evaluate((el) => el.shadowRoot!.querySelector('div')!.style.getPropertyValue('--confab-viewport-height'))).toBe('667px');

      await startChat(widget);
      // 16px or more: iOS does not zoom into the message box.
      expect(parseFloat(await style(widget, 'textarea', 'font-size'))).toBeGreaterThanOrEqual(16);
      await widget.say('Could you please help me with product installation');
      await expect(widget.log.getByText(/Let me check that for you/)).toBeVisible();
      const box = await widget.message.boundingBox();
      expect(box!.y + box!.height).toBeLessThanOrEqual(667);

      await widget.dialog.getByRole('button', { name: 'Minimise chat' }).click();
      await expect(widget.dialog).toBeHidden();
      expect(await html()).toBe('');
      await expect(widget.launcher).toHaveAccessibleName('Open chat');
    });

    test('after the chat ends, the conversation stays readable above the survey', async ({ widget }) => {
      await widget.load('whoson');
      await widget.launcher.click();
      await startChat(widget);
      await widget.say('Could you please help me with product installation');
      await expect(widget.log.getByText(/Let me check that for you/)).toBeVisible();
      await widget.say('bye');
      await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeAttached();
      // The survey and transcript controls used to squeeze the log to its padding (24 px).
      const log = (await widget.log.boundingBox())!;
      expect(log.height, 'the ended chat\'s log height').toBeGreaterThanOrEqual(120);
      expect(log.y).toBeGreaterThanOrEqual(0);
      if (process.env.CONFAB_SHOT) await widget.page.screenshot({ path: process.env.CONFAB_SHOT });
      // Each star's hidden radio sits on its own star, so activating it where it is hits that star.
      const stars = widget.dialog.getByRole('radiogroup', { name: /rate your chat/i }).getByRole('radio');
      for (let i = 0; i < (await stars.count()); i++) {
        const radio = stars.nth(i);
        const [r, l] = await Promise.all([radio.boundingBox(), radio.locator('xpath=ancestor::label[1]').boundingBox()]);
        expect(r!.x + r!.width / 2 >= l!.x && r!.x + r!.width / 2 <= l!.x + l!.width, `star ${i + 1} radio at x=${r!.x}, label ${l!.x}..${l!.x + l!.width}`).toBe(true);
        // Positioned against its own label, not whatever positioned ancestor the window has.
        expect(await radio.evaluate((el) => (el as HTMLElement).offsetParent === el.closest('label'))).toBe(true);
      }
      // A system line's time is centred like its text (the scripted WhosOn agent sends none, so
      // one is added beside the log's lines, under the same stylesheet).
      const meta = await widget.log.evaluate((log) => {
        const row = document.createElement('div');
        row.className = 'confab-msg confab-from-system';
        row.innerHTML = '<p class="confab-meta"><time>11:18</time></p><p class="confab-body">Transferred</p>';
        log.append(row);
        const style = getComputedStyle(row.querySelector('.confab-meta')!).justifyContent;
        row.remove();
        return style;
      });
      expect(meta).toBe('center');
      // The rest of the ended view is still reachable by scrolling the body.
      await widget.dialog.getByRole('button', { name: 'Start a new chat' }).scrollIntoViewIfNeeded();
      await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeInViewport();
    });
  });

  test('"Show earlier messages" adds older lines above and keeps the line the visitor was reading where it was', async ({ widget, page, sandbox }) => {
    await widget.load('whoson');
    await widget.launcher.click();
    await startChat(widget);
    const r = await fetch(`${sandbox.url}/__sandbox/flood?vendor=whoson&n=300&prefix=Old`, { method: 'POST' });
    expect((await r.json()).chats).toBeGreaterThan(0);
    await expect(widget.log.getByText('Old 300 of 300', { exact: false })).toBeVisible();
    await widget.log.evaluate((el) => (el.scrollTop = 0)); // the visitor reads back to the top
    const earlier = widget.log.getByRole('button', { name: 'Show earlier messages' });
    await expect(earlier).toBeVisible();
    /** The first rendered line and its distance from the top of the log's viewport. */
    const topLine = () =>
      widget.log.evaluate((log) => {
        const row = log.querySelector('.confab-row');
        return { text: row?.textContent ?? '', y: (row?.getBoundingClientRect().top ?? 0) - log.getBoundingClientRect().top };
      });
    const before = await topLine();
    await earlier.focus();
    await page.keyboard.press('Enter');
    await expect(widget.log.locator('.confab-row').first()).not.toHaveText(before.text);
    const row = widget.log.locator('.confab-row', { hasText: before.text }).first();
    const y = await row.evaluate((el) => el.getBoundingClientRect().top - (el.closest('[role=log]') as Element).getBoundingClientRect().top);
    expect(Math.abs(y - before.y), `"${before.text.slice(0, 40)}" moved by ${y - before.y} px`).toBeLessThanOrEqual(2);
    // A new line arriving meanwhile neither pulls the visitor down nor takes the older lines away.
    const firstShown = await widget.log.locator('.confab-row').first().textContent();
    await fetch(`${sandbox.url}/__sandbox/flood?vendor=whoson&n=1&prefix=New`, { method: 'POST' });
    await expect(widget.log.getByText('New 1 of 1', { exact: false })).toBeAttached();
    await expect(widget.log.locator('.confab-row').first()).toHaveText(firstShown ?? '');
    const after = await row.evaluate((el) => el.getBoundingClientRect().top - (el.closest('[role=log]') as Element).getBoundingClientRect().top);
    expect(Math.abs(after - before.y), 'the line read stays put when a new one arrives').toBeLessThanOrEqual(2);
  });

  test('data-consent="required": nothing loads, connects or is stored before "Accept and continue"', async ({ widget, page }) => {
    const sockets = watchSockets(page);
    const transportChunks: string[] = [];
    page.on('request', (r) => /\/assets\/whoson-/.test(r.url()) && transportChunks.push(r.url()));
    await widget.load('whoson', {
      consent: 'required',
      'consent-text': 'Acme uses WhosOn to answer your questions.',
      'privacy-url': 'https://shop.example/privacy',
    });

    await widget.launcher.click();
    await expect(widget.dialog.getByRole('heading', { name: 'Before you chat' })).toBeVisible();
    await expect(widget.dialog.getByText('Acme uses WhosOn to answer your questions.')).toBeVisible();
    await expect(widget.dialog.getByRole('link', { name: 'Privacy policy' })).toHaveAttribute('href', 'https://shop.example/privacy');
    await expect(widget.dialog.getByRole('button', { name: 'Accept and continue' })).toBeFocused();
    expect(await storageOf(page)).toEqual({ session: 0, local: 0, cookie: '' });
    expect(sockets).toEqual([]);
    expect(transportChunks).toEqual([]);

    // "No thanks" closes the window, and still nothing happened.
    await widget.dialog.getByRole('button', { name: 'No thanks' }).click();
    await expect(widget.dialog).toBeHidden();
    await expect(widget.launcher).toHaveAccessibleName('Open chat');
    expect(await storageOf(page)).toEqual({ session: 0, local: 0, cookie: '' });
    expect(sockets).toEqual([]);

    // Asked again next time; accepting connects and starts the chat as usual.
    await widget.launcher.click();
    await widget.dialog.getByRole('button', { name: 'Accept and continue' }).click();
    await expect(widget.dialog.getByRole('heading', { name: 'Welcome' })).toBeVisible();
    await expect(widget.dialog.getByLabel('Please enter your name:')).toBeFocused();
    expect(sockets).toHaveLength(1);
    expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.endsWith(':consent')))).toHaveLength(1);
    await startChat(widget);

    // The choice holds for the page session: after navigating, no consent step.
    await page.reload();
    await expect(widget.dialog).toBeVisible();
    await expect(widget.log.getByText(/Hello Thomas/)).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Accept and continue' })).toHaveCount(0);
  });

  test('a browser notification shows only after the visitor asked for it, and only while the page is hidden', async ({ widget, page, context, sandbox }) => {
    sandbox.tune({ delayScale: 0.05, queueFrom: 2 });
    await context.grantPermissions(['notifications'], { origin: sandbox.url });
    // Record every notification the page makes, then let the real one go ahead.
    await page.addInitScript(() => {
      const Real = window.Notification;
      const shown: { title: string; body?: string; icon?: string }[] = [];
      (window as unknown as { shown: typeof shown }).shown = shown;
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          shown.push({ title, body: options?.body, icon: options?.icon });
          super(title, options);
        }
      } as typeof Notification;
    });
    const shown = () => page.evaluate(() => (window as unknown as { shown: unknown[] }).shown);
    await widget.load('whoson');
    await widget.launcher.click();
    await startChat(widget);
    const toggle = widget.dialog.getByRole('button', { name: 'Notify me of new messages' });
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');

    // Off by default: a reply while hidden makes no notification.
    await setHidden(page, true);
    await widget.say('Could you please help me with product installation');
    await expect(widget.log.getByText(/Let me check that for you/)).toBeVisible();
    expect(await shown()).toEqual([]);
    // The title counts what arrived while the tab was hidden, even with the window open.
    await expect(page).toHaveTitle(/^\(1\) Confab demo$/);
    await setHidden(page, false);
    await expect(page).toHaveTitle('Confab demo');

    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    // Visible page: the reply is in the window, not in a notification.
    await widget.say('Is there a manual?');
    await expect(widget.log.getByText(/"Is there a manual\?"\. Let me check/)).toBeVisible();
    expect(await shown()).toEqual([]);

    // Hidden page: the agent's HTML line arrives as plain text, without an icon.
    await setHidden(page, true);
    await widget.say('send me a link');
    await expect.poll(shown).toEqual([{ title: 'Alex Morgan', body: expect.stringMatching(/installation guide is here/), icon: undefined }]);
    expect(((await shown()) as { body: string }[])[0]!.body).not.toMatch(/[<>]/);
  });

  test('data-logo, data-launcher-label, data-position=left with offsets, and the host page CSS stays out', async ({ widget, page }) => {
    // ExpertFlow sends no site image of its own, so the header shows data-logo.
    const logo = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAYAAAByDd+UAAAAhElEQVR4nO3UwRGAIBBDUc42Z0XWrg1IyN9dwIOZ4QY8MgO09tXcgyyDymAKpeAshlC1wXGdryOMUsiFEehiCp2GIdTFovNwu1FQS+fUFJQts+3cdT+4D5x+aSIt8eN3Tlz28Ld8bcs/7x5I0F66oEIVrCIxByWxsCoUYRk4DFG4DKrOA6v47Rv0L1cKAAAAAElFTkSuQmCC';
    const query = new URLSearchParams({ vendor: 'expertflow', 'data-logo': logo, 'data-launcher-label': 'Questions? Chat with us', 'data-position': 'left', 'data-title': 'Acme' });
    await page.goto(`${widget.sandbox.url}/?${query}`);
    await page.addStyleTag({ content: '* { font-family: "Comic Sans MS", cursive !important; color: rgb(255, 0, 0) !important; } confab-chat { --confab-offset-x: 40px; --confab-offset-y: 30px; }' });
    const launcher = page.getByRole('button', { name: 'Questions? Chat with us' });
    await expect(launcher).toBeVisible();
    const lb = (await launcher.boundingBox())!;
    expect(lb.x).toBe(40);
    expect(page.viewportSize()!.height - (lb.y + lb.height)).toBe(30);
    await launcher.click();
    await expect(widget.dialog.getByRole('img', { name: 'Acme logo' })).toHaveAttribute('src', logo);
    expect((await widget.dialog.boundingBox())!.x).toBe(40);
    expect(await style(widget, '.confab-title', 'font-family')).not.toMatch(/Comic/);
    expect(await style(widget, '.confab-body-area', 'color')).not.toBe('rgb(255, 0, 0)');
    await page.getByRole('button', { name: 'Close chat' }).click();
    await expect(page.getByRole('button', { name: 'Questions? Chat with us' })).toBeVisible();
  });

  test('themes: light by default, dark, auto following prefers-color-scheme, data-color and setTheme', async ({ widget, page }) => {
    const bg = () => style(widget, '.confab-window', 'background-color');
    await page.emulateMedia({ colorScheme: 'dark' });
    await widget.load('whoson', { theme: 'auto', color: '#0a7d4f' });
    await widget.launcher.click();
    await expect(widget.dialog).toBeVisible();
    expect(await bg()).toBe('rgb(28, 29, 33)');
    expect(await style(widget, '.confab-header', 'background-color')).toBe('rgb(10, 125, 79)');
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(bg).toBe('rgb(255, 255, 255)');
    await page.evaluate(() => (window as unknown as { Confab: (...a: unknown[]) => void }).Confab('setTheme', { theme: 'dark', color: '#ffd400' }));
    await expect.poll(bg).toBe('rgb(28, 29, 33)');
    // A light brand colour gets dark text on it, for contrast.
    expect(await style(widget, '.confab-header', 'color')).toBe('rgb(0, 0, 0)');
  });
});
