import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mapDeskMessage } from '../../src/transports/tencent/map';
import { askRatingData, cardData, endData, selectionData, triggerData } from '../../src/transports/tencent/outgoing';
import { deskCustom, docExample } from './fixtures';

const ctx = { serverSkew: 0 };
/**
 * Fixtures that are not the document's: the robot's messages and a numeric src, shaped as
 * Tencent's customer-service plugin 2.2.6 reads them (notes/vendors-in-the-field.md T2).
 */
const ROBOT_FIXTURES = [
  'src13-bot-status.txt',
  'src13-feedback.txt',
  'src15-numeric-src.txt',
  'src29-robot-answer-header.txt',
  'src29-robot-answer.txt',
  'src29-welcome.txt',
  'src30-rich-text.txt',
  'src31-stream-finished.txt',
  'src31-stream-partial.txt',
];
const map = (name: string, more: Partial<Parameters<typeof mapDeskMessage>[1]> = {}) =>
  mapDeskMessage(deskCustom(docExample(name)), { ...ctx, ...more });

describe('every example payload of the desk document', () => {
  it('is kept as a fixture and read back as the object the document shows', () => {
    const files = readdirSync(fileURLToPath(new URL('../fixtures/tencent/', import.meta.url))).filter((f) => !ROBOT_FIXTURES.includes(f));
    expect(files).toHaveLength(15);
    for (const f of files) {
      const data = docExample(f);
      expect(data.customerServicePlugin).toBe(0);
      expect(String(data.src)).toBe(f.startsWith('example') ? '15' : f.match(/^src(\d+)/)?.[1]);
    }
  });

  it('src 15 branch: header, one option per item (by its content), tail, and an answered branch stays answered', () => {
    const [ev] = map('src15-branch.txt').events;
    expect(ev).toEqual({
      type: 'branch',
      branch: {
        id: expect.any(String),
        header: 'Please enter the feature you wish to connect',
        options: ['Artificial', 'Form Option Branch', 'Form input', 'Return'].map((c) => ({ id: c, label: c })),
        selected: 'Artificial',
      },
    });
    const [open] = map('example-branch-overview.txt').events;
    expect(open).toMatchObject({ type: 'branch', branch: { header: 'Please enter the feature you wish to connect' } });
    expect(open).not.toHaveProperty('branch.selected');
  });

  it('src 9 satisfaction: numeric scale, menu options, expiry in ms with the server skew, selected by id', () => {
    const [ev] = map('src9-satisfaction.txt', { serverSkew: -1500 }).events;
    expect(ev).toEqual({
      type: 'rating',
      rating: {
        id: '7a67f6bb-8fac-41e5-8bab-78c0259ae5a9',
        title: 'Thank you for utilizing our services, please evaluate this service!',
        closing: 'Thank you for providing evaluation for this service, wishing you a pleasant life, goodbye!',
        scale: 'numeric',
        options: [
          { id: '101', label: 'Extremely dissatisfied' },
          { id: '102', label: 'Dissatisfied' },
          { id: '103', label: 'General' },
          { id: '104', label: 'Satisfied' },
          { id: '105', label: 'Highly satisfied' },
        ],
        expiresAt: 1691074320000,
        serverSkew: -1500,
        selected: '105',
      },
    });
  });

  it('src 9 with type 1 is a star scale, and a selection that matches no menu id is not taken as rated', () => {
    const data = docExample('src9-satisfaction.txt');
    const menu = data.menuContent as Record<string, unknown>;
    const [ev] = mapDeskMessage(deskCustom({ ...data, menuContent: { ...menu, type: 1, selected: { id: '999' } } }), ctx).events;
    expect(ev?.type === 'rating' && ev.rating.scale).toBe('stars');
    expect(ev?.type === 'rating' && ev.rating.selected).toBeUndefined();
  });

  it('src 21 forms: options become a select field, text a text field, and `selected` is the submitted value', () => {
    const [options] = map('src21-form-options.txt').events;
    expect(options).toMatchObject({
      type: 'form',
      form: { header: 'What do you like to eat?', field: { type: 'select', options: ['Apple', 'Watermelon', 'Strawberry'] }, submitted: 'Apple' },
    });
    const [text] = map('src21-form-text.txt').events;
    expect(text).toMatchObject({ type: 'form', form: { header: 'What do you like to eat?', field: { type: 'text' }, submitted: 'Peach' } });
  });

  it('a numeric field holding an object with a broken toString is read as absent, not coerced (found by the fuzzer)', () => {
    const hostile = { ...(docExample('src21-form-options.txt') as Record<string, unknown>) };
    hostile.content = { ...(hostile.content as Record<string, unknown>), type: { toString: 1 } };
    const [form] = mapDeskMessage(deskCustom(hostile), ctx).events;
    expect(form).toMatchObject({ type: 'form', form: { field: { type: 'text' } } });
  });

  it('src 22 card: title, description, image and link through the URL allowlist', () => {
    expect(map('src22-card.txt').events).toEqual([
      {
        type: 'card',
        id: expect.any(String),
        sender: 'bot',
        card: {
          title: 'This is the title',
          description: 'This is the description',
          image: 'https://cloudcache.tencent-cloud.com/qcloud/portal/kit/images/presale.a4955999.jpeg',
          url: 'https://www.qcloud.com/',
        },
      },
    ]);
    const evil = mapDeskMessage(deskCustom({ customerServicePlugin: 0, src: 22, content: { header: 'x', pic: 'javascript:alert(1)', url: 'javascript:alert(1)' } }), ctx);
    expect(evil.events).toEqual([{ type: 'card', id: expect.any(String), sender: 'bot', card: { title: 'x' } }]);
  });

  it('src 23 evaluation settings: the three flag bits become the rating policy', () => {
    expect(map('src23-evaluation-settings.txt').events).toEqual([
      { type: 'rating-policy', policy: { autoAtEnd: true, agentMaySend: true, visitorMayAsk: true } },
    ]);
    const only = mapDeskMessage(deskCustom({ customerServicePlugin: 0, src: '23', content: { menuSendRuleFlag: 3 } }), ctx);
    expect(only.events).toEqual([{ type: 'rating-policy', policy: { autoAtEnd: true, agentMaySend: true, visitorMayAsk: false } }]);
  });

  it('src 26 seat status: inSeat means an agent joined; outSeat after it means the agent left for the bot flow', () => {
    const inSeat = map('src26-seat-status.txt', { seat: 'out' });
    expect(inSeat.seat).toBe('in');
    expect(inSeat.events).toEqual([{ type: 'agent', action: 'joined', agent: { name: 'Agent', isBot: false } }]);
    const out = mapDeskMessage(deskCustom({ customerServicePlugin: 0, src: '26', content: { command: 'updateSeatStatus', content: 'outSeat' } }), { ...ctx, seat: 'in' });
    expect(out.seat).toBe('out');
    expect(out.events.map((e) => e.type === 'agent' && `${e.action}:${e.agent.isBot}`)).toEqual(['left:false', 'joined:true']);
    expect(map('src26-seat-status.txt', { seat: 'in' }).events).toEqual([]);
  });

  it('src 12 is agent typing; src 19 and 20 end the chat with their own markers', () => {
    expect(map('src12-typing.txt').events).toEqual([{ type: 'typing', on: true }]);
    // No text of their own: the session's end marker is the only line they leave.
    expect(map('src19-end.txt').events).toEqual([{ type: 'ended', by: 'agent' }]);
    expect(map('src20-timeout.txt').events).toEqual([{ type: 'ended', by: 'timeout' }]);
  });

  it('replayed history keeps end markers as transcript lines and drops typing', () => {
    expect(map('src12-typing.txt', { replay: true }).events).toEqual([]);
    expect(map('src20-timeout.txt', { replay: true }).events).toEqual([
      { type: 'message', message: expect.objectContaining({ sender: 'system', text: 'The chat ended after a period of inactivity' }) },
    ]);
  });

  it('replayed seat status shows nothing but keeps who holds the seat, by the message\'s nick', () => {
    const seated = mapDeskMessage(deskCustom(docExample('src26-seat-status.txt'), { nick: 'Alex Morgan' }), { ...ctx, replay: true });
    expect(seated).toEqual({ events: [], seat: 'in', agent: { name: 'Alex Morgan', isBot: false }, flow: 'live' });
  });

  it('each flow message says what it means for the flow: 7, 23, 26 live; 19, 20, 27 its end and by whom', () => {
    expect(map('src23-evaluation-settings.txt').flow).toBe('live');
    expect(map('src26-seat-status.txt', { replay: true }).flow).toBe('live');
    expect(map('src19-end.txt', { replay: true }).flow).toEqual({ ended: 'agent' });
    expect(map('src20-timeout.txt').flow).toEqual({ ended: 'timeout' });
    const mine = { flow: 'out', from: 'visitor' };
    expect(mapDeskMessage(deskCustom(docExample('src7-trigger.txt'), mine), ctx).flow).toBe('live');
    expect(mapDeskMessage(deskCustom(docExample('src27-end-manual.txt'), mine), { ...ctx, replay: true }).flow).toEqual({ ended: 'visitor' });
    expect(map('src15-branch.txt').flow).toBeUndefined();
  });

  it('the visitor-side flag messages (7, 10, 24, 27) are never rendered', () => {
    for (const f of ['src7-trigger.txt', 'src10-selection.txt', 'src24-ask-evaluation.txt', 'src27-end-manual.txt']) {
      expect(map(f).events).toEqual([]);
    }
  });

  it('accepts src as a number and survives bad JSON with exactly one non-fatal error', () => {
    expect(mapDeskMessage(deskCustom({ customerServicePlugin: '0', src: 19 }), ctx).events[0]?.type).toBe('ended');
    const bad = mapDeskMessage(deskCustom('{"src": "15", nope'), ctx);
    expect(bad.events).toEqual([{ type: 'error', code: 'bad-frame', message: expect.any(String), fatal: false }]);
    expect(mapDeskMessage(deskCustom({ src: '15', content: {} }), ctx).events).toEqual([]);
  });

  it('text from the desk is a bot line outside the seat and an agent line in it; image and file URLs are checked', () => {
    const text = { ID: 't1', type: 'TIMTextElem', flow: 'in', from: 'x', conversationID: 'C2Cx', time: 10, nick: 'Ana', payload: { text: 'Hi' } };
    expect(mapDeskMessage(text, ctx).events[0]).toMatchObject({ message: { sender: 'bot', text: 'Hi', sentAt: 10000 } });
    expect(mapDeskMessage(text, { ...ctx, seat: 'in' }).events[0]).toMatchObject({ message: { sender: 'agent', authorName: 'Ana' } });
    const image = { ...text, type: 'TIMImageElem', payload: { imageInfoArray: [{ type: 2, url: 'https://x.test/t.png' }, { type: 0, url: 'https://x.test/o.png' }] } };
    expect(mapDeskMessage(image, ctx).events[0]).toMatchObject({ message: { attachments: [{ kind: 'image', url: 'https://x.test/o.png' }] } });
    const file = { ...text, type: 'TIMFileElem', payload: { fileUrl: 'javascript:alert(1)', fileName: 'a.pdf' } };
    expect(mapDeskMessage(file, ctx).events[0]).toMatchObject({ message: { text: 'a.pdf' } });
    expect(mapDeskMessage(file, ctx).events[0]).not.toHaveProperty('message.attachments');
  });

  it('the payloads the visitor sends have the exact shapes of the document', () => {
    expect(JSON.parse(triggerData())).toEqual(docExample('src7-trigger.txt'));
    expect(JSON.parse(askRatingData())).toEqual(docExample('src24-ask-evaluation.txt'));
    expect(JSON.parse(endData())).toEqual(docExample('src27-end-manual.txt'));
    expect(JSON.parse(selectionData('id', 'content', 'sessionId'))).toEqual(docExample('src10-selection.txt'));
    const card = docExample('src22-card.txt');
    expect(JSON.parse(cardData({ title: 'This is the title', description: 'This is the description', image: 'https://cloudcache.tencent-cloud.com/qcloud/portal/kit/images/presale.a4955999.jpeg', url: 'https://www.qcloud.com/' }))).toEqual(card);
  });
});

