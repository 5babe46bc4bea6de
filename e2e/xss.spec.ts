/**
 * Hostile vendor content, in Chromium: every vector of test/fixtures/xss/vectors.ts goes
 * through every text, HTML, name and label field the simulators can fill for each vendor,
 * and every URL-shaped vector through every URL field (see ScriptedAgentOptions.inject and
 * FIELDS below). No script may run, no handler or dangerous URL may reach the DOM, and
 * name and label fields must show the vector as literal text.
 */
import type { SandboxVendor } from '../src/server/sandbox/main';
import { auditWidget, installTraps, recordAnnouncements, SENTINEL } from '../test/fixtures/xss/audit';
import { TRAPPED_GLOBALS, XSS_VECTORS } from '../test/fixtures/xss/vectors';
import type { Page } from '@playwright/test';
import { expect, test, type Widget } from './fixtures';

/** The visitor's own hostile strings: a pre-chat name and a message. */
const VISITOR_NAME = `<img src=x onerror=alert('name')>`;
const VISITOR_LINE = `<script>alert('line')</script><svg onload=alert(2)> javascript:alert(3)`;

/**
 * URL fields get the corpus's URL-shaped vectors: its bare ones (javascript:, vbscript:,
 * data:text/html, whitespace-split and control-prefixed schemes...) and every URL attribute
 * value of its HTML ones (entity-encoded, percent-encoded, &Tab;-split schemes...).
 */
