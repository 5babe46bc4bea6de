/**
 * Diyalog in the browser: Confab's relay transport with Diyalog's handshake in front of
 * `start` (document steps 1–4): the device hash, then a transactionHash from the site's
 * server, then the start command goes to the relay, whose Diyalog adapter calls
 * startAnonymousOnlineHelp.
 *
 * Wire choice: everything Diyalog needs travels in the start command's `visitor`, under the
 * document's parameter names — transactionHash, deviceHash, customerId, customerName,
 * idNumber, customerPhone, email, isLoggedIn, helpType, waitDisplayText. `answers` stays the
 * pre-chat answers. Customer fields come from data-* options, overridden by `identify`
 * (VisitorInfo), overridden by the customer id the site's server answered with.
 */
import { realClock, stamp, type Command, type Transport, type TransportOptions, type VisitorInfo } from '../../core/contract';
import { t } from '../../core/i18n';
import { createRelayTransport, type WebSocketCtor } from '../relay/transport';
import { deviceHash } from './device-hash';
import { fetchTransaction } from './transaction';

const CUSTOMER = ['customerId', 'customerName', 'idNumber', 'customerPhone', 'email', 'isLoggedIn'] as const;

export interface DiyalogDeps {
  WebSocket?: WebSocketCtor;
  fetch?: typeof fetch;
  storage?: () => Storage | null | undefined;
}

export function createDiyalogTransport(o: TransportOptions, deps: DiyalogDeps = {}): Transport {
  const relay = createRelayTransport(o, deps.WebSocket ? { WebSocket: deps.WebSocket } : {});
  const clock = o.clock ?? realClock;
  let sink: Parameters<Transport['connect']>[0] | null = null;
  /** The handshake in flight; aborted when the visitor cancels before it ends. */
  let pending: AbortController | null = null;

  async function handshake(start: Extract<Command, { type: 'start' }>, signal: AbortSignal): Promise<Command> {
    const visitor: VisitorInfo = {};
    for (const k of CUSTOMER) if (o.options[k]) visitor[k] = o.options[k];
    Object.assign(visitor, start.visitor);
    const device = deviceHash(deps.storage);
    // An anonymous visitor has no customer number: the per-browser Confab id stands in for it.
    const tx = await fetchTransaction(
      o.options.transactionUrl ?? '',
      { customerId: visitor.customerId || o.visitorId, deviceHash: device },
      deps.fetch ?? ((...a) => fetch(...a)),
      signal,
    );
    return {
      ...start,
      visitor: {
        ...visitor,
        customerId: tx.customerId,
        transactionHash: tx.transactionHash,
        deviceHash: device,
        helpType: o.options.helpType || 'chat',
        waitDisplayText: o.options.waitText ?? '',
      },
    };
  }

  return {
    capabilities: relay.capabilities,
    connect(s) {
      sink = s;
      relay.connect(s);
    },
    send(command) {
      if (command.type !== 'start') {
        if (command.type === 'cancel' || command.type === 'end') {
          pending?.abort();
          pending = null;
        }
        relay.send(command);
        return;
      }
      pending?.abort();
      const ctl = (pending = new AbortController());
      handshake(command, ctl.signal).then(
        (started) => {
          if (pending !== ctl) return;
          pending = null;
          relay.send(started);
        },
        (err: unknown) => {
          if (pending !== ctl) return;
          pending = null;
          console.warn('[confab] Diyalog transaction hash:', err);
          // The next start fetches a new hash, so the same start may simply be tried again.
          sink?.(stamp({ type: 'error', code: 'transaction-hash', message: t('error.chatToken'), fatal: false, retryable: true }, clock));
        },
      );
    },
    close() {
      pending?.abort();
      pending = null;
      relay.close();
    },
  };
}

export const createTransport = (o: TransportOptions): Transport => createDiyalogTransport(o);
