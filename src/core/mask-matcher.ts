/**
 * A bounded matcher for survey masks (server regular expressions): the mask is compiled to a
 * Thompson NFA and run as a Pike VM over the value, all threads in step, so matching costs at
 * most (value length + 1) × program size steps, whatever the mask: `(\d?\d?)+`, `(a|a)*` or
 * `(a+)+` are as cheap as `\d{5}`. There is no backtracking to blow up. A step budget bounds
 * it again, so even a huge mask on a huge value cannot hold the visitor's tab (issue 15 row 13,
 * issue 19: risky masks are enforced, not skipped).
 *
 * It reads JavaScript's syntax (no flags) except backreferences and lookbehind: literals, `.`,
 * classes with ranges and negation, \d \w \s (and negations), \b \B, escapes (\n \t \xHH
 * \uHHHH …), groups (capturing, `(?:`, named), `|`, `? * + {n} {n,} {n,m}` (lazy forms match
 * the same), `^ $`, and lookahead `(?=…)` `(?!…)` (password rules): a lookahead is run as a
 * sub-match at most once per position, so it stays polynomial, and inside the step budget.
 * For what it cannot read `compileNfa` returns null (survey.ts then ignores the mask, with a
 * warning: no backtracking engine ever runs a server mask).
 */

/** Program size beyond which a mask is not compiled (a{5000} would need 5000 states). */
export const MAX_STATES = 4096;
/** Steps one match may take; beyond it the value is treated as not matching. */
export const MAX_STEPS = 4_000_000;

type Test = (c: number) => boolean;
type Node =
  | { t: 'char'; test: Test }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; alts: Node[] }
  | { t: 'rep'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: '^' | '$' | 'b' | 'B' }
  | { t: 'look'; neg: boolean; node: Node };

/** Instructions: a character test, a fork, a zero-width assertion, the match. */
type Op =
  | { op: 'char'; test: Test; next: number }
  | { op: 'split'; a: number; b: number }
  | { op: 'assert'; kind: '^' | '$' | 'b' | 'B'; next: number }
  | { op: 'look'; neg: boolean; sub: Nfa; next: number }
  | { op: 'match' };

export interface Nfa {
  ops: Op[];
  start: number;
}

class Unsupported extends Error {}
const no = (): never => {
  throw new Unsupported();
};

