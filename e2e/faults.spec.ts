/**
 * Faults, in real Chromium against each vendor's simulator: the server restarted mid-chat,
 * the network gone for 5 s and for 2 minutes, a server that stalls without closing,
 * duplicated and out-of-order frames, a tab that sleeps and wakes. What the visitor sees
 * (connection bar, transcript, delivery state) and what the simulator received (each
 * visitor line exactly once) are the assertions. Long outages run on Playwright's fake
 * clock, so two minutes of backoff take a second or two.
 */
import type { Page } from '@playwright/test';
import { expect, test, type Widget } from './fixtures';
import type { Sandbox, SandboxVendor, VendorSandbox } from '../src/server/sandbox/main';

const unique = (s: string) => `${s} ${Math.random().toString(36).slice(2, 7)}`;
const reply = (line: string) => `Thanks, I understand: "${line}". Let me check that for you.`;

/** Record every WebSocket the page opens, stamped with the page's (possibly fake) clock. */
async function countSockets(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    const opened: number[] = [];
    const all: WebSocket[] = [];
    Object.assign(window, { __sockets: opened, __connecting: () => all.filter((s) => s.readyState === 0).length });
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        opened.push(Date.now());
        all.push(this);
      }
    };
  });
}
/** Sockets still connecting (Chromium may hold a try back in real time after failures). */
const connecting = (page: Page) => page.evaluate(() => (window as unknown as { __connecting: () => number }).__connecting());
const sockets = (page: Page) => page.evaluate(() => (window as unknown as { __sockets: number[] }).__sockets.slice());

/**
 * A 5 s outage on the page's clock, then the page's timers frozen: only the `online` event can
 * open the next socket now (no try still in flight: Chromium may hold one back in real time).
 */
async function outage(page: Page): Promise<void> {
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 5_000);
  await expect.poll(() => connecting(page)).toBe(0);
}

/** The tab goes to the background (or comes back): what a sleeping laptop's wake looks like. */
async function setVisible(page: Page, visible: boolean): Promise<void> {
  await page.evaluate((v) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (v ? 'visible' : 'hidden') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => !v });
    document.dispatchEvent(new Event('visibilitychange'));
  }, visible);
}

/** A vendor's simulator with the fault hook a test needs, or a clear failure if it has none. */
function withHook<K extends 'restart' | 'stall' | 'swallowed' | 'dropClients' | 'garble' | 'expireSigs'>(
  sandbox: Sandbox,
  vendor: SandboxVendor,
  hook: K,
): VendorSandbox & Required<Pick<VendorSandbox, K>> {
  const sim = sandbox.vendors[vendor];
  if (!sim?.[hook]) throw new Error(`the ${vendor} sandbox has no ${hook} hook`);
  return sim as VendorSandbox & Required<Pick<VendorSandbox, K>>;
}

async function startWhosOnChat(widget: Widget): Promise<void> {
  await widget.load('whoson');
  await widget.launcher.click();
  await widget.dialog.getByLabel('Please enter your name:').fill('Thomas');
  await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
}

/** Tencent through the loopback desk: past the bot's menu to the human agent's greeting. */
async function startTencentHumanChat(widget: Widget): Promise<void> {
  await widget.load('tencent');
  await widget.launcher.click();
  await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
  await widget.log.getByRole('group', { name: 'How can we help?' }).getByRole('button', { name: 'Talk to a human' }).click();
  await expect(widget.log.getByText(/How can I help you today\?/)).toBeVisible();
}

async function startOmnideskChat(widget: Widget): Promise<void> {
  await widget.load('omnidesk');
  await widget.launcher.click();
  await widget.dialog.getByLabel('Your name').fill(unique('Olga'));
  await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(widget.log.getByText(/How can I help you today\?/)).toBeVisible();
}

/** Diyalog through the relay: the representative has joined and greeted the visitor. */
async function startDiyalogChat(widget: Widget): Promise<void> {
  await widget.load('diyalog');
  await widget.launcher.click();
  await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(widget.log.getByText(/How can I help you today\?/)).toBeVisible();
}

/** Visitor lines Omnidesk received with exactly this text. */
const omnideskGot = (widget: Widget, text: string) =>
  widget.received('omnidesk').filter((f) => f.name.endsWith('notifyUserNewChatMessage') && (f.payload as { message?: unknown }).message === text).length;
/** The visitor lines Diyalog received during this test, in arrival order. */
const diyalogSent = (widget: Widget) =>
  widget
    .received('diyalog')
    .filter((f) => f.name === 'sendMessage')
    .map((f) => (f.payload as { text?: unknown }).text);
