/**
 * Survey masks (server regular expressions) compiled for the bounded matcher. A lazy chunk of
 * its own: only WhosOn surveys carry masks, so survey.ts loads this when a masked field
 * arrives (see masksReady there) and no other vendor's visitors download the matcher.
 */
import { compileNfa, runNfa } from './mask-matcher';

const MAX_MASK_LENGTH = 200;

/** A compiled mask: does the whole value match? */
export interface Mask {
  test(value: string): boolean;
}

const masks = new Map<string, Mask | null>();

/**
 * A server mask, or null when it must be ignored (too long, not valid JavaScript syntax, or
 * what the bounded matcher cannot read: backreferences, lookbehind). The mask is anchored:
 * the server's validators (ASP.NET style) match the whole value, so "[0-9]{5}" must not
 * accept "abc12345xyz". No backtracking engine ever runs a server mask.
 */
export function compileMask(pattern: string): Mask | null {
  const cached = masks.get(pattern);
  if (cached !== undefined) return cached;
  let compiled: Mask | null = null;
  let problem = '';
  if (pattern.length > MAX_MASK_LENGTH) problem = 'too long';
  else {
    try {
      // Compiling never runs the pattern: it only proves the syntax is JavaScript's.
      new RegExp(pattern);
      const nfa = compileNfa(pattern);
      if (nfa) compiled = { test: (v) => runNfa(nfa, v).matched };
      else problem = 'not supported (backreference, lookbehind or too large)';
    } catch {
      problem = 'invalid syntax';
    }
  }
  if (problem) console.warn(`[confab] ignoring survey mask (${problem}): ${pattern.slice(0, 80)}`);
  masks.set(pattern, compiled);
  return compiled;
}
