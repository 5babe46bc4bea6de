/**
 * Size budgets, in exact gzip -9 bytes, on the production build (npm test builds first).
 * The host page pays for confab.js at once, the app chunk when the visitor shows intent,
 * and one transport chunk for its vendor; socket.io-client and the Tencent SDK are their
 * own chunks, loaded only for their vendors.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = process.env.CONFAB_DIST
  ? pathToFileURL(`${resolve(process.env.CONFAB_DIST)}/`)
  : new URL('../../dist/', import.meta.url);
const gz = (file: string) => gzipSync(readFileSync(new URL(file, dist)), { level: 9 }).length;
const assets = () => (existsSync(new URL('assets', dist)) ? readdirSync(new URL('assets', dist)) : []);
const chunk = (prefix: string) => {
  const name = assets().find((f) => f.startsWith(`${prefix}-`) && f.endsWith('.js'));
  if (!name) throw new Error(`no ${prefix} chunk in dist/assets (run npm run build): ${assets().join(', ')}`);
  return `assets/${name}`;
};

/** A chunk and every chunk it imports statically: what the browser fetches before it runs. */
function staticClosure(start: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(new URL(file, dist), 'utf8');
    for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w$*{}\s,]+from\s*)?["']\.\/([^"']+\.js)["']/g)) {
      visit(`assets/${m[1]}`);
    }
  };
  visit(start);
  return seen;
}

export const BUDGETS = {
  loader: 3 * 1024,
  /**
   * Everything the window needs when it opens: Preact, signals, core, UI, CSS, English.
   * DOMPurify (3.4: ~11.5 KB gzip alone, a third of what the issues' 35 KB meant to hold)
   * is not in it: it is the sanitizer chunk below, fetched only by vendors whose lines
   * carry HTML (WhosOn, Omnidesk), as their transport connects.
   */
  app: 35 * 1024,
  /** DOMPurify and our allowlist pass (src/ui/sanitizer.ts). */
  sanitizer: 12 * 1024,
  transport: 6 * 1024,
  /**
   * Tencent's transport reads the robot's messages too (srcs 13, 29–31: streamed answers,
   * recalled messages; issue 20), which Tencent's own plugin renders: 1 KB more than the others.
   */
  tencentTransport: 7 * 1024,
  /**
   * WhosOn's transport re-attaches a chat across dropped sockets, holds lines in flight, and
   * decodes the surveys' full field set, the language selector and the logo (issue 19): 6.5 KB
   * after the merge. What is left is on the path of every chat (connect, config, lines); moving
   * it behind an import() would reorder frames, so it gets 1 KB more like Tencent's.
   */
  whosonTransport: 7 * 1024,
  /** marked 18 and our wrapper (src/transports/markdown.ts): fetched when a Markdown line arrives. */
  markdown: 16 * 1024,
  view: 6 * 1024,
  /** The bounded survey-mask matcher (src/core/survey-mask.ts): only WhosOn surveys carry masks. */
  surveyMask: 3 * 1024,
  /** data-mode="iframe": what the host page runs besides confab.js (the window is in the frame). */
  // + 64 B (issue 25: the iframe launcher preview card hook; issue 22: focus back to the site's own
  // control with data-launcher="none"): 4,125 measured; the card itself is a lazy chunk.
  frameHost: 4 * 1024 + 64,
  /** socket.io-client 2.5 (with a silent `debug`), fetched only for ExpertFlow servers on socket.io 2. */
  socketio2: 17 * 1024,
} as const;

