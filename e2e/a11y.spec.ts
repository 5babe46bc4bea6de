/**
 * Issue 9: WCAG 2.2 AA in every state, in a real browser. axe-core (A + AA rules of WCAG
 * 2.0/2.1/2.2) audits the widget's open shadow root in each state a visitor can reach through
 * the real vendors in the sandbox, in light, dark (with a light brand colour) and RTL (with a
 * dark brand colour). Any violation fails the test, with the rule and the nodes in the message.
 * Also here: the polite live region's announcements, reflow at 320 px and 200 % zoom, the
 * brand colour's on-colour contrast, and reduced motion.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { en, type MessageKey, type Messages } from '../src/core/i18n-en-all';
import ar from '../src/core/locales/ar';
import ur from '../src/core/locales/ur';
import { contrast } from '../src/core/contrast';
import { expect, test, Widget } from './fixtures';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
/** The fixture's test speed. */
const FAST = 0.15;

interface Variant {
  name: string;
  attrs: Record<string, string>;
  strings: Messages;
}
const VARIANTS: Variant[] = [
  { name: 'light', attrs: { theme: 'light' }, strings: en },
  { name: 'dark with a light brand colour', attrs: { theme: 'dark', color: '#ffe066' }, strings: en },
  { name: 'RTL (ar) with a dark brand colour', attrs: { theme: 'light', locale: 'ar', color: '#1a1a1a' }, strings: ar },
];

/** Runs axe on the widget (its shadow root included) and fails on any violation, naming the state. */
async function audit(page: Page, state: string): Promise<void> {
  const results = await new AxeBuilder({ page }).include('confab-chat').withTags(TAGS).analyze();
  const report = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${JSON.stringify(n.target)}: ${n.failureSummary?.replace(/\s+/g, ' ')}`).join('\n')}`,
  );
  expect(report, `axe violations in state "${state}"`).toEqual([]);
  // The audit really looked inside the widget: rules ran on nodes in its shadow tree.
  expect(results.passes.some((r) => r.nodes.some((n) => Array.isArray(n.target[0]))), `axe saw into the shadow root in "${state}"`).toBe(true);
}

