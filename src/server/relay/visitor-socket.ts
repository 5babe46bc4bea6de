/**
 * The visitor socket: the WebSocket upgrade (Origin allowlist, per-IP limits) and one
 * socket's life — hello or resume within a bound, then pings, acks and commands, each frame
 * counted, handled in arrival order, and every failure ending this socket, never the process.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import {
  CLOSE_FATAL,
  CLOSE_REPLACED,
  type ClientFrame,
  type RelayFatalCode,
  type ServerFrame,
} from '../../protocol/relay';
import { unref } from '../clock';
import type { Delivery } from './delivery';
import { describe, type RelayEnv } from './env';
import { decodeFrame } from './frames';
import { SessionGone, type SessionRegistry } from './registry';
import type { RelaySession } from './session';
import { StaleCommit } from './store';
import { withinGrace } from './store-grace';
import { sessionToken, verifySessionToken } from './tokens';
import { checkVisitorUpload } from './upload-sniff';
import { rejectUpgrade, targetPath, type guardSockets } from './visitor-socket-guard';
import { telemetry, watchSocket } from './telemetry';

const HELLO_TIMEOUT_MS = 10_000;
/**
 * Frames of one socket waiting for the one before them (each may wait on the store or a shared
 * rate limit in Redis): past this the sender is flooding faster than it can be answered, and the
 * socket is cut like one that keeps sending refused frames.
 */
const MAX_PENDING_FRAMES = 200;

