/**
 * Issue 25, items 9–15 (the second half of the visitor's walk), each reproduced through the
 * real vendors in the sandbox and the widget's real script tag.
 *
 * Modes: every item runs in three variants, which between them cover each listed mode —
 *   light, on a 375×667 phone (touch)          · dark, at 200 % zoom (1280×800 at 2×: 640×400 CSS px)
 *   Arabic (RTL), on a 375×667 phone (touch)
 * and axe (WCAG 2.2 AA) audits the widget in every new state the test reaches.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { en, type MessageKey, type Messages } from '../src/core/i18n-en-all';
import ar from '../src/core/locales/ar';
import { expect, test, type Widget } from './fixtures';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface Mode {
  name: string;
  attrs: Record<string, string>;
  strings: Messages;
  use: { viewport: { width: number; height: number }; deviceScaleFactor?: number; hasTouch?: boolean };
}
const MODES: Mode[] = [
  { name: 'light, 375×667', attrs: { theme: 'light' }, strings: en, use: { viewport: { width: 375, height: 667 }, hasTouch: true } },
  { name: 'dark, 200 % zoom', attrs: { theme: 'dark' }, strings: en, use: { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 } },
  { name: 'Arabic, 375×667', attrs: { theme: 'light', locale: 'ar' }, strings: ar, use: { viewport: { width: 375, height: 667 }, hasTouch: true } },
];

/** axe on the widget (its shadow root included); any violation fails, naming the state. */
async function audit(page: Page, state: string): Promise<void> {
  const results = await new AxeBuilder({ page }).include('confab-chat').withTags(TAGS).analyze();
  const report = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${JSON.stringify(n.target)}: ${n.failureSummary?.replace(/\s+/g, ' ')}`).join('\n')}`,
  );
  expect(report, `axe violations in state "${state}"`).toEqual([]);
}

/**
 * A string of the tables with its `{name}`s filled, plurals (`{n, plural, one {# x} other {# xs}}`)
 * chosen by the locale's rules and numbers in its digits, as the widget shows it.
 */
