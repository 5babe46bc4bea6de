/**
 * The JS API a site reaches for first (issue 22), end to end against the sandbox: `update`
 * through every vendor's own channel (the frames each simulator receives), `reset`,
 * `show`/`hide`, `data-launcher="none"` with `open` from the site's own button,
 * `open({ message })` and `send` before a chat (both pre-fill the composer), `pageView`,
 * `setMessages`, and the events `started`, `message`, `rated`, `transcript`, `error`,
 * `offline-message`, each with an id and a timestamp and each also a `confab:*` CustomEvent.
 */
import type { Page } from '@playwright/test';
import type { SandboxVendor } from '../src/server/sandbox/main';
import type { ReceivedFrame } from '../src/server/sandbox/types';
import { expect, test, type Widget } from './fixtures';
import { START_CHAT, START_OPTIONS } from './journeys';

type ConfabFn = (...args: unknown[]) => unknown;
const api = (page: Page, ...args: unknown[]) => page.evaluate((a) => (window as unknown as { Confab: ConfabFn }).Confab(...a), args);

/** Every confab:* CustomEvent the page sees, in order, as { name, detail }. */
async function recordEvents(page: Page): Promise<() => Promise<{ name: string; detail: Record<string, unknown> }[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { seen: { name: string; detail: unknown }[] };
    w.seen = [];
    for (const name of ['started', 'message', 'rated', 'transcript', 'error', 'offline-message', 'ended']) {
      addEventListener(`confab:${name}`, (e) => w.seen.push({ name, detail: (e as CustomEvent).detail }));
    }
  });
  return () => page.evaluate(() => (window as unknown as { seen: { name: string; detail: Record<string, unknown> }[] }).seen);
}

const ATTRIBUTES = { plan: 'gold', orderId: 42, vip: true };

/** Where each vendor's simulator shows the attributes, per its own document. */
const CHANNEL: Record<SandboxVendor, { frame: (f: ReceivedFrame) => boolean; check: (f: ReceivedFrame) => void }> = {
  // WhosOn: extra fields in Hello's pre-chat survey XML ("You can also include additional fields").
  whoson: {
    frame: (f) => f.name === 'Hello',
    check: (f) => {
      const xml = (f.payload as string[])[9];
      expect(xml).toContain('<Field><Name>plan</Name><Value>gold</Value></Field>');
      expect(xml).toContain('<Field><Name>orderId</Name><Value>42</Value></Field>');
      expect(xml).toContain('<Field><Name>vip</Name><Value>true</Value></Field>');
    },
  },
  // ExpertFlow: extra init parameters ("Request parameters can be defined by developers").
  expertflow: {
    frame: (f) => f.name === 'POST /api/customer/init',
    check: (f) => expect(f.payload).toMatchObject({ plan: 'gold', orderId: '42', vip: 'true', channel: 'web', firstName: 'Kashif' }),
  },
  // ExpertFlow CX: the chat request's formData attributes, the key-value pairs the agent sees (E4 README's
  // customer data payload), beside the pre-chat form's answers.
  'expertflow-cx': {
    frame: (f) => f.name === 'CHAT_REQUESTED',
    check: (f) => {
      const attributes = (f.payload as { additionalAttributes: { value: { formData: { attributes: unknown[] } } }[] }).additionalAttributes[0]!.value.formData.attributes;
      expect(attributes).toEqual(
        expect.arrayContaining([
          { key: 'plan', value: 'gold', type: 'string' },
          { key: 'orderId', value: '42', type: 'string' },
          { key: 'vip', value: 'true', type: 'string' },
        ]),
      );
    },
  },
  // Tencent: the trigger (src 7) carries them as its cloud custom data.
  tencent: {
    frame: (f) => f.name === 'src:7',
    check: (f) => {
      const p = f.payload as { cloudCustomData?: string; onlineUserOnly: boolean };
      expect(p.onlineUserOnly).toBe(true);
      expect(JSON.parse(p.cloudCustomData ?? '{}')).toEqual({ plan: 'gold', orderId: '42', vip: 'true' });
    },
  },
  // Omnidesk (through the relay): the first chat message, where the agent reads the pre-chat answers.
  omnidesk: {
    frame: (f) => f.name === 'POST /api/v2/chat/notifyUserNewChatMessage' && String((f.payload as { message?: unknown }).message).includes('Visitor started a chat.'),
    check: (f) => {
      const message = String((f.payload as { message?: unknown }).message);
      expect(message).toContain('Details from the site:');
      expect(message).toContain('- **plan**: gold');
      expect(message).toContain('- **orderId**: 42');
    },
  },
  // Diyalog (through the relay): the queue interaction's attachedData (D4).
  diyalog: {
    frame: (f) => f.name === 'CreateInteraction',
    check: (f) => expect(f.payload).toMatchObject({ attachedData: { plan: 'gold', orderId: '42', vip: 'true', channel: 'web', helpType: 'chat' } }),
  },
};

