import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { ConfabEvent, TransportOptions } from '../../src/core/contract';
import { decodeFrame } from '../../src/transports/whoson/decode';
import { createWhosOnTransport, type WebSocketConstructor } from '../../src/transports/whoson/transport';
import { ONE_MB, textFrames } from './arbitraries';
import { FakeSocket } from './fake-socket';
import { storm, summary } from './storm';
import { validateEvent } from './validate-event';

const DIR = new URL('../fixtures/whoson/', import.meta.url);
const examples = readdirSync(DIR)
  .filter((f) => f.startsWith('event-') && f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, DIR), 'utf8')) as unknown);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as Record<string, unknown>;

const FRAMES = 10_000;

function connected(): { events: ConfabEvent[]; socket: FakeSocket; transport: ReturnType<typeof createWhosOnTransport>; close: () => void } {
  const options: TransportOptions = {
    options: { server: 'ws://127.0.0.1:1/chat', domain: 'www.mycompany.com', auth: 'a', apiKey: 'k' },
    locale: 'en', pageUrl: 'https://site.example/', referrer: '', userAgent: 'fuzz', visitorId: 'v1',
  };
  const transport = createWhosOnTransport(options, { WebSocket: FakeSocket as unknown as WebSocketConstructor });
  const events: ConfabEvent[] = [];
  transport.connect((e) => events.push(e));
  const socket = FakeSocket.last!;
  socket.onopen?.({});
  socket.receive(JSON.stringify(fixture('event-connected')));
  expect(events.some((e) => e.type === 'config')).toBe(true);
  return { events, socket, transport, close: () => transport.close() };
}

describe('whoson: fuzzed server frames', () => {
  it(`${FRAMES} mutated and random frames through decodeFrame and the transport: no throw, valid events, one error per rejected frame`, () => {
    const { events, socket, transport, close } = connected();
    const result = storm({
      frames: textFrames(examples),
      numRuns: FRAMES,
      events,
      rejects: (f) => decodeFrame(f).kind === 'malformed',
      feed: (f) => socket.receive(f),
      isBadFrameWarning: (a) => String(a[0]).includes('malformed frame'),
    });
    summary('whoson', result);
    expect(result.rejected).toBeGreaterThan(FRAMES / 20);
    // Rate limit: at most 10 console lines for a whole flood of garbage.
    expect(result.badFrameWarnings).toBeLessThanOrEqual(10);

    // The widget stays usable: a new chat can start (the storm may have ended the last one,
    // e.g. with a final waiting line), and a documented agent line arrives as a message.
    const before = events.length;
    transport.send({ type: 'start', visitor: { name: 'Thomas' }, answers: {} });
    expect(events.slice(before).filter((e) => e.type === 'error')).toEqual([]);
    socket.receive(JSON.stringify(fixture('event-newline-lineo')));
    const line = events.slice(before).find((e) => e.type === 'message');
    expect(line?.type === 'message' && line.message.html).toBe(
      'Good Morning Thomas. My name is Howard Williams how can I help you?',
    );
    close();
  });

  it('non-string (binary) frames are rejected with one error each', () => {
    const { events, socket, close } = connected();
    const before = events.length;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const data of [new ArrayBuffer(8), null, 42, { EventName: 'quit' }]) socket.receiveRaw(data);
    const produced = events.slice(before);
    expect(produced.map((e) => e.type)).toEqual(['error', 'error', 'error', 'error']);
    expect(warn).toHaveBeenCalledTimes(4);
    warn.mockRestore();
    close();
  });
});

describe('whoson: oversized payloads are bounded at the decoder', () => {
  it('a 1 MB agent line is cut to 20,000 characters with an ellipsis', () => {
    const frame = { EventName: 'newline', ChatUid: 'c', Data: { Classname: 'lineo', Content: ONE_MB } };
    const ev = decodeFrame(JSON.stringify(frame));
    expect(ev.kind).toBe('newline');
    if (ev.kind !== 'newline') return;
    expect(ev.content.length).toBe(20_000);
    expect(ev.content.endsWith('…')).toBe(true);
  });

  it('a file request naming 5,000 types (with repeats) keeps the first 100 distinct ones, with one warning', () => {
    const types = Array.from({ length: 5_000 }, (_, i) => `.T${i % 2_500}`).join(',');
    const { events, socket, close } = connected();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    socket.receive(JSON.stringify({ EventName: 'requestfile', ChatUid: 'c', Data: types }));
    const request = events.find((e) => e.type === 'file-request');
    expect(request?.type === 'file-request' && request.allowedTypes).toEqual(
      Array.from({ length: 100 }, (_, i) => `t${i}`),
    );
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    close();
  });

  it('a 10,000-option select field keeps the first 100 options, with one warning', () => {
    const field = fixture('event-requestfield').Data as Record<string, unknown>;
    const options = Array.from({ length: 10_000 }, (_, i) => `option ${i}`);
    const frame = { EventName: 'requestfield', ChatUid: 'c', Data: { ...field, FieldType: 'Select', SelectOptions: options } };
    const { events, socket, close } = connected();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    socket.receive(JSON.stringify(frame));
    const form = events.find((e) => e.type === 'form');
    expect(form?.type === 'form' && form.form.field.options).toEqual(options.slice(0, 100));
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    for (const e of events) expect(validateEvent(e)).toEqual([]);
    close();
  });
});
