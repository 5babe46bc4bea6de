/**
 * Everything that keeps one visitor's socket from hurting the relay: the upgrade target parsed
 * without throwing, refusals that survive a reset, an `error` listener on every socket (ws
 * emits one for invalid UTF-8 or an over-long frame, and an unheard `error` ends the process),
 * a small byte budget before `hello`, a per-IP cap on open sockets, and a heartbeat that reaps
 * sockets that stopped answering pings or stopped sending frames.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { systemClock, unref, type Clock } from '../clock';

export interface VisitorSocketLimits {
  /** Bytes a socket may send before its `hello`/`resume` has been read (a hello is < 1 KB). */
  preHelloBytes: number;
  /** Open visitor sockets per client IP. */
  perIp: number;
  /** Every this often each socket is pinged; one that has not answered the last ping is cut. */
  heartbeatMs: number;
  /** A socket that sent no frame this long is closed (the widget pings every 15 s of silence). */
  idleMs: number;
}

export const DEFAULT_SOCKET_LIMITS: VisitorSocketLimits = {
  preHelloBytes: 16 * 1024,
  perIp: 32,
  heartbeatMs: 30_000,
  idleMs: 10 * 60_000,
};

/** The path of a request target, or null when it is not one (`http://[/` and the like). */
export function targetPath(raw: string | undefined): string | null {
  try {
    return new URL(raw ?? '/', 'http://relay').pathname;
  } catch {
    return null;
  }
}

/**
 * Refuse an upgrade on the raw socket. The peer may reset meanwhile: that error ends this
 * socket only, and a peer that never closes its side is cut after a second.
 */
export function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.on('error', () => undefined);
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Open sockets per client IP. */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Count one more socket for `ip`; null when the IP is at its cap. The release runs once. */
  acquire(ip: string): (() => void) | null {
    const n = this.open.get(ip) ?? 0;
    if (n >= this.max) return null;
    this.open.set(ip, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(ip) ?? 1) - 1;
      if (left > 0) this.open.set(ip, left);
      else this.open.delete(ip);
    };
  }

  count(ip: string): number {
    return this.open.get(ip) ?? 0;
  }
}

interface Liveness {
  answered: boolean;
  lastFrame: number;
}

export interface SocketGuard {
  /** The socket sent a readable frame: it counts as active (and, once greeted, may send more). */
  frame(): void;
  /** `hello` or `resume` was read: from now on only the server's maxPayload bounds a frame. */
  greeted(): void;
  stopHeartbeat(): void;
}

/**
 * Guard the sockets of one WebSocketServer: `watch` each new socket (with its raw TCP socket),
 * and one timer walks them all for the heartbeat.
 */
export function guardSockets(
  wss: WebSocketServer,
  limits: VisitorSocketLimits,
  log: (message: string) => void,
  clock: Clock = systemClock,
): { watch(ws: WebSocket, req: IncomingMessage): SocketGuard; stop(): void } {
  const live = new WeakMap<WebSocket, Liveness>();
  let errorsLogged = 0;
  const now = () => clock.now();
  const heartbeat = clock.setInterval(() => {
    const t = now();
    for (const ws of wss.clients) {
      const l = live.get(ws);
      if (!l) continue;
      if (!l.answered) {
        ws.terminate();
        continue;
      }
      if (t - l.lastFrame > limits.idleMs) {
        ws.close(1000, 'idle');
        continue;
      }
      l.answered = false;
      ws.ping();
    }
  }, limits.heartbeatMs);
  unref(heartbeat);

  return {
    stop: () => clock.clearInterval(heartbeat),
    watch(ws, req) {
      const l: Liveness = { answered: true, lastFrame: now() };
      live.set(ws, l);
      ws.on('pong', () => (l.answered = true));
      // ws has already closed the connection (1007 invalid UTF-8, 1009 too big, 1002 bad
      // framing): hearing the error is what keeps it from ending the process.
      ws.on('error', (err: Error) => {
        if (errorsLogged++ < 20) log(`visitor socket error: ${err.message}`);
        ws.terminate();
      });
      let greeted = false;
      let bytes = 0;
      const raw = req.socket;
      const count = (chunk: Buffer) => {
        if (greeted) return;
        bytes += chunk.length;
        if (bytes > limits.preHelloBytes) {
          raw.off('data', count);
          ws.terminate();
        }
      };
      raw.on('data', count);
      return {
        frame: () => (l.lastFrame = now()),
        greeted() {
          greeted = true;
          raw.off('data', count);
        },
        stopHeartbeat: () => live.delete(ws),
      };
    },
  };
}
