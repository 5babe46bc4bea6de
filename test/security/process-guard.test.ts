/**
 * Issue 15 rows 1–4, the last line: what no handler caught is logged (bounded) and the process
 * keeps serving. The crash tests check nothing reaches it; this checks what it does when
 * something does, on an emitter standing in for `process` (the test runner owns the real one).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { guardProcess } from '../../src/server/relay/process-guard';

describe('issue 15: process-level guard', () => {
  it('rows 1-4: an uncaught exception or unhandled rejection is logged with its stack, at most 100 times, and removable', () => {
    const proc = new EventEmitter();
    const lines: string[] = [];
    const stop = guardProcess((m) => lines.push(m), proc as unknown as NodeJS.Process);
    proc.emit('uncaughtException', new RangeError('Invalid WebSocket frame'));
    proc.emit('unhandledRejection', 'ECONNRESET');
    expect(lines[0]).toMatch(/^uncaught exception survived: RangeError: Invalid WebSocket frame\n\s+at /);
    expect(lines[1]).toBe('unhandled rejection survived: ECONNRESET');
    for (let i = 0; i < 200; i++) proc.emit('uncaughtException', new Error(`again ${i}`));
    expect(lines).toHaveLength(100);
    stop();
    expect(proc.listenerCount('uncaughtException') + proc.listenerCount('unhandledRejection')).toBe(0);
  });
});
