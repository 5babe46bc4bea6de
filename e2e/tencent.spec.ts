import type { Page } from '@playwright/test';
import type { ReceivedFrame } from '../src/server/sandbox/types';
import { expect, test, type Widget } from './fixtures';

/** The desk JSON of a custom message the simulator received, and whether it went online-only. */
interface DeskFrame {
  data: Record<string, unknown>;
  onlineUserOnly: boolean;
}
const desk = (frames: ReceivedFrame[], src: string): DeskFrame[] =>
  frames.filter((f) => f.name === `src:${src}`).map((f) => f.payload as DeskFrame);
const texts = (frames: ReceivedFrame[]): string[] =>
  frames.filter((f) => f.name === 'text').map((f) => (f.payload as { text: string }).text);

/**
 * The desk's typing flag lasts until the agent's line arrives (a fraction of a second at test
 * speed), too short to poll for. Record every typing line the widget paints instead.
 */
async function recordTypingLines(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { typingSeen: string[] }).typingSeen = seen;
    const root = document.querySelector('confab-chat')?.shadowRoot;
    if (!root) throw new Error('no confab-chat shadow root');
    new MutationObserver(() => {
      for (const el of root.querySelectorAll('.confab-typing')) {
        const text = el.textContent ?? '';
        if (!seen.includes(text)) seen.push(text);
      }
    }).observe(root, { childList: true, subtree: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { typingSeen: string[] }).typingSeen);
}

/**
 * What the simulator received during this test only: a worker's tests share one sandbox, so
 * earlier tests' frames are skipped.
 */
function receivedSince(widget: Widget): () => ReceivedFrame[] {
  const from = widget.received('tencent').length;
  return () => widget.received('tencent').slice(from);
}

async function frameNamed(received: () => ReceivedFrame[], name: string): Promise<ReceivedFrame> {
  await expect.poll(() => received().some((f) => f.name === name), { message: `the desk should receive ${name}` }).toBe(true);
  return received().find((f) => f.name === name) as ReceivedFrame;
}

/** Open the widget and start the desk's flow: the pre-chat step is a single "Start chat". */
async function startFlow(widget: Widget): Promise<() => ReceivedFrame[]> {
  const received = receivedSince(widget);
  await widget.load('tencent');
  await widget.launcher.click();
  await expect(widget.dialog).toBeVisible();
  await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
  await expect(widget.log.getByRole('group', { name: 'How can we help?' })).toBeVisible();
  return received;
}

/**
 * Records what the page shows over time, so a test can assert on steps too quick to poll
 * for: every text a growing (aria-busy) line had, and every line the live region spoke.
 */
