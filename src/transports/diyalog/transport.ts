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
 *
 * Diyalog's SDK refuses an empty customerName, so when the site gave none (data-customer-name)
 * the pre-chat form asks for a name (prefilled from identify({ name }) when there is one).
 * Where the relay's channel has its own device hash (config.deviceHash: a real SDK's), the
 * transaction is requested for that hash. Diyalog's documented start error codes are said in
 * the visitor's language (errors.ts).
 */
import { type Command, type ConfabEvent, type EventSink, type SurveyField, type Transport, type TransportOptions, type VisitorInfo } from '../../core/contract';
import { t } from '../../core/i18n';
import { createKit } from '../../core/transport-kit';
import { createRelayTransport, type WebSocketCtor } from '../relay/transport';
import { DEVICE_HASH_PATTERN, deviceHash } from './device-hash';
import { startErrorWords, transactionFailureWords } from './errors';
import { fetchTransaction, TransactionError } from './transaction';

const CUSTOMER = ['customerId', 'customerName', 'idNumber', 'customerPhone', 'email', 'isLoggedIn'] as const;

export interface DiyalogDeps {
  WebSocket?: WebSocketCtor;
  fetch?: typeof fetch;
  storage?: () => Storage | null | undefined;
}

export function createDiyalogTransport(o: TransportOptions, deps: DiyalogDeps = {}): Transport {
  const relay = createRelayTransport(o, deps.WebSocket ? { WebSocket: deps.WebSocket } : {});
  const kit = createKit({ vendor: 'diyalog', clock: o.clock });
  /** The handshake in flight; aborted when the visitor cancels before it ends. */
  let inFlight: AbortController | null = null;
  /** The relay channel's own device hash, when it has one. */
  let channelDevice: string | null = null;

  /** The relay's events on their way to the session, Diyalog's parts adjusted. */
  function adjust(e: ConfabEvent): ConfabEvent {
    if (e.type === 'config') {
      const hash = e.config.deviceHash;
      channelDevice = typeof hash === 'string' && DEVICE_HASH_PATTERN.test(hash) ? hash : null;
      if (o.options.customerName?.trim() || e.config.prechat.some((f) => f.type === 'name')) return e;
      // The site named nobody: Diyalog refuses an empty customerName, so the form asks.
      // Named after Diyalog's parameter, so identify({ customerName }) prefills it too (as does
      // identify({ name }), through the field's type).
      const name: SurveyField = { name: 'customerName', type: 'name', label: t('prechat.name'), required: true, maxLength: 100 };
      return { ...e, config: { ...e.config, prechat: [name, ...e.config.prechat] } };
    }
    if (e.type === 'error') {
      const key = startErrorWords(e.code);
      if (key) return { ...e, message: t(key) };
    }
    return e;
  }

  async function handshake(start: Extract<Command, { type: 'start' }>, signal: AbortSignal): Promise<Command> {
    const visitor: VisitorInfo = {};
    for (const k of CUSTOMER) if (o.options[k]) visitor[k] = o.options[k];
    Object.assign(visitor, start.visitor);
    // What the visitor typed in the pre-chat form is their name now.
    const typed = start.answers.customerName?.trim();
    if (typed) visitor.customerName = typed;
    const device = channelDevice ?? deviceHash(deps.storage);
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
      const adjusted: EventSink = (e) => s(adjust(e));
      kit.connect(adjusted);
      relay.connect(adjusted);
    },
    send(command) {
      if (command.type !== 'start') {
        if (command.type === 'cancel' || command.type === 'end') {
          inFlight?.abort();
          inFlight = null;
        }
        relay.send(command);
        return;
      }
      inFlight?.abort();
      const ctl = (inFlight = new AbortController());
      handshake(command, ctl.signal).then(
        (started) => {
          if (inFlight !== ctl) return;
          inFlight = null;
          relay.send(started);
        },
        (err: unknown) => {
          if (inFlight !== ctl) return;
          inFlight = null;
          kit.log('transaction hash:', err);
          // The next start fetches a new hash, so the same start may simply be tried again.
          const words = transactionFailureWords(err instanceof TransactionError ? err.reason : undefined);
          kit.emit({ type: 'error', code: 'transaction-hash', message: t(words), fatal: false, retryable: true });
        },
      );
    },
    close() {
      inFlight?.abort();
      inFlight = null;
      relay.close();
      kit.close();
    },
  };
}

export const createTransport = (o: TransportOptions): Transport => createDiyalogTransport(o);
