/**
 * The playground (issue 26): a person answers the demo's chat from the agent console (/agent)
 * on every vendor, each event button reaches the visitor's widget, and the wire inspector
 * shows the vendor's frames both ways.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, test, Widget } from './fixtures';
import { START_CHAT, START_OPTIONS } from './journeys';
import type { SandboxVendor } from '../src/server/sandbox/main';

/** One console button and what the visitor sees once it is pressed. */
interface EventCheck {
  button: string;
  seen: (w: Widget) => Locator;
  /** The frame the inspector then shows: its name and a piece of its payload. */
  frame?: [string, string];
}

const joined = (name: string) => (w: Widget) => w.log.getByText(`${name} joined the chat`).first();
const typing = (w: Widget) => w.root.getByText(/is typing…$/);
const ended = (w: Widget) => w.dialog.getByText(/ended the chat|The chat has ended/).first();

/** Before the join (wait screen), after it, and the wire names the inspector must show. */
/**
 * `typing`: the console shows the visitor's typing ('shown', with the frame that carried it
 * when given), or says why it cannot ('unseen': the vendor's protocol carries none).
 */
const PLAN: Record<
  SandboxVendor,
  { before: EventCheck[]; join?: EventCheck; after: EventCheck[]; end: EventCheck; wire: [RegExp, RegExp]; typing: 'shown' | 'unseen'; typingFrame?: [string, string] }
> = {
  whoson: {
    before: [
      { button: 'Queue position', seen: (w) => w.dialog.getByText(/You are (number 2 of 5 in the queue|in position 2 of 5)/).first() },
      { button: 'Waiting line', seen: (w) => w.dialog.getByText('One moment please...') },
    ],
    join: { button: 'Join', seen: joined('Alex Morgan') },
    after: [
      { button: 'Typing', seen: typing },
      { button: 'Transfer', seen: joined('Sam Lee') },
      { button: 'Ask for a file', seen: (w) => w.log.getByText(/The agent asked you for a file/) },
      { button: 'Ask for a field', seen: (w) => w.dialog.getByText('Please enter the order number:') },
      // WhosOn asks for a rating as a dynamic survey field of type "rating" (requestfield).
      {
        button: 'Rating request',
        seen: (w) => w.dialog.getByRole('radiogroup', { name: 'Please rate your chat experience:' }),
        frame: ['requestfield', '"FieldType":"rating"'],
      },
    ],
    end: { button: 'End (agent)', seen: ended },
    wire: [/→ in ws Hello/, /← out ws operatorjoined/],
    typing: 'shown',
    typingFrame: ['StartTyping', ''],
  },
  expertflow: {
    before: [],
    join: { button: 'Join', seen: joined('Alex Morgan') },
    after: [
      { button: 'Typing', seen: typing },
      // The agent at the desk leaves (participantLeft) and another joins under a new id.
      { button: 'Transfer', seen: joined('Sam Lee'), frame: ['messageArrived', '"activityType":"participantLeft"'] },
      { button: 'Send a file', seen: (w) => w.log.getByRole('img', { name: 'invoice.png' }) },
    ],
    end: { button: 'End (timeout)', seen: ended },
    wire: [/→ in socket\.io /, /← out socket\.io messageArrived/],
    typing: 'shown',
    typingFrame: ['sendMessage', '"activityType":"typing"'],
  },
  'expertflow-cx': {
    before: [],
    join: { button: 'Join', seen: joined('Alex Morgan') },
    after: [
      { button: 'Typing', seen: typing },
      { button: 'Waiting line', seen: (w) => w.log.getByText('One moment please...') },
      { button: 'Transfer', seen: joined('Sam Lee') },
      { button: 'Send a file', seen: (w) => w.log.getByRole('img', { name: 'invoice.png' }) },
    ],
    end: { button: 'End (agent)', seen: ended },
    wire: [/→ in socket\.io MESSAGE_RECEIVED/, /← out socket\.io MESSAGE_RECEIVED/],
    typing: 'shown',
    typingFrame: ['MESSAGE_RECEIVED', 'TYPING_STARTED'],
  },
  tencent: {
    before: [],
    join: { button: 'Join', seen: (w) => w.log.getByText(/Alex Morgan/).first() },
    after: [
      { button: 'Typing', seen: typing },
      { button: 'Branch menu (src 15)', seen: (w) => w.log.getByRole('group', { name: 'How can we help?' }).last() },
      { button: 'Form (src 21)', seen: (w) => w.log.getByText('What do you like to eat?') },
      { button: 'Card (src 22)', seen: (w) => w.log.getByRole('link', { name: 'Open Confab Pro' }) },
      { button: 'Robot message (src 29)', seen: (w) => w.log.getByText('Frequently asked questions').last() },
      { button: 'Rating request', seen: (w) => w.log.getByText(/please evaluate this service/).first() },
    ],
    end: { button: 'End (agent)', seen: ended },
    wire: [/→ in tencent text/, /← out tencent message TIMCustomElem/],
    typing: 'unseen',
  },
  omnidesk: {
    before: [],
    after: [
      { button: 'Typing', seen: typing },
      { button: 'Send a file', seen: (w) => w.log.getByRole('img', { name: 'invoice.png' }) },
    ],
    end: { button: 'End (agent)', seen: ended },
    wire: [/→ in http POST \/api\/v2\/chat\/notifyUserNewChatMessage/, /← out hookpoint POST messageForCustomer/],
    // After the visitor's first line ('Hello there'): the relay stops typing at each line, so the
    // next keystroke reaches Omnidesk again.
    typing: 'shown',
    typingFrame: ['notifyUserNewChatEvent', 'startedtyping'],
  },
  diyalog: {
    before: [],
    join: { button: 'Join', seen: (w) => w.dialog.getByText(/Alex Morgan/).first() },
    after: [{ button: 'Typing', seen: typing }],
    end: { button: 'End (agent)', seen: ended },
    wire: [/→ in ws sendMessage/, /← out sdk message/],
    typing: 'unseen',
  },
};