/** The error shown for a field is the text its aria-describedby points at. */
async function describedBy(field: Locator): Promise<string> {
  return field.evaluate((el) => {
    const root = el.getRootNode() as ShadowRoot;
    return (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((id) => (id ? root.getElementById(id)?.textContent ?? '' : ''))
      .join(' ')
      .trim();
  });
}

async function open(widget: Widget, vendor: 'whoson' | 'tencent' | 'omnidesk', v: Variant): Promise<void> {
  await widget.load(vendor, v.attrs);
  await audit(widget.page, 'launcher');
  // The app, which translates the launcher, runs on intent (issue 27): the pointer rests on it first.
  await widget.root.getByRole('button').hover();
  await widget.page.getByRole('button', { name: v.strings['launcher.open'] }).click();
  await expect(widget.dialog).toBeVisible();
}

for (const v of VARIANTS) {
  const s = (key: MessageKey) => v.strings[key];
  const say = async (widget: Widget, text: string) => {
    const box = widget.dialog.getByRole('textbox', { name: s('composer.label') });
    await box.fill(text);
    await box.press('Enter');
  };

  test.describe(`axe, ${v.name}`, () => {
    test('WhosOn: pre-chat with errors, wait screen, every chat line, typing, ended and post-chat survey', async ({ widget, page, sandbox }) => {
      sandbox.tune({ delayScale: 1, queueFrom: 3 }); // people speed: the wait screen and typing stay long enough to audit
      await open(widget, 'whoson', v);
      const { dialog, log } = widget;

      await dialog.getByRole('button', { name: s('prechat.start') }).click();
      const name = dialog.getByLabel('Please enter your name:');
      await expect(name).toHaveAttribute('aria-invalid', 'true');
      expect(await describedBy(name)).toBe(s('survey.required'));
      await audit(page, 'pre-chat survey with errors');

      await name.fill('Thomas');
      await dialog.getByRole('button', { name: s('prechat.start') }).click();
      await expect(dialog.getByRole('button', { name: s('wait.cancel') })).toBeVisible();
      await audit(page, 'wait screen');

      await expect(log.getByText('Hello Thomas, my name is Alex. How can I help you today?', { exact: true })).toBeVisible({ timeout: 20_000 });
      // Typing shows for under a second, and axe skips it (aria-hidden: it is never announced),
      // so its own contrast is measured at once, then the window is audited with it on screen.
      const typing = widget.root.locator('.confab-typing');
      await say(widget, 'a question');
      await expect(typing).toBeVisible();
      expect(await typing.evaluate(textContrast), 'typing line contrast').toBeGreaterThanOrEqual(4.5);
      await audit(page, 'agent typing');
      await expect(log.getByText('"a question"', { exact: false }).first()).toBeVisible();

      await say(widget, 'send me a link');
      await expect(log.getByRole('link', { name: 'here' })).toBeVisible();
      await say(widget, 'my order');
      const order = log.getByRole('textbox', { name: /order number/ });
      await expect(order).toBeVisible({ timeout: 15_000 });
      await say(widget, 'a file');
      await expect(log.getByText(/screenshot or a PDF/).first()).toBeVisible({ timeout: 15_000 });
      await audit(page, 'chat: system lines, text, HTML, dynamic field, file request');

      await say(widget, 'bye');
      await expect(dialog.getByRole('button', { name: s('ended.newChat') })).toBeVisible({ timeout: 15_000 });
      await audit(page, 'ended, with the post-chat survey');
      await dialog.getByRole('radio', { name: /^4/ }).check();
      await dialog.getByRole('button', { name: s('ended.sendFeedback') }).click();
      await expect(dialog.getByText(s('ended.thanks'))).toBeVisible();
      await audit(page, 'post-chat survey sent');
    });

    test('Tencent: branch, form, card, star and numeric ratings, ended', async ({ widget, page }) => {
      await open(widget, 'tencent', v);
      const { dialog, log } = widget;
      await dialog.getByRole('button', { name: s('prechat.start') }).click();
      const branch = () => log.getByRole('group', { name: 'How can we help?' }).last();
      await expect(branch()).toBeVisible();
      await audit(page, 'branch');

      await branch().getByRole('button', { name: 'Fill in a form' }).click();
      const food = log.getByRole('form', { name: 'What do you like to eat?' });
      await expect(food).toBeVisible();
      await audit(page, 'branch answered, form with options');
      await food.getByRole('radio', { name: 'Watermelon' }).check();
      await food.getByRole('button', { name: s('form.submit') }).click();
      const email = log.getByRole('form', { name: 'What is your email address?' });
      await email.getByRole('button', { name: s('form.submit') }).click();
      await audit(page, 'free-text form');
      await email.getByRole('textbox').fill('thomas@test.com');
      await email.getByRole('button', { name: s('form.submit') }).click();
      await expect(log.getByText('Thank you, we noted: thomas@test.com')).toBeVisible();

      await say(widget, 'menu please');
      await expect(log.getByRole('group', { name: 'How can we help?' })).toHaveCount(2);
      await branch().getByRole('button', { name: 'Show me a card' }).click();
      await expect(log.getByRole('article', { name: 'Confab Pro' })).toBeVisible();
      await audit(page, 'card');

      await say(widget, 'back to the menu');
      await expect(log.getByRole('group', { name: 'How can we help?' })).toHaveCount(3);
      await branch().getByRole('button', { name: 'Talk to a human' }).click();
      await expect(log.getByText(/How can I help you today/)).toBeVisible();
      await say(widget, 'rate');
      const ratings = log.getByRole('radiogroup', { name: /please evaluate this service/ });
      await expect(ratings).toHaveCount(1);
      await audit(page, 'star rating');
      // A pointer visitor clicks the star's label (the radio itself is visually hidden).
      await ratings.locator('label', { has: page.getByRole('radio', { name: 'Satisfied', exact: true }) }).click();
      await expect(ratings.getByRole('radio', { name: 'Satisfied', exact: true })).toBeChecked();
      await say(widget, 'rate numbers');
      await expect(ratings).toHaveCount(2);
      await audit(page, 'star rating answered, numeric rating');

      await dialog.getByRole('button', { name: s('header.end') }).click();
      // Ending asks first (issue 25 item 1): the question's own "End chat" confirms.
      await dialog.getByRole('group', { name: s('header.endConfirm') }).getByRole('button', { name: s('header.end') }).click();
      await expect(dialog.getByRole('button', { name: s('ended.newChat') })).toBeVisible();
      await audit(page, 'ended by the visitor');
    });

    test('Omnidesk: attachments both ways', async ({ widget, page }) => {
      await open(widget, 'omnidesk', v);
      const { dialog, log } = widget;
      await dialog.getByLabel(s('prechat.name')).fill('Attach Tester');
      await dialog.getByRole('button', { name: s('prechat.start') }).click();
      await say(widget, 'hello');
      await expect(log.getByText(/How can I help you today/)).toBeVisible();
      const chooser = widget.page.waitForEvent('filechooser');
      await dialog.getByRole('button', { name: s('file.attach') }).click();
      await (await chooser).setFiles({ name: 'receipt.txt', mimeType: 'text/plain', buffer: Buffer.from('order 4711, paid') });
      await expect(log.getByRole('link', { name: 'receipt.txt' })).toBeVisible();
      await say(widget, 'please attach the invoice');
      await expect(log.getByRole('img', { name: 'invoice.png' })).toBeVisible({ timeout: 15_000 });
      await audit(page, 'attachment from the agent');
    });

    test('consent step (data-consent="required")', async ({ widget, page }) => {
      await open(widget, 'whoson', { ...v, attrs: { ...v.attrs, consent: 'required' } });
      await expect(widget.dialog.getByRole('heading', { name: s('consent.heading') })).toBeVisible();
      await audit(page, 'consent step');
    });

    test('offline: leave-a-message form with errors, then sent', async ({ widget, page, sandbox }) => {
      await open(widget, 'whoson', v);
      const { dialog } = widget;
      // Operators online as the window opened (GetOperators), gone when the chat is asked for.
      await expect(dialog.getByText(s('intro.online'))).toBeVisible();
      sandbox.setAvailable(false);
      await dialog.getByLabel('Please enter your name:').fill('Thomas');
      await dialog.getByRole('button', { name: s('prechat.start') }).click();
      await expect(dialog.getByText(/No operators are available/)).toBeVisible();
      const message = dialog.getByLabel(new RegExp(`^${s('offline.message')}`));
      await dialog.getByRole('button', { name: s('offline.send') }).click();
      await expect(message).toHaveAttribute('aria-invalid', 'true');
      expect(await describedBy(message)).not.toBe('');
      await audit(page, 'offline form with errors');
      await message.fill('Please call back');
      await dialog.getByLabel(new RegExp(`^${s('offline.email')}`)).fill('thomas@test.com');
      await dialog.getByRole('button', { name: s('offline.send') }).click();
      await expect(message).toHaveCount(0);
      await audit(page, 'offline message sent');
    });
  });
}

test('the audit sees into the shadow root: an unnamed button there is a violation', async ({ widget, page }) => {
  await widget.load('whoson');
  await widget.launcher.click();
  await expect(widget.dialog).toBeVisible();
  await page.evaluate(() => {
    const dialog = document.querySelector('confab-chat')?.shadowRoot?.querySelector('[role=dialog]');
    dialog?.append(Object.assign(document.createElement('button'), { className: 'planted' }));
  });
  await expect(audit(page, 'planted defect')).rejects.toThrow(/button-name/);
});

test('Urdu is right to left, and its pre-chat survey passes axe', async ({ widget, page }) => {
  await page.goto(`${widget.sandbox.url}/?vendor=omnidesk&data-locale=ur`);
  await widget.root.getByRole('button').hover(); // intent runs the app, which translates the launcher
  await page.getByRole('button', { name: ur['launcher.open'] }).click();
  await expect(widget.dialog).toBeVisible();
  await expect(widget.dialog.getByRole('button', { name: ur['prechat.start'] })).toBeVisible();
  expect(await widget.dialog.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
  await widget.dialog.getByRole('button', { name: ur['prechat.start'] }).click();
  await audit(page, 'Urdu pre-chat survey with errors');
});

/** WCAG contrast of two computed CSS rgb()/rgba() colours (alpha ignored), by core/contrast.ts. */
function colorContrast(a: string, b: string): number {
  const hex = (c: string) => `#${(c.match(/\d+/g) ?? []).slice(0, 3).map((x) => Number(x).toString(16).padStart(2, '0')).join('')}`;
  return contrast(hex(a), hex(b));
}

/** Contrast of an element's text colour with the nearest opaque background behind it. */
function textContrast(el: Element): number {
  const lum = (c: string) => {
    const [r = 0, g = 0, b = 0] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((x) => {
      const v = Number(x) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let back: Element | null = el;
  while (back && /rgba\(.*, 0\)|transparent/.test(getComputedStyle(back).backgroundColor)) {
    back = back.parentElement ?? ((back.getRootNode() as ShadowRoot).host as Element | undefined) ?? null;
  }
  const bg = back ? getComputedStyle(back).backgroundColor : 'rgb(255, 255, 255)';
  const [hi, lo] = [lum(getComputedStyle(el).color), lum(bg)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

test('text and icons on the brand colour reach 4.5:1 for any data-color', async ({ browser, sandbox }) => {
  for (const color of ['#ffe066', '#1a1a1a', '#777777', '#00ff00', '#ff0000', '#a0309a']) {
    const context = await browser.newContext(); // a fresh visitor: no chat carried over
    const widget = new Widget(await context.newPage(), sandbox);
    await widget.load('tencent', { color });
    expect(await widget.launcher.evaluate(textContrast), `launcher icon on ${color}`).toBeGreaterThanOrEqual(4.5);
    await widget.launcher.click();
    await expect(widget.dialog).toBeVisible();
    expect(await widget.dialog.locator('header').evaluate(textContrast), `header text on ${color}`).toBeGreaterThanOrEqual(4.5);
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    const chosen = widget.log.getByRole('group', { name: 'How can we help?' }).getByRole('button', { name: 'Order status' });
    await chosen.click();
    await expect(chosen).toHaveAttribute('aria-pressed', 'true');
    expect(await chosen.evaluate(textContrast), `chosen branch on ${color}`).toBeGreaterThanOrEqual(4.5);
    await expect(widget.log.getByText('Order status', { exact: true }).last()).toBeVisible();
    const ownLine = widget.log.locator('.confab-from-visitor').first();
    expect(await ownLine.evaluate(textContrast), `visitor line on ${color}`).toBeGreaterThanOrEqual(4.5);
    await context.close();
  }
});

test('the launcher focus ring stands out (3:1) against light and dark host pages, whatever the brand colour', async ({ widget, page }) => {
  for (const color of ['#ffe066', '#1a1a1a', '#00ff00']) {
    await widget.load('tencent', { color });
    for (const pageBg of ['rgb(255, 255, 255)', 'rgb(0, 0, 0)', 'rgb(255, 224, 102)']) {
      await page.evaluate((bg) => (document.body.style.background = bg), pageBg);
      await page.locator('body').click({ position: { x: 5, y: 5 } });
      // Tab until the launcher has keyboard focus (:focus-visible), past the demo page's links.
      for (let i = 0; i < 30 && !(await widget.launcher.evaluate((el) => el.matches(':focus-visible'))); i++) await page.keyboard.press('Tab');
      const ring = await widget.launcher.evaluate((el) => {
        const s = getComputedStyle(el);
        return { outline: s.outlineColor, width: parseFloat(s.outlineWidth), inner: s.boxShadow.match(/rgba?\([^)]*\)/)?.[0] ?? '', fill: s.backgroundColor };
      });
      expect(ring.width, 'outline width').toBeGreaterThanOrEqual(2);
      // The outer ring meets the page, the inner ring the button: one of the two must contrast with each.
      const best = (against: string) => Math.max(colorContrast(ring.outline, against), colorContrast(ring.inner, against));
      expect(best(pageBg), `focus ring on a ${pageBg} page with ${color}`).toBeGreaterThanOrEqual(3);
      expect(best(ring.fill), `focus ring around a ${color} launcher`).toBeGreaterThanOrEqual(3);
    }
  }
});

/**
 * The live regions Chromium's accessibility tree reports (role and politeness), as a screen
 * reader sees them: implicit ones (a log, a status) count, not only [aria-live] elements.
 */
async function liveRegions(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: { role?: { value?: string }; backendDOMNodeId?: number; properties?: { name: string; value: { value?: unknown } }[] }[];
    };
    const out: string[] = [];
    for (const n of nodes) {
      const live = n.properties?.find((p) => p.name === 'live')?.value.value;
      const root = n.properties?.find((p) => p.name === 'liveRegionRoot');
      // Descendants inherit `live`; a region is where it is set (its own root).
      if (!live || live === 'off' || root || n.backendDOMNodeId === undefined) continue;
      // The widget's own (in its shadow root), not the host page's (the demo page has a status of its own).
      const { object } = await cdp.send('DOM.resolveNode', { backendNodeId: n.backendDOMNodeId });
      const { result } = await cdp.send('Runtime.callFunctionOn', {
        objectId: object.objectId,
        functionDeclaration: 'function () { return this.getRootNode() instanceof ShadowRoot && this.getRootNode().host.localName === "confab-chat"; }',
        returnByValue: true,
      });
      if (result.value === true) out.push(`${n.role?.value ?? '?'}:${String(live)}`);
    }
    return out;
  } finally {
    await cdp.detach();
  }
}

/** Everything the polite live region says, in order, recorded as it is added. */
async function recordAnnouncements(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const said: string[] = [];
    (window as unknown as { said: string[] }).said = said;
    const region = document.querySelector('confab-chat')?.shadowRoot?.querySelector('[data-testid="live-region"]');
    if (!region) throw new Error('no live region');
    if (region.getAttribute('aria-live') !== 'polite') throw new Error('the live region is not polite');
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) said.push(n.textContent ?? '');
    }).observe(region, { childList: true });
  });
  return () => page.evaluate(() => (window as unknown as { said: string[] }).said);
}

