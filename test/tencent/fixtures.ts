/**
 * The desk document's examples are kept verbatim (comments, single quotes, a missing comma
 * and all). This reads one the way a reader of the document would: drop the comments, add
 * the one missing comma, and read the rest as an object literal.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DeskMessage } from '../../src/transports/tencent/client';

export function docExample(name: string): Record<string, unknown> {
  const raw = readFileSync(fileURLToPath(new URL(`../fixtures/tencent/${name}`, import.meta.url)), 'utf8');
  const code = raw
    .replace(/(^|[\s,{[])\/\/.*$/gm, '$1')
    .replace(/([\d"'}\]])[ \t]*\n(\s*["'])/g, '$1,\n$2');
  return new Function(`return (${code});`)() as Record<string, unknown>;
}

let n = 0;
/** A received C2C custom message carrying `data`, as the SDK would hand it over. */
export function deskCustom(data: unknown, overrides: Partial<DeskMessage> = {}): DeskMessage {
  return {
    ID: `m-${++n}`,
    type: 'TIMCustomElem',
    flow: 'in',
    from: '@customer_service_account',
    conversationID: 'C2C@customer_service_account',
    time: 1691070000,
    payload: { data: typeof data === 'string' ? data : JSON.stringify(data), description: '', extension: '' },
    ...overrides,
  };
}