function fill(template: string, vars: Record<string, string | number>, lang: string): string {
  const digits = new Intl.NumberFormat(lang);
  return template.replace(/\{(\w+)(?:, plural,((?:[^{}]|\{[^{}]*\})*))?\}/g, (whole, name: string, body?: string) => {
    const v = vars[name];
    if (typeof v !== 'number') return v ?? whole;
    if (!body) return digits.format(v);
    const branch = (k: string) => new RegExp(`(?:^|\\})\\s*${k}\\s*\\{([^{}]*)`).exec(body)?.[1];
    return (branch(`=${v}`) ?? branch(new Intl.PluralRules(lang).select(v)) ?? branch('other') ?? '').replace(/#/g, digits.format(v));
  });
}

/** The preview card stands above the launcher, on its side of the page (right edges aligned). */
async function besideLauncher(widget: Widget, card: Locator): Promise<void> {
  const c = (await card.boundingBox())!;
  const l = (await widget.root.locator('.launcher').boundingBox())!;
  expect(Math.abs(c.x + c.width - (l.x + l.width))).toBeLessThanOrEqual(1);
  expect(c.y + c.height).toBeLessThanOrEqual(l.y);
}

const unique = (text: string) => `${text} ${Math.random().toString(36).slice(2, 7)}`;

for (const mode of MODES) {
  const s = (key: MessageKey, vars: Record<string, string | number> = {}) => fill(mode.strings[key], vars, mode.attrs.locale ?? 'en');

  /** Loads the page and opens the window as a visitor does (the launcher's name is translated once the app runs). */
  async function open(widget: Widget, vendor: 'whoson' | 'tencent' | 'omnidesk' | 'diyalog', extra: Record<string, string> = {}): Promise<void> {
    await widget.load(vendor, { ...mode.attrs, ...extra });
    await widget.root.getByRole('button').first().hover();
    await widget.root.getByRole('button', { name: s('launcher.open') }).click();
    await expect(widget.dialog).toBeVisible();
  }
  const say = async (widget: Widget, text: string) => {
    const box = widget.dialog.getByRole('textbox', { name: s('composer.label') });
    await box.fill(text);
    await box.press('Enter');
  };
  async function whosonChat(widget: Widget, name = 'Thomas'): Promise<void> {
    await open(widget, 'whoson');
    await widget.dialog.getByLabel('Please enter your name:').fill(name);
    await widget.dialog.getByRole('button', { name: s('prechat.start') }).click();
    // (In Arabic WhosOn follows each agent line with its translation, hence first().)
    await expect(widget.log.getByText(`Hello ${name}, my name is Alex. How can I help you today?`).first()).toBeVisible();
  }

  test.describe(`visitor UX (b), ${mode.name}`, () => {
    test.use(mode.use);

    test('item 9: a refused file fails at once without a Retry; offline a line waits for the connection, visibly, above the strip', async ({ widget, page, sandbox }) => {
      test.slow(); // a 5 MB upload, as base64 in SOAP, then a server restart
      await whosonChat(widget);
      // Over the server's 5 MB limit (the widget is told no limit): WhosOn refuses the upload.
      await widget.root.getByTestId('file-input').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(5 * 1024 * 1024 + 10, 97) });
      // (5 MB go up as base64 in SOAP first: slow on a busy machine.)
      await expect(widget.dialog.getByText(s('transport.uploadRefused'))).toBeVisible({ timeout: 45_000 });
      // The refusal itself ends the line: not "Sending…" until the send timeout, and no Retry that could not succeed.
      const line = widget.log.locator('.confab-msg', { hasText: 'big.txt' });
      await expect(line.getByText(s('messages.failed'))).toBeVisible();
      await expect(line.getByRole('button', { name: s('messages.retry') })).toHaveCount(0);
      // A failed bubble does not look like a delivered one: not the brand colour.
      const brand = await widget.dialog.locator('.confab-header').evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(await line.evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe(brand);
      await audit(page, 'item 9: refused file');

      const whoson = sandbox.vendors.whoson;
      if (!whoson?.restart) throw new Error('the WhosOn sandbox has no restart hook');
      const down = unique('written while offline');
      await whoson.restart(async () => {
        await expect(widget.dialog.getByRole('status').filter({ hasText: s('status.reconnecting', { attempt: 1 }).split('(')[0]!.trim() })).toBeVisible();
        await say(widget, down);
        const waiting = widget.log.locator('.confab-msg', { hasText: down });
        // The line says what it waits for, not "Sending…".
        await expect(waiting.getByText(s('messages.waiting'))).toBeVisible();
        await expect(waiting.getByText(s('messages.sending'))).toHaveCount(0);
        // The reconnecting strip does not push the newest line out of the log's view.
        const log = (await widget.log.boundingBox())!;
        const box = (await waiting.boundingBox())!;
        expect(box.y + box.height).toBeLessThanOrEqual(log.y + log.height + 1);
        await audit(page, 'item 9: offline line');
      });
    });

    test('item 10: an inline form refuses an empty answer and shows the answer once, without the field name', async ({ widget, page }) => {
      await whosonChat(widget);
      await say(widget, 'where is my order');
      const form = widget.log.locator('.confab-inline-form');
      const field = form.getByRole('textbox', { name: /order number/ });
      await expect(field).toBeVisible();
      await form.getByRole('button', { name: s('form.submit') }).click();
      await expect(field).toHaveAttribute('aria-invalid', 'true');
      await audit(page, 'item 10: empty inline answer refused');
      expect(widget.received('whoson').filter((f) => f.name === 'DynamicField')).toHaveLength(0);
      await field.fill('a12');
      await form.getByRole('button', { name: s('form.submit') }).click();
      await widget.waitForFrame('whoson', 'DynamicField');
      await expect(form.getByText('A12')).toBeVisible();
      // The server's own "OrderNumber: A12" line is not shown as well.
      await say(widget, 'thanks');
      // (.first(): the Arabic mode's sandbox translation repeats the line under it.)
      await expect(widget.log.getByText(/"thanks"/).first()).toBeVisible();
      await expect(widget.log.getByText('A12')).toHaveCount(1);
      await expect(widget.log.getByText(/OrderNumber/)).toHaveCount(0);
    });

    test('item 10: Tencent\'s email question refuses "not an email"', async ({ widget, page }) => {
      await open(widget, 'tencent');
      await widget.dialog.getByRole('button', { name: s('prechat.start') }).click();
      await widget.log.getByRole('group', { name: 'How can we help?' }).getByRole('button', { name: 'Fill in a form' }).click();
      await widget.log.getByRole('radio', { name: 'Apple' }).check();
      await widget.log.getByRole('button', { name: s('form.submit') }).click();
      const email = widget.log.getByRole('textbox', { name: /email address/ });
      await email.fill('not an email');
      await widget.log.getByRole('button', { name: s('form.submit') }).click();
      await expect(email).toHaveAttribute('aria-invalid', 'true');
      await audit(page, 'item 10: Tencent email refused');
      expect(widget.received('tencent').some((f) => JSON.stringify(f.payload).includes('not an email'))).toBe(false);
      await email.fill('me@example.com');
      await widget.log.getByRole('button', { name: s('form.submit') }).click();
      await expect(widget.log.getByText('Thank you, we noted: me@example.com')).toBeVisible();
    });

    test('item 13: lines grouped by author and minute, avatars, one "Sent", date separators', async ({ widget, page }) => {
      // Yesterday, as far as the page knows: the chat's next day brings a separator.
      await page.clock.setSystemTime(new Date('2026-03-01T10:00:00'));
      await whosonChat(widget);
      // The agent's lines carry an avatar: no picture from WhosOn, so the initials.
      await expect(widget.log.locator('.confab-initials').first()).toHaveText('AM');
      // Two lines in one minute (the page's clock is set, and flows on from there), with no
      // answer between them: sent in one task through the page's API.
      await page.clock.setSystemTime(new Date('2026-03-01T10:30:00'));
      const a = unique('first line');
      const b = unique('second line');
      await page.evaluate(([x, y]) => {
        const confab = (window as unknown as { Confab: (...z: unknown[]) => unknown }).Confab;
        confab('send', x);
        confab('send', y);
      }, [a, b]);
      // Both delivered; only the newest says so. The second, in the same minute, shows no second name and time.
      const second = widget.log.locator('.confab-from-visitor', { hasText: b });
      await expect(second.getByText(s('messages.sent'), { exact: true })).toBeVisible();
      await expect(widget.log.getByText(s('messages.sent'), { exact: true })).toHaveCount(1);
      await expect(second.locator('.confab-meta')).toHaveCount(0);
      await expect(widget.log.getByText(`Thanks, I understand: "${b}". Let me check that for you.`).first()).toBeVisible();
      await audit(page, 'item 13: grouped lines');
      // A day later: a separator with the new date before the next line.
      await page.clock.setSystemTime(new Date('2026-03-02T09:00:00'));
      await say(widget, unique('next day'));
      const day = await page.evaluate((tag) => new Date('2026-03-02T09:00:00').toLocaleDateString(tag, { dateStyle: 'medium' }), mode.attrs.locale ?? 'en');
      await expect(widget.log.locator('.confab-day').last()).toHaveText(day);
      await audit(page, 'item 13: date separator');
    });

    test('item 14: the unread count and a preview card of the agent\'s line survive a reload (in-page)', async ({ widget, page }) => {
      await whosonChat(widget);
      // The window is minimised; a line sent through the page's API gets an answer meanwhile.
      await widget.dialog.getByRole('button', { name: s('header.minimise') }).click();
      await expect(widget.dialog).toBeHidden();
      const asked = unique('are you there');
      await page.evaluate((text) => (window as unknown as { Confab: (...x: unknown[]) => unknown }).Confab('send', text), asked);
      const badge = widget.root.locator('.badge');
      await expect(badge).toHaveText('1');
      const card = widget.root.getByRole('button', { name: new RegExp(`Alex Morgan.*${asked}`) });
      await expect(card).toBeVisible();
      await besideLauncher(widget, card);
      await audit(page, 'item 14: launcher preview card');

      await page.reload();
      await expect(badge).toHaveText('1');
      await expect(badge).toBeVisible();
      await expect(card).toBeVisible();
      await expect(widget.root.getByRole('button', { name: s('launcher.open') })).toHaveAccessibleDescription(s('launcher.unread', { count: 1 }));
      await card.click();
      await expect(widget.dialog).toBeVisible();
      await expect(badge).toBeHidden();
      await expect(card).toBeHidden();
      // Read is read: after another reload nothing is unread.
      await page.reload();
      await expect(widget.dialog).toBeVisible();
      await expect(badge).toBeHidden();
    });

    test('item 11: a chosen option is marked, not labelled "(selected)"; after "Start a new chat" earlier lines keep their times', async ({ widget, page }) => {
      await open(widget, 'tencent');
      await widget.dialog.getByRole('button', { name: s('prechat.start') }).click();
      const menu = widget.log.getByRole('group', { name: 'How can we help?' });
      await menu.getByRole('button', { name: 'Talk to a human' }).click();
      const chosen = menu.getByRole('button', { name: /Talk to a human/ });
      await expect(chosen).toHaveAttribute('aria-pressed', 'true');
      await expect(chosen).toContainText('✓');
      await expect(menu.getByText(/\(.*\)/)).toHaveCount(0);
      const greeting = widget.log.locator('.confab-msg', { hasText: 'How can I help you today?' }).first();
      await expect(greeting).toBeVisible();
      await audit(page, 'item 11: chosen option');
      const before = await greeting.locator('time').getAttribute('datetime');
      // Three hours later the visitor ends the chat and starts a new one: the desk replays the history.
      await page.clock.setSystemTime(Date.now() + 3 * 3600_000);
      await say(widget, 'bye');
      await widget.dialog.getByRole('button', { name: s('ended.newChat') }).click();
      await widget.dialog.getByRole('button', { name: s('prechat.start') }).click();
      const again = widget.log.locator('.confab-msg', { hasText: 'How can I help you today?' }).first();
      await expect(again).toBeVisible();
      expect(await again.locator('time').getAttribute('datetime')).toBe(before);
    });

    test('item 11: after "Start a new chat" a divider marks where it begins and the earlier menu is closed, saying why', async ({ widget, page }) => {
      await open(widget, 'tencent');
      await widget.dialog.getByRole('button', { name: s('prechat.start') }).click();
      const menus = widget.log.getByRole('group', { name: 'How can we help?' });
      await menus.first().getByRole('button', { name: 'Talk to a human' }).click();
      await expect(widget.log.locator('.confab-msg', { hasText: 'How can I help you today?' }).first()).toBeVisible();
      await say(widget, 'bye');
      await widget.dialog.getByRole('button', { name: s('ended.newChat') }).click();
      await widget.dialog.getByRole('button', { name: s('prechat.start') }).click();
      const divider = widget.log.getByText(s('notice.newChat'), { exact: true });
      await expect(divider).toBeVisible();
      // The desk's new menu comes below the divider and answers; the earlier one answers no more.
      await expect(menus).toHaveCount(2);
      const [old, fresh] = [menus.first(), menus.last()];
      await expect(old).toHaveAccessibleDescription(s('messages.menuClosed'));
      await expect(old.getByRole('button', { disabled: false })).toHaveCount(0);
      await expect(fresh.getByRole('button', { name: 'Talk to a human' })).toBeEnabled();
      const order = await divider.evaluate((d, [o, f]) => [
        !!(d.compareDocumentPosition(o!) & Node.DOCUMENT_POSITION_PRECEDING),
        !!(d.compareDocumentPosition(f!) & Node.DOCUMENT_POSITION_FOLLOWING),
      ], [await old.elementHandle(), await fresh.elementHandle()]);
      expect(order).toEqual([true, true]);
      await audit(page, 'item 11: new chat below an earlier one');
    });

    test('item 12: WhosOn says nobody is there before asking for a name, and that someone is when they are', async ({ widget, page, sandbox }) => {
      sandbox.setAvailable(false);
      await open(widget, 'whoson');
      // GetOperators (every operator Away or Busy) answered before anything was asked: the offline view, no Hello.
      await expect(widget.dialog.locator('#confab-offline-reason')).toHaveText(s('offline.default'));
      await expect(widget.dialog.getByLabel('Please enter your name:')).toHaveCount(0);
      await expect(widget.dialog.getByRole('button', { name: s('offline.send') })).toBeVisible();
      expect(widget.received('whoson').some((f) => f.name === 'Hello')).toBe(false);
      await audit(page, 'item 12: WhosOn, nobody there');

      sandbox.setAvailable(true);
      await page.evaluate(() => sessionStorage.clear());
      await open(widget, 'whoson', { 'reply-time': 'We usually reply within 5 minutes' });
      const presence = widget.dialog.locator('.confab-presence');
      await expect(presence.getByText(s('intro.online'))).toBeVisible();
      await expect(presence.getByText('We usually reply within 5 minutes')).toBeVisible();
      await expect(widget.dialog.getByLabel('Please enter your name:')).toBeVisible();
      // WhosOn's own opening message is the welcome: no second greeting of ours.
      await expect(widget.dialog.getByText(s('intro.greeting'))).toHaveCount(0);
      await audit(page, 'item 12: WhosOn, someone online');
    });

    test('item 12: Tencent and Diyalog open to a welcome, not one bare button, and claim no availability they cannot know', async ({ widget, page }) => {
      await open(widget, 'tencent', { title: 'Acme Support' });
      const intro = widget.dialog.locator('.confab-intro');
      await expect(intro.getByText('Acme Support')).toBeVisible();
      await expect(intro.getByText(s('intro.greeting'))).toBeVisible();
      // Tencent's desk has no availability channel before the trigger: nothing is said about it.
      await expect(widget.dialog.getByText(s('intro.online'))).toHaveCount(0);
      await expect(widget.dialog.getByRole('button', { name: s('prechat.start') })).toBeVisible();
      await audit(page, 'item 12: Tencent first screen');

      await page.evaluate(() => sessionStorage.clear());
      await open(widget, 'diyalog', { title: 'Acme Bank', greeting: 'Welcome to Acme Bank online help.', 'customer-name': 'Ayşe Yılmaz' });
      await expect(intro.getByText('Acme Bank', { exact: true })).toBeVisible();
      await expect(intro.getByText('Welcome to Acme Bank online help.')).toBeVisible();
      await expect(widget.dialog.getByText(s('intro.greeting'))).toHaveCount(0);
      await expect(widget.dialog.getByText(s('intro.online'))).toHaveCount(0);
      await expect(widget.dialog.getByRole('button', { name: s('prechat.start') })).toBeVisible();
      await audit(page, 'item 12: Diyalog first screen');
    });

    test('item 12: Omnidesk says someone is online through the relay, and offers a message before asking to chat when nobody is', async ({ widget, page, sandbox }) => {
      await open(widget, 'omnidesk');
      await expect(widget.dialog.locator('.confab-presence').getByText(s('intro.online'))).toBeVisible();
      await expect(widget.dialog.getByLabel(s('prechat.name'))).toBeVisible();
      await audit(page, 'item 12: Omnidesk, someone online');
      sandbox.setAvailable(false);
      await page.evaluate(() => sessionStorage.clear());
      await open(widget, 'omnidesk');
      await expect(widget.dialog.locator('#confab-offline-reason')).toHaveText(s('offline.default'));
      await expect(widget.dialog.getByRole('button', { name: s('prechat.start') })).toHaveCount(0);
      await expect(widget.dialog.getByText(s('intro.online'))).toHaveCount(0);
    });

    test('item 15: "(required)" looks like "(optional)"; motion only when allowed; the agent joining does not focus the message box on a touch screen', async ({ widget, page }) => {
      await open(widget, 'omnidesk');
      const required = widget.dialog.locator('.confab-required').first();
      const optional = widget.dialog.getByText(s('prechat.email'));
      await expect(required).toBeVisible();
      const look = (el: Element) => { const c = getComputedStyle(el); return `${c.color} ${c.fontWeight} ${c.fontSize}`; };
      expect(await required.evaluate(look)).toBe(await optional.evaluate(look));
      const motion = () => widget.dialog.evaluate((el) => getComputedStyle(el).animationName);
      expect(await motion()).toBe('confab-open');
      await page.emulateMedia({ reducedMotion: 'reduce' });
      expect(await motion()).toBe('none');
      await page.emulateMedia({ reducedMotion: 'no-preference' });

      await widget.dialog.getByLabel(s('prechat.name')).fill(unique('Olga'));
      await widget.dialog.getByRole('button', { name: s('prechat.start') }).click();
      await expect(widget.log.getByText(/How can I help you today\?/)).toBeVisible();
      const box = widget.dialog.getByRole('textbox', { name: s('composer.label') });
      const touch = await page.evaluate(() => matchMedia('(pointer: coarse)').matches);
      if (touch) await expect(box).not.toBeFocused();
      else await expect(box).toBeFocused();
    });

    test('item 15: the window closes with a motion too, only when motion is allowed, and what leaves is out of reach', async ({ widget, page }) => {
      await open(widget, 'omnidesk');
      await expect(widget.dialog.getByLabel(s('prechat.name'))).toBeVisible();
      /** Closes through the API and reports every copy of the window left behind while it goes. */
      const close = () =>
        page.evaluate(async () => {
          const root = document.querySelector('confab-chat')!.shadowRoot!;
          const left: { inert: boolean; hidden: string | null; ids: number; moving: number }[] = [];
          // Called in the task that inserted it: the document timeline cannot have moved on.
          const watch = new MutationObserver((records) => {
            for (const r of records) {
              for (const n of r.addedNodes) {
                if (n instanceof HTMLElement && n.classList.contains('confab-window')) {
                  left.push({ inert: n.inert, hidden: n.getAttribute('aria-hidden'), ids: n.querySelectorAll('[id]').length + (n.id ? 1 : 0), moving: n.getAnimations().length });
                }
              }
            }
          });
          watch.observe(root, { childList: true, subtree: true });
          (window as unknown as { Confab: (m: string) => void }).Confab('close');
          while (root.querySelector('.confab-window:not([inert])')) await new Promise((r) => requestAnimationFrame(r));
          watch.disconnect();
          return left;
        });
      expect(await close()).toEqual([{ inert: true, hidden: 'true', ids: 0, moving: 1 }]);
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await widget.root.getByRole('button', { name: s('launcher.open') }).click();
      await expect(widget.dialog.getByLabel(s('prechat.name'))).toBeVisible();
      expect(await close()).toEqual([]);
      await expect(widget.dialog).toBeHidden();
    });

    test('item 15: the WhosOn survey shows one e-mail field, the transcript goes there, and no box is pre-ticked', async ({ widget, page }) => {
      await whosonChat(widget);
      await say(widget, 'bye');
      await expect(widget.dialog.getByRole('button', { name: s('ended.newChat') })).toBeVisible();
      const survey = widget.dialog.getByRole('form', { name: s('ended.survey') });
      await expect(survey).toBeVisible();
      await expect(widget.dialog.locator('input[type="email"]')).toHaveCount(1);
      await expect(widget.dialog.getByRole('button', { name: s('ended.emailTranscript') })).toHaveCount(0);
      await expect(survey.getByRole('checkbox', { name: 'Join our mailing list?' })).not.toBeChecked();
      await audit(page, 'item 15: WhosOn survey');
      await survey.getByRole('textbox', { name: /transcript/ }).fill('thomas@test.com');
      await survey.getByRole('button', { name: s('ended.sendFeedback') }).click();
      const sent = await widget.waitForFrame('whoson', 'PostChatSurvey');
      expect((sent.payload as string[])[4]).toContain('<Field><Name>Mailing</Name><Value>N</Value></Field>');
      const transcript = await widget.waitForFrame('whoson', 'Transcript');
      expect((transcript.payload as string[])[4]).toBe('thomas@test.com');
    });

    test('item 15: the wait screen gives the place in the queue once', async ({ widget, page, sandbox }) => {
      sandbox.tune({ delayScale: 1, queueFrom: 3 }); // people speed: the wait screen stays long enough to read
      await open(widget, 'whoson');
      await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
      await widget.dialog.getByRole('button', { name: s('prechat.start') }).click();
      const wait = widget.dialog.getByRole('region', { name: /You are in position \d+ of \d+/ });
      await expect(wait).toBeVisible();
      // One reading of the screen (a retrying `not` would pass once the queue moves on).
      const shown = await wait.innerText();
      const [, position, total] = /position (\d+) of (\d+)/.exec(shown)!.map(Number);
      expect(shown).not.toContain(s('wait.positionOf', { position: position!, total: total! }));
      expect(shown).not.toContain(s('wait.position', { position: position! }));
      await audit(page, 'item 15: wait screen in the queue');
    });

    test('item 15: a refused file\'s reason keeps apart from its button, right to left too', async ({ widget, page }) => {
      await whosonChat(widget);
      await say(widget, 'can I send you a file?');
      const request = widget.log.locator('.confab-file-request');
      await request.getByTestId('file-input').setInputFiles({ name: 'setup.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
      const reason = request.locator('.confab-error');
      await expect(reason).toBeVisible();
      const button = request.getByRole('button');
      await expect(button).toHaveAccessibleDescription(await reason.innerText());
      const [b, r] = [(await button.boundingBox())!, (await reason.boundingBox())!];
      const rtl = (mode.attrs.locale ?? 'en') === 'ar';
      // The space between them along the reading direction (on the same line or the next one).
      const apart = r.y >= b.y + b.height - 1 ? Infinity : rtl ? b.x - (r.x + r.width) : r.x - (b.x + b.width);
      expect(apart).toBeGreaterThanOrEqual(4);
      await audit(page, 'item 15: refused file');
    });

    test('item 13: an agent\'s image is a preview with its name that opens in a viewer', async ({ widget, page }) => {
      await open(widget, 'omnidesk');
      await widget.dialog.getByLabel(s('prechat.name')).fill(unique('Olga'));
      await widget.dialog.getByRole('button', { name: s('prechat.start') }).click();
      await expect(widget.log.getByText(/How can I help you today\?/)).toBeVisible();
      await say(widget, 'please attach the invoice');
      const preview = widget.log.locator('.confab-preview');
      await expect(preview.getByRole('img', { name: 'invoice.png' })).toBeVisible();
      await expect(preview.locator('figcaption')).toContainText('invoice.png');
      expect((await preview.getByRole('img').boundingBox())!.width).toBeGreaterThan(100);
      await preview.getByRole('link').click();
      const viewer = widget.root.getByRole('dialog', { name: 'invoice.png' });
      await expect(viewer.getByRole('img', { name: 'invoice.png' })).toBeVisible();
      await expect(viewer.getByRole('button', { name: s('viewer.close') })).toBeFocused();
      await audit(page, 'item 13: image viewer');
      await page.keyboard.press('Escape');
      await expect(viewer).toHaveCount(0);
      // The chat window stays open behind it, focus back on the preview.
      await expect(widget.dialog.first()).toBeVisible();
      await expect(preview.getByRole('link')).toBeFocused();
    });
  });
}

/** In iframe mode: a WhosOn chat under way in the frame; `api` calls the host page's Confab. */
async function iframeChat(widget: Widget, page: Page) {
  await widget.load('whoson', { mode: 'iframe' });
  const api = (...args: unknown[]) => page.evaluate((a) => (window as unknown as { Confab: (...x: unknown[]) => unknown }).Confab(...a), args);
  await widget.root.getByRole('button').first().click();
  const frame = page.frameLocator('confab-chat >> iframe');
  await frame.getByLabel('Please enter your name:').fill('Iris');
  await frame.getByRole('button', { name: 'Start chat' }).click();
  await expect(frame.getByRole('log').getByText(/How can I help you today/)).toBeVisible();
  return { api, frame };
}

test.describe('visitor UX (b), iframe mode', () => {
  test('item 14: the launcher preview card in iframe mode, painted by the host page', async ({ widget, page }) => {
    const { api, frame } = await iframeChat(widget, page);
    await api('close');
    await expect(page.locator('confab-chat >> iframe')).toBeHidden();
    const asked = unique('are you there');
    await api('send', asked);
    const card = widget.root.getByRole('button', { name: new RegExp(`Alex Morgan.*${asked}`) });
    await expect(card).toBeVisible();
    await besideLauncher(widget, card);
    await audit(page, 'item 14: preview card in iframe mode');
    await card.click();
    await expect(page.locator('confab-chat >> iframe')).toBeVisible();
    await expect(frame.getByRole('dialog')).toBeVisible();
    await expect(card).toBeHidden();
  });

  test('item 14: the unread count survives a reload in iframe mode too', async ({ widget, page }) => {
    const { api } = await iframeChat(widget, page);
    await api('close');
    await api('send', 'are you there?');
    const launcher = widget.root.getByRole('button', { name: 'Open chat' });
    await expect(launcher).toHaveAccessibleDescription(fill(en['launcher.unread'], { count: 1 }, 'en'));
    await page.reload();
    await expect(widget.root.getByRole('button', { name: 'Open chat' })).toHaveAccessibleDescription(fill(en['launcher.unread'], { count: 1 }, 'en'));
    await expect(widget.root.locator('.badge')).toHaveText('1');
  });
});
