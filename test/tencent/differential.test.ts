/**
 * Differential test against Tencent's own customer-service plugin
 * (@tencentcloud/tui-customer-service-plugin 2.2.6, a devDependency, never shipped): its pure
 * message utilities (utils/index.ts, run as they are) decide which desk messages it shows,
 * and what each shows is read the way its components render it (components/*.vue, which need
 * Vue and TUIKit: their template expressions are restated below, one line each, with the file
 * they come from). Our mapper reads the same payloads; both must agree on which messages are
 * shown and what they say, for every fixture in test/fixtures/tencent/.
 *
 * "Shown" on our side is a line, branch, form, card or rating: what the desk's message puts in
 * the transcript. Seat, typing, rules and end flags are the plugin's invisible messages and
 * our own state (a "joined" notice, the end marker), not the message shown.
 *
 * Deliberate differences, not compared: a src 30 line is sanitized on our side (the plugin
 * injects marked's output unsanitized), so the text is compared, not the markup; the plugin
 * ignores `selected` and `tail` on branches; ratings are compared on head and options.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConfabEventBody } from '../../src/core/contract';
import { htmlToText } from '../../src/core/html-text';
import { markdownToHtml } from '../../src/transports/markdown';
import { mapDeskMessage } from '../../src/transports/tencent/map';
import { deskCustom, docExample } from './fixtures';

/** The plugin's utils/index.ts, as it exports them (loaded at run time: raw TypeScript). */
interface PluginUtils {
  JSONToObject(str: string): unknown;
  isCustomerServiceMessage(message: object): boolean;
  isMessageRating(message: object): boolean;
  isMessageInvisible(message: object): boolean;
}
let plugin: PluginUtils;
/** marked 4.0.0, the plugin's own dependency (its message-rich-text.vue calls marked.parse). */
let pluginMarked: { parse(source: string): string };

beforeAll(async () => {
  // Specifiers in variables: the type checker leaves the plugin's raw .ts alone; vitest runs it.
  const utils = '@tencentcloud/tui-customer-service-plugin/utils/index.ts';
  const marked = '@tencentcloud/tui-customer-service-plugin/node_modules/marked/lib/marked.esm.js';
  plugin = (await import(/* @vite-ignore */ utils)) as PluginUtils;
  pluginMarked = ((await import(/* @vite-ignore */ marked)) as { marked: { parse(s: string): string } }).marked;
});

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the plugin's own typing of payloads
const items = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const clean = (texts: unknown[]): string[] =>
  texts.map((t) => (typeof t === 'string' ? t.replace(/\s+/g, ' ').trim() : '')).filter((t) => t !== '');

/** What the plugin shows for a message: null when it shows nothing. */
function pluginShows(message: Obj): string[] | null {
  if (plugin.isMessageInvisible(message)) return null;
  // index.vue: MessageRating when isMessageRating, else MessageCustomerService when a desk message.
  const p = plugin.JSONToObject(message.payload.data) as Obj;
  if (plugin.isMessageRating(message)) {
    // message-rating-star.vue / -number.vue: `ratingTemplate.head`, each menu entry's `content` as its caption.
    return clean([p.menuContent?.head, ...items(p.menuContent?.menu).map((m) => m.content)]);
  }
  if (!plugin.isCustomerServiceMessage(message)) return null;
  const c = p.content;
  // message-customer-service.vue picks the component by src.
  if (p.src === '15' || p.src === 15 || (p.src === '29' && p.subtype !== 'welcome_msg')) {
    // message-branch.vue: `content.header || content.title`, then `item.content` per item.
    return clean([c?.header || c?.title, ...items(c?.items).map((i) => i.content)]);
  }
  if (p.src === '29') return clean([c?.title, ...items(c?.items).map((i) => i.content)]); // message-robot-welcome.vue
  if (p.src === '21') {
    // message-form/index.vue: form-branch.vue (type 1: header, item contents) or form-input.vue (header).
    return clean([c?.header, ...(c?.type === 1 ? items(c?.items).map((i) => i.content) : [])]);
  }
  if (p.src === '22') return clean([c?.header, c?.desc]); // message-product-card.vue
  if (p.src === '30') return clean([htmlToText(pluginMarked.parse(c))]); // message-rich-text.vue
  if (p.src === '31') return clean([items(p.chunks).join('')]); // message-stream.vue: chunks joined
  return [];
}

/** What Confab shows for the same message: null when nothing. */
function confabShows(data: unknown): string[] | null {
  const { events, markdown } = mapDeskMessage(deskCustom(data), { serverSkew: 0 });
  const shown = events.flatMap((ev: ConfabEventBody): unknown[][] => {
    switch (ev.type) {
      case 'message': {
        const m = ev.message;
        // A src 30 line is its Markdown until the transport renders it: read it rendered.
        const text = markdown && m.text ? htmlToText(markdownToHtml(m.text)) : m.text;
        return [[text ?? (m.html ? htmlToText(m.html) : '')]];
      }
      case 'branch':
        return [[ev.branch.header, ...ev.branch.options.map((o) => o.label)]];
      case 'form':
        return [[ev.form.header, ...(ev.form.field.options ?? [])]];
      case 'card':
        return [[ev.card.title, ev.card.description]];
      case 'rating':
        return [[ev.rating.title, ...ev.rating.options.map((o) => o.label)]];
      default:
        return [];
    }
  });
  return shown.length ? clean(shown.flat()) : null;
}

const dir = fileURLToPath(new URL('../fixtures/tencent/', import.meta.url));
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();

describe("Confab's mapper and Tencent's customer-service plugin read the same payloads alike", () => {
  it('covers every fixture, the robot ones included', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(24);
    for (const robot of ['src29-welcome.txt', 'src29-robot-answer.txt', 'src30-rich-text.txt', 'src31-stream-partial.txt', 'src13-bot-status.txt']) {
      expect(fixtures).toContain(robot);
    }
  });

  for (const name of fixtures) {
    it(name, () => {
      const data = docExample(name);
      const message = deskCustom(data);
      const theirs = pluginShows(message as unknown as Obj);
      const ours = confabShows(data);
      expect(ours === null, `shown by Confab: ${JSON.stringify(ours)}; by the plugin: ${JSON.stringify(theirs)}`).toBe(theirs === null);
      expect(ours).toEqual(theirs);
    });
  }

  it('the plugin is really judging: it hides what it should and shows the robot srcs', () => {
    const shown = fixtures.filter((f) => pluginShows(deskCustom(docExample(f)) as unknown as Obj) !== null);
    expect(shown).toEqual(expect.arrayContaining(['src29-welcome.txt', 'src30-rich-text.txt', 'src31-stream-finished.txt', 'src9-satisfaction.txt']));
    expect(shown).not.toContain('src26-seat-status.txt');
    expect(shown).not.toContain('src13-bot-status.txt');
  });
});
