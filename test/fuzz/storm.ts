/**
 * The storm every transport goes through: frames from an arbitrary fed through the decoder
 * and the transport's real frame handler one at a time; after each, the events it produced
 * are checked (valid, and exactly one non-fatal `error` when the decoder rejected the frame).
 */
import fc from 'fast-check';
import { expect, vi } from 'vitest';
import type { ConfabEvent } from '../../src/core/contract';
import { prototypeIntact } from './arbitraries';
import { validateEvent } from './validate-event';

export interface StormResult {
  frames: number;
  rejected: number;
  events: number;
  /** console.warn calls made for rejected frames over the whole storm. */
  badFrameWarnings: number;
}

export interface StormSpec<F> {
  frames: fc.Arbitrary<F>;
  numRuns: number;
  /** The events the transport has emitted so far (the test's sink appends to it). */
  events: ConfabEvent[];
  /** The pure decoder's verdict: true when it rejects the frame. Must not throw. */
  rejects(frame: F): boolean;
  /** Hand the frame to the transport's frame handler (fake socket, SDK listener…). */
  feed(frame: F): void;
  /** console.warn messages that report an unreadable frame. */
  isBadFrameWarning(args: unknown[]): boolean;
}

export function storm<F>(spec: StormSpec<F>): StormResult {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const result: StormResult = { frames: 0, rejected: 0, events: 0, badFrameWarnings: 0 };
  try {
    fc.assert(
      fc.property(spec.frames, (frame) => {
        result.frames++;
        const before = spec.events.length;
        const warnsBefore = warn.mock.calls.length;
        const rejected = spec.rejects(frame);
        spec.feed(frame);
        const produced = spec.events.slice(before);
        result.events += produced.length;
        for (const ev of produced) {
          const problems = validateEvent(ev);
          if (problems.length) throw new Error(`invalid ${ev.type} event: ${problems.slice(0, 3).join('; ')}`);
        }
        const badWarns = warn.mock.calls.slice(warnsBefore).filter((a) => spec.isBadFrameWarning(a)).length;
        result.badFrameWarnings += badWarns;
        if (rejected) {
          result.rejected++;
          const errors = produced.filter((e) => e.type === 'error');
          if (errors.length !== 1 || produced.length !== 1) {
            throw new Error(`a rejected frame produced ${produced.map((e) => e.type).join(',') || 'nothing'}`);
          }
          const [err] = errors;
          if (err?.type !== 'error' || err.fatal) throw new Error('the error for a rejected frame is fatal');
          if (badWarns > 1) throw new Error(`${badWarns} warnings for one bad frame`);
        } else if (badWarns > 0) {
          throw new Error('an accepted frame was reported as unreadable');
        }
        if (!prototypeIntact()) throw new Error('Object.prototype was polluted');
      }),
      { numRuns: spec.numRuns, endOnFailure: true },
    );
  } finally {
    warn.mockRestore();
  }
  expect(result.frames).toBe(spec.numRuns);
  return result;
}

/** One line the lead can quote, e.g. "whoson: 10000 frames, 2210 rejected, 11873 events". */
export function summary(vendor: string, r: StormResult): string {
  const line = `[fuzz] ${vendor}: ${r.frames} frames, ${r.rejected} rejected, ${r.events} events, ${r.badFrameWarnings} bad-frame warnings`;
  console.log(line);
  return line;
}
