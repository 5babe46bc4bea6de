import { describe, expect, it } from 'vitest';
import { backoffDelay, createReconnector, MAX_RECONNECT_DELAY_MS } from '../../src/core/backoff';
import type { Clock } from '../../src/core/contract';

/** A clock whose timers run only when the test advances it. */
function fakeClock() {
  let now = 0;
  let next = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout: (h) => void timers.delete(h as number),
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      timers.delete(due[0]);
      now = due[1].at;
      due[1].fn();
    }
    now = until;
  };
  return { clock, advance, scheduled: () => [...timers.values()].map((t) => t.at - now) };
}

function wakeTargets() {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  return { window: win, document: doc };
}

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt and never exceeds 30 s', () => {
    const top = () => 0.999999;
    expect(backoffDelay(1, 1000, top)).toBeCloseTo(1000, 0);
    expect(backoffDelay(2, 1000, top)).toBeCloseTo(2000, 0);
    expect(backoffDelay(5, 1000, top)).toBeCloseTo(16000, 0);
    for (const attempt of [6, 10, 100, 10_000]) expect(backoffDelay(attempt, 1000, top)).toBeLessThanOrEqual(MAX_RECONNECT_DELAY_MS);
  });

  it('is fully jittered: anywhere from zero up to the ceiling', () => {
    expect(backoffDelay(4, 1000, () => 0)).toBe(0);
    expect(backoffDelay(4, 1000, () => 0.5)).toBe(4000);
  });
});

describe('createReconnector', () => {
  it('keeps trying forever with growing, capped delays', () => {
    const { clock, advance, scheduled } = fakeClock();
    let runs = 0;
    const r = createReconnector({ run: () => runs++, clock, random: () => 0.999999, wake: wakeTargets() });
    const delays: number[] = [];
    for (let i = 0; i < 50; i++) {
      expect(r.schedule()).toBe(i + 1);
      delays.push(scheduled()[0] ?? -1);
      advance(MAX_RECONNECT_DELAY_MS);
    }
    expect(runs).toBe(50);
    expect(delays.slice(0, 3).map(Math.round)).toEqual([1000, 2000, 4000]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_RECONNECT_DELAY_MS);
    expect(delays.at(-1)).toBeGreaterThan(29_000);
  });

  it('starts again from the base delay after a successful connection', () => {
    const { clock, scheduled } = fakeClock();
    const r = createReconnector({ run: () => undefined, clock, random: () => 0.999999, wake: wakeTargets() });
    r.schedule();
    r.schedule();
    r.schedule();
    r.reset();
    expect(r.schedule()).toBe(1);
    expect(Math.round(scheduled()[0] ?? 0)).toBe(1000);
  });

  it('tries at once when the browser comes back online, once per scheduled try', () => {
    const { clock } = fakeClock();
    const wake = wakeTargets();
    let runs = 0;
    const r = createReconnector({ run: () => runs++, clock, random: () => 0.9, wake });
    r.schedule();
    wake.window.dispatchEvent(new Event('online'));
    expect(runs).toBe(1);
    expect(r.pending).toBe(false);
    wake.window.dispatchEvent(new Event('online'));
    expect(runs).toBe(1);
  });

  it('tries at once when the tab becomes visible, not when it is hidden', () => {
    const { clock } = fakeClock();
    const wake = wakeTargets();
    let runs = 0;
    const r = createReconnector({ run: () => runs++, clock, random: () => 0.9, wake });
    r.schedule();
    wake.document.visibilityState = 'hidden';
    wake.document.dispatchEvent(new Event('visibilitychange'));
    expect(runs).toBe(0);
    wake.document.visibilityState = 'visible';
    wake.document.dispatchEvent(new Event('visibilitychange'));
    expect(runs).toBe(1);
  });

  it('does nothing after stop, neither on its timer nor on wake events', () => {
    const { clock, advance } = fakeClock();
    const wake = wakeTargets();
    let runs = 0;
    const r = createReconnector({ run: () => runs++, clock, random: () => 0.5, wake });
    r.schedule();
    r.stop();
    advance(60_000);
    wake.window.dispatchEvent(new Event('online'));
    expect(runs).toBe(0);
  });
});
