/** The vendor documents write examples as commented JS objects; this reads them as JSON. */
import { readdirSync, readFileSync } from 'node:fs';

export function lenientJson(text: string): unknown {
  const cleaned = text
    .replace(/\u00a0/g, ' ') // the documents indent with no-break spaces
    .replace(/(^|[^:"\\])\/\/.*$/gm, '$1')
    .replace(/,(\s*[}\]])/g, '$1')
    .trim();
  try {
    return JSON.parse(cleaned) as unknown;
  } catch {
    return undefined;
  }
}

/** Every fixture of a vendor that reads as a JSON object, by file name. */
export function fixtures(vendor: string): Record<string, unknown> {
  const dir = new URL(`../fixtures/${vendor}/`, import.meta.url);
  const out: Record<string, unknown> = {};
  for (const f of readdirSync(dir)) {
    if (!/\.(txt|json)$/.test(f)) continue;
    const v = lenientJson(readFileSync(new URL(f, dir), 'utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) out[f] = v;
  }
  return out;
}
