import { readFile } from 'node:fs/promises';
import { BOT_LINES } from '../src/server/sandbox/expertflow';
import type { VendorSandbox } from '../src/server/sandbox/main';
import type { ReceivedFrame } from '../src/server/sandbox/types';
import { expect, test, type Widget } from './fixtures';

/** Every journey runs against both server generations: the real socket.io 4 and 2.5 servers. */
const GENERATIONS = [4, 2] as const;

type Payload = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const PRECHAT = { prechat: 'name,email,phone,subject', subjects: 'Billing,ADSL,Installation' };

const payloads = (widget: Widget, name: string): Payload[] =>
  widget.received('expertflow').filter((f: ReceivedFrame) => f.name === name).map((f) => f.payload as Payload);

/** The visitor's chat lines as the simulator received them (typing activities left out). */
const sentTexts = (widget: Widget): unknown[] =>
  payloads(widget, 'sendMessage')
    .filter((p) => p.type === 'ChatMessage')
    .map((p) => p.text);

async function fillPrechat(widget: Widget): Promise<void> {
  const form = widget.dialog;
  await form.getByLabel('Your name').fill('Kashif');
  await form.getByLabel('Email').fill('kashif@ef.com');
  await form.getByLabel('Phone').fill('+1343122554');
  await form.getByLabel('Topic').selectOption('ADSL');
  await form.getByRole('button', { name: 'Start chat' }).click();
}

/** The sandbox's ExpertFlow server on `socketio`, with its hooks, and its violations from now on. */
async function expertflow(sandbox: { vendors: Partial<Record<string, VendorSandbox>> }, socketio: 2 | 4) {
  const ef = sandbox.vendors.expertflow;
  if (!ef?.restart || !ef.failNextStart || !ef.socketio || !ef.botFirst || !ef.violations) {
    throw new Error('the sandbox cannot drive ExpertFlow');
  }
  await ef.socketio(socketio);
  const from = ef.violations.length;
  return { ef, restart: ef.restart, failNextStart: ef.failNextStart, botFirst: ef.botFirst, violations: () => ef.violations?.slice(from) };
}