async function recordStreamAndSpeech(page: Page): Promise<() => Promise<{ growing: string[]; spoken: string[] }>> {
  await page.evaluate(() => {
    const root = document.querySelector('confab-chat')?.shadowRoot;
    if (!root) throw new Error('no confab-chat shadow root');
    const seen = { growing: [] as string[], spoken: [] as string[] };
    (window as unknown as { streamSeen: typeof seen }).streamSeen = seen;
    const spokenNodes = new WeakSet<Node>();
    new MutationObserver(() => {
      for (const el of root.querySelectorAll('.confab-msg[aria-busy] .confab-body')) {
        const text = el.textContent ?? '';
        if (seen.growing.at(-1) !== text) seen.growing.push(text);
      }
      for (const p of root.querySelectorAll('[data-testid="live-region"] p')) {
        if (spokenNodes.has(p)) continue;
        spokenNodes.add(p);
        seen.spoken.push(p.textContent ?? '');
      }
    }).observe(root, { childList: true, subtree: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { streamSeen: { growing: string[]; spoken: string[] } }).streamSeen);
}

test.describe('Tencent Cloud Desk, through the real script tag', () => {
  test('a bot-first desk: welcome list, a streamed answer, rich text, a recalled line, then a human, a rating and the end', async ({ widget, page }) => {
    const received = receivedSince(widget);
    const violationsBefore = widget.sandbox.vendors.tencent?.violations?.length ?? 0;
    const { log } = widget;
    await widget.load('tencent');
    await widget.launcher.click();
    await expect(widget.dialog).toBeVisible();
    const seen = await recordStreamAndSpeech(page);
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();

    // The robot's welcome list: five questions at a time, the next five (and back) on request.
    const faq = log.getByRole('group', { name: 'Frequently asked questions' });
    await expect(faq.getByRole('button', { name: 'How long does delivery take?' })).toBeVisible();
    await expect(faq.getByRole('button', { name: 'Talk to a human' })).toHaveCount(0);
    await faq.getByRole('button', { name: 'Show other options' }).click();
    await expect(faq.getByRole('button', { name: 'Talk to a human' })).toBeVisible();
    await expect(faq.getByRole('button', { name: 'How long does delivery take?' })).toHaveCount(0);
    await faq.getByRole('button', { name: 'Show other options' }).click();
    await faq.getByRole('button', { name: 'How long does delivery take?' }).click();
    await expect(faq.getByRole('button', { name: /^How long does delivery take\?/ })).toHaveAttribute('aria-pressed', 'true');

    // The streamed answer grows in its line, then stands finished, announced once, whole.
    const answer = 'Standard delivery takes two to three working days; express orders placed before 2 pm arrive the next day.';
    await expect(log.getByText(answer, { exact: true })).toBeVisible();
    await expect(log.locator('.confab-msg[aria-busy]')).toHaveCount(0);
    const { growing: busy, spoken } = await seen();
    // (The Markdown line below is busy too, briefly, as its source until rendered.)
    const growing = busy.filter((text) => !text.includes('Tracking'));
    expect(growing.length, `the line grew: ${JSON.stringify(growing)}`).toBeGreaterThan(1);
    for (const step of growing) expect(answer.startsWith(step) && step !== answer, step).toBe(true);
    expect(spoken.filter((line) => line.includes('Standard delivery'))).toEqual([`Desk Robot: ${answer}`]);

    // Rich text: Markdown rendered, its link safe; the unsafe link and the raw HTML inert.
    const track = log.getByRole('link', { name: 'our tracking page' });
    await expect(track).toHaveAttribute('href', 'https://example.com/track');
    await expect(track).toHaveAttribute('rel', /noopener/);
    await expect(log.locator('strong', { hasText: 'Tracking:' })).toBeVisible();
    await expect(log.getByText('Raw HTML stays inert')).toBeVisible();
    await expect(log.getByRole('link', { name: 'click' })).toHaveCount(0);
    await expect(log.locator('img[onerror], [href^="javascript:"]')).toHaveCount(0);

    // The desk recalls a line: it disappears, and its correction follows.
    await expect(log.getByText('Delivery is free on all orders.')).toBeVisible();
    await widget.say('Please recall that, is it really free?');
    await expect(log.getByText('Correction: delivery is free on orders over €50.')).toBeVisible();
    await expect(log.getByText('Delivery is free on all orders.')).toHaveCount(0);

    // "human": the agent takes the seat.
    await widget.say('human');
    await expect(log.getByText('Alex Morgan joined the chat')).toBeVisible();
    await expect(log.getByText('Hello there, my name is Alex. How can I help you today?')).toBeVisible();

    // A rating, echoed with the desk's sessionId.
    await widget.say('rate');
    const stars = log.getByRole('radiogroup', { name: 'Thank you for utilizing our services, please evaluate this service!' });
    await stars.getByRole('radio', { name: 'Satisfied', exact: true }).check();
    await expect(log.getByText('You rated: Satisfied')).toBeVisible();

    // The end: src 27 now that a human holds the seat, and never before.
    await widget.endChat();
    await expect(log.getByText('You ended the chat')).toBeVisible();
    await frameNamed(received, 'src:27');
    const frames = received();
    const names = frames.map((f) => (f.name === 'text' ? `text:${(f.payload as { text: string }).text}` : f.name));
    expect(names.indexOf('src:27')).toBeGreaterThan(names.indexOf('text:human'));
    expect(desk(frames, '27')).toHaveLength(1);
    const selection = desk(frames, '10')[0]?.data.menuSelected as { sessionId: string };
    expect(selection.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((widget.sandbox.vendors.tencent?.violations ?? []).slice(violationsBefore)).toEqual([]);
  });

  test('"End chat" while only the bot holds the seat ends here and tells the desk nothing', async ({ widget }) => {
    const received = await startFlow(widget);
    const violationsBefore = widget.sandbox.vendors.tencent?.violations?.length ?? 0;
    await widget.endChat();
    await expect(widget.log.getByText('You ended the chat')).toBeVisible();
    // Something the desk answers, sent after the end: once it is there, an end message would be too.
    await widget.dialog.getByRole('button', { name: 'Start a new chat' }).click();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    // (The desk's history shows the first chat's menu too: the new one is the last.)
    await expect(widget.log.getByRole('group', { name: 'How can we help?' })).toHaveCount(2);
    expect(received().filter((f) => f.name === 'src:7')).toHaveLength(2);
    expect(received().filter((f) => f.name === 'src:27')).toEqual([]);
    expect((widget.sandbox.vendors.tencent?.violations ?? []).slice(violationsBefore)).toEqual([]);
  });

  test('a visitor goes from the bot flow to a human, rates, and ends the chat', async ({ widget, page }) => {
    const received = await startFlow(widget);
    const { log } = widget;
    await expect(log.getByText('Desk Assistant joined the chat')).toBeVisible();

    // The welcome branch: one choice, which stays readable; the others are disabled.
    const welcome = log.getByRole('group', { name: 'How can we help?' });
    await welcome.getByRole('button', { name: 'Fill in a form' }).click();
    const chosen = welcome.getByRole('button', { name: /^Fill in a form/ });
    await expect(chosen).toHaveAttribute('aria-pressed', 'true');
    await expect(chosen).toContainText('selected');
    for (const other of ['Order status', 'Talk to a human', 'Show me a card']) {
      await expect(welcome.getByRole('button', { name: other })).toBeDisabled();
    }

    // The form with options, then the free-text form; each answer stays readable.
    const food = log.getByRole('form', { name: 'What do you like to eat?' });
    await food.getByRole('radio', { name: 'Watermelon' }).check();
    await food.getByRole('button', { name: 'Submit' }).click();
    await expect(log.getByText('What do you like to eat? Watermelon')).toBeVisible();
    await expect(log.getByRole('radio', { name: 'Watermelon' })).toHaveCount(0);
    const email = log.getByRole('form', { name: 'What is your email address?' });
    await email.getByRole('textbox', { name: /What is your email address/ }).fill('thomas@test.com');
    await email.getByRole('button', { name: 'Submit' }).click();
    await expect(log.getByText('Thank you, we noted: thomas@test.com')).toBeVisible();

    // Any other line brings the branch back; this time a card.
    await widget.say('menu please');
    await expect(log.getByRole('group', { name: 'How can we help?' })).toHaveCount(2);
    await log.getByRole('group', { name: 'How can we help?' }).last().getByRole('button', { name: 'Show me a card' }).click();
    const card = log.getByRole('article', { name: 'Confab Pro' });
    await expect(card).toContainText('$49.00 / month');
    await expect(card.getByRole('link', { name: /Open/ })).toHaveAttribute('href', 'https://example.com/pro');
    await expect(card.getByRole('link', { name: /Open/ })).toHaveAttribute('rel', /noopener/);

    // "Talk to a human": the agent takes the seat, types, and greets.
    const typingLines = await recordTypingLines(page);
    await widget.say('back to the menu');
    await expect(log.getByRole('group', { name: 'How can we help?' })).toHaveCount(3);
    await log.getByRole('group', { name: 'How can we help?' }).last().getByRole('button', { name: 'Talk to a human' }).click();
    await expect(log.getByText('Alex Morgan joined the chat')).toBeVisible();
    await expect(log.getByText('Hello there, my name is Alex. How can I help you today?')).toBeVisible();
    await expect.poll(typingLines).toContain('Alex Morgan is typing…');

    // Messages both ways.
    await widget.say('Could you please help me with product installation');
    await expect(log.getByText('Could you please help me with product installation', { exact: true })).toBeVisible();
    await expect(log.getByText(/Let me check that for you/)).toBeVisible();

    // The satisfaction request in stars: one choice, echoed back, then read-only.
    await widget.say('rate');
    const stars = log.getByRole('radiogroup', { name: 'Thank you for utilizing our services, please evaluate this service!' });
    await expect(stars).toHaveCount(1);
    await stars.getByRole('radio', { name: 'Satisfied', exact: true }).check();
    await expect(log.getByText('You rated: Satisfied')).toBeVisible();
    await expect(log.getByText(/wishing you a pleasant life/)).toBeVisible();
    for (const radio of await stars.getByRole('radio').all()) await expect(radio).toBeDisabled();
    await expect(stars.getByRole('radio', { name: 'Satisfied', exact: true })).toBeChecked();

    // The numeric variant.
    await widget.say('rate numbers');
    await expect(stars).toHaveCount(2);
    const numeric = stars.last();
    await expect(numeric).toHaveClass(/confab-scale/);
    await expect(numeric.getByText('Highly satisfied')).toBeVisible();
    await numeric.getByRole('radio', { name: 'Highly satisfied' }).check();
    await expect(log.getByText('You rated: Highly satisfied')).toBeVisible();
    await expect(numeric.getByRole('radio', { name: 'General' })).toBeDisabled();

    // The visitor ends the chat: the end marker, and no more writing.
    await widget.endChat();
    await expect(log.getByText('You ended the chat')).toBeVisible();
    await expect(log.getByText(/ended/)).toHaveCount(1); // the desk's own end flag adds no second marker
    await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
    await frameNamed(received, 'src:27');

    // What the desk received.
    const frames = received();
    expect(desk(frames, '7')).toEqual([{ data: { customerServicePlugin: 0, src: '7' }, onlineUserOnly: true }]);
    // Branch choices and form answers go out as TEXT equal to the option's content.
    expect(texts(frames)).toEqual([
      'Fill in a form',
      'Watermelon',
      'thomas@test.com',
      'menu please',
      'Show me a card',
      'back to the menu',
      'Talk to a human',
      'Could you please help me with product installation',
      'rate',
      'rate numbers',
    ]);
    const selections = desk(frames, '10');
    expect(selections).toHaveLength(2);
    for (const s of selections) expect(s.onlineUserOnly).toBe(true);
    const [first, second] = selections.map((s) => s.data.menuSelected as Record<string, unknown>);
    expect(first).toEqual({ id: '104', content: 'Satisfied', sessionId: expect.any(String) });
    expect(second).toEqual({ id: '105', content: 'Highly satisfied', sessionId: expect.any(String) });
    expect(first?.sessionId).not.toBe(second?.sessionId);
    expect(desk(frames, '27')).toEqual([{ data: { customerServicePlugin: 0, src: '27' }, onlineUserOnly: true }]);

    // The desk itself stored both choices, not only the widget: with the tab's own copy of the
    // transcript gone, the history the desk replays to the returning visitor shows them, read-only.
    // (Cleared as the next page starts: leaving a page saves the chat again on pagehide.)
    await page.addInitScript(() => sessionStorage.clear());
    await page.reload();
    await widget.launcher.click();
    await widget.dialog.getByRole('button', { name: 'Start chat' }).click();
    await expect(log.getByText('You rated: Satisfied')).toBeVisible();
    await expect(log.getByText('You rated: Highly satisfied')).toBeVisible();
    await expect(log.getByRole('radio', { name: 'General' })).toHaveCount(2);
    for (const radio of await log.getByRole('radio').all()) await expect(radio).toBeDisabled();
  });

  test('a chat left idle ends with the timeout marker', async ({ widget }) => {
    await startFlow(widget);
    await widget.say('timeout');
    // One end marker in the transcript (the desk's flag carries no text of its own).
    await expect(widget.log.getByText('The chat ended after a period of inactivity')).toBeVisible();
    await expect(widget.log.getByText(/ended/)).toHaveCount(1);
    await expect(widget.dialog.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
    await expect(widget.dialog.getByRole('button', { name: 'End chat' })).toHaveCount(0);
  });

  test('Confab("send", {card}) from the page reaches the desk as a card', async ({ widget, page }) => {
    const received = await startFlow(widget);
    await page.evaluate(() =>
      (window as unknown as { Confab: (c: string, a: unknown) => void }).Confab('send', {
        card: {
          title: 'Blue kettle',
          description: '1.7 l, stainless steel',
          image: 'https://shop.example.com/kettle.png',
          url: 'https://shop.example.com/kettle',
        },
      }),
    );
    const card = await frameNamed(received, 'src:22');
    expect(card.payload).toEqual({
      data: {
        customerServicePlugin: 0,
        src: '22',
        content: {
          header: 'Blue kettle',
          desc: '1.7 l, stainless steel',
          pic: 'https://shop.example.com/kettle.png',
          url: 'https://shop.example.com/kettle',
        },
      },
      onlineUserOnly: false,
    });
    await expect(widget.log.getByRole('article', { name: 'Blue kettle' })).toContainText('1.7 l, stainless steel');

    // A page-supplied URL outside the allowlist never reaches the desk.
    await page.evaluate(() =>
      (window as unknown as { Confab: (c: string, a: unknown) => void }).Confab('send', {
        card: { title: 'Trap', url: 'javascript:alert(1)', image: 'javascript:alert(2)' },
      }),
    );
    await expect.poll(() => received().filter((f) => f.name === 'src:22').length).toBe(2);
    const trap = received().filter((f) => f.name === 'src:22')[1]?.payload as DeskFrame;
    expect(trap.data.content).toEqual({ header: 'Trap', desc: '', pic: '', url: '' });
    await expect(widget.log.getByRole('article', { name: 'Trap' }).getByRole('link')).toHaveCount(0);
  });

  test('a second tab with the same visitor takes the chat over, and the first one says so', async ({ widget, page }) => {
    const received = await startFlow(widget);
    const second = await page.context().newPage();
    try {
      await second.goto(page.url());
      await second.getByRole('button', { name: 'Open chat' }).click();
      await expect(page.locator('confab-chat').getByRole('alert')).toContainText(
        'This chat continues in another tab or window. Close this one or reload the page to continue here.',
      );
      const logins = received().filter((f) => f.name === 'login');
      expect(new Set(logins.map((f) => (f.payload as { userID: string }).userID)).size).toBe(1);
      expect(logins.length).toBeGreaterThanOrEqual(2);
    } finally {
      await second.close();
    }
  });
});
