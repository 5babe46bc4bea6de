/**
 * Omnidesk is server-to-server, so the widget (data-vendor=omnidesk, data-relay) talks to the
 * relay, and the relay to the Omnidesk simulator. What a visitor sees is asserted in the page;
 * what Omnidesk was told is asserted from the simulator's received log. That log is shared by
 * every test of a worker, so each test picks out its own conversation by a unique name.
 */
import type { Page } from '@playwright/test';
import type { ReceivedFrame } from '../src/server/sandbox/types';
import { expect, test, type Widget } from './fixtures';

const NOTIFY_MESSAGE = 'POST /api/v2/chat/notifyUserNewChatMessage';
const NOTIFY_EVENT = 'POST /api/v2/chat/notifyUserNewChatEvent';
const ADD_ATTACHMENT = 'POST /api/v2/chat/addAttachment';

type Fields = Record<string, unknown>;
const fields = (f: ReceivedFrame): Fields => f.payload as Fields;

/** The chatSessionID Omnidesk learnt from the first message, whose pre-chat summary names the visitor. */
async function chatSessionOf(widget: Widget, visitorName: string): Promise<string> {
  let id = '';
  await expect
    .poll(() => {
      const hit = widget.received('omnidesk').find((f) => f.name === NOTIFY_MESSAGE && String(fields(f).message).includes(visitorName));
      id = hit ? String(fields(hit).chatSessionID) : '';
      return id;
    })
    .not.toBe('');
  return id;
}

/** Everything the simulator received that carries this conversation's id (under either name). */
function callsOf(widget: Widget, chatSessionID: string, name: string): Fields[] {
  return widget
    .received('omnidesk')
    .filter((f) => f.name === name && (fields(f).chatSessionID === chatSessionID || fields(f).sessionID === chatSessionID))
    .map(fields);
}

/** Texts of the visitor's lines Omnidesk received, in arrival order, with their numbers. */
function numberedLines(widget: Widget, chatSessionID: string): { n: number; message: string }[] {
  return callsOf(widget, chatSessionID, NOTIFY_MESSAGE).map((f) => ({ n: Number(f.messageNumber), message: String(f.message) }));
}

/**
 * Whether a text ever appeared in the widget since this was installed. The agent's typing
 * indicator shows for well under a second at test speed; a MutationObserver in the shadow
 * root sees it however briefly it is there, where polling could step over it.
 */
