/**
 * Issue 15 rows 1–4: requests and packets that used to end the relay process. Each is sent to
 * `npm run relay` in its own process over raw TCP; afterwards the process is alive, answers
 * /readyz, and nothing reached the process-level guard (each path is handled where it arises).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, startChildRelay, type ChildRelay } from './relay-child';
import { clientFrame, endAfterWrite, HELLO, rawRequest, rawSocket, resetAfterWrite, text, upgradeRequest } from './wire';

let relay: ChildRelay;
beforeAll(async () => {
  // A small upload cap keeps "a frame over maxPayload" small: maxPayload is 4/3 of it + 16 KiB.
  relay = await startChildRelay({ RELAY_MAX_UPLOAD_BYTES: '8192' });
}, 30_000);
afterAll(async () => {
  await relay?.stop();
});
afterEach(async () => {
  expect(relay.alive(), relay.output()).toBe(true);
  expect(relay.survived()).toEqual([]);
  expect(await relay.readyz()).toBe(200);
});

describe('issue 15: nothing a client sends ends the relay process', () => {
  it('row 1: an upgrade to `http://[/` (no Origin) is refused 400, and plain requests to it too', async () => {
    const c = await rawRequest(relay.port, upgradeRequest({ path: 'http://[/' }));
    expect(c.status).toBe(400);
    const withOrigin = await rawRequest(relay.port, upgradeRequest({ path: 'http://[/', origin: ORIGIN }));
    expect(withOrigin.status).toBe(400);
    const plain = await rawRequest(relay.port, 'GET http://[/ HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(plain.status).toBe(400);
  });

  it('row 2: a text frame of invalid UTF-8 (7b ff fe 7d) closes that socket with 1007, before and after hello', async () => {
    const before = await rawSocket(relay.port, ORIGIN);
    before.socket.write(text(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    await before.closed;
    expect(before.closeCode()).toBe(1007);

    const after = await rawSocket(relay.port, ORIGIN);
    after.socket.write(text(HELLO));
    await after.frame((f) => f.opcode === 1 && f.payload.toString().includes('welcome'));
    after.socket.write(text(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    await after.closed;
    expect(after.closeCode()).toBe(1007);
  });

  it('row 2: a frame over maxPayload after hello closes that socket with 1009', async () => {
    const c = await rawSocket(relay.port, ORIGIN);
    c.socket.write(text(HELLO));
    await c.frame((f) => f.opcode === 1 && f.payload.toString().includes('welcome'));
    // The header announces 1 MiB: refused on the header, before any of it is buffered.
    c.socket.write(clientFrame(0x1, Buffer.alloc(0), { declared: 1024 * 1024 }));
    await c.closed;
    expect(c.closeCode()).toBe(1009);
  });

  it('row 3: upgrades refused with 403 and 404, each reset by the client, many times over', async () => {
    for (let i = 0; i < 15; i++) {
      await resetAfterWrite(relay.port, upgradeRequest({ origin: 'https://evil.example' }), i % 2 === 0);
      await resetAfterWrite(relay.port, upgradeRequest({ path: '/nope', origin: ORIGIN }), i % 2 === 1);
      await resetAfterWrite(relay.port, upgradeRequest({ path: 'http://[/' }), i % 2 === 0);
    }
  });

  it('row 4: a hookpoint upload cut off inside the file part (reset, or the client half-closing)', async () => {
    const boundary = 'XyZ';
    const partial = Buffer.concat([
      Buffer.from(
        `POST /hook/${'security-hook-secret-0123456789'}/omnidesk/uploadForCustomer HTTP/1.1\r\nHost: x\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000\r\n\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="sessionID"\r\n\r\nabc\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      Buffer.alloc(3000, 0x41),
    ]);
    for (let i = 0; i < 5; i++) {
      await resetAfterWrite(relay.port, partial, false);
      await endAfterWrite(relay.port, partial);
    }
    // A form that ends inside the file part (the closing boundary never comes): 400.
    const truncated = Buffer.concat([partial.subarray(0, partial.indexOf('Content-Length')), Buffer.from('Content-Length: '), Buffer.from(String(partial.length - partial.indexOf('\r\n\r\n') - 4)), partial.subarray(partial.indexOf('\r\n\r\n'))]);
    expect(await endAfterWrite(relay.port, truncated)).toBe(400);
  });

  it('row 3: upgrades refused with 429 (per-IP rate), each reset by the client', async () => {
    // Last in this file: it spends loopback's upgrade budget.
    const statuses = new Set<number>();
    for (let i = 0; i < 80; i++) {
      const c = await rawRequest(relay.port, upgradeRequest({ origin: ORIGIN }));
      statuses.add(c.status);
      c.socket.resetAndDestroy();
    }
    expect(statuses.has(429)).toBe(true);
    for (let i = 0; i < 10; i++) await resetAfterWrite(relay.port, upgradeRequest({ origin: ORIGIN }), true);
  });
});