const range = (lo: number, hi: number): Test => (c) => c >= lo && c <= hi;
const DIGIT: Test = range(48, 57);
const WORD: Test = (c) => DIGIT(c) || range(65, 90)(c) || range(97, 122)(c) || c === 95;
const SPACE: Test = (c) =>
  (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
const NOT = (t: Test): Test => (c) => !t(c);
const ANY: Test = (c) => c !== 10 && c !== 13 && c !== 0x2028 && c !== 0x2029;
const CLASS_ESCAPES: Record<string, Test> = { d: DIGIT, D: NOT(DIGIT), w: WORD, W: NOT(WORD), s: SPACE, S: NOT(SPACE) };
const CONTROL: Record<string, number> = { n: 10, r: 13, t: 9, v: 11, f: 12, '0': 0 };

/** Parses the mask into a tree; throws Unsupported for what is not regular. */
function parse(src: string): Node {
  let i = 0;
  const peek = () => src[i];

  /** One escaped thing after `\`: a class test or a single character code. */
  const escape = (inClass: boolean): Test | number => {
    const ch = src[i++] ?? no();
    const cls = CLASS_ESCAPES[ch];
    if (cls) return cls;
    if (ch === '0' && /\d/.test(src[i] ?? '')) no(); // legacy octal
    if (ch in CONTROL) return CONTROL[ch]!;
    if (ch === 'b' && inClass) return 8;
    if (ch === 'x' || ch === 'u') {
      const n = ch === 'x' ? 2 : 4;
      const hex = src.slice(i, i + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return ch.charCodeAt(0);
      i += n;
      return parseInt(hex, 16);
    }
    if (/[1-9kpPc]/.test(ch)) no(); // backreferences, \k<name>, \p{…}, \cX
    return ch.charCodeAt(0);
  };

  /** `[…]` after its `[`. In JavaScript `]` first is not a literal: `[]` matches nothing. */
  const charClass = (): Test => {
    const negate = peek() === '^';
    if (negate) i++;
    const parts: Test[] = [];
    const member = (): Test | number => (src[i] === '\\' ? (i++, escape(true)) : src.charCodeAt(i++));
    while (i < src.length && src[i] !== ']') {
      const lo = member();
      if (typeof lo === 'number' && src[i] === '-' && src[i + 1] !== undefined && src[i + 1] !== ']') {
        i++;
        const hi = member();
        if (typeof hi === 'number') {
          parts.push(range(lo, hi));
          continue;
        }
        // [a-\d]: not a range, three members (a, -, \d)
        parts.push((c) => c === lo || c === 45, hi);
        continue;
      }
      parts.push(typeof lo === 'number' ? (c) => c === lo : lo);
    }
    if (src[i] !== ']') no();
    i++;
    const any: Test = (c) => parts.some((p) => p(c));
    return negate ? NOT(any) : any;
  };

  const atom = (): Node | null => {
    const ch = src[i];
    if (ch === undefined || ch === '|' || ch === ')') return null;
    i++;
    if (ch === '(') {
      if (src[i] === '?') {
        if (src[i + 1] === '=' || src[i + 1] === '!') {
          const neg = src[i + 1] === '!';
          i += 2;
          const inner = alternation();
          if (src[i++] !== ')') no();
          return { t: 'look', neg, node: inner };
        }
        if (src[i + 1] === ':') i += 2;
        else if (src[i + 1] === '<' && /[A-Za-z_$]/.test(src[i + 2] ?? '')) i = src.indexOf('>', i) + 1 || no();
        else no(); // lookbehind
      }
      const inner = alternation();
      if (src[i++] !== ')') no();
      return inner;
    }
    if (ch === '[') return { t: 'char', test: charClass() };
    if (ch === '.') return { t: 'char', test: ANY };
    if (ch === '^' || ch === '$') return { t: 'assert', kind: ch };
    if (ch === '\\') {
      if (src[i] === 'b' || src[i] === 'B') return { t: 'assert', kind: src[i++] as 'b' | 'B' };
      const e = escape(false);
      return { t: 'char', test: typeof e === 'number' ? (c) => c === e : e };
    }
    if (ch === '*' || ch === '+' || ch === '?') no(); // nothing to repeat (RegExp refused it already)
    const code = ch.charCodeAt(0);
    return { t: 'char', test: (c) => c === code };
  };

  /** A quantifier after an atom, or null. `{` that is not one is a literal (Annex B). */
  const quantifier = (): { min: number; max: number } | null => {
    const ch = src[i];
    let q: { min: number; max: number } | null = null;
    if (ch === '*') q = { min: 0, max: Infinity };
    else if (ch === '+') q = { min: 1, max: Infinity };
    else if (ch === '?') q = { min: 0, max: 1 };
    if (q) i++;
    else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i, i + 24));
      if (!m) return null;
      i += m[0].length;
      const min = Number(m[1]);
      q = { min, max: m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]) };
    } else return null;
    if (src[i] === '?') i++; // lazy: same set of matches
    return q;
  };

  const sequence = (): Node => {
    const items: Node[] = [];
    for (;;) {
      const a = atom();
      if (!a) break;
      const q = quantifier();
      items.push(q ? { t: 'rep', node: a, ...q } : a);
    }
    return { t: 'seq', items };
  };

  function alternation(): Node {
    const alts = [sequence()];
    while (src[i] === '|') {
      i++;
      alts.push(sequence());
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts };
  }

  const tree = alternation();
  if (i !== src.length) no();
  return tree;
}