test('the live region announces queue, join, each agent line and the end, once each, never typing', async ({ widget, page, sandbox }) => {
  sandbox.tune({ delayScale: 0.5, queueFrom: 3 });
  await widget.load('whoson');
  await widget.launcher.click();
  await expect(widget.dialog).toBeVisible(); // the app, and its live region, may still be loading at the click
  const said = await recordAnnouncements(page);
  await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
  await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(widget.log.getByText(/How can I help you today/)).toBeVisible({ timeout: 20_000 });
  await widget.say('installation');
  await expect(widget.log.getByText(/Let me check that for you/)).toBeVisible();
  await widget.say('bye');
  await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
  await expect.poll(said).toContain('The chat has ended');
  // Nothing else speaks on its own: the message log is silent (its lines come through the
  // region above, once), and the status line is the one other polite region.
  expect((await liveRegions(page)).sort()).toEqual(['generic:polite', 'status:polite']);
  expect(await said()).toEqual([
    'You are number 3 in the queue',
    'You are number 2 in the queue',
    'You are number 1 in the queue',
    'Alex Morgan joined the chat',
    'Alex Morgan: Hello Thomas, my name is Alex. How can I help you today?',
    'Alex Morgan: Thanks, I understand: "installation". Let me check that for you.',
    'Alex Morgan: Thank you for chatting with us. Goodbye!',
    'The chat has ended',
  ]);
});