const diyalogGot = (widget: Widget, text: string) => diyalogSent(widget).filter((t) => t === text).length;
const whosonGot = (widget: Widget, text: string) =>
  widget.received('whoson').filter((f) => f.name === 'Message' && (f.payload as string[])[2] === text).length;

/** The vendors behind the relay: their chat, what reached them, and how a new chat starts. */
const RELAYED = {
  omnidesk: {
    start: startOmnideskChat,
    got: omnideskGot,
    fillAgain: (widget: Widget) => widget.dialog.getByLabel('Your name').fill(unique('Olga')),
  },
  diyalog: { start: startDiyalogChat, got: diyalogGot, fillAgain: async () => undefined },
} as const;

test.describe('faults', () => {
  test('WhosOn restarted mid-chat: the chat is reported lost, the line written meanwhile shown undelivered, never sent later', async ({ widget, sandbox }) => {
    const whoson = withHook(sandbox, 'whoson', 'restart');
    await startWhosOnChat(widget);
    const down = unique('written while the server was down');
    await whoson.restart(async () => {
      await expect(widget.dialog.getByText(/Reconnecting \(attempt \d+\)/)).toBeVisible();
      await widget.say(down);
      await expect(widget.log.getByText(down, { exact: true })).toBeVisible();
    });
    // WhosOn has no resume: after the reconnect the chat is over, and says why.
    await expect(widget.log.getByText(/The connection was lost and the chat could not be resumed/)).toBeVisible();
    await expect(widget.dialog.getByText(/Reconnecting/)).toHaveCount(0);
    await expect(widget.log.getByText('Not delivered')).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
    // Nothing went out into the new session behind the visitor's back.
    expect(whosonGot(widget, down)).toBe(0);
  });

  test('relay (Omnidesk): the visitor socket is cut while offline for 5 s; back online it resumes at once, the line goes once', async ({
    widget,
    page,
    sandbox,
  }) => {
    const omnidesk = withHook(sandbox, 'omnidesk', 'dropClients');
    await countSockets(page);
    await page.clock.install();
    await startOmnideskChat(widget);
    await page.context().setOffline(true);
    // Chromium's offline emulation does not close a WebSocket that is already open (probed:
    // 3 s offline, navigator.onLine false, the socket still up), so the relay cuts it too.
    omnidesk.dropClients();
    await expect(widget.dialog.getByText(/Reconnecting \(attempt \d+\)/)).toBeVisible();
    const down = unique('typed while offline');
    await widget.say(down);
    await outage(page);
    expect(omnideskGot(widget, down)).toBe(0);
    await page.context().setOffline(false);
    // `online` retries at once, not after the (up to 30 s) backoff: the page's timers are frozen.
    await expect(widget.dialog.getByText(/Reconnecting/)).toHaveCount(0);
    await page.clock.resume();
    await expect(widget.log.getByText(reply(down))).toBeVisible();
    await expect.poll(() => omnideskGot(widget, down)).toBe(1);
    await expect(widget.log.getByText(down, { exact: true })).toHaveCount(1);
    await expect(widget.log.getByText('Not delivered')).toHaveCount(0);
  });

  test('WhosOn down for 2 minutes: retries never wait more than 30 s, never give up, and `online` reconnects at once', async ({
    widget,
    page,
    sandbox,
  }) => {
    const whoson = withHook(sandbox, 'whoson', 'restart');
    await countSockets(page);
    await page.clock.install();
    await widget.load('whoson');
    await widget.launcher.click();
    await expect(widget.dialog.getByLabel('Please enter your name:')).toBeVisible();
    const before = (await sockets(page)).length;
    let downAt = 0;
    await whoson.restart(async () => {
      await expect(widget.dialog.getByText(/Reconnecting/)).toBeVisible();
      downAt = await page.evaluate(() => Date.now());
      // Two minutes of the page's time, a second at a time: each refused try schedules the next.
      // A try's failure must land before the page's time moves on, or the gap would be ours.
      for (let s = 0; s < 120; s++) {
        await expect.poll(() => connecting(page)).toBe(0);
        await page.clock.runFor(1_000);
      }
      const tries = (await sockets(page)).slice(before);
      const gaps = [downAt, ...tries].slice(1).map((t, i) => t - ([downAt, ...tries][i] ?? 0));
      expect(tries.length).toBeGreaterThanOrEqual(6);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(31_000); // 30 s cap, 1 s stepping
      const last = tries.at(-1) ?? 0;
      expect(downAt + 120_000 - last).toBeLessThanOrEqual(31_000); // still trying at the end
      // Freeze the page's timers: only the `online` event can cause the next try now. Chromium
      // may hold back a socket after failures, so wait until the last try has failed and the
      // next one is waiting (the bar counts scheduled tries: one more than those made).
      await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);
      const bar = widget.dialog.getByText(/Reconnecting \(attempt \d+\)/);
      await expect
        .poll(async () => Number(/attempt (\d+)/.exec((await bar.textContent()) ?? '')?.[1]) - ((await sockets(page)).length - before))
        .toBe(1);
    });
    const connects = whoson.received.filter((f) => f.name === 'Connect').length;
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(() => whoson.received.filter((f) => f.name === 'Connect').length).toBe(connects + 1);
    await page.clock.resume();
    await expect(widget.dialog.getByText(/Reconnecting/)).toHaveCount(0);
  });

  test('WhosOn stalls without closing: the unechoed line is shown undelivered with Retry, the chat goes on (no watchdog, issue 19)', async ({
    widget,
    page,
    sandbox,
  }) => {
    const whoson = withHook(sandbox, 'whoson', 'stall');
    await page.clock.install();
    await startWhosOnChat(widget);
    const connects = whoson.received.filter((f) => f.name === 'Connect').length;
    const swallowed = withHook(sandbox, 'whoson', 'swallowed');
    whoson.stall(Infinity); // until the line has been swallowed
    const lost = unique('into the void');
    await widget.say(lost);
    await expect.poll(() => swallowed.swallowed().some((f) => f.includes(lost))).toBe(true);
    whoson.stall(0);
    expect(whosonGot(widget, lost)).toBe(0);
    // No echo within the session's send timeout: the line is marked, the socket kept.
    await page.clock.fastForward(21_000);
    await expect(widget.log.getByText('Not delivered')).toBeVisible();
    expect(whoson.received.filter((f) => f.name === 'Connect').length).toBe(connects);
    await expect(widget.log.getByText(/could not be resumed/)).toHaveCount(0);
    // Retry sends it again on the same connection; its echo confirms it.
    await widget.log.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => whosonGot(widget, lost)).toBe(1);
    await expect(widget.log.getByText('Not delivered')).toHaveCount(0);
    await expect(widget.log.getByText(lost, { exact: true })).toHaveCount(1);
  });

  test('Tencent: the socket drops mid-chat; a line written meanwhile goes once, and the agent lines keep coming', async ({ widget, page, sandbox }) => {
    const tencent = withHook(sandbox, 'tencent', 'dropClients');
    const from = tencent.received.length;
    await startTencentHumanChat(widget);
    // Offline first, so the outage lasts until the test ends it: on loopback a dropped socket
    // reconnects within milliseconds, before the line could be written "meanwhile".
    await page.context().setOffline(true);
    tencent.dropClients();
    await expect(widget.dialog.getByText(/Reconnecting/)).toBeVisible();
    const down = unique('while the desk was unreachable');
    await widget.say(down);
    await page.context().setOffline(false);
    await expect(widget.dialog.getByText(/Reconnecting/)).toHaveCount(0);
    await expect(widget.log.getByText(reply(down))).toBeVisible();
    const sent = () => tencent.received.slice(from).filter((f) => f.name === 'text' && (f.payload as { text?: unknown }).text === down);
    await expect.poll(() => sent().length).toBe(1);
    await expect(widget.log.getByText(down, { exact: true })).toHaveCount(1);
    await expect(widget.log.getByText(reply(down))).toHaveCount(1);
  });

  test('Tencent: the userSig expires mid-chat; the widget gets a fresh one from the site and the chat goes on', async ({ widget, sandbox }) => {
    const tencent = withHook(sandbox, 'tencent', 'expireSigs');
    const from = tencent.received.length;
    const since = () => tencent.received.slice(from);
    await startTencentHumanChat(widget);
    expect(tencent.expireSigs()).toBe(1);
    const after = unique('after the userSig was renewed');
    await widget.say(after);
    await expect(widget.log.getByText(reply(after))).toBeVisible();
    expect(since().filter((f) => f.name === 'POST /usersig')).toHaveLength(2);
    expect(since().filter((f) => f.name === 'text' && (f.payload as { text?: unknown }).text === after)).toHaveLength(1);
    await expect(widget.dialog.getByText(/expired|Reconnecting/)).toHaveCount(0);
    await expect(widget.log.getByText(after, { exact: true })).toHaveCount(1);
  });

  test('ExpertFlow: while the server is down, `online` makes socket.io try at once', async ({ widget, page, sandbox }) => {
    const ef = withHook(sandbox, 'expertflow', 'restart');
    await page.clock.install();
    await widget.load('expertflow', { prechat: 'name,subject', subjects: 'Billing,ADSL' });
    await widget.launcher.click();
    await widget.dialog.getByLabel('Your name').fill('Kashif');
    await widget.dialog.getByLabel('Topic').selectOption('ADSL');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.log.getByText(/How can I help you today\?/)).toBeVisible();
    const down = unique('sent across the outage');
    await ef.restart(async () => {
      await expect(widget.dialog.getByText(/Reconnecting/)).toBeVisible();
      await widget.say(down);
      // Freeze the page's timers: socket.io's own backoff cannot fire now.
      await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);
    });
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect(widget.dialog.getByText(/Reconnecting/)).toHaveCount(0);
    await page.clock.resume();
    await expect(widget.log.getByText(reply(down))).toBeVisible();
    const sends = () => widget.received('expertflow').filter((f) => f.name === 'sendMessage' && (f.payload as { text?: unknown }).text === down);
    await expect.poll(() => sends().length).toBe(1);
    await expect(widget.log.getByText(down, { exact: true })).toHaveCount(1);
  });

  test('ExpertFlow: duplicated and stale out-of-order frames are shown once, in order', async ({ widget, sandbox }) => {
    const ef = withHook(sandbox, 'expertflow', 'garble');
    await widget.load('expertflow', { prechat: 'name,subject', subjects: 'Billing,ADSL' });
    await widget.launcher.click();
    await widget.dialog.getByLabel('Your name').fill('Kashif');
    await widget.dialog.getByLabel('Topic').selectOption('ADSL');
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.log.getByText(/How can I help you today\?/)).toBeVisible();
    ef.garble(true);
    try {
      const a = unique('first');
      const b = unique('second');
      await widget.say(a);
      await expect(widget.log.getByText(reply(a))).toBeVisible();
      await widget.say(b);
      await expect(widget.log.getByText(reply(b))).toBeVisible();
      await expect(widget.log.getByText(reply(a))).toHaveCount(1);
      await expect(widget.log.getByText(reply(b))).toHaveCount(1);
      await expect(widget.log.getByText(a, { exact: true })).toHaveCount(1);
      const text = (await widget.log.textContent()) ?? '';
      // First occurrences: each visitor line is on screen before the reply that quotes it.
      const order = [a, reply(a), b, reply(b)].map((s) => text.indexOf(s));
      expect(order).not.toContain(-1);
      expect(order).toEqual([...order].sort((x, y) => x - y));
    } finally {
      ef.garble(false);
    }
  });

  test('relay (Diyalog): offline for 5 s with the socket cut; back online it resumes at once, the lines typed meanwhile go once, in order', async ({
    widget,
    page,
    sandbox,
  }) => {
    const diyalog = withHook(sandbox, 'diyalog', 'dropClients');
    await countSockets(page);
    await page.clock.install();
    await startDiyalogChat(widget);
    await page.context().setOffline(true);
    // Chromium's offline emulation leaves an open WebSocket up: the relay cuts it too.
    diyalog.dropClients();
    await expect(widget.dialog.getByText(/Reconnecting \(attempt \d+\)/)).toBeVisible();
    const first = unique('first, typed while offline');
    const second = unique('second, typed while offline');
    await widget.say(first);
    await widget.say(second);
    await outage(page);
    expect(diyalogGot(widget, first) + diyalogGot(widget, second)).toBe(0);
    await page.context().setOffline(false);
    // Back at once on `online` (the page's timers are frozen: no backoff can fire).
    await expect(widget.dialog.getByText(/Reconnecting/)).toHaveCount(0);
    await page.clock.resume();
    await expect(widget.log.getByText(reply(second))).toBeVisible();
    await expect.poll(() => diyalogSent(widget).filter((t) => t === first || t === second)).toEqual([first, second]);
    await expect(widget.log.getByText(reply(first))).toHaveCount(1);
    await expect(widget.log.getByText(first, { exact: true })).toHaveCount(1);
    await expect(widget.log.getByText(second, { exact: true })).toHaveCount(1);
    await expect(widget.log.getByText('Not delivered')).toHaveCount(0);
  });

  test('relay (Diyalog): the socket drops as a line goes out; the line reaches Diyalog once, its answer is shown once, the chat goes on', async ({
    widget,
    page,
    sandbox,
  }) => {
    const diyalog = withHook(sandbox, 'diyalog', 'dropClients');
    await countSockets(page);
    await startDiyalogChat(widget);
    const opened = (await sockets(page)).length;
    const asked = unique('asked as the socket dropped');
    await widget.say(asked);
    // Whether the relay had the command or not when the socket went, it must arrive exactly once.
    expect(diyalog.dropClients()).toBe(1);
    await expect(widget.log.getByText(reply(asked))).toBeVisible();
    await expect(widget.dialog.getByText(/Reconnecting/)).toHaveCount(0);
    expect((await sockets(page)).length).toBe(opened + 1); // it did reconnect, once
    const next = unique('after the reconnect');
    await widget.say(next);
    await expect(widget.log.getByText(reply(next))).toBeVisible();
    expect(diyalogSent(widget).filter((t) => t === asked || t === next)).toEqual([asked, next]);
    await expect(widget.log.getByText(reply(asked))).toHaveCount(1);
    await expect(widget.log.getByText(asked, { exact: true })).toHaveCount(1);
    await expect(widget.log.getByText('Not delivered')).toHaveCount(0);
  });

  for (const vendor of ['omnidesk', 'diyalog'] as const) {
    const { start, got, fillAgain } = RELAYED[vendor];

    test(`relay (${vendor}): the tab sleeps, its socket dies; on wake it reconnects at once and the answer sent meanwhile arrives once`, async ({
      widget,
      page,
      sandbox,
    }) => {
      const relayed = withHook(sandbox, vendor, 'dropClients');
      await countSockets(page);
      await page.clock.install();
      await start(widget);
      const asked = unique('asked before sleeping');
      await widget.say(asked);
      // The laptop lid closes: the tab is hidden, its timers frozen, the socket dies under it.
      await setVisible(page, false);
      await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);
      const opened = (await sockets(page)).length;
      relayed.dropClients();
      await expect(widget.dialog.getByText(/Reconnecting/)).toBeVisible();
      // Meanwhile the agent answers into the relay's session.
      await expect.poll(() => got(widget, asked)).toBe(1);
      expect((await sockets(page)).length).toBe(opened); // asleep: no try yet
      // Wake: a big clock jump and the tab visible again → a try at once, the session resumed.
      await setVisible(page, true);
      await expect.poll(async () => (await sockets(page)).length).toBe(opened + 1);
      await page.clock.resume();
      await expect(widget.dialog.getByText(/Reconnecting/)).toHaveCount(0);
      await expect(widget.log.getByText(reply(asked))).toBeVisible();
      await expect(widget.log.getByText(reply(asked))).toHaveCount(1);
      expect(got(widget, asked)).toBe(1);
    });

    test(`relay (${vendor}) restarted mid-chat, memory store: the chat ends and says why, the line typed meanwhile is not delivered, a new chat works`, async ({
      widget,
      sandbox,
    }) => {
      const relayed = withHook(sandbox, vendor, 'restart');
      await start(widget);
      const down = unique('typed while the relay was down');
      await relayed.restart(async () => {
        await expect(widget.dialog.getByText(/Reconnecting \(attempt \d+\)/)).toBeVisible();
        await widget.say(down);
        await expect(widget.log.getByText(down, { exact: true })).toBeVisible();
      });
      // The restarted relay verifies the old token but has no such session (memory store).
      await expect(widget.log.getByText(/The connection was lost and the chat could not be resumed/)).toBeVisible();
      await expect(widget.dialog.getByText(/Reconnecting/)).toHaveCount(0);
      await expect(widget.log.getByText('Not delivered')).toHaveCount(1);
      expect(got(widget, down)).toBe(0);
      if (vendor === 'diyalog') {
        // The relay going down closed the online help rather than leave the representative waiting
        // (and any an earlier test left open in this worker's sandbox).
        expect(widget.received('diyalog').filter((f) => f.name === 'closeMessaging').length).toBeGreaterThanOrEqual(1);
      }

      await widget.dialog.getByRole('button', { name: 'Start a new chat' }).click();
      await fillAgain(widget);
      await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
      await expect(widget.log.getByText(/How can I help you today\?/)).toBeVisible();
      const after = unique('in the new chat');
      await widget.say(after);
      await expect(widget.log.getByText(reply(after))).toBeVisible();
      await expect.poll(() => got(widget, after)).toBe(1);
      // The undelivered line stays undelivered: nothing went out into the new chat behind the visitor's back.
      expect(got(widget, down)).toBe(0);
    });
  }
});