async function hold(page: Page, url: string, vendor: SandboxVendor, on: boolean): Promise<void> {
  const res = await page.request.post(`${url}/__sandbox/desk/hold?vendor=${vendor}`, { data: String(on) });
  expect(res.ok()).toBe(true);
}

for (const vendor of Object.keys(PLAN) as SandboxVendor[]) {
  test(`${vendor}: a person answers from the agent console`, async ({ widget, page, context, sandbox }) => {
    // Every event of a vendor, one after another, with two pages open: up to a minute on a busy machine.
    test.slow();
    const plan = PLAN[vendor];
    const desk = await context.newPage();
    await desk.goto(`${sandbox.url}/agent?vendor=${vendor}`);
    const holdBox = desk.getByRole('checkbox', { name: 'Answer new chats myself (no script)' });
    await expect(holdBox).not.toBeChecked();
    await Promise.all([desk.waitForResponse(/\/__sandbox\/desk\/hold/), holdBox.check()]);
    try {
      await widget.load(vendor, START_OPTIONS[vendor]);
      await widget.launcher.click();
      await START_CHAT[vendor](widget);
      // Omnidesk's desk hears of a chat with its first line.
      if (vendor === 'omnidesk') await widget.say('Hello there');
      const status = desk.getByRole('status');
      await expect(status).toHaveText(/^Chat \d+: you hold this chat\.$/);
      const events = desk.getByRole('group', { name: 'Events' });
      const frames = desk.getByRole('list', { name: 'Frames' });
      const frame = ([name, part]: [string, string]) => frames.locator('li').filter({ hasText: name }).filter({ hasText: part }).first();
      const press = async (check: EventCheck) => {
        await events.getByRole('button', { name: check.button, exact: true }).click();
        await expect(check.seen(widget)).toBeVisible();
        if (check.frame) await expect(frame(check.frame)).toBeVisible();
      };
      for (const check of plan.before) await press(check);
      if (plan.join) await press(plan.join);

      // A line answered by a person, and the visitor's line on the console.
      await desk.getByRole('textbox', { name: 'Reply' }).fill('Hello, I am a real person.');
      await desk.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(widget.log.getByText('Hello, I am a real person.')).toBeVisible();
      if (plan.typing === 'shown') {
        // The vendor tells the agent the visitor is typing (WhosOn: StartTyping, and what: Preview).
        await widget.message.pressSequentially('Where');
        await expect(desk.getByText(/^The visitor is typing…/)).toBeVisible();
        if (plan.typingFrame) await expect(frame(plan.typingFrame)).toBeVisible();
        await widget.message.fill('');
      } else if (plan.typing === 'unseen') {
        await expect(desk.getByText(/cannot show the visitor's typing: /)).toBeVisible();
      }
      await widget.say('Where is my parcel?');
      await expect(desk.getByRole('log', { name: 'Conversation' }).getByText('Visitor: Where is my parcel?')).toBeVisible();

      for (const check of plan.after) await press(check);
      await press(plan.end);
      await expect(status).toHaveText(/ended\.$/);

      // The wire inspector: the widget's frames in, the server's frames out.
      for (const name of plan.wire) await expect(frames.getByText(name).first()).toBeVisible();
      // Only the chat in progress: every frame placed in a chat is this chat's (frames that belong
      // to no chat yet, such as a login, carry no tag); "All chats" shows at least as many.
      const key = await frames.getAttribute('data-chat');
      expect(key).toBeTruthy();
      const tags = await frames.locator('li[data-chat]').evaluateAll((items) => items.map((li) => li.getAttribute('data-chat')));
      expect(tags.length).toBeGreaterThan(0);
      expect([...new Set(tags)]).toEqual([key]);
      const shown = await frames.locator('li').count();
      await desk.getByRole('checkbox', { name: 'All chats' }).check();
      expect(await frames.locator('li').count()).toBeGreaterThanOrEqual(shown);
    } finally {
      await hold(desk, sandbox.url, vendor, false);
    }
  });
}

test('the wire inspector shows the chat in progress, not another chat\'s frames', async ({ widget, browser, context, sandbox }) => {
  const desk = await context.newPage();
  await desk.goto(`${sandbox.url}/agent?vendor=whoson`);
  const frames = desk.getByRole('list', { name: 'Frames' });
  await widget.load('whoson');
  await widget.launcher.click();
  await START_CHAT.whoson(widget);
  await widget.say('First visitor, line A1');
  await expect(frames.getByText(/First visitor, line A1/).first()).toBeVisible();

  // A second visitor (their own browser) starts the chat the console now follows.
  const other = await browser.newContext();
  try {
    const second = new Widget(await other.newPage(), sandbox);
    await second.load('whoson');
    await second.launcher.click();
    await START_CHAT.whoson(second);
    await second.say('Second visitor, line B2');
    await expect(frames.getByText(/Second visitor, line B2/).first()).toBeVisible();
    await expect(frames.getByText(/First visitor, line A1/)).toHaveCount(0);
    // "All chats" shows the first chat's frames again.
    await desk.getByRole('checkbox', { name: 'All chats' }).check();
    await expect(frames.getByText(/First visitor, line A1/).first()).toBeVisible();
  } finally {
    await other.close();
  }
});

test('the configurator switches theme, locale, position and mode; the widget and the snippet follow', async ({ widget, page }) => {
  await widget.load('whoson');
  const form = page.getByRole('region', { name: 'Configure the widget' });
  const snippet = page.locator('#snippet');
  await expect(snippet).toContainText('data-server="wss://chat.example.com:8009"');
  // A site owner's snippet: no loopback address, no development-only attribute.
  await expect(snippet).not.toContainText('127.0.0.1');
  await expect(snippet).not.toContainText('data-sandbox');

  // Theme, before the chat window's code has loaded: the page reloads with it.
  await form.getByLabel('Theme').selectOption('dark');
  await page.waitForURL(/data-theme=dark/);
  await expect(widget.root).toHaveAttribute('data-theme', 'dark');
  await expect(snippet).toContainText('data-theme="dark"');

  // Position (a new widget: reloads): the launcher moves to the left edge.
  await form.getByLabel('Position').selectOption('left');
  await page.waitForURL(/data-position=left/);
  await expect(snippet).toContainText('data-position="left"');
  await expect(widget.root).toHaveAttribute('data-theme', 'dark');
  const launcher = widget.root.getByRole('button', { name: /^(Open chat|Chat öffnen)/ });
  await expect(launcher).toBeVisible();
  const box = await launcher.boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  expect(box && box.x + box.width / 2 < width / 2).toBe(true);

  // With the window open (its code loaded), theme and language apply live: same document
  // (a mark set on it stays), the widget follows, the address and the snippet too.
  await launcher.click();
  await expect(widget.dialog).toBeVisible();
  await page.evaluate(() => document.documentElement.setAttribute('data-test-mark', 'same-page'));
  await form.getByLabel('Theme').selectOption('auto');
  await expect(widget.root).toHaveAttribute('data-theme', 'auto');
  await expect(snippet).toContainText('data-theme="auto"');
  await form.getByLabel('Language').selectOption('de');
  await expect(widget.root.getByRole('button', { name: 'Chat schließen' }).first()).toBeVisible();
  await expect(snippet).toContainText('data-locale="de"');
  await expect(page.getByText('Applied live: locale.')).toBeVisible();
  await expect(page).toHaveURL(/data-theme=auto.*data-locale=de/);
  await expect(page.locator('html')).toHaveAttribute('data-test-mark', 'same-page');
  await widget.root.getByRole('button', { name: 'Chat schließen' }).first().click();
  await expect(launcher).toBeVisible();

  // Mode needs a new widget: the page reloads; the window opens in an iframe of embed.html,
  // in German, with the live choices kept.
  await form.getByLabel('Mode').selectOption('iframe');
  await page.waitForURL(/data-mode=iframe/);
  await expect(page.locator('html')).not.toHaveAttribute('data-test-mark', 'same-page');
  await expect(snippet).toContainText('data-mode="iframe"');
  await expect(snippet).toContainText('data-theme="auto"');
  await expect(snippet).toContainText('data-locale="de"');
  await launcher.click();
  await expect(page.frameLocator('confab-chat >> iframe').getByRole('dialog')).toBeVisible();
  await expect(widget.root.getByRole('button', { name: 'Chat schließen' })).toBeVisible();

  // The copy button copies exactly the snippet shown.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy snippet' }).click();
  await expect(page.getByRole('status').filter({ hasText: /Copied|Selected/ })).toBeVisible();
});

test('the demo lists only what the sandbox agent does on each vendor', async ({ widget, page }) => {
  await widget.load('whoson');
  const can = page.locator('#can-do');
  await expect(can.getByText('order', { exact: true })).toBeVisible();
  await expect(can.getByText('human', { exact: true })).toHaveCount(0);
  await widget.load('tencent');
  await expect(can.getByText('human', { exact: true })).toBeVisible();
  await expect(can.getByText('order', { exact: true })).toHaveCount(0);
  await expect(page.locator('#available-note')).toContainText('no-agent-online flag (src 18)');
  await expect(page.getByRole('link', { name: 'Open the agent console' })).toHaveAttribute('href', '/agent?vendor=tencent');
});

test('the demo page and the agent console pass axe', async ({ widget, page, context, sandbox }) => {
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
  await widget.load('whoson', { title: 'Talk to us' });
  await expect(page.locator('#snippet')).toContainText('data-title="Talk to us"');
  const demo = await new AxeBuilder({ page }).exclude('confab-chat').withTags(tags).analyze();
  expect(demo.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  const desk = await context.newPage();
  await desk.goto(`${sandbox.url}/agent?vendor=whoson`);
  await expect(desk.getByRole('status')).toHaveText(/^(No chat yet|Chat \d+)/);
  const console = await new AxeBuilder({ page: desk }).withTags(tags).analyze();
  expect(console.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
});
