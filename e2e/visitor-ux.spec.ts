/**
 * Issue 25 items 1–8, as a visitor meets them. Every item runs in two modes, which between
 * them cover the five the issue names: "light · en · 375×667" (a phone) and "dark · ar ·
 * 200 % zoom" (a 1280×800 laptop at 200 %: 640×400 CSS px, device scale 2). Strings are read
 * from the locale tables, so the Arabic run finds the same controls by their Arabic names.
 * axe runs in every new state (end question, new-messages pill, emoji hint, offline views,
 * ended view after a reload, survey stars, the zoomed window).
 */
import AxeBuilder from '@axe-core/playwright';
import { deflateSync } from 'node:zlib';
import type { Page } from '@playwright/test';
import { en, type MessageKey, type Messages } from '../src/core/i18n-en-all';
import ar from '../src/core/locales/ar';
import { expect, test, type Widget } from './fixtures';
import { START_OPTIONS } from './journeys';

interface Mode {
  name: string;
  attrs: Record<string, string>;
  strings: Messages;
  viewport: { width: number; height: number };
  deviceScaleFactor: number;
}
const MODES: Mode[] = [
  { name: 'light · en · 375×667', attrs: { theme: 'light' }, strings: en, viewport: { width: 375, height: 667 }, deviceScaleFactor: 1 },
  { name: 'dark · ar · 200 % zoom', attrs: { theme: 'dark', locale: 'ar' }, strings: ar, viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 },
];

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
async function audit(page: Page, state: string): Promise<void> {
  const results = await new AxeBuilder({ page }).include('confab-chat').withTags(TAGS).analyze();
  const report = results.violations.map((v) => `${v.id}: ${v.help} ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  expect(report, `axe violations in "${state}"`).toEqual([]);
}

/** A real PNG (solid colour) of the given size, so an upload has a height to lay out. */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x60)]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** How far the log's content runs below its visible area (0: the visitor sees the end). */
const belowFold = (w: Widget) => w.log.evaluate((el) => Math.round(el.scrollHeight - el.scrollTop - el.clientHeight));
/**
 * The visitor scrolls to the top and stays there. A render that lands before the scroll event
 * is handled still sees the visitor at the bottom and puts the log back there, as it should;
 * so scroll again until the top holds across two frames (the scroll event has been handled).
 */
const readBack = (w: Widget) =>
  expect
    .poll(() =>
      w.log.evaluate(async (el) => {
        el.scrollTop = 0;
        for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
        return el.scrollTop;
      }),
    )
    .toBe(0);

for (const mode of MODES) {
  const s = (key: MessageKey) => mode.strings[key];
  const open = async (widget: Widget, vendor: Parameters<Widget['load']>[0], extra: Record<string, string> = {}) => {
    await widget.load(vendor, { ...mode.attrs, ...START_OPTIONS[vendor], ...extra });
    await widget.root.getByRole('button').hover();
    await widget.page.getByRole('button', { name: s('launcher.open') }).click();
    await expect(widget.dialog).toBeVisible();
  };
  const message = (w: Widget) => w.dialog.getByRole('textbox', { name: s('composer.label') });
  const say = async (w: Widget, text: string) => {
    await message(w).fill(text);
    await message(w).press('Enter');
  };
  /** journeys.ts's START_CHAT, with the widget's own labels in this mode's language (vendor texts stay as sent). */
  const START: Record<'expertflow' | 'tencent' | 'omnidesk' | 'diyalog' | 'whoson', (w: Widget) => Promise<void>> = {
    whoson: async (w) => {
      await w.dialog.getByLabel('Please enter your name:').fill('Thomas');
      await w.dialog.getByRole('button', { name: s('prechat.start') }).click();
    },
    expertflow: async (w) => {
      await w.dialog.getByLabel(s('prechat.name')).fill('Kashif');
      await w.dialog.getByRole('button', { name: s('prechat.start') }).click();
    },
    tencent: async (w) => {
      await w.dialog.getByRole('button', { name: s('prechat.start') }).click();
      await w.log.getByRole('group', { name: 'How can we help?' }).getByRole('button', { name: 'Talk to a human' }).click();
    },
    omnidesk: async (w) => {
      await w.dialog.getByLabel(s('prechat.name')).fill(`Ann ${Math.random().toString(36).slice(2, 8)}`);
      await w.dialog.getByRole('button', { name: s('prechat.start') }).click();
    },
    diyalog: async (w) => {
      await w.dialog.getByRole('button', { name: s('prechat.start') }).click();
    },
  };
  /** WhosOn to the agent's greeting. */
  const whosonChat = async (w: Widget) => {
    await open(w, 'whoson');
    await w.dialog.getByLabel('Please enter your name:').fill('Thomas');
    await w.dialog.getByRole('button', { name: s('prechat.start') }).click();
    await expect(w.log.getByText('Hello Thomas, my name is Alex. How can I help you today?').first()).toBeVisible({ timeout: 20_000 });
  };

  test.describe(`visitor UX, ${mode.name}`, () => {
    test.use({ viewport: mode.viewport, deviceScaleFactor: mode.deviceScaleFactor });

    test('item 1: a double Enter on the pre-chat form does not cancel the chat; "End chat" asks first', async ({ widget, page }) => {
      await open(widget, 'whoson');
      const name = widget.dialog.getByLabel('Please enter your name:');
      await name.fill('Thomas');
      await name.press('Enter');
      await page.keyboard.press('Enter'); // the second Enter of a double press
      await expect(widget.log.getByText('Hello Thomas, my name is Alex. How can I help you today?').first()).toBeVisible({ timeout: 20_000 });
      await expect(message(widget)).toBeFocused();
      await expect(widget.dialog.getByRole('button', { name: s('ended.newChat') })).toHaveCount(0);
      await expect(widget.dialog.getByRole('button', { name: s('ended.sendFeedback') })).toHaveCount(0);

      // "End chat" asks; focus on "Keep chatting", so Enter keeps the chat.
      await widget.dialog.getByRole('button', { name: s('header.end'), expanded: false }).click();
      const question = widget.dialog.getByRole('group', { name: s('header.endConfirm') });
      await expect(question).toBeVisible();
      await expect(question.getByRole('button', { name: s('header.keep') })).toBeFocused();
      await audit(page, 'End chat question');
      await page.keyboard.press('Enter');
      await expect(question).toBeHidden();
      await expect(message(widget)).toBeEnabled();
      await widget.dialog.getByRole('button', { name: s('header.end'), expanded: false }).click();
      await question.getByRole('button', { name: s('header.end') }).click();
      await expect(widget.dialog.getByRole('button', { name: s('ended.newChat') })).toBeVisible();
    });

    test('item 2: nobody available: something true to do, never a raw code', async ({ widget, page, sandbox }) => {
      sandbox.setAvailable(false);
      // ExpertFlow has no leave-a-message: the site's contact page (data-offline-url)…
      await open(widget, 'expertflow', { 'offline-url': 'https://shop.example/contact' });
      await START.expertflow(widget);
      const link = widget.dialog.getByRole('link', { name: s('offline.forward') });
      await expect(link).toHaveAttribute('href', 'https://shop.example/contact');
      await expect(widget.dialog).not.toContainText(/\(code /);
      await audit(page, 'offline with the site contact link');
      // …and without one, "try again later" (with the vendor's reason above it). A fresh page session.
      await page.evaluate(() => sessionStorage.clear());
      await open(widget, 'expertflow');
      await START.expertflow(widget);
      await expect(widget.dialog.getByText(s('offline.later'))).toBeVisible();
      await expect(widget.dialog.getByRole('link')).toHaveCount(0);
      await expect(widget.dialog.getByRole('button', { name: s('ended.newChat') })).toHaveCount(1);
      await audit(page, 'offline, try again later');
    });

    test('item 2: Tencent respects availability: nobody at the desk gives the offline next step, not a seat that never fills', async ({ widget, page, sandbox }) => {
      sandbox.setAvailable(false);
      await open(widget, 'tencent', { 'offline-url': 'https://shop.example/contact' });
      await START.tencent(widget);
      // The desk's no-agent-online flag (src 18): the offline view with the site's contact page.
      await expect(widget.dialog.locator('#confab-offline-reason')).toHaveText(s('offline.default'));
      await expect(widget.dialog.getByRole('link', { name: s('offline.forward') })).toHaveAttribute('href', 'https://shop.example/contact');
      await expect(widget.dialog.getByRole('button', { name: s('ended.newChat') })).toHaveCount(1);
      await expect(widget.dialog).not.toContainText(/\(code /);
      await audit(page, 'item 2: Tencent, nobody at the desk');
    });

    test('item 3: after a reload, no view offers a WhosOn survey that can never be sent', async ({ widget, page }) => {
      await whosonChat(widget);
      await say(widget, 'Could you please help me with product installation');
      await expect(widget.log.getByText(/Let me check that for you/).first()).toBeVisible();
      await page.reload();
      // The restored chat: WhosOn cannot resume it, so it ends — and offers only a new chat.
      await expect(widget.dialog.getByRole('button', { name: s('ended.newChat') })).toBeVisible({ timeout: 20_000 });
      await expect(widget.dialog.getByRole('button', { name: s('ended.sendFeedback') })).toHaveCount(0);
      await expect(widget.dialog.getByRole('button', { name: s('ended.emailTranscript') })).toHaveCount(0);
      await audit(page, 'ended after a reload');
    });

    test('item 4: scrolling — uploads in view, a new-messages pill, sending scrolls down', async ({ widget, page, sandbox }) => {
      await whosonChat(widget);
      // An uploaded image is not left below the fold once it has loaded.
      await widget.root.getByTestId('file-input').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: png(240, 320) });
      const img = widget.log.locator('img').last();
      await expect(img).toBeVisible({ timeout: 20_000 });
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalHeight)).toBeGreaterThan(0);
      await expect.poll(() => belowFold(widget)).toBeLessThanOrEqual(1);

      // Reading back: new lines bring a pill, which goes down to them.
      const r = await fetch(`${sandbox.url}/__sandbox/flood?vendor=whoson&n=30&prefix=Old`, { method: 'POST' });
      expect((await r.json()).chats).toBeGreaterThan(0);
      await expect(widget.log.getByText('Old 30 of 30', { exact: false }).first()).toBeAttached();
      await readBack(widget);
      await fetch(`${sandbox.url}/__sandbox/flood?vendor=whoson&n=1&prefix=Fresh`, { method: 'POST' });
      const pill = widget.log.getByRole('button', { name: s('messages.new') });
      await expect(pill).toBeVisible();
      await audit(page, 'new-messages pill');
      await pill.click();
      await expect.poll(() => belowFold(widget)).toBeLessThanOrEqual(1);
      await expect(pill).toBeHidden();

      // Sending while scrolled up goes down to the new line.
      await readBack(widget);
      await say(widget, 'one more thing');
      await expect(widget.log.getByText('one more thing', { exact: true })).toBeInViewport();
      await expect.poll(() => belowFold(widget)).toBeLessThanOrEqual(1);
    });

    test('item 4: ending a Tencent chat keeps the log at its end (no jump to the top)', async ({ widget }) => {
      await open(widget, 'tencent');
      await START.tencent(widget);
      await expect(widget.log.getByText('Hello there, my name is Alex. How can I help you today?').first()).toBeVisible({ timeout: 20_000 });
      await say(widget, 'first question');
      await say(widget, 'second question');
      await expect(widget.log.getByText('second question', { exact: true })).toBeVisible();
      await widget.dialog.getByRole('button', { name: s('header.end'), expanded: false }).click();
      await widget.dialog.getByRole('group', { name: s('header.endConfirm') }).getByRole('button', { name: s('header.end') }).click();
      await expect(widget.dialog.getByRole('button', { name: s('ended.newChat') })).toBeAttached();
      await expect.poll(() => belowFold(widget)).toBeLessThanOrEqual(1);
      expect(await widget.log.evaluate((el) => el.scrollTop)).toBeGreaterThan(0);
    });

    test('item 5: the composer grows, has a placeholder, a paperclip and emoji inside, takes dropped and pasted files', async ({ widget, page }) => {
      await whosonChat(widget);
      const box = message(widget);
      await expect(box).toHaveAttribute('placeholder', s('composer.placeholder'));
      const h0 = (await box.boundingBox())!.height;
      await box.fill('one\ntwo\nthree\nfour\nfive');
      const h5 = (await box.boundingBox())!.height;
      expect(h5, 'five lines grow the box').toBeGreaterThan(h0 * 2);
      await box.fill('one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten');
      const h10 = (await box.boundingBox())!.height;
      expect(h10, 'it stops at a few lines').toBeLessThanOrEqual(h5 + 40);
      await box.fill('');

      // Paperclip and emoji inside the box.
      const inBox = widget.root.locator('.confab-box');
      await expect(inBox.getByRole('button', { name: s('file.attach') })).toBeVisible();
      await inBox.getByRole('button', { name: s('composer.emoji') }).click();
      await expect(box).toBeFocused();
      await expect(widget.dialog.getByText(s('composer.emojiHint'))).toBeVisible();
      await audit(page, 'composer with the emoji hint');

      // A dropped file and a pasted one go the way a picked one goes.
      const drop = (kind: 'drop' | 'paste', fileName: string) =>
        widget.root.evaluate(
          (host, [k, n]) => {
            const data = new DataTransfer();
            data.items.add(new File(['hello'], n as string, { type: 'text/plain' }));
            const target = host.shadowRoot!.querySelector(k === 'drop' ? '.confab-composer' : 'textarea')!;
            if (k === 'drop') {
              target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
              target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
            } else target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
          },
          [kind, fileName],
        );
      await drop('drop', 'dropped.txt');
      await expect(widget.log.getByText('dropped.txt').first()).toBeVisible({ timeout: 20_000 });
      await drop('paste', 'pasted.txt');
      await expect(widget.log.getByText('pasted.txt').first()).toBeVisible({ timeout: 20_000 });
      // A refused type is said, not uploaded.
      await drop('drop', 'tool.exe');
      await expect(widget.dialog.getByText(/tool\.exe/).first()).toBeVisible();
      await expect(widget.log.getByText('tool.exe')).toHaveCount(0);
    });

    const vendors = mode.strings === en ? (['whoson', 'expertflow', 'tencent', 'omnidesk', 'diyalog'] as const) : (['whoson', 'tencent'] as const);
    for (const vendor of vendors) {
      test(`item 6: line breaks in the visitor's own message are kept (${vendor})`, async ({ widget }) => {
        await open(widget, vendor);
        await START[vendor](widget);
        await expect(message(widget)).toBeEnabled({ timeout: 20_000 });
        await message(widget).fill('first line\nsecond line');
        await message(widget).press('Enter');
        const body = widget.log.locator('.confab-from-visitor .confab-body').filter({ hasText: 'second line' }).last();
        await expect(body).toBeVisible();
        // Rendered on two lines: the text as laid out keeps the break.
        expect(await body.evaluate((el) => (el as HTMLElement).innerText)).toContain('first line\nsecond line');
      });
    }

    test('item 7: ratings — one star per option, the chosen and earlier ones lit, 44 px targets', async ({ widget, page }) => {
      // Tencent's in-chat star rating: choosing 4 lights four.
      await open(widget, 'tencent');
      await START.tencent(widget);
      await expect(message(widget)).toBeEnabled({ timeout: 20_000 });
      await say(widget, 'rate');
      const group = widget.log.getByRole('radiogroup').last();
      await expect(group).toBeVisible({ timeout: 20_000 });
      const stars = group.locator('label');
      await expect(stars).toHaveCount(5);
      for (const box of await Promise.all((await stars.all()).map((l) => l.boundingBox()))) {
        expect(Math.min(box!.width, box!.height), 'star tap target').toBeGreaterThanOrEqual(44);
      }
      await stars.nth(3).click();
      const lit = () =>
        group.evaluate((el) => {
          const colours = [...el.querySelectorAll('label span[aria-hidden]')].map((s) => getComputedStyle(s).color);
          return colours.map((c) => c === colours[0]);
        });
      await expect.poll(lit).toEqual([true, true, true, true, false]);

      // WhosOn's post-chat survey: five stars, not fifteen in five groups; 3 lights three.
      await whosonChat(widget);
      await say(widget, 'bye');
      const survey = widget.dialog.getByRole('radiogroup').first();
      await expect(survey).toBeVisible({ timeout: 20_000 });
      expect((await survey.innerText()).match(/★/g)?.length).toBe(5);
      await survey.locator('label').nth(2).click();
      const surveyLit = await survey.evaluate((el) => {
        const spans = [...el.querySelectorAll('label span[aria-hidden]')];
        const on = getComputedStyle(spans[0]!).color;
        return spans.map((s) => getComputedStyle(s).color === on);
      });
      expect(surveyLit).toEqual([true, true, true, false, false]);
      await audit(page, 'post-chat survey stars chosen');
    });

    test('item 8: the window fits — full screen when small, a long title clamped, header icons centred', async ({ widget, page }) => {
      const long = 'Acme Worldwide Customer Service and Support Centre for Orders, Returns and Deliveries';
      await open(widget, 'whoson', { title: long });
      // Measured once the opening motion (item 15) has settled.
      await widget.dialog.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
      expect(await widget.dialog.boundingBox()).toEqual({ x: 0, y: 0, ...mode.viewport });
      const title = widget.dialog.getByRole('heading', { name: long });
      const lineHeight = await title.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.45);
      expect((await title.boundingBox())!.height, 'at most two lines').toBeLessThanOrEqual(lineHeight * 2 + 1);
      const icons = widget.root.locator('.confab-header .confab-icon');
      for (const icon of await icons.all()) {
        const [b, g] = await Promise.all([icon.boundingBox(), icon.locator('svg').boundingBox()]);
        expect(Math.abs(b!.x + b!.width / 2 - (g!.x + g!.width / 2)), 'icon centred across').toBeLessThanOrEqual(1);
        expect(Math.abs(b!.y + b!.height / 2 - (g!.y + g!.height / 2)), 'icon centred down').toBeLessThanOrEqual(1);
      }
      await audit(page, 'window with a long title');
      // Messages get real room once chatting.
      await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
      await widget.dialog.getByRole('button', { name: s('prechat.start') }).click();
      await expect(message(widget)).toBeEnabled({ timeout: 20_000 });
      // (Polled: the wait screen holds room until the agent has joined.)
      await expect.poll(async () => (await widget.log.boundingBox())!.height).toBeGreaterThanOrEqual(mode.viewport.height / 3);
    });
  });
}
