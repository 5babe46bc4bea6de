/**
 * Let the browser handle pending input (and paint) before the next slice of work, so no slice
 * becomes a long task the visitor feels (issue 27). scheduler.yield() keeps our place ahead
 * of other queued tasks; elsewhere a zero timeout is the next task.
 */
export function yieldToInput(): Promise<void> {
  const s = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  return s?.yield ? s.yield() : new Promise((resolve) => setTimeout(resolve));
}