const URL_ATTR = /\s(?:xlink:)?(?:href|src|data|action|formaction|background|dynsrc|lowsrc|srcset|values|to)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const URL_VECTORS: readonly string[] = [
  ...new Set([
    ...XSS_VECTORS.filter((v) => !/^\s*</.test(v) && /:|^\/\/|&#|%[0-9a-f]{2}/i.test(v)),
    ...XSS_VECTORS.flatMap((v) => [...v.matchAll(URL_ATTR)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')).filter((v) =>
      /script|data:|&#|&[a-z]+;|%[0-9a-f]{2}/i.test(v),
    ),
  ]),
];

/**
 * The fields each vendor carries, text (every vector) and URL (every URL vector): what the
 * simulator's AgentHost and its own injector hooks fill.
 */
const FIELDS: Record<SandboxVendor, { text: string[]; url: string[] }> = {
  whoson: {
    text: [
      'operatorjoined Name', 'linesays name', 'lineo HTML', 'requestfield Prompt', 'GetImage Ext', 'GetImage Base64',
      'OpeningMessage HTML', 'ClosingMessage', 'PreChatSurvey labels', 'PreChatSurvey options', 'PostChatSurvey labels', 'PostChatSurvey options',
    ],
    url: ['lineo link and image URL', 'GetImage Base64'],
  },
  expertflow: {
    text: ['participant name', 'message text', 'image attachment name', 'file attachment name', 'attachment type'],
    url: ['image attachment contentUrl', 'file attachment contentUrl'],
  },
  tencent: {
    text: [
      'agent nick', 'text message', 'file name', 'card title', 'card description', 'branch header', 'branch item', 'branch tail',
      'options form header', 'options form option', 'text form header', 'rating title', 'rating closing', 'rating option',
    ],
    url: ['image URL', 'file URL', 'card image', 'card url', 'rating option'],
  },
  omnidesk: {
    text: ['messageForCustomer name', 'messageForCustomer message', 'uploadForCustomer file name'],
    url: ['messageForCustomer picture'],
  },
  diyalog: { text: ['agentName', 'message text'], url: [] },
  // Not in this suite yet (its simulator has no injector): the vendor loop below leaves it out.
  'expertflow-cx': { text: [], url: [] },
};
/**
 * How often the sentinel round (the last injected text) shows in the message log, every earlier
 * row paged in: names, lines, labels, cards… A form whose prompt repeats its label shows it
 * once; a Diyalog line carries the representative's name. Only the log is counted: the live
 * region drops each line after a few seconds (and keeps the newest three of a burst), so a count
 * that sampled it (as this one once did: Tencent's 18 was 14 here plus 4 spoken lines) changed
 * with how long the audit took. That the round was spoken is checked apart, from a record.
 * Omnidesk's 5: an image attachment now shows as a preview with its file name under it, beside
 * the link (issue 25 item 13). ExpertFlow's 7: the agent's name heads each of its three runs of
 * lines (a joined line comes between them), besides the joined line and the file name.
 */
const SENTINEL_SHOWN: Record<SandboxVendor, number> = { whoson: 5, expertflow: 7, tencent: 14, omnidesk: 5, diyalog: 2, 'expertflow-cx': 0 };
/** WhosOn fields only a chat refused up front shows, one URL vector per chat (see below). */
const WHOSON_OFFLINE = { text: ['OpeningMessage HTML, a few vectors at a time'], url: ['ForwardingURL', 'notaccepted forwarding URL'] };

/** Vendors whose lines carry HTML: their HTML field must go through the real sanitizer. */
const SENDS_HTML = new Set<SandboxVendor>(['whoson', 'omnidesk']);

const JOINED = /Alex Morgan joined/;

/** From the page's load (unless `opened`: the pre-chat screen is showing) to the agent's join. */
async function startChat(widget: Widget, vendor: SandboxVendor, opened = false): Promise<void> {
  const d = widget.dialog;
  if (!opened) {
    if (vendor === 'expertflow') await widget.load('expertflow', { prechat: 'name,email', subjects: '' });
    else await widget.load(vendor);
    await widget.launcher.click();
  }
  await expect(d).toBeVisible();
  if (vendor === 'whoson') await d.getByLabel('Please enter your name:').fill(VISITOR_NAME);
  if (vendor === 'expertflow' || vendor === 'omnidesk') await d.getByLabel('Your name').fill(VISITOR_NAME);
  await d.getByRole('button', { name: 'Start chat' }).click();
  if (vendor === 'tencent') {
    await widget.log.getByRole('group', { name: 'How can we help?' }).getByRole('button', { name: 'Talk to a human' }).click();
  }
  await expect(widget.log.getByText(JOINED).first()).toBeVisible({ timeout: 20_000 });
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
/**
 * Control characters are legitimately dropped or replaced on the way, and the Omnidesk relay
 * caps an agent name at 200 characters; every other vector must show verbatim.
 */
const comparable = XSS_VECTORS.filter((v) => !/[\u0000-\u0008\u000b-\u001f]/.test(v) && squash(v).length > 0 && v.length <= 200);

const totals = { vectors: XSS_VECTORS.length, tried: 0, executed: 0, handlers: 0, badUrls: 0, forbidden: 0 };

type Audit = Awaited<ReturnType<typeof auditWidget>>;
/** The audit's four verdicts: nothing ran, and nothing dangerous reached the DOM. */
function expectClean(result: Audit, dialogs: string[], where: string): void {
  expect(dialogs, `${where}: no alert/confirm/prompt dialog`).toEqual([]);
  expect(result.executed, `${where}: no trapped global was called`).toEqual([]);
  expect(result.handlers, `${where}: no on* attribute in the widget`).toEqual([]);
  expect(result.badUrls, `${where}: no javascript:/vbscript:/data:text/html URL`).toEqual([]);
  expect(result.forbidden, `${where}: no script/iframe/object/embed/base/meta/srcdoc`).toEqual([]);
}
/** Text meant as text is shown as text: each vector appears verbatim. */
function expectLiteral(result: Audit, where: string): void {
  const text = squash(result.text);
  expect(comparable.filter((v) => !text.includes(squash(v))), `${where}: vectors not shown literally`).toEqual([]);
}
function count(result: Audit, dialogs: string[]): void {
  Object.assign(totals, {
    executed: totals.executed + result.executed.length + dialogs.length,
    handlers: totals.handlers + result.handlers.length,
    badUrls: totals.badUrls + result.badUrls.length,
    forbidden: totals.forbidden + result.forbidden.length,
  });
}
/** How many times the last round's marker shows in a text. */
const sentinelsInText = (text: string): number => squash(text).split(SENTINEL).length - 1;
/** …in the message log an audit saw. */
const sentinelsIn = (r: Audit): number => sentinelsInText(r.logText);
/** …in every line the live region has announced since `recordAnnouncements`. */
const announcedSentinels = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __announced: string[] }).__announced.join(' ')).then(sentinelsInText);
const show = (r: Audit) => ({ executed: r.executed, handlers: r.handlers, badUrls: r.badUrls, forbidden: r.forbidden });

