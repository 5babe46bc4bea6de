import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/server/relay/frames';
import { parseWireCommand } from '../../src/server/relay/wire-command';
import { prototypeIntact, textFrames } from './arbitraries';

/** Browser → relay frames of every documented kind (src/protocol/relay.ts). */
const EXAMPLES: unknown[] = [
  { type: 'hello', vendor: 'omnidesk', page: { url: 'https://bank.example/', referrer: '', locale: 'tr', userAgent: 'UA', visitorId: 'v1' } },
  { type: 'resume', token: 'abc.def', lastSeq: 3 },
  { type: 'ack', seq: 4 },
  { type: 'command', command: { type: 'start', visitor: { name: 'Ayşe' }, answers: { email: 'a@b.c' }, department: 'sales' } },
  { type: 'command', command: { type: 'send', clientId: 'c1', text: 'Merhaba' } },
  { type: 'command', command: { type: 'send-file', clientId: 'c2', name: 'a.pdf', mime: 'application/pdf', size: 3, data: 'YWJj' } },
  { type: 'command', command: { type: 'send-card', clientId: 'c3', card: { title: 't', url: 'https://x.example/' } } },
  { type: 'command', command: { type: 'typing', on: true } },
  { type: 'command', command: { type: 'choose', promptId: 'p', optionId: 'o', label: 'l' } },
  { type: 'command', command: { type: 'postchat', answers: { rating: '5' } } },
  { type: 'command', command: { type: 'transcript', format: 'email', email: 'a@b.c' } },
  { type: 'command', command: { type: 'leave-message', name: 'A', message: 'm' } },
  { type: 'command', command: { type: 'end' } },
];
const FRAMES = 10_000;
const str = (v: unknown) => typeof v === 'string';

/** What an adapter may rely on for each decoded frame. */
function wellTyped(f: NonNullable<ReturnType<typeof decodeFrame>>): boolean {
  switch (f.type) {
    case 'hello':
      return str(f.vendor) && Object.values(f.page).every((v) => str(v) && v.length <= 2000);
    case 'resume':
      return str(f.token) && Number.isSafeInteger(f.lastSeq);
    case 'ack':
      return Number.isSafeInteger(f.seq);
    case 'command': {
      const c = f.command as unknown as Record<string, unknown>;
      return Object.entries(c).every(([k, v]) =>
        k === 'type' ? str(v)
        : typeof v === 'object' ? Object.values(v as object).every((x) => str(x))
        : str(v) || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)));
    }
    default:
      return false;
  }
}

describe('relay server: fuzzed browser frames', () => {
  it(`${FRAMES} mutated and random frames through the relay's frame parser: never throws, only well-typed frames pass`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(textFrames(EXAMPLES), (text) => {
        const f = decodeFrame(text);
        if (f) {
          accepted++;
          expect(wellTyped(f)).toBe(true);
        }
        expect(prototypeIntact()).toBe(true);
      }),
      { numRuns: FRAMES },
    );
    console.log(`[fuzz] relay-server: ${FRAMES} frames, ${FRAMES - accepted} rejected`);
    expect(accepted).toBeGreaterThan(100);
  });

  it('commands of unknown type, with wrong field types or hostile keys are refused or cleaned', () => {
    expect(parseWireCommand({ type: 'send', clientId: 'c', text: 5 })).toBeNull();
    expect(parseWireCommand({ type: 'rm -rf', clientId: 'c' })).toBeNull();
    expect(parseWireCommand({ type: 'transcript', format: 'docx' })).toBeNull();
    expect(parseWireCommand({ type: 'start', visitor: { name: {} }, answers: {} })).toBeNull();
    const cleaned = parseWireCommand(JSON.parse('{"type":"send","clientId":"c","text":"t","__proto__":{"admin":true},"extra":1}'));
    expect(cleaned).toEqual({ type: 'send', clientId: 'c', text: 't' });
    expect(Object.getPrototypeOf(cleaned)).toBe(Object.prototype);
    const start = parseWireCommand(JSON.parse('{"type":"start","visitor":{"__proto__":"x","name":"A"},"answers":{}}'));
    expect(start?.type === 'start' && start.visitor.name).toBe('A');
    expect(prototypeIntact()).toBe(true);
  });
});
