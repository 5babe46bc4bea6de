import { describe, expect, it, vi } from 'vitest';
import { chatConfig, chatting, harness, lines } from './harness';
import { createOutbox, newClientId } from '../../src/core/outbox';
import { FakeClock } from './harness';

describe('visitor lines: sending → sent / failed', () => {
  it('gives each line a client id and flips it to sent on the echo carrying that id', async () => {
    const h = harness();
    await chatting(h);
    const id = h.session.send('  Hello there  ');
    expect(id).not.toBe('');
    expect(h.transport.sent('send')).toEqual([{ type: 'send', clientId: id, text: 'Hello there' }]);
    expect(lines(h.session).at(-1)).toBe('visitor:Hello there [sending]');
    h.transport.emit({
      type: 'message',
      message: { id: 'srv-1', sender: 'visitor', text: 'Hello there', clientId: id },
    });
    expect(lines(h.session).filter((l) => l.startsWith('visitor:'))).toEqual(['visitor:Hello there [sent]']);
    // A re-delivered echo does not add a line either.
    h.transport.emit({
      type: 'message',
      message: { id: 'srv-1', sender: 'visitor', text: 'Hello there', clientId: id },
    });
    expect(lines(h.session).filter((l) => l.startsWith('visitor:'))).toHaveLength(1);
  });

  it('confirms an echo by its client id only: one without is a line from elsewhere (transports claim echoes, core/delivery.ts)', async () => {
    const h = harness();
    await chatting(h);
    const first = h.session.send('yes');
    h.session.send('no');
    h.transport.emit({ type: 'message', message: { id: 's1', sender: 'visitor', text: 'yes' } });
    const byId = (clientId: string) =>
      h.session.transcript.value.find((i) => i.kind === 'message' && i.clientId === clientId);
    expect(byId(first)).toMatchObject({ status: 'sending' });
    h.transport.emit({ type: 'message', message: { id: 's2', sender: 'visitor', text: 'yes', clientId: first } });
    expect(byId(first)).toMatchObject({ status: 'sent' });
    // A visitor line nobody here sent (another tab) is shown once, as sent.
    expect(lines(h.session).filter((l) => l.startsWith('visitor:'))).toEqual([
      'visitor:yes [sent]',
      'visitor:no [sending]',
      'visitor:yes [sent]',
    ]);
  });

  it('marks an unechoed line failed after the timeout, and retry resends the same id and text once', async () => {
    const h = harness({ sendTimeoutMs: 5000 });
    await chatting(h);
    const id = h.session.send('anyone?');
    h.clock.advance(4999);
    expect(lines(h.session).at(-1)).toBe('visitor:anyone? [sending]');
    h.clock.advance(1);
    expect(lines(h.session).at(-1)).toBe('visitor:anyone? [failed]');
    h.session.retry(id);
    h.session.retry(id); // already sending again: no second copy
    expect(lines(h.session).at(-1)).toBe('visitor:anyone? [sending]');
    expect(h.transport.sent('send')).toEqual([
      { type: 'send', clientId: id, text: 'anyone?' },
      { type: 'send', clientId: id, text: 'anyone?' },
    ]);
    h.transport.emit({ type: 'message', message: { id: 'e', sender: 'visitor', text: 'anyone?', clientId: id } });
    expect(lines(h.session).filter((l) => l.startsWith('visitor:'))).toEqual(['visitor:anyone? [sent]']);
    h.clock.advance(60000);
    expect(lines(h.session).at(-1)).toBe('visitor:anyone? [sent]');
  });

  it('a late echo turns a failed line into sent instead of duplicating it', async () => {
    const h = harness({ sendTimeoutMs: 1000 });
    await chatting(h);
    const id = h.session.send('slow');
    h.clock.advance(1000);
    h.transport.emit({ type: 'message', message: { id: 'e', sender: 'visitor', text: 'slow', clientId: id } });
    expect(lines(h.session).filter((l) => l.startsWith('visitor:'))).toEqual(['visitor:slow [sent]']);
  });

  it('holds lines written while reconnecting and sends each exactly once when open again', async () => {
    const h = harness({ sendTimeoutMs: 3000 });
    await chatting(h);
    const onWire = h.session.send('before the drop');
    h.transport.emit({ type: 'connection', state: 'reconnecting', attempt: 1 });
    const held = h.session.send('during the drop');
    expect(h.transport.sent('send').map((c) => c.text)).toEqual(['before the drop']);
    // Held lines do not time out while there is no connection to send them on.
    h.clock.advance(10000);
    expect(lines(h.session).filter((l) => l.startsWith('visitor:'))).toEqual([
      'visitor:before the drop [sending]',
      'visitor:during the drop [sending]',
    ]);
    h.transport.emit({ type: 'connection', state: 'open' });
    h.transport.emit({ type: 'connection', state: 'open' }); // a repeated "open" is not a new connection
    expect(h.transport.sent('send')).toEqual([
      { type: 'send', clientId: onWire, text: 'before the drop' },
      { type: 'send', clientId: onWire, text: 'before the drop' },
      { type: 'send', clientId: held, text: 'during the drop' },
    ]);
    h.transport.emit({ type: 'message', message: { id: 'a', sender: 'visitor', text: 'x', clientId: onWire } });
    h.transport.emit({ type: 'connection', state: 'reconnecting', attempt: 1 });
    h.transport.emit({ type: 'connection', state: 'open' });
    // Only the still-unconfirmed line goes out on the third connection.
    expect(h.transport.sent('send').slice(3)).toEqual([{ type: 'send', clientId: held, text: 'during the drop' }]);
  });

  it('fails lines still waiting when the connection closes for good', async () => {
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'connection', state: 'reconnecting', attempt: 1 });
    h.session.send('lost?');
    h.transport.emit({ type: 'connection', state: 'closed', reason: 'gave up' });
    expect(lines(h.session).at(-1)).toBe('visitor:lost? [failed]');
  });

  it('caps a line at the configured maximum length (4000 by default)', async () => {
    const h = harness();
    await chatting(h, chatConfig({ maxMessageLength: 10 }));
    h.session.send('0123456789abcdef');
    expect(h.transport.sent('send')[0]?.text).toBe('0123456789');
    const h2 = harness();
    await chatting(h2);
    expect(h2.session.maxMessageLength.value).toBe(4000);
    h2.session.send('x'.repeat(5000));
    expect(h2.transport.sent('send')[0]?.text).toHaveLength(4000);
    expect(h2.session.send('   ')).toBe('');
  });

  it('sends an allowed file and takes the server URL from its echo; refuses other types', async () => {
    const h = harness();
    await chatting(h, chatConfig({ allowedFileTypes: ['pdf'], maxFileBytes: 10 }));
    const file = new File(['%PDF'], 'invoice.PDF', { type: 'application/pdf' });
    const id = h.session.sendFile(file);
    const [cmd] = h.transport.sent('send-file');
    expect(cmd).toMatchObject({ clientId: id, name: 'invoice.PDF' });
    expect(cmd?.file).toBe(file);
    h.transport.emit({
      type: 'message',
      message: {
        id: 'f1',
        sender: 'visitor',
        clientId: id,
        attachments: [{ name: 'invoice.PDF', url: 'https://files.example/1', kind: 'file' }],
      },
    });
    const line = h.session.transcript.value.at(-1);
    expect(line).toMatchObject({ status: 'sent', attachments: [{ url: 'https://files.example/1' }] });
    expect(h.session.sendFile(new File(['x'], 'run.exe'))).toBe('');
    expect(h.session.error.value).toMatchObject({ code: 'file-type', fatal: false });
    expect(h.session.sendFile(new File(['12345678901'], 'big.pdf'))).toBe('');
    expect(h.session.error.value).toMatchObject({ code: 'file-size' });
    expect(h.transport.sent('send-file')).toHaveLength(1);
    expect(h.session.phase.value).toBe('chatting');
  });

  it('sends a card once and does not duplicate it on its echo', async () => {
    const h = harness();
    await chatting(h);
    const id = h.session.sendCard({ title: 'Order 42', url: 'https://shop.example/42' });
    expect(h.transport.sent('send-card')).toEqual([
      { type: 'send-card', clientId: id, card: { title: 'Order 42', url: 'https://shop.example/42' } },
    ]);
    h.transport.emit({ type: 'card', id: 'srv-card', sender: 'visitor', card: { title: 'Order 42' }, clientId: id });
    expect(h.session.transcript.value.filter((i) => i.kind === 'card')).toHaveLength(1);
  });
});

describe('outbox unit', () => {
  it('client ids are unique, with or without crypto.randomUUID', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newClientId()));
    expect(ids.size).toBe(50);
    vi.stubGlobal('crypto', undefined);
    try {
      const fallback = new Set(Array.from({ length: 50 }, () => newClientId()));
      expect(fallback.size).toBe(50);
      for (const id of fallback) expect(id).toMatch(/^c[0-9a-z]+-[0-9a-z]+$/);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a retry while offline waits for the next connection', () => {
    const clock = new FakeClock();
    const sent: string[] = [];
    const outbox = createOutbox({
      clock,
      timeoutMs: 100,
      transmit: (c) => sent.push(c.clientId),
      onStatus: () => undefined,
    });
    outbox.online();
    outbox.add({ type: 'send', clientId: 'a', text: 'x' });
    clock.advance(100);
    outbox.offline();
    expect(outbox.retry('a')).toBe(true);
    expect(sent).toEqual(['a']);
    outbox.online();
    expect(sent).toEqual(['a', 'a']);
  });
});