async function watchFor(page: Page, text: string): Promise<() => Promise<boolean>> {
  const key = `__seen_${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ({ key, text }) => {
      const root = document.querySelector('confab-chat')?.shadowRoot;
      const w = window as unknown as Record<string, boolean>;
      w[key] = false;
      if (!root) return;
      const check = () => {
        if (root.textContent?.includes(text)) w[key] = true;
      };
      new MutationObserver(check).observe(root, { subtree: true, childList: true, characterData: true });
      check();
    },
    { key, text },
  );
  return () => page.evaluate((k) => (window as unknown as Record<string, boolean>)[k] === true, key);
}

/** A visitor name no other test of this worker's sandbox uses (repeats included). */
const uniqueName = (name: string): string => `${name} ${Math.random().toString(36).slice(2, 8)}`;

async function startChat(widget: Widget, name: string, email: string): Promise<void> {
  await widget.load('omnidesk');
  await widget.launcher.click();
  await expect(widget.dialog).toBeVisible();
  const nameField = widget.dialog.getByLabel('Your name');
  await expect(nameField).toBeVisible();
  await nameField.fill(name);
  await widget.dialog.getByLabel('Email (optional)').fill(email);
  await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(widget.log.getByText('Alex Morgan joined the chat')).toBeVisible();
  await expect(widget.log.getByText(/my name is Alex\. How can I help you today\?/)).toBeVisible();
}

test.describe('Omnidesk through the relay, via the real script tag', () => {
  // The simulator follows Omnidesk's API specification and logs every request that breaks it.
  test.afterEach(({ widget }) => {
    expect(widget.received('omnidesk').filter((f) => f.channel === 'violation').map((f) => f.payload)).toEqual([]);
  });

  test('with no agents available, the visitor leaves a message that Omnidesk files as a chatbot log', async ({ widget, sandbox }) => {
    sandbox.setAvailable(false);
    await widget.load('omnidesk');
    await widget.launcher.click();
    await expect(widget.dialog.getByText('Nobody is available to chat right now')).toBeVisible();
    await expect(widget.dialog.getByRole('heading', { name: 'Leave us a message' })).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Start chat' })).toHaveCount(0);

    const name = uniqueName('Olive Offline');
    const email = `${name.split(' ')[2]}@test.com`;
    await widget.dialog.getByLabel(/^Name/).fill(name);
    await widget.dialog.getByLabel(/^Email/).fill(email);
    await widget.dialog.getByLabel(/^Your message/).fill('Please call me back about my invoice');
    await widget.dialog.getByRole('button', { name: 'Send message' }).click();
    await expect(widget.dialog.getByRole('status').getByText('Thank you. We will get back to you soon.')).toBeVisible();

    let log: Fields | undefined;
    await expect
      .poll(() => (log = widget.received('omnidesk').map(fields).find((f) => f.from === email)))
      .toBeTruthy();
    expect(log).toMatchObject({ subject: `Message from ${name}`, chatAccountToken: expect.any(String) });
    expect(String(log?.message)).toContain('Please call me back about my invoice');
    expect(String(log?.message)).toContain(`- **Name**: ${name}`);
    const chatbot = widget.received('omnidesk').filter((f) => f.name === 'POST /api/v2/message/chatbot' && fields(f).from === email);
    expect(chatbot).toHaveLength(1);
    // Nobody was there, so no live chat was opened upstream.
    expect(widget.received('omnidesk').some((f) => f.name === NOTIFY_MESSAGE && String(fields(f).message).includes(name))).toBe(false);
  });

  test('a visitor chats with typing and files both ways, minimises and expands, until the agent says goodbye', async ({
    widget,
    page,
    sandbox,
  }) => {
    // Slow enough that each scripted step is its own frame; typing is caught by an observer.
    sandbox.tune({ delayScale: 0.3, queueFrom: 0 });
    const name = uniqueName('Tina Typist');
    await startChat(widget, name, 'tina@test.com');
    const id = await chatSessionOf(widget, name);
    expect(numberedLines(widget, id)[0]).toMatchObject({ n: 1, message: expect.stringContaining('**email**: tina@test.com') });

    // Visitor typing reaches Omnidesk as startedtyping, then stoppedtyping after the idle pause.
    await widget.message.pressSequentially('Hel');
    await expect.poll(() => callsOf(widget, id, NOTIFY_EVENT).map((f) => f.event)).toEqual(['startedtyping']);
    await expect.poll(() => callsOf(widget, id, NOTIFY_EVENT).map((f) => f.event), { timeout: 6000 }).toEqual([
      'startedtyping',
      'stoppedtyping',
    ]);

    // Agent typing shows the indicator before the answer lands.
    const sawTyping = await watchFor(page, 'Alex Morgan is typing…');
    await widget.message.fill('');
    await widget.say('My parcel is late');
    await expect(widget.log.getByText('My parcel is late', { exact: true })).toBeVisible();
    await expect(widget.log.getByText(/I understand: "My parcel is late"/)).toBeVisible();
    expect(await sawTyping()).toBe(true);
    await expect(widget.root.getByText('Alex Morgan is typing…')).toHaveCount(0);

    // The visitor attaches a file through the "Attach file" control.
    const chooser = page.waitForEvent('filechooser');
    await widget.dialog.getByRole('button', { name: 'Attach file' }).click();
    await (await chooser).setFiles({ name: 'receipt.txt', mimeType: 'text/plain', buffer: Buffer.from('order 4711, paid') });
    await expect(widget.log.getByRole('link', { name: 'receipt.txt' })).toBeVisible();
    await expect.poll(() => callsOf(widget, id, ADD_ATTACHMENT).map((f) => f.file)).toEqual([
      { name: 'receipt.txt', mime: 'text/plain', size: 16 },
    ]);
    const ownFile = await widget.log.getByRole('link', { name: 'receipt.txt' }).getAttribute('href');

    // The agent sends one: shown as an image, downloadable only with this session's signature.
    await widget.say('please attach the invoice');
    await expect(widget.log.getByText('Here is the invoice you asked for.')).toBeVisible();
    const image = widget.log.getByRole('img', { name: 'invoice.png' });
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(28); // the sandbox's 28×28 picture
    const url = new URL((await image.getAttribute('src')) ?? '');
    const download = await page.request.get(url.href);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-disposition']).toMatch(/^attachment; filename\*=UTF-8''invoice\.png$/);
    expect(download.headers()['x-content-type-options']).toBe('nosniff');
    expect((await download.body()).subarray(1, 4).toString()).toBe('PNG');
    const unsigned = new URL(url);
    unsigned.search = '';
    expect((await page.request.get(unsigned.href)).status()).toBe(403);
    // A signature that is genuine, but for another file, opens nothing.
    const borrowed = new URL(url);
    borrowed.searchParams.set('sig', new URL(ownFile ?? '').searchParams.get('sig') ?? '');
    expect((await page.request.get(borrowed.href)).status()).toBe(403);

    // Minimise and expand the window: Omnidesk hears both.
    await widget.dialog.getByRole('button', { name: 'Minimise chat' }).click();
    await expect(widget.dialog).toBeHidden();
    await expect.poll(() => callsOf(widget, id, NOTIFY_EVENT).map((f) => f.event).slice(-1)).toEqual(['minimizedchat']);
    await widget.launcher.click();
    await expect(widget.dialog).toBeVisible();
    await expect.poll(() => callsOf(widget, id, NOTIFY_EVENT).map((f) => f.event).slice(-1)).toEqual(['expandedchat']);

    // The agent ends the chat.
    await widget.say('bye');
    await expect(widget.log.getByText('Thank you for chatting with us. Goodbye!')).toBeVisible();
    await expect(widget.log.getByText('Alex Morgan ended the chat')).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
    await expect(widget.message).toHaveCount(0);

    // One conversation, numbered 1, 2, 3… in order.
    const lines = numberedLines(widget, id);
    expect(lines.map((l) => l.n)).toEqual([1, 2, 3, 4]);
    expect(lines.slice(1).map((l) => l.message)).toEqual(['My parcel is late', 'please attach the invoice', 'bye']);
  });

  test('a reload mid-chat continues the same Omnidesk conversation, numbered in order, with no duplicates', async ({
    widget,
    page,
    sandbox,
  }) => {
    sandbox.tune({ delayScale: 0.15, queueFrom: 0 });
    const name = uniqueName('Rita Reload');
    await startChat(widget, name, 'rita@test.com');
    const id = await chatSessionOf(widget, name);
    await widget.say('first question');
    await expect(widget.log.getByText(/I understand: "first question"/)).toBeVisible();

    await page.reload();
    await expect(widget.dialog).toBeVisible();
    await expect(widget.log.getByText(/I understand: "first question"/)).toBeVisible();
    await widget.say('second question');
    await expect(widget.log.getByText(/I understand: "second question"/)).toBeVisible();
    await widget.say('third question');
    await expect(widget.log.getByText(/I understand: "third question"/)).toBeVisible();

    // Each line once in the log, after the reload too.
    for (const text of ['first question', 'second question', 'third question']) {
      await expect(widget.log.getByText(text, { exact: true })).toHaveCount(1);
      await expect(widget.log.getByText(new RegExp(`I understand: "${text}"`))).toHaveCount(1);
    }
    await expect(widget.log.getByText('Alex Morgan joined the chat')).toHaveCount(1);
    await expect(widget.log.getByText(/How can I help you today\?/)).toHaveCount(1);

    // Omnidesk saw one conversation: every line under the same chatSessionID, numbered in order.
    const mine = widget
      .received('omnidesk')
      .filter((f) => f.name === NOTIFY_MESSAGE)
      .filter((f) => [name, 'first question', 'second question', 'third question'].some((t) => String(fields(f).message).includes(t)));
    expect(new Set(mine.map((f) => fields(f).chatSessionID))).toEqual(new Set([id]));
    expect(numberedLines(widget, id)).toEqual([
      { n: 1, message: expect.stringContaining(name) },
      { n: 2, message: 'first question' },
      { n: 3, message: 'second question' },
      { n: 4, message: 'third question' },
    ]);
  });
});
