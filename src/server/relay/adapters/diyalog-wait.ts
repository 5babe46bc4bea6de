/**
 * The wait for a representative, on the queue's side (D4, and D3: "start this flow in the
 * Diyalog SDK after creating an interaction in your queue structure"): before
 * startAnonymousOnlineHelp the adapter asks the site's queuing service to CreateInteraction and
 * keeps the interaction id with the session. A representative opening it from the queue is
 * what makes CHAT_INPROGRESS come. The interaction is DELETEd when nobody has taken it and the
 * help stops: the visitor cancels, the start fails, CHAT_ENDED or the channel ends the wait,
 * the relay's wait timeout passes, or the session closes.
 */
import type { OnlineHelpParams } from './diyalog-channel';
import type { QueuingService } from './diyalog-queue';

/** setTimeout / clearTimeout, injected so tests advance time instead of waiting. */
export interface AdapterTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: AdapterTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export const DEFAULT_WAIT_TIMEOUT_MS = 15 * 60_000;

export class QueueWait {
  /** The queue's interaction for this session's help, until a representative takes it. */
  private interactionId: string | null = null;
  private timer: unknown = null;
  private readonly timers: AdapterTimers;

  constructor(
    private readonly queue: QueuingService | undefined,
    private readonly log: (message: string) => void,
    /** How long a visitor waits before the wait ends (0: no limit). */
    private readonly timeoutMs = DEFAULT_WAIT_TIMEOUT_MS,
    timers?: AdapterTimers,
  ) {
    this.timers = timers ?? realTimers;
  }

  /** An interaction nobody has taken yet is in the queue. */
  get pending(): boolean {
    return this.interactionId !== null;
  }

  /** CreateInteraction (D4); rejects when the queue did not create one. Nothing to do without a queue. */
  async create(params: OnlineHelpParams, attributes: Readonly<Record<string, string>>, pageUrl: string): Promise<void> {
    if (!this.queue) return;
    this.interactionId = await this.queue.createInteraction({
      identityNumber: params.idNumber > 0 ? String(params.idNumber) : '',
      customerId: params.customerId,
      attachedData: {
        // The site's attributes (update): D4's attachedData is a string→string map; ours come first.
        ...attributes,
        channel: 'web',
        helpType: params.helpType,
        customerName: params.customerName,
        pageUrl: pageUrl.slice(0, 500),
      },
    });
  }

  /** A representative took it from the queue: the interaction is no longer ours to delete. */
  taken(): void {
    this.interactionId = null;
    this.disarm();
  }

  /** `onTimeout` runs once the wait has lasted the timeout (never with no limit). */
  arm(onTimeout: () => void): void {
    if (this.timeoutMs <= 0) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      onTimeout();
    }, this.timeoutMs);
  }

  disarm(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** DELETE the interaction nobody took, once. */
  async withdraw(): Promise<void> {
    this.disarm();
    const id = this.interactionId;
    this.interactionId = null;
    if (!id || !this.queue) return;
    try {
      await this.queue.deleteInteraction(id);
    } catch (err) {
      this.log(`diyalog: DELETE interaction ${id} failed: ${String(err)}`);
    }
  }
}