/** Whether anything in the window scrolls sideways. */
async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const root = document.querySelector('confab-chat')?.shadowRoot;
    const dialog = root?.querySelector('[role=dialog]');
    if (!dialog) return ['no dialog'];
    const out: string[] = [];
    const rect = dialog.getBoundingClientRect();
    if (rect.left < -0.5 || rect.right > document.documentElement.clientWidth + 0.5) out.push(`dialog spans ${rect.left}..${rect.right}`);
    // Visually hidden text (.confab-sr) is clipped to 1 px on purpose and cannot be scrolled to.
    for (const el of [dialog, ...dialog.querySelectorAll('*:not(.confab-sr)')]) {
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible' && el.clientWidth > 0) {
        out.push(`${el.className || el.tagName}: ${el.scrollWidth} > ${el.clientWidth}`);
      }
    }
    return out;
  });
}

for (const [label, size] of [
  ['320 px wide', { viewport: { width: 320, height: 640 }, deviceScaleFactor: 1 }],
  ['200 % zoom (1280×720 at scale 2)', { viewport: { width: 640, height: 360 }, deviceScaleFactor: 2 }],
] as const) {
  test.describe(label, () => {
    test.use(size);
    test('no horizontal scrolling in the pre-chat form, the chat and the ended view', async ({ widget, page }) => {
      await widget.load('whoson');
      await widget.launcher.click();
      await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
      expect(await horizontalOverflow(page), 'pre-chat with errors').toEqual([]);
      await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
      await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
      await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
      await widget.say('https://example.com/a/very/long/address/that/does/not/break/anywhere/on/its/own/at/all');
      await widget.say('send me a link');
      await expect(widget.log.getByRole('link', { name: 'here' })).toBeVisible();
      expect(await horizontalOverflow(page), 'chat').toEqual([]);
      await widget.say('bye');
      await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
      expect(await horizontalOverflow(page), 'ended').toEqual([]);
    });
  });
}

