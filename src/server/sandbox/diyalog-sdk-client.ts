/**
 * The Diyalog simulator's SDK stand-in, as the relay uses it (a DiyalogChannel): the client of
 * the SANDBOX-ONLY wire on ws /__sandbox/diyalog/sdk (frames in diyalog.ts's header).
 */
import { WebSocket } from 'ws';
import type { DiyalogChannel, OnlineHelp, OnlineHelpEvents, OnlineHelpParams, OnlineHelpStartError, OnlineHelpStartResult } from '../relay/adapters/diyalog-channel';

export const SANDBOX_SDK_PATH = '/__sandbox/diyalog/sdk';

/**
 * The simulator's SDK stand-in: a channel to the sandbox at `base` (http://host:port).
 * `sdkDeviceHash` makes it behave like a channel running a real SDK, which has its own device hash.
 */
export function connectSandboxDiyalog(base: string, opts: { timeoutMs?: number; sdkDeviceHash?: string } = {}): DiyalogChannel {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const sdkHash = opts.sdkDeviceHash;
  return {
    startAnonymousOnlineHelp: (params, events) => startHelp(`${base.replace(/^http/, 'ws')}${SANDBOX_SDK_PATH}`, params, events, timeoutMs),
    ...(sdkHash ? { getDeviceHash: async () => sdkHash } : {}),
  };
}

function startHelp(url: string, params: OnlineHelpParams, events: OnlineHelpEvents, timeoutMs: number): Promise<OnlineHelpStartResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const sent = new Map<number, { ok: (v: { id: string }) => void; fail: (e: Error) => void }>();
    let closedAck: (() => void) | null = null;
    let settled = false;
    let disposed = false;
    let ref = 0;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      ws.terminate();
      reject(new Error('startAnonymousOnlineHelp timed out'));
    }, timeoutMs);

    const help: OnlineHelp = {
      sendMessage(text) {
        return new Promise((ok, fail) => {
          if (ws.readyState !== WebSocket.OPEN) return fail(new Error('channel closed'));
          sent.set(++ref, { ok, fail });
          ws.send(JSON.stringify({ op: 'sendMessage', ref, text }));
        });
      },
      closeMessaging() {
        return new Promise<void>((done) => {
          if (ws.readyState !== WebSocket.OPEN) return done();
          const t = setTimeout(done, timeoutMs);
          closedAck = () => {
            clearTimeout(t);
            done();
          };
          ws.send(JSON.stringify({ op: 'closeMessaging' }));
        });
      },
      dispose() {
        disposed = true;
        ws.close();
      },
    };

    ws.on('open', () => ws.send(JSON.stringify({ op: 'startAnonymousOnlineHelp', params })));
    ws.on('error', (err) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(err);
      }
    });
    ws.on('close', () => {
      for (const p of sent.values()) p.fail(new Error('channel closed'));
      sent.clear();
      closedAck?.();
      if (settled && !disposed) events.lost('sandbox connection closed');
    });
    ws.on('message', (data) => {
      let f: Record<string, unknown>;
      try {
        f = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        return;
      }
      if (f.op === 'result' && !settled) {
        settled = true;
        clearTimeout(timer);
        if (f.success === true) resolve({ success: true, help });
        else {
          const e = (f.error ?? {}) as Record<string, unknown>;
          resolve({ success: false, error: { code: String(e.code ?? ''), msg: String(e.msg ?? '') } });
          disposed = true;
          ws.close();
        }
      } else if (disposed || !settled) {
        return;
      } else if (f.op === 'state') {
        const error = f.error as OnlineHelpStartError | undefined;
        events.state(f.value as string, {
          ...(error ? { error } : {}),
          ...(typeof f.agentName === 'string' ? { agentName: f.agentName } : {}),
          ...(typeof f.staffId === 'string' ? { staffId: f.staffId } : {}),
        });
      } else if (f.op === 'message') {
        events.message({
          id: f.id as string,
          text: f.text as string,
          authorName: f.authorName as string | undefined,
          sentAt: f.sentAt as number | undefined,
        });
      } else if (f.op === 'typing') {
        events.typing?.(f.on === true);
      } else if (f.op === 'sent') {
        const p = sent.get(f.ref as number);
        sent.delete(f.ref as number);
        if (typeof f.id === 'string') p?.ok({ id: f.id });
        else p?.fail(new Error(String(f.error ?? 'not sent')));
      } else if (f.op === 'closed') {
        closedAck?.();
        closedAck = null;
      }
    });
  });
}
