/**
 * The clock and timers the relay and the sandbox simulators read, injected so tests advance
 * time instead of sleeping (test/fixtures/manual-clock.ts). The real one is the default.
 */
import { realClock, type Clock as CoreClock } from '../core/contract';

export interface Clock extends CoreClock {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemClock: Clock = {
  ...realClock,
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

/** Let a real timer not keep the process alive (a test clock's handles have nothing to unref). */
export function unref<T>(handle: T): T {
  (handle as { unref?: () => void } | null)?.unref?.();
  return handle;
}

/** A promise that resolves after `ms` on `clock` (and does not hold the process open). */
export function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => void unref(clock.setTimeout(resolve, ms)));
}