test.describe('XSS: hostile vendor and visitor content never runs', () => {
  test.describe.configure({ mode: 'parallel' });

  for (const vendor of ['whoson', 'expertflow', 'tencent', 'omnidesk', 'diyalog'] as const) {
    const fields = FIELDS[vendor];
    test(`${vendor}: ${XSS_VECTORS.length} vectors through ${fields.text.length} fields, ${URL_VECTORS.length} URL vectors through ${fields.url.length}`, async ({ widget, page, sandbox }) => {
      // Tencent pages ~1,800 rows back in before its audit: minutes on a loaded 2-core machine.
      test.setTimeout(180_000);
      const dialogs: string[] = [];
      page.on('dialog', (dlg) => {
        dialogs.push(dlg.message());
        void dlg.dismiss();
      });
      const sanitizer: string[] = [];
      page.on('requestfinished', (r) => /\/assets\/sanitizer-/.test(r.url()) && sanitizer.push(r.url()));
      await page.addInitScript(installTraps, TRAPPED_GLOBALS);
      sandbox.tune({ delayScale: 0.02, queueFrom: 0, inject: { texts: [...XSS_VECTORS, SENTINEL], urls: URL_VECTORS } });
      const audits: Audit[] = [];
      try {
        if (vendor === 'whoson') {
          // The connected payload carried the vectors: the welcome HTML and the survey's labels
          // and options are on screen before the chat starts.
          await widget.load(vendor);
          await widget.launcher.click();
          await expect(widget.dialog.getByLabel('Please enter your name:')).toBeVisible();
          await expect(widget.dialog.locator('select').first()).toBeAttached();
          const prechat = await page.evaluate(auditWidget);
          expectClean(prechat, dialogs, 'pre-chat');
          expectLiteral(prechat, 'pre-chat survey labels and options');
          audits.push(prechat);
        }
        await startChat(widget, vendor, vendor === 'whoson');
        await page.evaluate(recordAnnouncements);
        // The vectors go out once the agent has joined: by then HTML vendors hold DOMPurify, so
        // their HTML field is audited through it, not through the plain-text fallback.
        expect(sanitizer.length, 'the sanitizer chunk was fetched').toBe(SENDS_HTML.has(vendor) ? 1 : 0);
        await widget.say(VISITOR_LINE);
        await expect(widget.log.getByText(VISITOR_LINE).first()).toBeVisible();
        await widget.say('inject');
        await expect(widget.log.getByText(SENTINEL).first()).toBeVisible({ timeout: 45_000 });
        // The sentinel round is several lines (a card, a branch, a form, a rating…): wait for
        // all of them before the audit, not only the first.
        await expect.poll(async () => sentinelsIn(await page.evaluate(auditWidget)), { timeout: 20_000 }).toBeGreaterThanOrEqual(SENTINEL_SHOWN[vendor]);
        // The live region spoke the round too, as text (what it says is audited with the rest).
        await expect.poll(() => announcedSentinels(page), { timeout: 20_000 }).toBeGreaterThan(0);
      } finally {
        // The WhosOn connected payload, read at connect, keeps its vectors for the post-chat part.
        sandbox.tune({ inject: undefined });
      }
      // The log renders its newest rows; page every earlier row in so the audit sees them all.
      const earlier = widget.log.getByRole('button', { name: 'Show earlier messages' });
      while (await earlier.isVisible()) await earlier.click();
      // Hover and focus everything once, so on* handlers that survived would fire.
      await widget.log.hover();
      let result = await page.evaluate(auditWidget);
      // Rows may still be settling (a rating or form replacing its placeholder): audit again
      // until the whole sentinel round is on screen (a condition, not a count of tries).
      await expect
        .poll(async () => sentinelsIn((result = await page.evaluate(auditWidget))), { timeout: 20_000 })
        .toBeGreaterThanOrEqual(SENTINEL_SHOWN[vendor]);
      expectClean(result, dialogs, 'chat');
      // The agent's name carries each vector verbatim.
      expectLiteral(result, 'name fields');
      expect(squash(result.text)).toContain(squash(VISITOR_LINE));
      audits.push(result);

      if (vendor === 'whoson') {
        // The agent ends the chat: the closing message and the post-chat survey's labels and options.
        await widget.say('bye');
        await expect(widget.dialog.getByRole('button', { name: 'Send feedback' })).toBeVisible();
        await widget.dialog.hover();
        const postchat = await page.evaluate(auditWidget);
        expectClean(postchat, dialogs, 'post-chat');
        expectLiteral(postchat, 'post-chat survey labels and options');
        audits.push(postchat);
      }

      totals.tried += XSS_VECTORS.length * fields.text.length + URL_VECTORS.length * fields.url.length;
      audits.forEach((a, i) => count(a, i ? [] : dialogs));
      // The last round (the sentinel) reached every text field this vendor shows in the log:
      // a simulator that stopped filling one would lower the count.
      const sentinels = sentinelsIn(result);
      expect(sentinels, 'the sentinel shows in each text field of the log').toBe(SENTINEL_SHOWN[vendor]);
      console.log(
        `xss ${vendor}: ${JSON.stringify({ sentinels, vectors: XSS_VECTORS.length, fields: fields.text.length, urlVectors: URL_VECTORS.length, urlFields: fields.url.length, ...show(result) })}`,
      );
    });
  }

  // A chat refused up front shows WhosOn's forwarding URL (connected's ForwardingURL, or
  // notaccepted's "forwarding URL"): one per chat, so one chat per URL vector. Each also
  // carries a few vectors alone in the welcome HTML, where in the chat test all of them share
  // one document (and an unclosed <textarea> could hide the vectors after it).
  // Two halves, so two workers can share the chats.
  for (const half of [0, 1]) test(`whoson, half ${half + 1} of 2: ${URL_VECTORS.length} URL vectors through ${WHOSON_OFFLINE.url.length} offline fields, welcome HTML a few vectors at a time`, async ({ widget, page, sandbox }) => {
    test.setTimeout(120_000);
    const dialogs: string[] = [];
    page.on('dialog', (dlg) => {
      dialogs.push(dlg.message());
      void dlg.dismiss();
    });
    await page.addInitScript(installTraps, TRAPPED_GLOBALS);
    // Each load is a new visitor: the widget would otherwise restore the last refused chat.
    await page.addInitScript(() => {
      sessionStorage.clear();
      localStorage.clear();
    });
    const per = Math.ceil(XSS_VECTORS.length / URL_VECTORS.length);
    const results: Audit[] = [];
    try {
      const mid = Math.ceil(URL_VECTORS.length / 2);
      for (const [i, url] of URL_VECTORS.entries()) {
        if ((i < mid) !== (half === 0)) continue;
        sandbox.tune({ delayScale: 0.02, queueFrom: 0, inject: { texts: XSS_VECTORS.slice(i * per, i * per + per), urls: [url] } });
        // Operators online as the window opens (GetOperators), gone by the time the chat is asked for:
        // the server's notaccepted carries the vector (item 12 says "nobody" before the form otherwise).
        sandbox.setAvailable(true);
        await widget.load('whoson');
        await widget.launcher.click();
        const d = widget.dialog;
        await expect(d.getByText("We\u2019re online")).toBeVisible();
        sandbox.setAvailable(false);
        await d.getByLabel('Please enter your name:').fill('Visitor');
        await d.getByRole('button', { name: 'Start chat' }).click();
        await expect(d.locator('#confab-offline-reason')).toBeVisible();
        await d.hover();
        const result = await page.evaluate(auditWidget);
        expectClean(result, dialogs, `offline, URL vector ${JSON.stringify(url)}`);
        results.push(result);
      }
    } finally {
      sandbox.tune({ inject: undefined });
      sandbox.setAvailable(true);
    }
    totals.tried += results.length * (WHOSON_OFFLINE.url.length + per);
    results.forEach((r) => count(r, []));
    const all = (k: 'executed' | 'handlers' | 'badUrls' | 'forbidden') => results.flatMap((r) => r[k]);
    console.log(
      `xss whoson offline ${half + 1}/2: ${JSON.stringify({ vectors: XSS_VECTORS.length, fields: WHOSON_OFFLINE.text.length, urlVectors: URL_VECTORS.length, urlFields: WHOSON_OFFLINE.url.length, chats: results.length, executed: all('executed'), handlers: all('handlers'), badUrls: all('badUrls'), forbidden: all('forbidden') })}`,
    );
  });
});

test('the audit itself sees a planted handler, a javascript: link and a run script', async ({ widget, page }) => {
  await page.addInitScript(installTraps, TRAPPED_GLOBALS);
  await widget.load('whoson');
  await page.evaluate(() => {
    const root = document.querySelector('confab-chat')?.shadowRoot;
    root?.append(Object.assign(document.createElement('a'), { href: 'javascript:void 0' }));
    const img = document.createElement('img');
    img.setAttribute('onerror', 'alert(7)');
    img.src = 'x:';
    root?.append(img);
  });
  await expect.poll(async () => (await page.evaluate(auditWidget)).executed).toEqual(['alert(7)']);
  const result = await page.evaluate(auditWidget);
  expect(result.handlers).toHaveLength(1);
  expect(result.badUrls.length).toBeGreaterThan(0);
});
