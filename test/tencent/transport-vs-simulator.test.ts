import { SANDBOX_PNG } from '../../src/server/sandbox/agent';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { closeSimulators, closeWidgets, frames, simulator, waitFor, widget, type Widget } from './harness';

afterEach(closeWidgets);
afterAll(closeSimulators);

async function started(w: Widget) {
  await w.next('connection', (e) => e.state === 'open');
  w.send({ type: 'start', visitor: {}, answers: {} });
  await w.next('accepted');
  return w.next('branch', (e) => e.branch.header === 'How can we help?');
}

describe('Tencent transport against the desk simulator, over a real socket', () => {
  it('sends the trigger once, online-only, and gets the evaluation settings, the bot flow and the welcome branch', async () => {
    const sim = await simulator();
    const w = widget(sim, 'branch-visitor');
    const branch = await started(w);
    expect(branch.branch.options.map((o) => o.label)).toEqual(['Order status', 'Talk to a human', 'Fill in a form', 'Show me a card']);
    // The desk allows all three (flag 7), but asking is for manual service only: not in the bot flow.
    expect(w.all('rating-policy').at(-1)?.policy).toEqual({ autoAtEnd: true, agentMaySend: true, visitorMayAsk: false });
    expect(w.all('agent')).toMatchObject([{ action: 'joined', agent: { isBot: true } }]);
    expect(w.all('resume')[0]?.token).toEqual({ userID: 'visitor_branch-visitor' });
    expect(frames(sim, 'src:7')).toEqual([{ data: { customerServicePlugin: 0, src: '7' }, onlineUserOnly: true }]);
    expect(sim.received.find((f) => f.name === 'POST /usersig')?.payload).toEqual({ visitorId: 'branch-visitor' });
  });

  it('choosing a branch option sends its exact text, keeps the choice readable and ignores a second choice', async () => {
    const sim = await simulator();
    const w = widget(sim, 'chooser');
    const { branch } = await started(w);
    w.send({ type: 'choose', promptId: branch.id, optionId: 'Order status', label: 'Order status' });
    const locked = await w.next('branch', (e) => e.branch.id === branch.id && e.branch.selected === 'Order status');
    expect(locked.branch.options).toHaveLength(4);
    await w.next('message', (e) => e.message.sender === 'bot' && /order #1234/.test(e.message.text ?? ''));
    w.send({ type: 'choose', promptId: branch.id, optionId: 'Talk to a human', label: 'Talk to a human' });
    w.send({ type: 'send', clientId: 'c-1', text: 'and one more thing' });
    await w.next('message', (e) => e.message.clientId === 'c-1');
    expect(frames(sim, 'text')).toEqual([
      { text: 'Order status', onlineUserOnly: false },
      { text: 'and one more thing', onlineUserOnly: false },
    ]);
  });

  it('form: an options form then a free-text form, each answered by text and shown as submitted', async () => {
    const sim = await simulator();
    const w = widget(sim, 'former');
    const { branch } = await started(w);
    w.send({ type: 'choose', promptId: branch.id, optionId: 'Fill in a form', label: 'Fill in a form' });
    const food = await w.next('form', (e) => e.form.field.type === 'select');
    expect(food.form).toMatchObject({ header: 'What do you like to eat?', field: { options: ['Apple', 'Watermelon', 'Strawberry'] } });
    w.send({ type: 'submit-form', promptId: food.form.id, fieldName: 'form', value: 'Apple' });
    const email = await w.next('form', (e) => e.form.field.type === 'email' && !e.form.submitted);
    expect(w.all('form').some((e) => e.form.id === food.form.id && e.form.submitted === 'Apple')).toBe(true);
    w.send({ type: 'submit-form', promptId: email.form.id, fieldName: 'form', value: 'me@example.com' });
    await w.next('message', (e) => e.message.text === 'Thank you, we noted: me@example.com');
    expect(frames(sim, 'text').map((f) => f.text)).toEqual(['Fill in a form', 'Apple', 'me@example.com']);
  });

  it('card: the desk card renders with image and link, and the visitor can send one (unsafe URLs dropped)', async () => {
    const sim = await simulator();
    const w = widget(sim, 'carder');
    const { branch } = await started(w);
    w.send({ type: 'choose', promptId: branch.id, optionId: 'Show me a card', label: 'Show me a card' });
    const desk = await w.next('card', (e) => e.sender === 'bot');
    expect(desk.card).toEqual({ title: 'Confab Pro', description: '$49.00 / month', image: `data:image/png;base64,${SANDBOX_PNG}`, url: 'https://example.com/pro' });
    w.send({ type: 'send-card', clientId: 'card-1', card: { title: 'My order', description: '2 items', image: 'javascript:alert(1)', url: 'https://shop.example/o/1' } });
    const mine = await w.next('card', (e) => e.clientId === 'card-1');
    expect(mine).toMatchObject({ sender: 'visitor', card: { title: 'My order', description: '2 items', url: 'https://shop.example/o/1' } });
    expect(mine.card.image).toBeUndefined();
    expect(frames(sim, 'src:22')).toEqual([
      {
        data: { customerServicePlugin: 0, src: '22', content: { header: 'My order', desc: '2 items', pic: '', url: 'https://shop.example/o/1' } },
        onlineUserOnly: false,
      },
    ]);
  });

  it('human: seat status inSeat brings the agent, typing shows then clears on the reply, lines are the agent\'s', async () => {
    const sim = await simulator();
    const w = widget(sim, 'human-visitor');
    await started(w);
    w.send({ type: 'send', clientId: 'h-1', text: 'I want a human please' });
    const joined = await w.next('agent', (e) => e.action === 'joined' && !e.agent.isBot);
    expect(joined.agent.name).toBe('Alex Morgan');
    await w.next('typing', (e) => e.on);
    await w.next('typing', (e) => !e.on);
    const greeting = await w.next('message', (e) => e.message.sender === 'agent');
    expect(greeting.message).toMatchObject({ authorName: 'Alex Morgan', text: expect.stringContaining('my name is Alex') });
    const typingOff = w.events.findIndex((e) => e.type === 'typing' && !e.on);
    expect(typingOff).toBeLessThan(w.events.indexOf(greeting));
    w.send({ type: 'send', clientId: 'h-2', text: 'my printer is broken' });
    await w.next('message', (e) => e.message.sender === 'agent' && /printer is broken/.test(e.message.text ?? ''));
  });

  it('nobody available: asking for a human gets no-seat-online (src 18), the chat is rejected, a new start triggers again (issue 25 item 2)', async () => {
    let available = false;
    const sim = await simulator({ agent: { delayScale: 0.02, available: () => available } });
    const w = widget(sim, 'nobody-there');
    const { branch } = await started(w);
    w.send({ type: 'choose', promptId: branch.id, optionId: 'Talk to a human', label: 'Talk to a human' });
    const rejected = await w.next('rejected');
    expect(rejected.reason).toBe('Nobody is available to chat right now');
    expect(w.all('agent').some((e) => e.action === 'joined' && !e.agent.isBot)).toBe(false);
    // The flow is over for the widget: the next start sends the trigger again, and an agent now takes the seat.
    available = true;
    w.send({ type: 'start', visitor: {}, answers: {} });
    await waitFor(() => frames(sim, 'src:7').length === 2, 'a second trigger');
    w.send({ type: 'send', clientId: 'h-1', text: 'human please' });
    await w.next('agent', (e) => e.action === 'joined' && !e.agent.isBot);
  });

  it('rating with stars: the selection goes out online-only with id, content and sessionId; the desk echoes it selected', async () => {
    const sim = await simulator();
    const w = widget(sim, 'rater');
    await started(w);
    w.send({ type: 'send', clientId: 'r-1', text: 'human' });
    await w.next('message', (e) => e.message.sender === 'agent');
    w.send({ type: 'send', clientId: 'r-2', text: 'can I rate you?' });
    const { rating } = await w.next('rating');
    expect(rating.scale).toBe('stars');
    expect(rating.options.map((o) => o.id)).toEqual(['101', '102', '103', '104', '105']);
    expect(rating.expiresAt).toBeGreaterThan(Date.now() + 11 * 3600_000);
    w.send({ type: 'rate', ratingId: rating.id, optionId: '104' });
    await w.next('rating', (e) => e.rating.id === rating.id && e.rating.selected === '104');
    await w.next('rating', (e) => e.rating.id === rating.id && e.rating.selected === '104', 'the desk echo');
    expect(frames(sim, 'src:10')).toEqual([
      { data: { customerServicePlugin: 0, src: '10', menuSelected: { id: '104', content: 'Satisfied', sessionId: rating.id } }, onlineUserOnly: true },
    ]);
    w.send({ type: 'ask-rating' });
    await w.next('rating', (e) => e.rating.id !== rating.id);
    expect(frames(sim, 'src:24')).toEqual([{ data: { customerServicePlugin: 0, src: '24' }, onlineUserOnly: true }]);
  });

  it('numeric rating is judged by the server clock: accepted while the server says it is open', async () => {
    // Server clock 10 min behind ours, request open 5 min: by our clock it looks expired.
    const sim = await simulator({ clockSkewMs: -600_000, ratingLifetimeSeconds: 300 });
    const w = widget(sim, 'skewed');
    await started(w);
    w.send({ type: 'send', clientId: 'n-1', text: 'rate numbers' });
    const { rating } = await w.next('rating');
    expect(rating.scale).toBe('numeric');
    expect(rating.expiresAt).toBeLessThan(Date.now());
    expect(rating.serverSkew).toBeLessThan(-590_000);
    w.send({ type: 'rate', ratingId: rating.id, optionId: '105' });
    await w.next('rating', (e) => e.rating.selected === '105');
    expect(frames(sim, 'src:10')).toHaveLength(1);
  });

  it('an expired rating is refused locally with a clear error and nothing is sent', async () => {
    const sim = await simulator({ ratingLifetimeSeconds: 0 });
    const w = widget(sim, 'late');
    await started(w);
    w.send({ type: 'send', clientId: 'x-1', text: 'rate' });
    const { rating } = await w.next('rating');
    w.send({ type: 'rate', ratingId: rating.id, optionId: '101' });
    const err = await w.next('error');
    expect(err).toMatchObject({ code: 'rating-expired', message: 'This rating request has expired.', fatal: false });
    w.send({ type: 'send', clientId: 'x-2', text: 'still there?' });
    await w.next('message', (e) => e.message.clientId === 'x-2');
    expect(frames(sim, 'src:10')).toEqual([]);
  });

  it('the visitor ends the manual conversation: src 27 online-only and one ended marker by the visitor', async () => {
    const sim = await simulator();
    const w = widget(sim, 'ender');
    await started(w);
    w.send({ type: 'send', clientId: 'e-1', text: 'human' });
    await w.next('message', (e) => e.message.sender === 'agent');
    w.send({ type: 'end' });
    await w.next('ended', (e) => e.by === 'visitor');
    await waitFor(() => frames(sim, 'src:27').length === 1, 'src 27 at the desk');
    expect(frames(sim, 'src:27')[0]).toEqual({ data: { customerServicePlugin: 0, src: '27' }, onlineUserOnly: true });
  });

  it('the agent ends with the end flag (19) and the flow times out with the timeout flag (20)', async () => {
    const sim = await simulator();
    const a = widget(sim, 'bye-visitor');
    await started(a);
    a.send({ type: 'send', clientId: 'b-1', text: 'human' });
    await a.next('message', (e) => e.message.sender === 'agent');
    a.send({ type: 'send', clientId: 'b-2', text: 'ok bye' });
    const aEnd = await a.next('ended');
    expect(aEnd).toMatchObject({ by: 'agent' });
    expect(aEnd).not.toHaveProperty('text'); // the session writes the marker itself
    const b = widget(sim, 'idle-visitor');
    await started(b);
    b.send({ type: 'send', clientId: 't-1', text: 'timeout' });
    const bEnd = await b.next('ended');
    expect(bEnd).toMatchObject({ by: 'timeout' });
    expect(bEnd).not.toHaveProperty('text'); // the session writes the marker itself
  });

  it('a reload replays history without duplicates, resumes the same userID and does not re-trigger a live flow', async () => {
    const sim = await simulator();
    const first = widget(sim, 'reloader');
    const { branch } = await started(first);
    first.send({ type: 'choose', promptId: branch.id, optionId: 'Order status', label: 'Order status' });
    await first.next('message', (e) => /order #1234/.test(e.message.text ?? ''));
    const resume = first.all('resume')[0]!;
    first.transport.close();

    const second = widget(sim, 'reloader', resume);
    await second.next('message', (e) => /order #1234/.test(e.message.text ?? ''));
    const replayed = second.all('branch');
    // The robot's welcome list (src 29) and the welcome branch, once each.
    const welcome = first.all('branch').find((e) => e.branch.header === 'Frequently asked questions')!;
    expect(replayed.map((e) => e.branch.id)).toEqual([welcome.branch.id, branch.id]);
    expect(second.all('message').map((e) => e.message.text)).toEqual(['Order status', expect.stringMatching(/order #1234/)]);
    second.send({ type: 'start', visitor: {}, answers: {} });
    await second.next('accepted');
    second.send({ type: 'send', clientId: 'again', text: 'hello again' });
    await second.next('message', (e) => e.message.clientId === 'again');
    const ids = second.all('message').map((e) => e.message.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(frames(sim, 'src:7')).toHaveLength(1);
    expect(second.all('resume')[0]?.token).toEqual(resume.token);
  });

  it('an expired userSig is renewed from data-user-sig-url for the same userID, and the chat goes on; a line typed meanwhile goes once', async () => {
    const sim = await simulator();
    const w = widget(sim, 'expiring');
    await started(w);
    const sigRequests = () => sim.received.filter((f) => f.name === 'POST /usersig').map((f) => f.payload);
    expect(sim.expireSigs()).toBe(1);
    await w.next('connection', (e) => e.state === 'reconnecting');
    w.send({ type: 'send', clientId: 'meanwhile', text: 'typed while the sig was renewed' });
    await w.next('connection', (e) => e.state === 'open');
    await w.next('message', (e) => e.message.clientId === 'meanwhile');
    // The site's endpoint was asked again, for the same userID; the old sig would be refused.
    expect(sigRequests()).toEqual([{ visitorId: 'expiring' }, { visitorId: 'expiring', userID: 'visitor_expiring' }]);
    expect(frames(sim, 'login').map((f) => f.userID)).toEqual(['visitor_expiring', 'visitor_expiring']);
    await waitFor(() => frames(sim, 'text').some((f) => f.text === 'typed while the sig was renewed'), 'the line at the desk');
    expect(frames(sim, 'text').filter((f) => f.text === 'typed while the sig was renewed')).toHaveLength(1);
    expect(frames(sim, 'src:7')).toHaveLength(1); // the flow was not triggered again
    expect(w.all('error')).toEqual([]);
    w.send({ type: 'send', clientId: 'after', text: 'and after' });
    await w.next('message', (e) => e.message.clientId === 'after');
  });

  it('a userSig that expires again right after its renewal ends the chat with one fatal error', async () => {
    const sim = await simulator();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const w = widget(sim, 'expiring-twice');
    await started(w);
    sim.expireSigs();
    await w.next('connection', (e) => e.state === 'open');
    sim.expireSigs();
    const err = await w.next('error');
    expect(err).toMatchObject({ code: 'kicked', fatal: true, message: expect.stringContaining('expired') });
    await w.next('connection', (e) => e.state === 'closed');
    expect(sim.received.filter((f) => f.name === 'POST /usersig')).toHaveLength(2);
    warn.mockRestore();
  });

  it('the same visitor in another tab takes over: this tab gets one fatal error that says so', async () => {
    const sim = await simulator();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const first = widget(sim, 'two-tabs');
    await started(first);
    const second = widget(sim, 'two-tabs');
    await second.next('connection', (e) => e.state === 'open');
    const err = await first.next('error');
    expect(err).toMatchObject({ code: 'kicked', fatal: true, message: expect.stringContaining('another tab') });
    await first.next('connection', (e) => e.state === 'closed');
    expect(second.all('error')).toEqual([]);
    warn.mockRestore();
  });
  it('"Ask for a rating" is allowed only while the agent holds the seat: not in the bot flow, not after the end', async () => {
    const sim = await simulator();
    const w = widget(sim, 'asker');
    await started(w);
    const mayAsk = () => w.all('rating-policy').at(-1)?.policy.visitorMayAsk;
    expect(mayAsk()).toBe(false);
    w.send({ type: 'ask-rating' });
    expect(await w.next('error')).toMatchObject({ code: 'not-allowed', fatal: false });
    w.send({ type: 'send', clientId: 'a-1', text: 'human' });
    await w.next('agent', (e) => e.action === 'joined' && !e.agent.isBot);
    await w.next('rating-policy', (e) => e.policy.visitorMayAsk, 'the policy to allow asking in seat');
    expect(w.all('rating-policy').at(-1)?.policy).toEqual({ autoAtEnd: true, agentMaySend: true, visitorMayAsk: true });
    w.send({ type: 'ask-rating' });
    await w.next('rating');
    w.send({ type: 'send', clientId: 'a-2', text: 'ok bye' });
    await w.next('ended', (e) => e.by === 'agent');
    expect(mayAsk()).toBe(false);
    w.send({ type: 'ask-rating' });
    await w.next('error', (e) => e.code === 'not-allowed');
    expect(frames(sim, 'src:24')).toHaveLength(1);
  });

  it('"End chat" before the SDK is ready drops a queued start: no trigger, no src 27, no `accepted` after `ended`', async () => {
    const sim = await simulator();
    const w = widget(sim, 'early-ender');
    w.send({ type: 'start', visitor: {}, answers: {} });
    w.send({ type: 'send', clientId: 'q-1', text: 'queued line' });
    w.send({ type: 'end' });
    await w.next('connection', (e) => e.state === 'open');
    // Past the first history read and the queue flush, and the desk's answer time.
    await new Promise((r) => setTimeout(r, 200));
    expect(w.all('ended')).toMatchObject([{ by: 'visitor' }]);
    expect(w.all('accepted')).toEqual([]);
    expect(sim.received.filter((f) => f.channel === 'tencent' && f.name !== 'login')).toEqual([]);
  });

  it('"End chat" while the SDK re-logs in mid-chat ends at once, drops the line typed meanwhile, and the desk hears src 27 once ready', async () => {
    const sim = await simulator();
    const w = widget(sim, 'mid-ender');
    await started(w);
    w.send({ type: 'send', clientId: 'm-1', text: 'human' });
    await w.next('message', (e) => e.message.sender === 'agent');
    // Acted on as the transport reports it, while the SDK is certainly not ready.
    const unsubscribe = w.on((e) => {
      if (e.type !== 'connection' || e.state !== 'reconnecting') return;
      unsubscribe();
      w.send({ type: 'send', clientId: 'm-2', text: 'never mind' });
      w.send({ type: 'end' });
    });
    sim.expireSigs();
    await w.next('ended', (e) => e.by === 'visitor');
    await w.next('connection', (e) => e.state === 'open');
    await waitFor(() => frames(sim, 'src:27').length === 1, 'src 27 at the desk');
    expect(frames(sim, 'src:27')).toEqual([{ data: { customerServicePlugin: 0, src: '27' }, onlineUserOnly: true }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(w.all('ended')).toHaveLength(1);
    expect(frames(sim, 'text').map((f) => f.text)).toEqual(['human']);
    expect(frames(sim, 'src:7')).toHaveLength(1);
  });

  it('"End chat" on a reloaded page before the SDK is ready: src 27 reaches the live flow, and no agent is announced after the end', async () => {
    const sim = await simulator();
    const first = widget(sim, 'reload-ender');
    await started(first);
    first.send({ type: 'send', clientId: 'r-1', text: 'human' });
    await first.next('message', (e) => e.message.sender === 'agent');
    const resume = first.all('resume')[0]!;
    first.transport.close();

    const second = widget(sim, 'reload-ender', resume);
    second.send({ type: 'end' });
    await waitFor(() => frames(sim, 'src:27').length === 1, 'src 27 at the desk');
    expect(second.all('ended')).toMatchObject([{ by: 'visitor' }]);
    expect(second.all('agent')).toEqual([]);
  });

  it('a reload after the desk ended the flow ends the resumed chat once, with no marker line of its own', async () => {
    const sim = await simulator();
    const first = widget(sim, 'timed-out');
    await started(first);
    first.send({ type: 'send', clientId: 't-1', text: 'timeout' });
    await first.next('ended', (e) => e.by === 'timeout');
    const resume = first.all('resume')[0]!;
    first.transport.close();

    // The session still thought the chat live (it passes its resume token): it ends now.
    const resumed = widget(sim, 'timed-out', resume);
    await resumed.next('message', (e) => e.message.text === 'timeout');
    const ended = await resumed.next('ended');
    expect(ended).toMatchObject({ by: 'timeout' });
    expect(ended).not.toHaveProperty('text'); // the session writes the marker itself
    expect(resumed.all('message').filter((e) => e.message.sender === 'system')).toEqual([]);
    // A new start after that end triggers a new flow.
    resumed.send({ type: 'start', visitor: {}, answers: {} });
    await resumed.next('accepted');
    await waitFor(() => frames(sim, 'src:7').length === 2, 'a second trigger');
    resumed.transport.close();
  });

  it('a reload of a chat the session already ended replays no second end marker', async () => {
    const sim = await simulator();
    const first = widget(sim, 'ended-before');
    await started(first);
    first.send({ type: 'send', clientId: 'e-1', text: 'timeout' });
    await first.next('ended', (e) => e.by === 'timeout');
    first.transport.close();

    // An ended chat is not resumed: the session passes no token.
    const again = widget(sim, 'ended-before');
    // The history is replayed in one go (history.ts): once its visitor line is here, so is
    // whatever the replay would say about the end.
    await again.next('message', (e) => e.message.text === 'timeout');
    expect(again.all('message').filter((e) => e.message.sender === 'system')).toEqual([]);
    expect(again.all('ended')).toEqual([]);
  });

  it('a reload mid-chat with the human agent announces the same agent by name (and the seat is the agent\'s)', async () => {
    const sim = await simulator();
    const first = widget(sim, 'seated');
    await started(first);
    first.send({ type: 'send', clientId: 's-1', text: 'human' });
    await first.next('message', (e) => e.message.sender === 'agent');
    const resume = first.all('resume')[0]!;
    first.transport.close();

    const second = widget(sim, 'seated', resume);
    const joined = await second.next('agent');
    expect(joined).toMatchObject({ action: 'joined', agent: { name: 'Alex Morgan', isBot: false } });
    expect(second.all('agent')).toHaveLength(1);
    expect(second.all('message').at(-1)?.message).toMatchObject({ sender: 'agent', authorName: 'Alex Morgan' });
    expect(second.all('rating-policy').at(-1)?.policy.visitorMayAsk).toBe(true);
  });
});
