import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConfabEvent } from '../../src/core/contract';
import { toDeskMessages, type DeskClient, type DeskEvent } from '../../src/transports/tencent/client';
import { mapDeskMessage } from '../../src/transports/tencent/map';
import { createTencentTransport } from '../../src/transports/tencent/transport';
import { mutatedFrom, objectFrames } from './arbitraries';
import { fixtures } from './lenient-fixture';
import { storm, summary } from './storm';
import { validateEvent } from './validate-event';

const TO = '@customer_service_account';
const customs = Object.values(fixtures('tencent'));
const message = (ID: string, type: string, payload: Record<string, unknown>) => ({
  ID, type, flow: 'in', from: TO, conversationID: `C2C${TO}`, time: 1700000000, nick: 'Desk', payload,
});
/** SDK messages carrying each documented desk payload, plus the plain element types. */
const EXAMPLES: unknown[] = [
  ...customs.map((c, i) => message(`c${i}`, 'TIMCustomElem', { data: JSON.stringify(c) })),
  message('t', 'TIMTextElem', { text: 'Hello' }),
  message('i', 'TIMImageElem', { imageInfoArray: [{ url: 'https://cos.example/a.png', type: 0 }] }),
  message('f', 'TIMFileElem', { fileUrl: 'https://cos.example/a.pdf', fileName: 'a.pdf', fileSize: 10 }),
];
/** Mutations inside the custom JSON too: the desk's payload is a string of JSON. */
const innerMutated = mutatedFrom(customs).map((c, ) => message('m', 'TIMCustomElem', { data: JSON.stringify(c) ?? '' }));
const FRAMES = 10_000;

function fakeClient(): { client: DeskClient; push: (raw: unknown) => void } {
  const listeners = new Set<(e: DeskEvent) => void>();
  const emit = (e: DeskEvent) => listeners.forEach((l) => l(e));
  const client: DeskClient = {
    on(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    login: async () => emit({ name: 'ready' }),
    sendText: async () => message('x', 'TIMTextElem', { text: '' }) as never,
    sendCustom: async () => message('x', 'TIMCustomElem', { data: '{}' }) as never,
    history: async () => ({ messages: [], complete: true }),
    serverTime: () => undefined,
    destroy: async () => undefined,
  };
  // As sdk-client does: the SDK's objects go through toDeskMessages at the edge.
  return { client, push: (raw) => emit({ name: 'received', messages: toDeskMessages(raw) }) };
}

describe('tencent: fuzzed desk messages', () => {
  beforeAll(() => {
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ userID: 'u1', userSig: 's' })));
  });
  afterAll(() => vi.unstubAllGlobals());

  it(`${FRAMES} mutated SDK messages and desk payloads through toDeskMessages, mapDeskMessage and the transport`, async () => {
    const { client, push } = fakeClient();
    const transport = createTencentTransport(
      { options: { sdkAppId: '1', userSigUrl: 'https://site.example/sig' }, locale: 'en', pageUrl: 'https://site.example/', referrer: '', userAgent: 'f', visitorId: 'v' },
      async () => client,
    );
    const events: ConfabEvent[] = [];
    transport.connect((e) => events.push(e));
    await vi.waitFor(() => expect(events.some((e) => e.type === 'connection' && e.state === 'open')).toBe(true));
    let n = 0;
    // Unique IDs, so the transport's de-duplication does not hide a frame from the check.
    const unique = (raw: unknown): unknown => {
      const o = raw as Record<string, unknown> | null;
      if (o && typeof o === 'object' && !Array.isArray(o) && typeof o.ID === 'string' && o.ID.length < 200) o.ID = `${o.ID}#${++n}`;
      return raw;
    };
    const result = storm({
      frames: fc.oneof({ weight: 3, arbitrary: objectFrames(EXAMPLES) }, { weight: 2, arbitrary: innerMutated }).map(unique),
      numRuns: FRAMES,
      events,
      rejects: (raw) =>
        toDeskMessages(raw).some(
          (m) => m.conversationID === `C2C${TO}` && mapDeskMessage(m, { serverSkew: 0 }).events.some((e) => e.type === 'error'),
        ),
      feed: push,
      isBadFrameWarning: (a) => String(a[0]).includes('desk message skipped'),
    });
    summary('tencent', result);
    expect(result.rejected).toBeGreaterThan(50);
    // Still usable: a desk text line arrives.
    const before = events.length;
    push(message('after', 'TIMTextElem', { text: 'still here' }));
    const line = events.slice(before).find((e) => e.type === 'message');
    expect(line?.type === 'message' && line.message.text).toBe('still here');
    transport.close();
  });

  it('a 1 MB text line and a 10,000-item branch are bounded at the mapper', () => {
    const big = mapDeskMessage(toDeskMessages(message('b', 'TIMTextElem', { text: 'z'.repeat(1 << 20) }))[0]!, { serverSkew: 0 });
    const text = big.events[0]?.type === 'message' ? big.events[0].message.text : undefined;
    expect(text?.length).toBe(20_000);
    const items = Array.from({ length: 10_000 }, (_, i) => ({ content: `item ${i}` }));
    const data = JSON.stringify({ customerServicePlugin: 0, src: '15', content: { header: 'h', items } });
    const branch = mapDeskMessage(toDeskMessages(message('br', 'TIMCustomElem', { data }))[0]!, { serverSkew: 0 }).events[0];
    expect(branch?.type === 'branch' && branch.branch.options.length).toBe(100);
    expect(validateEvent({ ...branch, at: 0 })).toEqual([]);
  });
});
