import { describe, expect, it, vi } from 'vitest';
import { chatConfig, chatting, connected, harness, lines } from './harness';

describe('transcript', () => {
  it('shows each incoming line once, de-duplicated by id', async () => {
    const h = harness();
    await chatting(h);
    const msg = { id: 'm1', sender: 'agent' as const, authorName: 'Alex Morgan', text: 'Hi, how can I help?' };
    h.transport.emit({ type: 'message', message: msg });
    h.transport.emit({ type: 'message', message: msg });
    expect(lines(h.session).filter((l) => l.startsWith('agent:'))).toEqual(['agent:Hi, how can I help?']);
  });

  it('attaches a translation to the line it translates, including the visitor own line', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'message', message: { id: 'm1', sender: 'agent', text: 'Bonjour' } });
    h.transport.emit({
      type: 'message',
      message: { id: 't1', sender: 'system', text: 'Hello', translationOf: 'm1' },
    });
    const id = h.session.send('Merci');
    h.transport.emit({ type: 'message', message: { id: 'v1', sender: 'visitor', text: 'Merci', clientId: id } });
    h.transport.emit({
      type: 'message',
      message: { id: 't2', sender: 'system', html: '<b>Thank</b> you &amp; bye', translationOf: 'v1' },
    });
    h.transport.emit({
      type: 'message',
      message: { id: 't2', sender: 'system', html: '<b>Thank</b> you &amp; bye', translationOf: 'v1' },
    });
    const messages = h.session.transcript.value.filter((i) => i.kind === 'message');
    expect(messages.map((m) => (m.kind === 'message' ? [m.text, m.translations] : null))).toEqual([
      ['Bonjour', ['Hello']],
      ['Merci', ['Thank you & bye']],
    ]);
  });

  it('adds and updates branch, form, rating and card items by their prompt id', async () => {
    const h = harness();
    await chatting(h);
    const branch = { id: 'b1', header: 'Pick one', options: [{ id: 'o1', label: 'Sales' }, { id: 'o2', label: 'Support' }] };
    h.transport.emit({ type: 'branch', branch });
    h.transport.emit({ type: 'branch', branch: { ...branch, header: 'Pick one, please' } });
    h.transport.emit({
      type: 'form',
      form: { id: 'f1', header: 'Order number?', field: { name: 'Order', type: 'numeric', label: 'Order', required: true, changeCase: 'none' } },
    });
    h.transport.emit({
      type: 'rating',
      rating: { id: 'r1', scale: 'stars', options: [{ id: '1', label: 'Bad' }, { id: '5', label: 'Great' }] },
    });
    h.transport.emit({ type: 'card', id: 'c1', sender: 'agent', card: { title: 'Plan', url: 'https://x.example' } });
    h.transport.emit({ type: 'card', id: 'c1', sender: 'agent', card: { title: 'Plan', url: 'https://x.example' } });
    h.transport.emit({ type: 'file-request', allowedTypes: ['jpg'] });
    const kinds = h.session.transcript.value.filter((i) => i.kind !== 'notice' && i.kind !== 'message');
    expect(kinds.map((i) => i.kind)).toEqual(['branch', 'form', 'rating', 'card', 'file-request']);
    expect(kinds[0]).toMatchObject({ branch: { header: 'Pick one, please' } });
    expect(h.session.fileRequest.value).toEqual(['jpg']);

    h.session.choose('b1', 'o2');
    h.session.choose('b1', 'o1'); // one choice only
    expect(h.transport.sent('choose')).toEqual([{ type: 'choose', promptId: 'b1', optionId: 'o2', label: 'Support' }]);
    expect(h.session.transcript.value.find((i) => i.kind === 'branch')).toMatchObject({ branch: { selected: 'o2' } });

    h.session.submitForm('f1', 'abc'); // invalid for a numeric field: not sent
    h.session.submitForm('f1', '1234');
    expect(h.transport.sent('submit-form')).toEqual([
      { type: 'submit-form', promptId: 'f1', fieldName: 'Order', value: '1234' },
    ]);

    h.session.rate('r1', '5');
    h.session.rate('r1', '1');
    expect(h.transport.sent('rate')).toEqual([{ type: 'rate', ratingId: 'r1', optionId: '5' }]);
  });

  it('refuses a rating after it expired on the server clock', async () => {
    const h = harness();
    await chatting(h);
    const now = h.clock.now();
    h.transport.emit({
      type: 'rating',
      rating: { id: 'r1', scale: 'numeric', options: [{ id: '1', label: '1' }], expiresAt: now + 1000, serverSkew: 2000 },
    });
    h.session.rate('r1', '1');
    expect(h.transport.sent('rate')).toEqual([]);
  });

  it('counts incoming agent lines while the window is closed; opening clears the count', async () => {
    const h = harness();
    const unread: number[] = [];
    const messages: unknown[] = [];
    h.session.on('unread', ({ count }) => unread.push(count));
    h.session.on('message', (m) => messages.push(m));
    await chatting(h);
    h.session.close();
    h.transport.emit({ type: 'message', message: { id: 'm1', sender: 'agent', authorName: 'Alex Morgan', text: 'One' } });
    h.transport.emit({ type: 'message', message: { id: 'm2', sender: 'bot', html: '<p>Two</p>' } });
    h.transport.emit({ type: 'message', message: { id: 'm3', sender: 'system', text: 'Transferred' } });
    expect(h.session.unread.value).toBe(2);
    h.session.open();
    expect(h.session.unread.value).toBe(0);
    h.transport.emit({ type: 'message', message: { id: 'm4', sender: 'agent', text: 'Seen' } });
    expect(h.session.unread.value).toBe(0);
    expect(unread).toEqual([1, 2, 0]);
    h.session.send('Thanks');
    // Each with the transcript item's id (a visitor line's is its client id) and the time it was added.
    const at = expect.any(Number);
    expect(messages).toEqual([
      { id: 'm1', at, sender: 'agent', text: 'One', authorName: 'Alex Morgan' },
      { id: 'm2', at, sender: 'bot', text: 'Two', authorName: undefined },
      { id: 'm4', at, sender: 'agent', text: 'Seen', authorName: undefined },
      { id: h.session.transcript.value.at(-1)!.id, at, sender: 'visitor', text: 'Thanks', authorName: 'Sam' },
    ]);
  });

  it('a bot line while waiting means the chat has started', async () => {
    const h = harness();
    await connected(h, chatConfig({ prechat: [] }));
    h.session.start({});
    h.transport.emit({ type: 'accepted' });
    expect(h.session.phase.value).toBe('waiting');
    h.transport.emit({ type: 'message', message: { id: 'b', sender: 'bot', text: 'I am a bot' } });
    expect(h.session.phase.value).toBe('chatting');
  });

  it('a listener that throws does not break the chat', async () => {
    const h = harness();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    h.session.on('message', () => {
      throw new Error('host bug');
    });
    const after = vi.fn();
    h.session.on('message', after);
    await chatting(h);
    h.transport.emit({ type: 'message', message: { id: 'm1', sender: 'agent', text: 'Hi' } });
    expect(after).toHaveBeenCalledTimes(1);
    expect(lines(h.session)).toContain('agent:Hi');
    warn.mockRestore();
  });

  it('off: the function returned by on() removes the listener', async () => {
    const h = harness();
    const fn = vi.fn();
    const off = h.session.on('phase', fn);
    off();
    await chatting(h);
    expect(fn).not.toHaveBeenCalled();
  });
});
