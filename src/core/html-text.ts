/**
 * The plain text a piece of vendor HTML reads as, without a DOM (transports are tested under
 * Node): tags out, a line break or the end of a block a space, the text inside elements that
 * are not prose (script, style, svg…) dropped, entities decoded once, whitespace collapsed.
 * It is only ever shown or compared as text (a wait line, a name, what a screen reader hears,
 * an echo against what the visitor typed), never used to render HTML: that is DOMPurify's.
 * One linear pass over the tags, so hostile markup cannot make it backtrack.
 */
// A tag starts with a letter, / ! or ? after the `<` (as in a browser: `a < b` is text).
const TAG = /(<[a-z!/?][^<>]*>)/i;
const NAME = /^<\/?([a-z][a-z0-9]*)/i;
const NOT_PROSE = new Set(['script', 'style', 'template', 'noscript', 'iframe', 'object', 'svg', 'math', 'title', 'textarea', 'select']);
const BREAKS = /^(?:br|p|div|li|tr|h[1-6])$/;
const ENTITY = /&(#[0-9]{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31});/gi;
/** Where there is no DOM (transports under Node): the entities servers actually write. */
const NAMED: Readonly<Record<string, string>> = {
  amp: '&', AMP: '&', lt: '<', LT: '<', gt: '>', GT: '>', quot: '"', QUOT: '"', apos: "'", nbsp: ' ', copy: '©', reg: '®', trade: '™', euro: '€',
  pound: '£', yen: '¥', cent: '¢', deg: '°', middot: '·', bull: '•', hellip: '…', ndash: '–', mdash: '—',
  lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„', laquo: '«', raquo: '»', times: '×',
};
let decoder: HTMLTextAreaElement | null = null;

/**
 * One named entity as text. In a browser, a detached <textarea> knows all of HTML's (its
 * content is parsed as text: no element is ever created); elsewhere, the table above.
 */
function named(whole: string, name: string): string {
  if (typeof document !== 'undefined') {
    try {
      decoder ??= document.createElement('textarea');
      decoder.innerHTML = whole;
      return decoder.value;
    } catch {
      // A page enforcing Trusted Types refuses innerHTML: the table will do.
    }
  }
  return NAMED[name] ?? whole;
}

function entity(whole: string, name: string): string {
  if (name[0] !== '#') return named(whole, name);
  const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
}

/** `lines`: line breaks and block ends stay line breaks (at most one blank line in a row). */
export function htmlToText(html: string, lines = false): string {
  let text = '';
  let skipping = '';
  const parts = html.split(TAG);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    // split() puts what TAG captured at the odd places.
    const name = i % 2 ? (NAME.exec(part)?.[1]?.toLowerCase() ?? '!') : null;
    if (name === null) {
      if (!skipping) text += lines ? part.replace(/\s+/g, ' ') : part;
    } else if (skipping) {
      if (name === skipping && part[1] === '/') skipping = '';
    } else if (NOT_PROSE.has(name) && part[1] !== '/' && !part.endsWith('/>')) {
      skipping = name;
    } else if (BREAKS.test(name)) {
      text += lines ? '\n' : ' ';
    }
  }
  text = text.replace(ENTITY, entity);
  return (lines ? text.replace(/[^\S\n]+/g, ' ').replace(/ ?\n ?/g, '\n').replace(/\n{3,}/g, '\n\n') : text.replace(/\s+/g, ' ')).trim();
}
