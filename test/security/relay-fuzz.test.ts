/**
 * Issue 15, done-when: a bounded fuzz run against `npm run relay` in its own process: malformed
 * upgrades, resets mid-handshake, invalid UTF-8, oversized, lying and fragmented frames (with
 * and without hello), junk hookpoint bodies of every content type, uploads cut off. Afterwards
 * the relay is alive, answers /readyz, and nothing reached the process-level guard.
 * Seeded like every fast-check run in the suite (test/fuzz-seed.ts: FUZZ_SEED replays one).
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, SECRET, startChildRelay, type ChildRelay } from './relay-child';
import { clientFrame, HELLO, upgradeRequest } from './wire';

const ATTACKS = 200;

let relay: ChildRelay;
beforeAll(async () => {
  relay = await startChildRelay({ RELAY_MAX_UPLOAD_BYTES: '8192', RELAY_CONNECTS_PER_MINUTE: '1000000', RELAY_SOCKETS_PER_IP: '100000' });
}, 30_000);
afterAll(async () => {
  await relay?.stop();
});

type Ending = 'reset' | 'fin' | 'wait';

/** Connect, write the chunks, end as told; resolves when the connection is gone. */
function attack(port: number, chunks: Buffer[], ending: Ending): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    socket.once('connect', () => {
      for (const c of chunks) socket.write(c);
      if (ending === 'fin') socket.end();
      // Give the relay a moment to read (and maybe answer or close), then leave as told.
      setTimeout(() => (ending === 'reset' ? socket.resetAndDestroy() : socket.destroy()), 15);
    });
  });
}

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b));
const invalidUtf8 = fc.constantFrom([0x7b, 0xff, 0xfe, 0x7d], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]).map((b) => Buffer.from(b));
const jsonish = fc.oneof(
  fc.constant(HELLO),
  fc.constant('{"type":"resume","token":"a.b","lastSeq":0}'),
  fc.constant('{"type":"ping"}'),
  fc.constant('{"type":"ack","seq":1e308}'),
  fc.constant('{"type":"command","command":{"type":"send-file","clientId":"c","name":"a.png","mime":"image/png","size":1,"data":"!!!"}}'),
  fc.string({ maxLength: 200 }),
).map((s) => Buffer.from(s));

/** One frame: any opcode, fin or not, honest, short, or lying about its length. */
const frame = fc
  .record({
    opcode: fc.oneof(fc.constantFrom(0x0, 0x1, 0x2, 0x8, 0x9, 0xa), fc.integer({ min: 0, max: 15 })),
    fin: fc.boolean(),
    payload: fc.oneof(jsonish, invalidUtf8, bytes(300)),
    lie: fc.oneof(fc.constant(undefined), fc.constantFrom(1 << 20, 14 * 1024 * 1024, 2 ** 40), fc.integer({ min: 0, max: 70_000 })),
  })
  .map(({ opcode, fin, payload, lie }) => clientFrame(opcode, payload, { fin, declared: lie }));

const upgradeChunks = fc.record({ origin: fc.boolean(), hello: fc.boolean(), frames: fc.array(frame, { maxLength: 6 }) }).map(({ origin, hello, frames }) => [
  Buffer.from(upgradeRequest(origin ? { origin: ORIGIN } : {})),
  ...(hello ? [clientFrame(0x1, Buffer.from(HELLO))] : []),
  ...frames,
]);

const malformedUpgrade = fc
  .record({
    path: fc.oneof(fc.constantFrom('http://[/', '/ws?%', '//[::1', '/ws#\u0000', '*', 'http://a:99999/ws'), fc.string({ maxLength: 40 })),
    version: fc.constantFrom('13', '8', 'x', ''),
    key: fc.constantFrom('dGhlIHNhbXBsZSBub25jZQ==', '', 'short', '!!!!'),
    cut: fc.nat(),
  })
  .map(({ path, version, key, cut }) => {
    const req = Buffer.from(
      `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: ${version}\r\nOrigin: ${ORIGIN}\r\n\r\n`,
    );
    // Some are cut mid-handshake.
    return [cut % 3 === 0 ? req.subarray(0, cut % req.length) : req];
  });

const hookBody = fc
  .record({
    route: fc.constantFrom('messageForCustomer', 'uploadForCustomer', 'endSession', 'nope', '..%2f'),
    type: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=B', 'multipart/form-data', 'text/plain', ''),
    body: fc.oneof(bytes(400), fc.constant(Buffer.from('--B\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG')), fc.string({ maxLength: 300 }).map((s) => Buffer.from(s))),
    declared: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 200_000 })),
  })
  .map(({ route, type, body, declared }) => [
    Buffer.from(
      `POST /hook/${SECRET}/omnidesk/${route} HTTP/1.1\r\nHost: x\r\n${type ? `Content-Type: ${type}\r\n` : ''}Content-Length: ${declared ?? body.length}\r\n\r\n`,
    ),
    body,
  ]);

const anyAttack = fc.record({
  chunks: fc.oneof(upgradeChunks, malformedUpgrade, hookBody),
  ending: fc.constantFrom<Ending>('reset', 'fin', 'wait'),
});

describe('issue 15: relay fuzz', () => {
  it(`${ATTACKS} malformed upgrades, frames, resets and junk hookpoint bodies: the relay stays up and ready`, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(anyAttack, async ({ chunks, ending }) => {
        runs++;
        await attack(relay.port, chunks, ending);
        expect(relay.alive(), relay.output()).toBe(true);
      }),
      { numRuns: ATTACKS },
    );
    expect(relay.survived()).toEqual([]);
    expect(await relay.readyz()).toBe(200);
    console.log(`[fuzz] relay: ${runs} attacks, 0 crashes, /readyz 200`);
  }, 60_000);
});
