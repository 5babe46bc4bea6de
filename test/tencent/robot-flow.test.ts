/**
 * The bot-first desk (issue 20): the robot's welcome list (src 29 welcome_msg), a streamed
 * answer (src 31 growing through MESSAGE_MODIFIED), rich text (src 30 Markdown), a robot
 * answer with choices (src 29), a recalled message (MESSAGE_REVOKED), and the rules for
 * src 27 (in seat only) and the rating echo (the desk's sessionId). Transport against the
 * simulator over a real socket; the simulator's violations fail the suite (harness).
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { RICH_TEXT, STREAMED_ANSWER, WELCOME_QUESTIONS } from '../../src/server/sandbox/tencent';
import { closeSimulators, closeWidgets, frames, simulator, waitFor, widget, type Widget } from './harness';

afterEach(closeWidgets);
afterAll(closeSimulators);

async function welcomed(w: Widget) {
  await w.next('connection', (e) => e.state === 'open');
  w.send({ type: 'start', visitor: {}, answers: {} });
  await w.next('accepted');
  return w.next('branch', (e) => e.branch.header === 'Frequently asked questions');
}

describe('the robot of a bot-first desk', () => {
  it('welcome list → streamed answer → Markdown → robot choices, each as Tencent shows it', async () => {
    const sim = await simulator();
    const w = widget(sim, 'robot-visitor');
    const { branch } = await welcomed(w);
    // The welcome list: title and every item, paged five at a time by the UI.
    expect(branch).toMatchObject({ header: 'Frequently asked questions', pageSize: 5 });
    expect(branch.options.map((o) => o.label)).toEqual(WELCOME_QUESTIONS);

    w.send({ type: 'choose', promptId: branch.id, optionId: 'How long does delivery take?', label: 'How long does delivery take?' });
    // The stream: first the (empty) line, partial; then the same id growing, the last one whole.
    const first = await w.next('message', (e) => e.message.sender === 'bot' && e.message.partial === true);
    const updates: string[] = [];
    for (;;) {
      const u = await w.next('message-updated', (e) => e.message.id === first.message.id);
      updates.push(u.message.text ?? '');
      if (!u.message.partial) break;
    }
    expect(updates.at(-1)).toBe(STREAMED_ANSWER.join(''));
    expect(updates).toEqual(STREAMED_ANSWER.map((_, i) => STREAMED_ANSWER.slice(0, i + 1).join('')));

    // Rich text: its Markdown source at once (partial), then the rendered HTML in its place.
    const rich = await w.next('message', (e) => e.message.text === RICH_TEXT);
    expect(rich.message.partial).toBe(true);
    const html = await w.next('message-updated', (e) => e.message.id === rich.message.id);
    expect(html.message.partial).toBeUndefined();
    expect(html.message.text).toBeUndefined();
    expect(html.message.html).toContain('<a href="https://example.com/track">our tracking page</a>');
    expect(html.message.html).toContain('<strong>Tracking:</strong>');

    // The robot's answer with choices (src 29): a branch; a choice goes out as its exact text.
    // (Sent before the Markdown chunk had loaded: look through all events, not after the update.)
    const follow = await waitFor(() => w.all('branch').find((e) => e.branch.header === 'Anything else?'), 'the robot answer');
    expect(follow.branch.options.map((o) => o.label)).toEqual(['Talk to a human', 'No, thanks']);
    expect(follow.branch.pageSize).toBeUndefined();
    w.send({ type: 'choose', promptId: follow.branch.id, optionId: 'No, thanks', label: 'No, thanks' });
    await w.next('message', (e) => e.message.text === 'Glad to help.');
    expect(frames(sim, 'text').map((f) => f.text)).toEqual(['How long does delivery take?', 'No, thanks']);
  });

  it('a recalled message is withdrawn, live and from history on a reload', async () => {
    const sim = await simulator();
    const w = widget(sim, 'recall-visitor');
    const { branch } = await welcomed(w);
    w.send({ type: 'choose', promptId: branch.id, optionId: 'How long does delivery take?', label: 'How long does delivery take?' });
    const line = await w.next('message', (e) => e.message.text === 'Delivery is free on all orders.');
    w.send({ type: 'send', clientId: 'r-1', text: 'recall that please' });
    const gone = await w.next('message-withdrawn');
    expect(gone.id).toBe(line.message.id);
    await w.next('message', (e) => e.message.text === 'Correction: delivery is free on orders over €50.');

    // A new page: history marks it recalled; it is withdrawn once and never shown again.
    const resume = w.all('resume').at(-1);
    w.transport.close();
    const again = widget(sim, 'recall-visitor', resume);
    await again.next('message-withdrawn', (e) => e.id === line.message.id);
    await again.next('message', (e) => e.message.text === 'Correction: delivery is free on orders over €50.');
    expect(again.all('message').some((e) => e.message.id === line.message.id)).toBe(false);
  });

  it('"End chat" in the bot flow ends here and tells the desk nothing; in seat it sends src 27', async () => {
    const sim = await simulator();
    const bot = widget(sim, 'bot-ender');
    await welcomed(bot);
    bot.send({ type: 'end' });
    await bot.next('ended', (e) => e.by === 'visitor');
    // The transport writes what it sends for the end before `ended` resolves here; the second
    // visitor's whole journey below happens after it, and a src 27 from the bot flow would be
    // a simulator violation (the harness fails the suite on any).
    const seated = widget(sim, 'seated-ender');
    await welcomed(seated);
    seated.send({ type: 'send', clientId: 's-1', text: 'human' });
    await seated.next('agent', (e) => e.action === 'joined' && !e.agent.isBot);
    seated.send({ type: 'end' });
    await waitFor(() => frames(sim, 'src:27').length === 1, 'src 27 at the desk');
    expect(frames(sim, 'src:27')).toEqual([{ data: { customerServicePlugin: 0, src: '27' }, onlineUserOnly: true }]);
    expect(sim.received.filter((f) => f.name === 'src:27')).toHaveLength(1);
    expect(sim.violations).toEqual([]);
  });

  it("a rating echo carries the desk's sessionId", async () => {
    const sim = await simulator();
    const w = widget(sim, 'rater');
    await welcomed(w);
    w.send({ type: 'send', clientId: 'h-1', text: 'human' });
    await w.next('agent', (e) => e.action === 'joined' && !e.agent.isBot);
    w.send({ type: 'send', clientId: 'h-2', text: 'rate' });
    const { rating } = await w.next('rating');
    w.send({ type: 'rate', ratingId: rating.id, optionId: '105' });
    await waitFor(() => frames(sim, 'src:10').length === 1, 'src 10 at the desk');
    const sent = frames(sim, 'src:10')[0]?.data as { menuSelected: { sessionId: string } };
    expect(sent.menuSelected.sessionId).toBe(rating.id);
    expect(sent.menuSelected.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