test.describe('ExpertFlow, through the real script tag', () => {
  // The worker's sandbox is shared: leave it as the other suites expect it.
  test.afterEach(async ({ sandbox }) => {
    await sandbox.vendors.expertflow?.socketio?.(4);
    sandbox.vendors.expertflow?.botFirst?.(false);
  });

  for (const socketio of GENERATIONS) {
  test(`a visitor chats from the pre-chat form to the transcript, across a server restart (socket.io ${socketio} server)`, async ({
    widget,
    page,
    sandbox,
  }) => {
    test.setTimeout(120_000);
    // People speed: the agent's typing is on screen for most of a second.
    sandbox.tune({ delayScale: 1, queueFrom: 2 });
    const { ef, violations } = await expertflow(sandbox, socketio);
    if (!ef.restart || !ef.failNextStart) throw new Error('the sandbox cannot restart ExpertFlow');
    const before = ef.received.length;

    await widget.load('expertflow', PRECHAT);
    await widget.launcher.click();
    await expect(widget.dialog).toBeVisible();

    // The pre-chat form from data-prechat, the topic list from data-subjects; name and topic required.
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(widget.dialog.getByLabel('Your name')).toHaveAttribute('aria-invalid', 'true');
    await expect(widget.dialog.getByLabel('Topic').locator('option')).toContainText(['Billing', 'ADSL', 'Installation']);

    // The chat server is unavailable once: a clear message with Retry, then success.
    ef.failNextStart(503);
    await fillPrechat(widget);
    await expect(widget.dialog.getByText('The chat could not be started. Please try again.')).toBeVisible();
    await widget.dialog.getByRole('button', { name: 'Retry' }).click();

    // The wait screen (the document's handOff carries no queue figures), then the agent joins and greets.
    await expect(widget.dialog.getByRole('button', { name: 'Cancel' })).toBeVisible();
    await expect(widget.log.getByText(/Alex Morgan joined/)).toBeVisible();
    // The widget found the server's generation and remembers it for this page session.
    expect(await page.evaluate((key) => sessionStorage.getItem(key), `confab:expertflow:socketio:${new URL(ef.attributes.server ?? '').origin}`)).toBe(
      String(socketio),
    );
    await expect(widget.log.getByText('Hello Kashif, my name is Alex. How can I help you today?')).toBeVisible();
    await expect(widget.dialog.getByText('The chat could not be started. Please try again.')).toHaveCount(0);

    // Typing both ways, messages both ways; the echo is matched, never shown twice.
    await widget.message.pressSequentially('What is the status of my ADSL line?');
    await expect.poll(() => payloads(widget, 'sendMessage').some((p) => p.activityType === 'typing')).toBe(true);
    await widget.message.press('Enter');
    await expect(widget.dialog.getByText('Alex Morgan is typing…')).toBeVisible();
    await expect(widget.log.getByText(/"What is the status of my ADSL line\?"\. Let me check/)).toBeVisible();
    await expect(widget.dialog.getByText('Alex Morgan is typing…')).toHaveCount(0);
    await expect(widget.log.getByText('What is the status of my ADSL line?', { exact: true })).toHaveCount(1);

    // An agent attachment, rendered by its media type (an image, with its name as alt text).
    await widget.say('please attach the invoice');
    await expect(widget.log.getByText('Here is the invoice you asked for.')).toBeVisible();
    const image = widget.log.getByRole('img', { name: 'invoice.png' });
    await expect(image).toBeVisible();
    await expect(image).toHaveJSProperty('naturalWidth', 28); // the sandbox's 28×28 picture
    await expect(widget.log.getByRole('link', { name: 'invoice.png' })).toHaveAttribute('rel', /noopener/);

    // The server restarts mid-chat; a line written while it is down arrives exactly once.
    const down = 'I wrote this while you were away';
    await ef.restart(async () => {
      await expect(widget.dialog.getByText(/Reconnecting/)).toBeVisible();
      await widget.say(down);
      await expect(widget.log.getByText(down, { exact: true })).toBeVisible();
    });
    await expect(widget.log.getByText(`Thanks, I understand: "${down}". Let me check that for you.`)).toBeVisible();
    await expect(widget.dialog.getByText(/Reconnecting/)).toHaveCount(0);
    await expect(widget.log.getByText(down, { exact: true })).toHaveCount(1);
    // Every line of the visitor's was confirmed by its echo: none left pending or failed.
    await expect(widget.log.getByText(/^(Sending…|Not delivered)/)).toHaveCount(0);
    expect(sentTexts(widget).filter((t) => t === down)).toHaveLength(1);
    // Nothing said before the restart is shown twice after the rejoin's history.
    await expect(widget.log.getByText('Hello Kashif, my name is Alex. How can I help you today?')).toHaveCount(1);
    await expect(widget.log.getByRole('img', { name: 'invoice.png' })).toHaveCount(1);

    // The agent ends the chat.
    await widget.say('thanks, bye');
    await expect(widget.log.getByText('Thank you for chatting with us. Goodbye!')).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();

    // The transcript: a PDF download, then the email copy.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      widget.dialog.getByRole('button', { name: 'Download transcript' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^transcript-[\w-]+\.pdf$/);
    const pdf = await readFile(await download.path());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toContain(down);
    // The server mails the address given before the chat (the document's URL takes none): said so.
    await expect(widget.dialog.getByRole('textbox', { name: 'Email address' })).toHaveCount(0);
    const emailMe = widget.dialog.getByRole('button', { name: 'Email me the transcript' });
    await expect(emailMe).toHaveAccessibleDescription('It will be sent to kashif@ef.com.');
    await emailMe.click();
    await expect(widget.dialog.getByText('Your transcript is on its way.')).toBeVisible();

    // What the simulator received: the documented requests and events, nothing twice.
    const frames = ef.received.slice(before);
    const inits = frames.filter((f) => f.name === 'POST /api/customer/init').map((f) => f.payload as Payload);
    expect(inits).toHaveLength(2); // the 503, then the retry
    const init = inits[1] ?? {};
    expect(init).toEqual({
      firstName: 'Kashif',
      lastName: '',
      email: 'kashif@ef.com',
      phone: '+1343122554',
      channel: 'web',
      language: 'en',
      subject: 'ADSL',
      refId: '+1343122554',
      comment: '',
      url: expect.stringContaining(sandbox.url),
      requestId: expect.stringMatching(UUID),
      timestamp: expect.stringMatching(ISO),
    });
    expect(inits[0]?.requestId).not.toBe(init.requestId);
    const joins = frames.filter((f) => f.name === 'joinConversation').map((f) => f.payload as Payload);
    expect(joins).toHaveLength(2); // once, and again after the restart
    for (const join of joins) {
      expect(join).toEqual({
        conversationId: expect.any(String),
        participant: { id: expect.any(String), name: 'Kashif' },
        requestId: init.requestId,
        timestamp: expect.stringMatching(ISO),
      });
    }
    const id = String(joins[0]?.conversationId);
    expect(joins[1]?.conversationId).toBe(id);
    const sends = frames.filter((f) => f.name === 'sendMessage').map((f) => f.payload as Payload);
    expect(sends.map((p) => p.tag)).not.toContain('whisper');
    expect(sends.filter((p) => p.type === 'ChatMessage').map((p) => p.text)).toEqual([
      'What is the status of my ADSL line?',
      'please attach the invoice',
      down,
      'thanks, bye',
    ]);
    for (const p of sends.filter((s) => s.type === 'ChatMessage')) {
      expect(p).toMatchObject({ conversationId: id, requestId: init.requestId, tag: '', attachments: [] });
      expect(p.timestamp).toMatch(ISO);
    }
    expect(frames.map((f) => f.name)).toContain(`GET /api/customer/transcript/${id}/pdf`);
    const emailed = frames.find((f) => f.name === `GET /api/customer/transcript/${id}/email`);
    expect(emailed?.payload).toEqual({});
    // The agent ended it: the widget sent no endConversation of its own.
    expect(frames.filter((f) => f.name === 'endConversation')).toHaveLength(0);
    expect(violations()).toEqual([]);
  });
  }

  test('a visitor who ends the chat sends endConversation', async ({ widget, sandbox }) => {
    const ef = sandbox.vendors.expertflow;
    const before = ef?.received.length ?? 0;
    await widget.load('expertflow', PRECHAT);
    await widget.launcher.click();
    await fillPrechat(widget);
    await expect(widget.log.getByText(/How can I help you today/)).toBeVisible();
    await widget.endChat();
    await expect(widget.log.getByText('You ended the chat')).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();

    const frames = () => (ef?.received ?? []).slice(before);
    await expect.poll(() => frames().some((f) => f.name === 'endConversation')).toBe(true);
    const join = frames().find((f) => f.name === 'joinConversation')?.payload as Payload;
    const end = frames().find((f) => f.name === 'endConversation');
    expect(end?.payload).toEqual({
      conversationId: join.conversationId,
      requestId: join.requestId,
      timestamp: expect.stringMatching(ISO),
    });
    expect(frames().filter((f) => f.name === 'endConversation')).toHaveLength(1);
  });

  for (const socketio of GENERATIONS) {
    test(`a bot answers first, then nobody takes the hand-off: the offline view, endConversation on the wire (socket.io ${socketio} server)`, async ({
      widget,
      sandbox,
    }) => {
      const { ef, botFirst, violations } = await expertflow(sandbox, socketio);
      botFirst(true);
      sandbox.setAvailable(false);
      const before = ef.received.length;
      await widget.load('expertflow', PRECHAT);
      await widget.launcher.click();
      await fillPrechat(widget);
      await expect(widget.log.getByText(BOT_LINES.greeting('Kashif'))).toBeVisible();
      await widget.say('Where is my invoice?');
      await expect(widget.log.getByText(BOT_LINES.answer)).toBeVisible();
      await widget.say('I want an agent');

      // The visitor is told, in the offline view, instead of typing into a chat nobody reads.
      await expect(widget.dialog.getByText('Nobody is available to chat right now')).toBeVisible();
      await expect(widget.message).toHaveCount(0);
      await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();

      const frames = () => ef.received.slice(before);
      await expect.poll(() => frames().filter((f) => f.name === 'endConversation').length).toBe(1);
      const join = frames().find((f) => f.name === 'joinConversation')?.payload as Payload;
      expect(frames().find((f) => f.name === 'endConversation')?.payload).toEqual({
        conversationId: join.conversationId,
        requestId: join.requestId,
        timestamp: expect.stringMatching(ISO),
      });
      // Both visitor lines reached the server exactly once; none was dropped on the way.
      expect(
        frames()
          .filter((f) => f.name === 'sendMessage' && (f.payload as Payload).type === 'ChatMessage')
          .map((f) => (f.payload as Payload).text),
      ).toEqual(['Where is my invoice?', 'I want an agent']);
      expect(violations()).toEqual([]);
    });
  }

  test('a server that refuses the connection: a clear, translated error with Retry after a bounded number of tries', async ({
    widget,
    page,
    sandbox,
  }) => {
    // A wrong path: the chat server answers 404 to every socket.io handshake there.
    const server = `${sandbox.vendors.expertflow?.attributes.server ?? ''}/nowhere`;
    const handshakes: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/nowhere/socket.io/')) handshakes.push(new URL(r.url()).searchParams.get('EIO') ?? '');
    });
    const named: string[] = [];
    page.on('console', (m) => {
      if (m.text().includes('refused the connection')) named.push(m.text());
    });
    // socket.io's backoff (1 s doubling, ±50 %) runs on the page's clock: the test moves it on.
    await page.clock.install();
    await widget.load('expertflow', { ...PRECHAT, server, locale: 'de' });
    await widget.launcher.click();
    const error = widget.dialog.getByText('Der Chat-Server ist nicht erreichbar. Bitte versuchen Sie es erneut.');
    await expect
      .poll(async () => {
        await page.clock.runFor(2_000);
        return error.isVisible();
      })
      .toBe(true);
    await expect(widget.dialog.getByRole('button', { name: 'Erneut versuchen' })).toBeVisible();
    await expect(widget.dialog.getByText(/Neue Verbindung|Reconnecting/)).toHaveCount(0);
    // Five tries of socket.io 4, and one Engine.IO 3 probe that found no socket.io 2 either.
    expect(handshakes.filter((v) => v === '4')).toHaveLength(5);
    expect(handshakes.filter((v) => v === '3')).toHaveLength(1);
    expect(named).toHaveLength(1);
    expect(named[0]).toContain('/nowhere/socket.io');

    // Nothing more on its own; Retry starts over, bounded again.
    await page.clock.runFor(60_000);
    expect(handshakes.filter((v) => v === '4')).toHaveLength(5);
    await widget.dialog.getByRole('button', { name: 'Erneut versuchen' }).click();
    await expect
      .poll(async () => {
        await page.clock.runFor(2_000);
        return handshakes.filter((v) => v === '4').length;
      })
      .toBe(10);
    await expect
      .poll(async () => {
        await page.clock.runFor(2_000);
        return error.isVisible();
      })
      .toBe(true);
  });
});