describe('built sizes stay within budget (gzip -9 bytes)', () => {
  it('dist/confab.js (paid by every page at load) ≤ 3 KB', () => {
    expect(gz('confab.js')).toBeLessThanOrEqual(BUDGETS.loader);
  });

  it('the app chunk with the chunks it imports statically (Preact, signals, core, UI) ≤ 35 KB', () => {
    // The build keeps everything the app imports statically in the app chunk (transports and
    // lazy views import shared modules from it); any chunk it still imports statically is
    // downloaded with it when the chat opens, so it counts here.
    const seen = staticClosure(chunk('app'));
    const total = [...seen].reduce((sum, f) => sum + gz(f), 0);
    expect(gz(chunk('app'))).toBeGreaterThan(10 * 1024); // the traversal found the real app chunk
    expect(total).toBeLessThanOrEqual(BUDGETS.app);
    expect([...seen].some((f) => f.startsWith('assets/sanitizer-')), 'the sanitizer is only ever imported lazily').toBe(false);
    expect(readFileSync(new URL(chunk('app'), dist), 'utf8')).not.toMatch(/DOMPurify|trustedTypes/);
  });

  it('the sanitizer chunk (DOMPurify + our allowlist pass) ≤ 12 KB, and it really holds DOMPurify', () => {
    expect(readFileSync(new URL(chunk('sanitizer'), dist), 'utf8')).toMatch(/trustedTypes/);
    expect(gz(chunk('sanitizer'))).toBeLessThanOrEqual(BUDGETS.sanitizer);
  });

  // Views of later phases (after the chat, nobody available) are lazy chunks, prefetched once
  // the vendor has answered. What the window needs when it opens stays in the app chunk.
  for (const view of ['ended-view', 'offline-view', 'consent-view']) {
    it(`the lazily loaded ${view} chunk ≤ 6 KB`, () => {
      expect(gz(chunk(view))).toBeLessThanOrEqual(BUDGETS.view);
    });
  }

  // `cx` is ExpertFlow CX (transports/expertflow-cx/); Tencent and WhosOn have their own budgets below.
  for (const vendor of ['expertflow', 'cx', 'relay', 'diyalog']) {
    it(`the ${vendor} transport chunk ≤ 6 KB`, () => {
      expect(gz(chunk(vendor))).toBeLessThanOrEqual(BUDGETS.transport);
    });
  }

  it('the tencent transport chunk ≤ 7 KB', () => {
    expect(gz(chunk('tencent'))).toBeLessThanOrEqual(BUDGETS.tencentTransport);
  });

  it('the whoson transport chunk ≤ 7 KB', () => {
    expect(gz(chunk('whoson'))).toBeLessThanOrEqual(BUDGETS.whosonTransport);
  });

  it('the Markdown chunk (marked) ≤ 16 KB, and only ever imported lazily', () => {
    const markdown = chunk('markdown');
    expect(readFileSync(new URL(markdown, dist), 'utf8')).toMatch(/breaks/);
    expect(gz(markdown)).toBeLessThanOrEqual(BUDGETS.markdown);
    // Not in what the app or the Tencent transport load statically: fetched with a Markdown line only.
    for (const start of [chunk('app'), chunk('tencent')]) {
      expect([...staticClosure(start)].some((f) => f === markdown), start).toBe(false);
    }
  });

  it('the survey-mask chunk (bounded matcher) ≤ 3 KB, and only ever imported lazily', () => {
    const mask = chunk('survey-mask');
    expect(readFileSync(new URL(mask, dist), 'utf8')).toMatch(/ignoring survey mask/);
    expect(gz(mask)).toBeLessThanOrEqual(BUDGETS.surveyMask);
    // Fetched when a masked survey field arrives, never with the app or a transport.
    for (const start of [chunk('app'), chunk('whoson')]) {
      expect([...staticClosure(start)].some((f) => f === mask), start).toBe(false);
    }
  });

  it('the frame host (data-mode="iframe", in the host page) with what it imports statically ≤ 4 KB, never the app', () => {
    const seen = staticClosure(chunk('frame-host'));
    expect([...seen].some((f) => f.startsWith('assets/app-')), [...seen].join(', ')).toBe(false);
    expect([...seen].reduce((sum, f) => sum + gz(f), 0)).toBeLessThanOrEqual(BUDGETS.frameHost);
  });

  it('socket.io-client is a chunk of its own, imported only by the ExpertFlow chunks (3.x and CX)', () => {
    const io = chunk('socketio');
    const importers = assets()
      .filter((f) => f.endsWith('.js'))
      .filter((f) => readFileSync(new URL(`assets/${f}`, dist), 'utf8').includes(io.slice('assets/'.length)));
    expect(importers.map((f) => f.split('-')[0]).sort()).toEqual(['cx', 'expertflow']);
  });

  it('socket.io-client 2.x is a lazy chunk of its own ≤ 17 KB, imported only by the ExpertFlow chunk, and only dynamically', () => {
    const io2 = chunk('socketio2');
    expect(readFileSync(new URL(io2, dist), 'utf8')).toMatch(/EIO/);
    expect(gz(io2)).toBeLessThanOrEqual(BUDGETS.socketio2);
    const name = io2.slice('assets/'.length);
    const importers = assets()
      .filter((f) => f.endsWith('.js'))
      .filter((f) => readFileSync(new URL(`assets/${f}`, dist), 'utf8').includes(name));
    expect(importers.map((f) => f.split('-')[0])).toEqual(['expertflow']);
    expect([...staticClosure(chunk('expertflow'))].some((f) => f.startsWith('assets/socketio2-'))).toBe(false);
  });
});
