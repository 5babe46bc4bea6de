/**
 * fast-check arbitraries shared by the fuzz tests: frames derived from a vendor document's
 * example payloads by mutation (drop / rename / retype fields, nest, huge strings, unicode,
 * prototype-pollution keys, NaN/Infinity, deep nesting), plus random JSON and garbage text.
 */
import fc from 'fast-check';

export const ONE_MB = 'x'.repeat(1 << 20);
const BIG = 'y'.repeat(100_000);

function deep(levels: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

// 1,000 is ten times the decoders' cap (100) and cheap enough to copy thousands of times;
// the 10,000-option case has its own test per vendor.
const manyOptions = Array.from({ length: 1_000 }, (_, i) => ({ id: String(i), content: `option ${i}`, label: `o${i}` }));

/** Values a hostile or broken server might put anywhere. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<unknown>(null, undefined, true, false, 0, -1, 1e308, NaN, Infinity, -Infinity, '', '0', 'true', 'False') },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.integer() },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      'javascript:alert(1)', 'JaVa\tScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>',
      'data:image/svg+xml,<svg onload=alert(1)>', 'file:///etc/passwd', '//evil.example/x', 'vbscript:x',
      '<img src=x onerror=alert(1)>', ']]><x>&amp;', '\u0000\u0001\u202e\ud800', '\ud83d\ude00'.repeat(50),
      '{"type":"ChatMessage"}', '[]', '{}', 'null',
    ),
  },
  { weight: 1, arbitrary: fc.constant(BIG) },
  { weight: 1, arbitrary: fc.constant(JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}') as unknown) },
  { weight: 1, arbitrary: fc.constant(deep(300, 'leaf')) },
  { weight: 1, arbitrary: fc.constant(manyOptions) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

const keyArb = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'type', 'id'),
  fc.string({ maxLength: 10 }),
);

type Op =
  | { op: 'replace'; value: unknown }
  | { op: 'delete' }
  | { op: 'rename'; key: string }
  | { op: 'wrap-array' }
  | { op: 'wrap-object'; key: string }
  | { op: 'add'; key: string; value: unknown }
  | { op: 'stringify' }
  | { op: 'repeat' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: hostileValue.map((value) => ({ op: 'replace' as const, value })) },
  { weight: 2, arbitrary: fc.constant({ op: 'delete' as const }) },
  { weight: 2, arbitrary: keyArb.map((key) => ({ op: 'rename' as const, key })) },
  { weight: 1, arbitrary: fc.constant({ op: 'wrap-array' as const }) },
  { weight: 1, arbitrary: keyArb.map((key) => ({ op: 'wrap-object' as const, key })) },
  { weight: 2, arbitrary: fc.tuple(keyArb, hostileValue).map(([key, value]) => ({ op: 'add' as const, key, value })) },
  { weight: 1, arbitrary: fc.constant({ op: 'stringify' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'repeat' as const }) },
);

const clone = (v: unknown): unknown => structuredClone(v);

/** Apply one mutation at the node reached by following `path` (indices into child keys). */
function mutateAt(root: unknown, path: number[], m: Op): unknown {
  const apply = (node: unknown): unknown => {
    switch (m.op) {
      case 'replace':
        return structuredClone(m.value);
      case 'wrap-array':
        return [node];
      case 'wrap-object':
        return { [m.key]: node };
      case 'stringify':
        return JSON.stringify(node) ?? '';
      case 'repeat':
        // Copies, not one shared node: later mutations must keep the value a tree.
        return Array.from({ length: 5 }, () => structuredClone(node));
      default:
        return node;
    }
  };
  const walk = (node: unknown, depth: number): unknown => {
    const isContainer = typeof node === 'object' && node !== null;
    const keys = isContainer ? Object.keys(node) : [];
    if (depth >= path.length || keys.length === 0) {
      if (m.op === 'add' && isContainer && !Array.isArray(node)) {
        Object.defineProperty(node, m.key, { value: structuredClone(m.value), enumerable: true, writable: true, configurable: true });
        return node;
      }
      return apply(node);
    }
    const key = keys[path[depth]! % keys.length]!;
    const rec = node as Record<string, unknown>;
    const last = depth === path.length - 1;
    if (last && m.op === 'delete') {
      if (Array.isArray(node)) node.splice(Number(key), 1);
      else delete rec[key];
      return node;
    }
    if (last && m.op === 'rename' && !Array.isArray(node)) {
      const v = rec[key];
      delete rec[key];
      Object.defineProperty(node, m.key, { value: v, enumerable: true, writable: true, configurable: true });
      return node;
    }
    rec[key] = walk(rec[key], depth + 1);
    return node;
  };
  return walk(root, 0);
}

/** One to four mutations of a randomly chosen example. */
export function mutatedFrom(examples: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(
      fc.nat({ max: examples.length - 1 }),
      fc.array(fc.tuple(fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 5 }), opArb), { minLength: 1, maxLength: 4 }),
    )
    .map(([i, ops]) => ops.reduce((v, [path, op]) => mutateAt(v, path, op), clone(examples[i])));
}

/** Damage done to the text of a frame: truncation, byte flips, raw NaN tokens, BOMs. */
export function textDamage(json: string): fc.Arbitrary<string> {
  return fc.oneof(
    fc.nat({ max: Math.max(0, json.length) }).map((n) => json.slice(0, n)),
    fc.tuple(fc.nat({ max: Math.max(0, json.length - 1) }), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }))
      .map(([n, s]) => json.slice(0, n) + s + json.slice(n + 1)),
    fc.constant(json.replace(/:\s*(\d+|"[^"]*")/, ': NaN')),
    fc.constant(`\ufeff${json}`),
    fc.constant(`${json}${json}`),
  );
}

/**
 * Text frames for a JSON-over-socket protocol: mostly mutated examples, some damaged text,
 * some random JSON and garbage.
 */
export function textFrames(examples: readonly unknown[]): fc.Arbitrary<string> {
  const texts = examples.map((e) => JSON.stringify(e));
  return fc.oneof(
    { weight: 12, arbitrary: mutatedFrom(examples).map((v) => JSON.stringify(v) ?? 'undefined') },
    { weight: 3, arbitrary: fc.nat({ max: texts.length - 1 }).chain((i) => textDamage(texts[i]!)) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom('', 'null', '0', '"x"', '[]', '{}', 'true', ' ', '\u0000', `"${ONE_MB}"`) },
  );
}

/** Object frames (socket.io payloads, SDK messages): mutated examples and random values. */
export function objectFrames(examples: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: mutatedFrom(examples) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 2, arbitrary: hostileValue },
    { weight: 1, arbitrary: mutatedFrom(examples).map((v) => JSON.stringify(v) ?? '') },
  );
}

/** Nothing the storm sent may have reached Object.prototype. */
export function prototypeIntact(): boolean {
  const probe: Record<string, unknown> = {};
  return probe.polluted === undefined && Object.keys(Object.prototype).length === 0;
}
