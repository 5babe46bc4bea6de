/**
 * Turns composer keystrokes into typing start/stop and throttled preview commands.
 *
 * Typing follows the rule one vendor document spells out (sensible for all of them): on a key,
 * if the idle timer is not running, send start and run it; otherwise just note the time
 * of the key. When the timer fires, compare the last key time with now: 2 s idle sends
 * stop, otherwise the timer runs again for the remainder. Emptying the box stops at once;
 * sending a line stops silently (servers treat a message as the end of typing).
 *
 * Preview text (the operator sees the draft) is throttled to one command per second with
 * the latest value delivered at the end of the burst; the same value is never sent twice.
 */
import type { Clock } from './contract';

export const TYPING_IDLE_MS = 2000;
export const PREVIEW_INTERVAL_MS = 1000;

export interface TypingDeps {
  clock: Clock;
  typing(on: boolean): void;
  preview(text: string): void;
  /** Whether typing / preview may be sent right now (capabilities, config, phase). */
  typingAllowed(): boolean;
  previewAllowed(): boolean;
}

export interface TypingReporter {
  composing(text: string): void;
  /** A line was sent: typing ended without a stop command; the draft is gone. */
  sent(): void;
  /** Forget everything (chat ended, new chat, destroy) without sending anything. */
  reset(): void;
}

export function createTypingReporter(deps: TypingDeps): TypingReporter {
  const { clock } = deps;
  let typingTimer: unknown;
  let lastKeyAt = 0;
  let previewTimer: unknown;
  let lastPreviewAt = -Infinity;
  let lastPreview = '';
  let pendingPreview: string | null = null;

  const stopTypingTimer = (): void => {
    if (typingTimer !== undefined) clock.clearTimeout(typingTimer);
    typingTimer = undefined;
  };

  const checkIdle = (): void => {
    const idle = clock.now() - lastKeyAt;
    if (idle >= TYPING_IDLE_MS) {
      typingTimer = undefined;
      deps.typing(false);
    } else {
      typingTimer = clock.setTimeout(checkIdle, TYPING_IDLE_MS - idle);
    }
  };

  const deliverPreview = (): void => {
    previewTimer = undefined;
    if (pendingPreview === null) return;
    const text = pendingPreview;
    pendingPreview = null;
    if (text === lastPreview || !deps.previewAllowed()) return;
    lastPreview = text;
    lastPreviewAt = clock.now();
    deps.preview(text);
  };

  const cancelPreview = (): void => {
    if (previewTimer !== undefined) clock.clearTimeout(previewTimer);
    previewTimer = undefined;
    pendingPreview = null;
  };

  return {
    composing(text) {
      if (deps.typingAllowed()) {
        if (!text) {
          if (typingTimer !== undefined) {
            stopTypingTimer();
            deps.typing(false);
          }
        } else {
          lastKeyAt = clock.now();
          if (typingTimer === undefined) {
            deps.typing(true);
            typingTimer = clock.setTimeout(checkIdle, TYPING_IDLE_MS);
          }
        }
      }
      if (!deps.previewAllowed()) return;
      pendingPreview = text;
      if (previewTimer !== undefined) return;
      const wait = lastPreviewAt + PREVIEW_INTERVAL_MS - clock.now();
      if (wait <= 0) deliverPreview();
      else previewTimer = clock.setTimeout(deliverPreview, wait);
    },
    sent() {
      stopTypingTimer();
      cancelPreview();
      // The sent line replaces the draft on the operator's side.
      lastPreview = '';
    },
    reset() {
      stopTypingTimer();
      cancelPreview();
      lastPreview = '';
      lastPreviewAt = -Infinity;
    },
  };
}