export function serveVisitorSockets(
  env: RelayEnv,
  server: Server,
  wss: WebSocketServer,
  guard: ReturnType<typeof guardSockets>,
  registry: SessionRegistry,
  delivery: Delivery,
): void {
  const { config, store, log, adapters, allowedTypes, clientIp, origins, limits, clock } = env;
  const { createSession, load, operate, emitNow, storeLost } = registry;
  const visitorLimits = limits.visitor;
  const sessionLimiter = limits.session;
  const attach = delivery.attach;

  wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
    const ip = clientIp(req);
    watchSocket(ws);
    const socketGuard = guard.watch(ws, req);
    let session: RelaySession | null = null;
    let greeted = false;
    let frames: Promise<void> = Promise.resolve();
    let pending = 0;
    let cut = false;
    let badFramesLogged = false;
    /** Frames refused by the frame rate; a socket that keeps sending regardless is cut. */
    let refused = 0;
    const fatal = (code: RelayFatalCode, message: string) => {
      const frame: ServerFrame = { type: 'fatal', code, message };
      if (ws.readyState !== ws.OPEN) return;
      ws.send(JSON.stringify(frame));
      ws.close(CLOSE_FATAL, code);
    };
    const helloTimer = clock.setTimeout(() => ws.close(CLOSE_FATAL, 'no hello'), HELLO_TIMEOUT_MS);
    ws.on('close', () => {
      clock.clearTimeout(helloTimer);
      socketGuard.stopHeartbeat();
      session?.detach(ws);
    });

    async function onFrame(frame: ClientFrame | null): Promise<void> {
      if (!session) {
        clock.clearTimeout(helloTimer);
        if (!frame) return fatal('bad-frame', 'expected hello or resume');
        if (frame.type === 'hello') {
          const factory = adapters.get(frame.vendor);
          if (!factory) return fatal('vendor-unknown', `this relay does not serve ${frame.vendor}`);
          // Each new session costs the vendor a config call: bounded per IP (the widget retries later).
          if (!(await visitorLimits.newSession(ip))) return fatal('session-unknown', 'too many new chats from this address; try again later');
          const created = await createSession(factory, frame.page);
          telemetry().sessionStarted(factory.vendor, created.id);
          session = created;
          await attach(created, ws, 0, welcome(created, false));
          void operate(created, () => created.adapter.open()).catch((err: unknown) => log(`open failed: ${describe(err)}`));
        } else if (frame.type === 'resume') {
          const id = verifySessionToken(config.signingKey, frame.token);
          if (!id) return fatal('bad-token', 'invalid session token');
          // A session being expired right now (upstream told, record not yet gone) is gone too.
          const found = await withinGrace(store, async () => ((await store.ending(id)) ? null : await load(id)));
          if (!found) return fatal('session-unknown', 'the session has ended or expired');
          const old = found.socket;
          session = found;
          if (old && old !== ws) old.close(CLOSE_REPLACED, 'replaced by a newer connection');
          await attach(found, ws, frame.lastSeq, welcome(found, true));
        } else fatal('bad-frame', 'expected hello or resume');
        return;
      }
      const s = session;
      // Every frame counts, whatever it is: each may cost a store command.
      if (!(await visitorLimits.frame(s.id))) {
        if (++refused === 200) {
          ws.close(1008, 'too many frames');
          // A flooder need not answer our close: the connection goes a second later regardless.
          unref(clock.setTimeout(() => ws.terminate(), 1000));
        }
        return;
      }
      if (!frame) {
        // Not kept as an event (a flood of them would fill the store): logged once per socket.
        if (!badFramesLogged) log(`${s.id.slice(0, 6)}: unreadable frame from the widget`);
        badFramesLogged = true;
        return;
      }
      if (frame.type === 'ping') return void ws.send(JSON.stringify({ type: 'pong' } satisfies ServerFrame));
      if (frame.type === 'ack') return void store.ack(s.id, frame.seq).catch(() => undefined);
      if (frame.type !== 'command') return;
      s.touch();
      if (!(await sessionLimiter.take(s.id)) || !(await visitorLimits.command(frame.command.type, s.id, ip))) {
        return emitNow(s, { type: 'error', code: 'rate-limited', message: 'Too many messages at once. Please slow down.', fatal: false });
      }
      let command = frame.command;
      if (command.type === 'send-file') {
        // Judged by its bytes before the vendor sees it: a .png must be a PNG.
        const upload = checkVisitorUpload(command.name, command.data, allowedTypes);
        if (!upload.ok) return emitNow(s, { type: 'error', code: 'file-type', message: 'Files of this type cannot be sent.', fatal: false });
        command = { ...command, name: upload.name };
      }
      const run = command;
      void operate(s, () => s.adapter.handle(run)).catch((err: unknown) => {
        if (err instanceof SessionGone) return fatal('session-unknown', 'the session has ended or expired');
        if (err instanceof StaleCommit) {
          // Another instance changed the session while this command ran (our lock had expired):
          // what it did was not recorded. It is not run again by itself (its vendor call may
          // have gone through); the visitor may retry (the same client id, the same number).
          log(`${s.id.slice(0, 6)}: ${command.type} not recorded: ${err.message}`);
          return emitNow(s, {
            type: 'error',
            code: 'conflict',
            message: 'The chat changed while this was being sent. Please try again.',
            fatal: false,
            ...(command.type === 'start' ? { retryable: true } : {}),
          });
        }
        // The store failed (adapters never throw): what the command did may not be recorded.
        storeLost(s, `${command.type}: ${describe(err)}`);
      });
    }

    ws.on('message', (data, isBinary) => {
      socketGuard.frame();
      const frame = isBinary ? null : decodeFrame(data.toString());
      if (!greeted && (frame?.type === 'hello' || frame?.type === 'resume')) {
        greeted = true;
        socketGuard.greeted();
      }
      // Frames of one socket are handled in arrival order, even when one waits on the store.
      if (cut) return;
      if (pending >= MAX_PENDING_FRAMES) {
        cut = true;
        ws.close(1008, 'too many frames');
        unref(clock.setTimeout(() => ws.terminate(), 1000));
        return;
      }
      pending++;
      frames = frames.then(() => onFrame(frame)).finally(() => pending--).catch((err: unknown) => {
        log(`frame failed: ${describe(err)}`);
        if (!session && ws.readyState === ws.OPEN) fatal('session-unknown', 'the relay could not open the session');
      });
    });
  });

  function welcome(session: RelaySession, resumed: boolean): ServerFrame {
    return { type: 'welcome', token: sessionToken(config.signingKey, session.id), capabilities: [...session.factory.capabilities], resumed };
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset at any point before ws takes the socket over ends this socket, not the process.
    socket.on('error', () => undefined);
    const path = targetPath(req.url);
    if (path === null) return rejectUpgrade(socket, 400, 'Bad Request');
    if (env.closing() || path !== '/ws') return rejectUpgrade(socket, 404, 'Not Found');
    const origin = req.headers.origin;
    if (!origin || !origins.has(origin)) return (telemetry().socketRefused(403, 'origin', `Origin ${JSON.stringify(origin ?? null)} is not in RELAY_ALLOWED_ORIGINS`), rejectUpgrade(socket, 403, 'Forbidden'));
    const ip = clientIp(req);
    // The connect rate may be shared through Redis: the upgrade waits for its answer (a socket
    // that went away meanwhile is simply dropped).
    void Promise.resolve(limits.ip.take(ip)).then(
      (allowed) => {
        if (socket.destroyed) return;
        if (!allowed) return rejectUpgrade(socket, 429, 'Too Many Requests');
        const release = limits.connections.acquire(ip);
        if (!release) return (telemetry().socketRefused(429, 'sockets-per-ip'), rejectUpgrade(socket, 429, 'Too Many Requests'));
        socket.once('close', release);
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
      },
      () => socket.destroy(),
    );
  });
}
