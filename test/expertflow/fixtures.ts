/** The vendor document's example payloads (test/fixtures/expertflow), read as objects. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../fixtures/expertflow/', import.meta.url));

/**
 * Repairs exactly the document's printing defects (see the fixtures' README): non-breaking
 * spaces used as indentation, a missing comma between two members, a trailing comma.
 */
export function relaxedJson(text: string): unknown {
  const repaired = text
    .replace(/\u00a0/g, ' ')
    .replace(/"\s*\n(\s*)"/g, '",\n$1"')
    .replace(/,(\s*[}\]])/g, '$1');
  return JSON.parse(repaired) as unknown;
}

export function fixtureNames(): string[] {
  return readdirSync(DIR).filter((f) => /\.(json|txt)$/.test(f));
}

export function fixture(name: string): Record<string, unknown> {
  const file = fixtureNames().find((f) => f.replace(/\.(json|txt)$/, '') === name);
  if (!file) throw new Error(`no fixture ${name}`);
  return relaxedJson(readFileSync(DIR + file, 'utf8')) as Record<string, unknown>;
}