/** The longest animation or transition anywhere in the widget (launcher and window), in seconds. */
async function longestMotion(page: Page): Promise<number> {
  return page.evaluate(() => {
    const secs = (v: string) => Math.max(...v.split(',').map((x) => (x.trim().endsWith('ms') ? parseFloat(x) / 1000 : parseFloat(x)) || 0));
    let longest = 0;
    for (const host of document.querySelectorAll('confab-chat')) {
      for (const el of host.shadowRoot?.querySelectorAll('*') ?? []) {
        const style = getComputedStyle(el);
        const animated = style.animationName !== 'none' ? secs(style.animationDuration) : 0;
        longest = Math.max(longest, animated, secs(style.transitionDuration));
      }
    }
    return longest;
  });
}

test('motion stops under prefers-reduced-motion, and only there', async ({ widget, page, sandbox }) => {
  sandbox.tune({ delayScale: 1, queueFrom: 3 }); // hold the wait screen, whose dots pulse
  await widget.load('whoson');
  await widget.launcher.click();
  await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
  await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(widget.dialog.getByRole('button', { name: 'Cancel' })).toBeVisible();
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  expect(await longestMotion(page)).toBeGreaterThan(0.1);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  expect(await longestMotion(page)).toBeLessThanOrEqual(0.01);
});
