/**
 * Raw TCP for the attacks a WebSocket library would never send: hand-written upgrade requests,
 * masked client frames with any opcode, length or payload (invalid UTF-8, lengths past the
 * cap, fragments), and resets (RST) at any point.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export const GUID_KEY = () => randomBytes(16).toString('base64');

/** A masked client frame. `declared` overrides the length in the header (to lie about it). */
export function clientFrame(opcode: number, payload: Buffer, opts: { fin?: boolean; declared?: number } = {}): Buffer {
  const len = opts.declared ?? payload.length;
  const head: number[] = [((opts.fin ?? true) ? 0x80 : 0) | opcode];
  if (len < 126) head.push(0x80 | len);
  else if (len < 65536) head.push(0x80 | 126, len >> 8, len & 0xff);
  else {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(len));
    head.push(0x80 | 127, ...b);
  }
  const mask = randomBytes(4);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from(head), mask, body]);
}

export const text = (s: string | Buffer) => clientFrame(0x1, Buffer.isBuffer(s) ? s : Buffer.from(s));

export interface RawConn {
  socket: Socket;
  /** The response head (status line and headers). */
  head: string;
  status: number;
  /** Server frames received after the head: opcode, payload. */
  frames: { opcode: number; payload: Buffer }[];
  /** Resolves when the relay (or we) closed the TCP connection. */
  closed: Promise<void>;
  /** Waits until a frame matching `probe` arrived (or the connection closed: resolves undefined). */
  frame(probe: (f: { opcode: number; payload: Buffer }) => boolean): Promise<{ opcode: number; payload: Buffer } | undefined>;
  /** The code of the close frame the relay sent, if any. */
  closeCode(): number | undefined;
}

export function rawRequest(port: number, request: string | Buffer): Promise<RawConn> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let headDone = false;
    let closedResolve!: () => void;
    const closed = new Promise<void>((r) => (closedResolve = r));
    socket.on('close', () => {
      closedResolve();
      if (!headDone) resolve(conn('', 0));
    });
    socket.on('error', () => undefined);
    const frames: { opcode: number; payload: Buffer }[] = [];
    const waiters: (() => void)[] = [];
    const conn = (head: string, status: number): RawConn => ({
      socket,
      head,
      status,
      frames,
      closed,
      frame(probe) {
        return new Promise((res) => {
          const check = () => {
            const f = frames.find(probe);
            if (f) return res(f), true;
            return false;
          };
          if (check()) return;
          waiters.push(() => void check());
          void closed.then(() => res(frames.find(probe)));
        });
      },
      closeCode() {
        const c = frames.find((f) => f.opcode === 0x8);
        return c && c.payload.length >= 2 ? c.payload.readUInt16BE(0) : undefined;
      },
    });
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!headDone) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        headDone = true;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        resolve(conn(head, Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0)));
      }
      // Unmasked server frames (payloads < 2^32 here).
      for (;;) {
        if (buf.length < 2) break;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) break;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) break;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) break;
        frames.push({ opcode: buf[0]! & 0x0f, payload: buf.subarray(off, off + len) });
        buf = buf.subarray(off + len);
      }
      for (const w of waiters) w();
    });
    socket.once('connect', () => socket.write(request));
    socket.once('error', (err) => {
      if (!headDone) reject(err);
    });
  });
}

export function upgradeRequest(opts: { path?: string; origin?: string; extra?: string } = {}): string {
  return [
    `GET ${opts.path ?? '/ws'} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${GUID_KEY()}`,
    'Sec-WebSocket-Version: 13',
    ...(opts.origin ? [`Origin: ${opts.origin}`] : []),
    ...(opts.extra ? [opts.extra] : []),
    '',
    '',
  ].join('\r\n');
}

/** A WebSocket opened by hand (status 101 expected), ready for raw frames. */
export async function rawSocket(port: number, origin: string): Promise<RawConn> {
  const c = await rawRequest(port, upgradeRequest({ origin }));
  if (c.status !== 101) throw new Error(`upgrade refused: ${c.head}`);
  return c;
}

export const HELLO = JSON.stringify({
  type: 'hello',
  vendor: 'omnidesk',
  page: { url: 'https://shop.example.com/', referrer: '', locale: 'en', userAgent: 'attacker', visitorId: 'x' },
});

/** Sends an upgrade or request, then resets the connection (RST): as soon as anything answers, or right after writing. */
export function resetAfterWrite(port: number, data: Buffer | string, waitForAnswer: boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    socket.once('connect', () => {
      socket.write(data);
      if (waitForAnswer) socket.once('data', () => socket.resetAndDestroy());
      else setImmediate(() => socket.resetAndDestroy());
    });
  });
}

/** Writes `data`, then half-closes (FIN); resolves with the status the relay answered (0: none) once the connection is closed. */
export function endAfterWrite(port: number, data: Buffer | string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.once('connect', () => socket.end(data));
  });
}