async function violations(widget: Widget, vendor: SandboxVendor): Promise<unknown[]> {
  return widget.received(vendor).filter((f) => f.channel === 'violation').map((f) => f.payload);
}

test.describe('update: custom attributes through each vendor\'s own channel', () => {
  for (const [vendor, channel] of Object.entries(CHANNEL) as [SandboxVendor, (typeof CHANNEL)['whoson']][]) {
    test(vendor, async ({ widget, page }) => {
      await widget.load(vendor, START_OPTIONS[vendor]);
      // Called before the app has loaded: queued by the loader, replayed in order.
      await api(page, 'update', { ...ATTRIBUTES, dropped: 'x' });
      await api(page, 'update', { dropped: null });
      await widget.launcher.click();
      await START_CHAT[vendor](widget);
      let frame: ReceivedFrame | undefined;
      await expect.poll(() => (frame = widget.received(vendor).find(channel.frame)), { message: `${vendor} start frame` }).toBeTruthy();
      channel.check(frame!);
      expect(JSON.stringify(frame!.payload)).not.toContain('dropped');
      expect(await violations(widget, vendor)).toEqual([]);
    });
  }

  test('a bad attribute is named on the console; one during a chat is said to wait for the next chat', async ({ widget, page }) => {
    const logs: string[] = [];
    page.on('console', (m) => m.text().startsWith('Confab') && logs.push(`${m.type()}: ${m.text()}`));
    await widget.load('whoson');
    await api(page, 'update', { 'bad name': 'x', nested: { a: 1 } });
    await widget.launcher.click();
    await START_CHAT.whoson(widget);
    await expect(widget.message).toBeEnabled();
    await api(page, 'update', { plan: 'platinum' });
    await expect.poll(() => logs).toEqual([
      expect.stringMatching(/^error: Confab: attribute name "bad name"/),
      expect.stringMatching(/^error: Confab: attribute "nested" must be a string/),
      expect.stringMatching(/^info: Confab: update\(\) reaches the agent when the next chat starts/),
    ]);
  });
});

test('reset: a shared computer keeps no last visitor (a new visitor id, no stored chat)', async ({ widget, page }) => {
  await widget.load('whoson');
  await widget.launcher.click();
  await START_CHAT.whoson(widget);
  await widget.say('my order is late');
  await expect(widget.log.getByText('my order is late')).toBeVisible();
  const cookie = (await widget.waitForFrame('whoson', 'Connect')).payload as string[];
  const stored = () => page.evaluate(() => Object.keys(localStorage).concat(Object.keys(sessionStorage)).filter((k) => k.startsWith('confab:')));
  expect(await stored()).toEqual(expect.arrayContaining([expect.stringMatching(/:visitor$/), expect.stringMatching(/:session$/)]));

  await api(page, 'reset');
  await expect(widget.dialog).toBeHidden();
  // The running chat was ended for the agent too.
  await expect.poll(() => widget.received('whoson').filter((f) => f.name === 'Quit').length).toBe(1);
  expect(await stored()).toEqual([]);
  await page.reload();
  await expect(widget.launcher).toBeVisible();
  expect(await stored()).toEqual([]);
  await widget.launcher.click();
  await expect(widget.dialog.getByLabel('Please enter your name:')).toBeVisible();
  await expect(widget.log.getByText('my order is late')).toHaveCount(0);
  const connects = () => widget.received('whoson').filter((f) => f.name === 'Connect').map((f) => (f.payload as string[])[3]);
  await expect.poll(() => connects().length).toBe(2);
  expect(connects()[1]).not.toBe(cookie[3]); // the visitor (cookie) id WhosOn tracks is a new one
});

test('show / hide, and data-launcher="none" opened from the site\'s own button', async ({ widget, page, sandbox }) => {
  await widget.load('whoson');
  await api(page, 'hide');
  await expect(widget.launcher).toBeHidden();
  await api(page, 'show');
  await expect(widget.launcher).toBeVisible();
  await api(page, 'open');
  await expect(widget.dialog).toBeVisible();
  await api(page, 'hide');
  await expect(widget.dialog).toBeHidden();
  expect(await api(page, 'isOpen')).toBe(false);

  await page.goto(`${sandbox.url}/?vendor=whoson&data-launcher=none`);
  await page.evaluate(() => {
    const b = Object.assign(document.createElement('button'), { textContent: 'Help' });
    b.addEventListener('click', () => (window as unknown as { Confab: ConfabFn }).Confab('open'));
    document.body.append(b);
  });
  await expect(page.getByRole('button', { name: 'Help' })).toBeVisible();
  await expect(widget.root.getByRole('button')).toHaveCount(0); // no launcher of ours
  await page.getByRole('button', { name: 'Help' }).click();
  await expect(widget.dialog).toBeVisible();
  await expect(widget.dialog.getByLabel('Please enter your name:')).toBeVisible();
});

