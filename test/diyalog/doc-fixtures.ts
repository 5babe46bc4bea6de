/** Values read from the verbatim excerpts of Diyalog's document in test/fixtures/diyalog/. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const read = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/diyalog/${name}`, import.meta.url)), 'utf8');

/** "NO_CHAT", "STARTED", "CHAT_INPROGRESS", "CHAT_ENDED", in the document's order. */
export const DOC_STATES = [...read('online-help-states.txt').matchAll(/^"(\w+)" :/gm)].map((m) => m[1]!);

/** startAnonymousOnlineHelp's parameter names, without the result callback. */
export const DOC_PARAMS = [...read('start-anonymous-online-help.swift.txt').matchAll(/^(\w+) : /gm)]
  .map((m) => m[1]!)
  .filter((n) => n !== 'result');

/** The sample's `let name : Type = value` lines, values unquoted ("Int64(0)" → "0"). */
export const DOC_SAMPLE: Record<string, string> = Object.fromEntries(
  [...read('sample-start.swift.txt').matchAll(/^let (\w+) : \w+ = (.+?);?(?: \/\/.*)?$/gm)]
    .filter((m) => !m[2]!.includes('DiyalogEngine'))
    .map((m) => [m[1]!, m[2]!.trim().replace(/;$/, '').replace(/^"(.*)"$/, '$1').replace(/^Int64\((\d+)\)$/, '$1')]),
);
