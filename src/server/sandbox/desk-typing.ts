/**
 * The visitor's typing as the agent console shows it, read off the vendor's own inbound
 * frames: WhosOn's StartTyping / StopTyping and Preview (with the text), ExpertFlow CX's
 * TYPING_STARTED notification, Omnidesk's startedtyping / stoppedtyping events, ExpertFlow's
 * `typing` ActivityMessage (sendMessage). Vendors without such a frame say so (TYPING_UNSEEN).
 */

/** ExpertFlow's typing activity has no "stopped": shown this long (as the widget does for the agent's). */
const TYPING_SHOWN_MS = 6000;

/** ExpertFlow's sendMessage carrying the document's `typing` ActivityMessage. */
function isTypingActivity(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null) return false;
  const p = payload as Record<string, unknown>;
  return p.type === 'ActivityMessage' && p.activityType === 'typing';
}

export class VisitorTyping {
  /** null: not typing; else the preview text ('' none). */
  value: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `changed` runs whenever `value` changes (also when a shown-for-a-while typing lapses). */
  constructor(private readonly changed: () => void) {}

  /** An inbound frame (`clipped`: its payload as JSON text). */
  read(name: string, payload: unknown, clipped: string): void {
    let next = this.value;
    if (/^preview$/i.test(name) && Array.isArray(payload) && typeof payload[2] === 'string') next = payload[2].slice(0, 200);
    else if (/^starttyping$/i.test(name)) next = next ?? '';
    else if (/^stoptyping$/i.test(name)) next = null;
    else if (name === 'sendMessage' && isTypingActivity(payload)) {
      next = next ?? '';
      this.lapse();
    } else if (/TYPING_STARTED|startedtyping/.test(clipped)) next = next ?? '';
    else if (/stoppedtyping/.test(clipped)) next = null;
    this.set(next);
  }

  /** The visitor's line arrived: they are no longer typing it. */
  clear(): void {
    this.set(null);
  }

  private set(next: string | null): void {
    if (next === this.value) return;
    this.value = next;
    if (next === null && this.timer) clearTimeout(this.timer);
    this.changed();
  }

  private lapse(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.set(null), TYPING_SHOWN_MS);
    this.timer.unref?.();
  }
}