/** The tree as a program; `next` is where it continues. Returns its entry point. */
function emit(ops: Op[], node: Node, next: number): number {
  if (ops.length > MAX_STATES) no();
  const push = (op: Op): number => ops.push(op) - 1;
  switch (node.t) {
    case 'char':
      return push({ op: 'char', test: node.test, next });
    case 'assert':
      return push({ op: 'assert', kind: node.kind, next });
    case 'look': {
      const sub: Op[] = [{ op: 'match' }];
      const start = emit(sub, node.node, 0);
      if (ops.length + sub.length > MAX_STATES) no();
      return push({ op: 'look', neg: node.neg, sub: { ops: sub, start }, next });
    }
    case 'seq': {
      let at = next;
      for (let k = node.items.length - 1; k >= 0; k--) at = emit(ops, node.items[k]!, at);
      return at;
    }
    case 'alt': {
      let at = emit(ops, node.alts[node.alts.length - 1]!, next);
      for (let k = node.alts.length - 2; k >= 0; k--) at = push({ op: 'split', a: emit(ops, node.alts[k]!, next), b: at });
      return at;
    }
    case 'rep': {
      let at = next;
      if (node.max === Infinity) {
        // loop: split(body → back to the split, out)
        const split = push({ op: 'split', a: -1, b: next });
        const body = emit(ops, node.node, split);
        (ops[split] as { a: number }).a = body;
        at = split;
      } else {
        // x{0,2} is (x(x)?)?: each optional copy may stop and go on to `next`.
        for (let k = node.min; k < node.max; k++) at = push({ op: 'split', a: emit(ops, node.node, at), b: next });
      }
      for (let k = 0; k < node.min; k++) at = emit(ops, node.node, at);
      return at;
    }
  }
}

/** The mask as a program, or null when it is not regular (backreferences, lookaround) or too big. */
export function compileNfa(pattern: string): Nfa | null {
  try {
    const ops: Op[] = [{ op: 'match' }];
    const start = emit(ops, parse(pattern), 0);
    return ops.length > MAX_STATES ? null : { ops, start };
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

/**
 * Does the whole value match? `steps` is the work done (for tests: without lookahead it never
 * exceeds about (length + 1) × program size); `matched` is false when the budget ran out.
 */
export function runNfa(nfa: Nfa, value: string, budget = MAX_STEPS): { matched: boolean; steps: number } {
  let steps = 0;
  const n = value.length;
  const isWord = (p: number) => p >= 0 && p < n && WORD(value.charCodeAt(p));
  /** Each lookahead's answer per position (0 unknown, 1 matches, 2 does not). */
  const looks = new Map<Op, Int8Array>();

  /** Runs `prog` from `start`: to the end of the value (`whole`), or until any match (a lookahead). */
  const run = (prog: Nfa, start: number, whole: boolean): boolean => {
    const { ops } = prog;
    const mark = new Int32Array(ops.length).fill(-1);
    /** Follows forks and zero-width ops from pc at position pos; collects char/match ops. */
    const add = (list: number[], pc0: number, pos: number): void => {
      const stack = [pc0];
      while (stack.length) {
        const pc = stack.pop()!;
        if (mark[pc] === pos) continue;
        mark[pc] = pos;
        steps++;
        const op = ops[pc]!;
        if (op.op === 'split') stack.push(op.b, op.a);
        else if (op.op === 'assert') {
          const ok =
            op.kind === '^' ? pos === 0 : op.kind === '$' ? pos === n : (isWord(pos - 1) !== isWord(pos)) === (op.kind === 'b');
          if (ok) stack.push(op.next);
        } else if (op.op === 'look') {
          let known = looks.get(op);
          if (!known) looks.set(op, (known = new Int8Array(n + 1)));
          if (!known[pos]) known[pos] = run(op.sub, pos, false) ? 1 : 2;
          if ((known[pos] === 1) !== op.neg) stack.push(op.next);
        } else list.push(pc);
      }
    };
    const matches = (list: number[]) => list.some((pc) => ops[pc]!.op === 'match');
    let current: number[] = [];
    add(current, prog.start, start);
    for (let pos = start; ; pos++) {
      if (!whole && matches(current)) return true;
      if (pos === n || steps > budget) break;
      const c = value.charCodeAt(pos);
      const next: number[] = [];
      for (const pc of current) {
        const op = ops[pc]!;
        steps++;
        if (op.op === 'char' && op.test(c)) add(next, op.next, pos + 1);
      }
      if (!next.length) return false;
      current = next;
    }
    return whole && steps <= budget && matches(current);
  };

  const matched = run(nfa, 0, true);
  return { matched: matched && steps <= budget, steps };
}