describe("the robot's messages (src 13, 29–31)", () => {
  it('src 29: an answer is a branch (header, else title); the welcome list is paged by five', () => {
    expect(map('src29-robot-answer.txt').events[0]).toMatchObject({ type: 'branch', branch: { header: 'Did you mean one of these?' } });
    expect(map('src29-robot-answer.txt').events[0]).not.toHaveProperty('branch.pageSize');
    expect(map('src29-robot-answer-header.txt').events[0]).toMatchObject({ branch: { header: 'Which shop?', options: [{ id: 'Berlin' }, { id: 'Online shop' }] } });
    const [welcome] = map('src29-welcome.txt').events;
    expect(welcome).toMatchObject({ type: 'branch', branch: { header: 'Frequently asked questions', pageSize: 5 } });
    expect(welcome?.type === 'branch' && welcome.branch.options).toHaveLength(7);
  });

  it('src 30: the Markdown source as a partial line, for the transport to render', () => {
    const r = map('src30-rich-text.txt');
    expect(r.markdown).toBe(true);
    expect(r.events[0]).toMatchObject({ type: 'message', message: { sender: 'bot', partial: true, text: expect.stringContaining('[our tracking page]') } });
  });

  it('src 31: chunks joined; partial while isFinished is 0', () => {
    expect(map('src31-stream-partial.txt').events[0]).toMatchObject({ message: { text: 'Standard delivery takes two to three ', partial: true } });
    const done = map('src31-stream-finished.txt').events[0];
    expect(done).toMatchObject({ message: { text: 'Standard delivery takes two to three working days.' } });
    expect(done).not.toHaveProperty('message.partial');
  });

  it('src 13: the bot status says who answers (not on replay, not over a seated agent); feedback shows nothing', () => {
    expect(map('src13-bot-status.txt').events).toEqual([{ type: 'agent', action: 'joined', agent: { name: 'Bot', isBot: true } }]);
    expect(map('src13-bot-status.txt', { replay: true }).events).toEqual([]);
    expect(map('src13-bot-status.txt', { seat: 'in' }).events).toEqual([]);
    expect(map('src13-feedback.txt').events).toEqual([]);
  });

  it("src 9: the desk's sessionId for the echo, or '' when it sent none", () => {
    expect(map('src9-satisfaction.txt').ratingSession).toBe('7a67f6bb-8fac-41e5-8bab-78c0259ae5a9');
    const bare = mapDeskMessage(deskCustom({ customerServicePlugin: 0, src: '9', menuContent: { menu: [{ id: '1', content: 'ok' }] } }, { ID: 'm9' }), ctx);
    expect(bare.ratingSession).toBe('');
    expect(bare.events[0]).toMatchObject({ rating: { id: 'm9' } });
  });
});