for (const mode of ['in-page', 'iframe'] as const) {
  test(`data-launcher="none" (${mode}): closing the window gives focus back to the site's own button`, async ({ widget, page, sandbox }) => {
    await page.goto(`${sandbox.url}/?vendor=whoson&data-launcher=none${mode === 'iframe' ? '&data-mode=iframe' : ''}`);
    await page.evaluate(() => {
      const b = Object.assign(document.createElement('button'), { textContent: 'Help' });
      b.addEventListener('click', () => (window as unknown as { Confab: ConfabFn }).Confab('open'));
      document.body.prepend(b);
    });
    const help = page.getByRole('button', { name: 'Help' });
    const dialog = mode === 'iframe' ? page.frameLocator('confab-chat >> iframe').getByRole('dialog') : widget.dialog;
    for (const close of ['Minimise chat', 'Escape']) {
      await help.click();
      await expect(dialog.getByLabel('Please enter your name:')).toBeFocused();
      if (close === 'Escape') await page.keyboard.press('Escape');
      else await dialog.getByRole('button', { name: close }).click();
      await expect(dialog).toBeHidden();
      await expect(help).toBeFocused();
    }
  });
}

test('open({ message }) and send before a chat pre-fill the composer; the visitor sends it', async ({ widget, page }) => {
  await widget.load('whoson');
  await api(page, 'open', { message: 'Where is order 1234?' });
  await START_CHAT.whoson(widget);
  await expect(widget.message).toBeEnabled();
  await expect(widget.message).toHaveValue('Where is order 1234?');
  await widget.message.press('Enter');
  await expect(widget.log.getByText('Where is order 1234?')).toBeVisible();
  await expect.poll(() => widget.received('whoson').some((f) => f.name === 'Message' && (f.payload as string[])[2] === 'Where is order 1234?')).toBe(true);

  // After the chat: `send` is not dropped either, it waits in the composer of the next chat.
  await widget.dialog.getByRole('button', { name: 'End chat' }).click();
  const confirm = widget.dialog.getByRole('button', { name: /^(End chat|Yes|End)$/ }).last();
  if (await confirm.isVisible()) await confirm.click();
  await api(page, 'send', 'one more thing');
  expect(widget.received('whoson').some((f) => f.name === 'Message' && (f.payload as string[])[2] === 'one more thing')).toBe(false);
});

test('events: started and message (id, at), each a confab:* CustomEvent and an on() listener', async ({ widget, page }) => {
  await widget.load('whoson');
  const seen = await recordEvents(page);
  await page.evaluate(() => {
    const w = window as unknown as { Confab: ConfabFn; heard: string[] };
    w.heard = [];
    for (const name of ['started', 'rated', 'error']) w.Confab('on', name, (d: { id: string; at: number }) => w.heard.push(`${name}:${typeof d.id}:${typeof d.at}`));
  });
  const before = Date.now();
  await widget.launcher.click();
  await START_CHAT.whoson(widget);
  await widget.say('hello there');
  await expect(widget.log.getByText('hello there')).toBeVisible();
  await expect.poll(async () => (await seen()).map((e) => e.name)).toEqual(expect.arrayContaining(['started', 'message']));
  const events = await seen();
  for (const e of events) {
    expect(e.detail.widget).toBe('whoson');
    expect(typeof e.detail.id).toBe('string');
    expect(e.detail.at as number).toBeGreaterThanOrEqual(before - 1000);
  }
  const mine = events.find((e) => e.name === 'message' && e.detail.text === 'hello there');
  expect(mine?.detail).toMatchObject({ sender: 'visitor' });
  // The message's id is the line's: the same one a later echo confirms.
  expect(new Set(events.filter((e) => e.name === 'message').map((e) => e.detail.id)).size).toBe(events.filter((e) => e.name === 'message').length);

  await expect.poll(() => page.evaluate(() => (window as unknown as { heard: string[] }).heard)).toContain('started:string:number');
});

test('pageView: the single-page app\'s current page is the one the next chat request carries (ExpertFlow\'s url)', async ({ widget, page }) => {
  await widget.load('expertflow', START_OPTIONS.expertflow);
  await page.evaluate(() => history.pushState({}, '', '/pricing?plan=pro'));
  await api(page, 'pageView', '/pricing?plan=pro');
  await widget.launcher.click();
  await START_CHAT.expertflow(widget);
  const init = await widget.waitForFrame('expertflow', 'POST /api/customer/init');
  expect((init.payload as { url: string }).url).toMatch(/\/pricing\?plan=pro$/);
});

test('setMessages(locale, strings): the site\'s wording, in the language it is for', async ({ widget, page }) => {
  await widget.load('whoson');
  await api(page, 'setMessages', 'en', { 'prechat.start': 'Talk to us' });
  await widget.launcher.click();
  await expect(widget.dialog.getByRole('button', { name: 'Talk to us' })).toBeVisible();
  await api(page, 'setMessages', 'fr', { 'prechat.start': 'Parlons-en' });
  await api(page, 'setLocale', 'fr');
  await expect(widget.dialog.getByRole('button', { name: 'Parlons-en' })).toBeVisible();
});
