/**
 * A visitor line is sent to Diyalog once per client id: the widget sends a line again on every
 * new connection until it has seen the echo, so a line whose echo was still on its way when the
 * socket dropped arrives twice. The second time, the echo is repeated with the id Diyalog gave
 * the line (the widget de-duplicates by it) and sendMessage is not called (sendMessage has no
 * idempotency key in the document). A line Diyalog refused is not remembered: Retry sends it.
 */
import type { IncomingMessage } from '../../../core/contract';
import { createLedger, echoOf } from '../../../core/delivery';

/** Repeats come from reconnects, so only recent lines need remembering. */
const REMEMBERED_CLIENT_IDS = 200;

export class SentLines {
  /** The visitor's lines Diyalog took (core/delivery.ts). */
  private readonly lines = createLedger();

  /** The echo again, when Diyalog already took the line with this client id. */
  echoOf(clientId: string): IncomingMessage | undefined {
    const known = clientId ? this.lines.get(clientId) : undefined;
    return known?.id !== undefined ? echoOf(known) : undefined;
  }

  /** Diyalog took the line and named it `id`. */
  taken(clientId: string, text: string, id: string): void {
    if (!clientId) return;
    this.lines.add(clientId, text, Date.now(), undefined);
    this.lines.claim({ id, clientId });
    const all = this.lines.all();
    if (all.length > REMEMBERED_CLIENT_IDS) this.lines.forget(all[0]!.clientId);
  }
}
