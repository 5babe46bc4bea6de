/**
 * The Diyalog relay adapter against a scripted channel: every online help state transition,
 * every start result, every command, and malformed input. (The same adapter runs over real
 * sockets against the simulator in online-help-through-relay.test.ts.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConfabEventBody, VisitorInfo } from '../../src/core/contract';
import type { AdapterContext } from '../../src/server/relay/adapter';
import {
  createDiyalogAdapterFactory,
  onlineHelpParams,
  type DiyalogAdapter,
  type DiyalogAdapterDeps,
} from '../../src/server/relay/adapters/diyalog';
import type {
  DiyalogChannel,
  OnlineHelpEvents,
  OnlineHelpParams,
  OnlineHelpStartError,
} from '../../src/server/relay/adapters/diyalog-channel';
import type { CreateInteraction, QueuingService } from '../../src/server/relay/adapters/diyalog-queue';
import { DOC_SAMPLE, DOC_STATES } from './doc-fixtures';

const [NO_CHAT, STARTED, CHAT_INPROGRESS, CHAT_ENDED] = DOC_STATES as [string, string, string, string];

/** The document's sample as the start command's visitor, plus the browser's device hash. */
const SAMPLE_VISITOR: VisitorInfo = {
  customerId: DOC_SAMPLE.customerId,
  customerName: DOC_SAMPLE.customerName,
  idNumber: DOC_SAMPLE.customerIdNo,
  customerPhone: DOC_SAMPLE.customerPhoneNumber,
  email: DOC_SAMPLE.customerEmail,
  helpType: DOC_SAMPLE.helpType,
  transactionHash: DOC_SAMPLE.transactionHash,
  isLoggedIn: DOC_SAMPLE.isLoggedIn,
  waitDisplayText: DOC_SAMPLE.waitDisplayText,
  deviceHash: 'device-hash-0001',
};

/** A channel the test drives by hand. */
type Outcome = { success: true } | { success: false; error: OnlineHelpStartError };

function scriptedChannel(result: (p: OnlineHelpParams) => Outcome | Promise<Outcome>) {
  const calls: OnlineHelpParams[] = [];
  const sent: string[] = [];
  const log: string[] = [];
  let events: OnlineHelpEvents | null = null;
  let sendFails = false;
  const help = {
    sendMessage: vi.fn(async (text: string) => {
      if (sendFails) throw new Error('refused');
      sent.push(text);
      return { id: `srv-${sent.length}` };
    }),
    closeMessaging: vi.fn(async () => {
      log.push('closeMessaging');
    }),
    dispose: vi.fn(() => {
      log.push('dispose');
    }),
  };
  const channel: DiyalogChannel = {
    async startAnonymousOnlineHelp(params, ev) {
      calls.push(params);
      events = ev;
      const r = await result(params);
      return r.success ? { success: true, help } : r;
    },
  };
  return {
    channel,
    calls,
    sent,
    log,
    help,
    failSends: () => (sendFails = true),
    get events(): OnlineHelpEvents {
      if (!events) throw new Error('not started');
      return events;
    },
  };
}

const ok = (): Outcome => ({ success: true });

function adapterWith(channel: DiyalogChannel, deps: Partial<DiyalogAdapterDeps> = {}) {
  const emitted: ConfabEventBody[] = [];
  const ctx: AdapterContext = {
    sessionId: 's-1',
    page: { url: 'https://shop.example.com/', referrer: '', locale: 'en', userAgent: 'vitest', visitorId: 'v-1' },
    hookpointBase: 'http://relay/hook/x/diyalog',
    emit: (e) => emitted.push(e),
    storeFile: () => 'http://relay/files/x',
    touch: () => undefined,
    files: { allowedTypes: ['png'], maxBytes: 1000 },
    log: () => undefined,
  };
  const adapter: DiyalogAdapter = createDiyalogAdapterFactory({ log: () => undefined, ...deps, channel }).create(ctx);
  const types = () => emitted.map((e) => e.type);
  return { adapter, emitted, types };
}

async function waitingAdapter() {
  const ch = scriptedChannel(ok);
  const a = adapterWith(ch.channel);
  await a.adapter.handle({ type: 'start', visitor: SAMPLE_VISITOR, answers: {} });
  return { ch, ...a };
}

async function chattingAdapter() {
  const w = await waitingAdapter();
  w.ch.events.state(CHAT_INPROGRESS, { agentName: 'Deniz' });
  return w;
}

afterEach(() => vi.restoreAllMocks());

describe('Diyalog adapter: starting online help', () => {
  it('offers only what Diyalog can do: cancel and end, no uploads, no leave-a-message', async () => {
    const factory = createDiyalogAdapterFactory({ channel: scriptedChannel(ok).channel });
    expect(factory.vendor).toBe('diyalog');
    expect([...factory.capabilities].sort()).toEqual(['cancel', 'end']);
    const { adapter, emitted } = adapterWith(scriptedChannel(ok).channel);
    await adapter.open();
    expect(emitted).toEqual([{ type: 'config', config: expect.objectContaining({ allowedFileTypes: [], leaveMessage: false, prechat: [] }) }]);
  });

  it("passes every documented parameter, the document's sample values, and isBackground true", async () => {
    const { ch } = await waitingAdapter();
    expect(ch.calls).toEqual([
      {
        customerId: '123458',
        customerName: 'Name of Customer',
        idNumber: 0,
        customerPhone: 0,
        email: '',
        helpType: 'chat',
        transactionHash: '4222f1c04f35dc6b419f4ef5a0c9f2aadc26fc34',
        isLoggedIn: false,
        isBackground: true,
        waitDisplayText: 'Please wait. Our representative will start video call soon.',
        deviceHash: 'device-hash-0001',
      },
    ]);
  });

  it('a successful result opens the wait screen: accepted, then the wait text', async () => {
    const { emitted } = await waitingAdapter();
    expect(emitted).toEqual([
      { type: 'accepted' },
      { type: 'waiting', kind: 'paging', text: 'Please wait. Our representative will start video call soon.' },
    ]);
  });

  it('without a wait text the wait screen opens with the widget default (accepted only)', async () => {
    const ch = scriptedChannel(ok);
    const { adapter, emitted } = adapterWith(ch.channel);
    await adapter.handle({ type: 'start', visitor: { ...SAMPLE_VISITOR, waitDisplayText: '' }, answers: {} });
    expect(emitted).toEqual([{ type: 'accepted' }]);
  });

  it("a failed result shows Diyalog's code and message, and the visitor may try again", async () => {
    let fail = true;
    const ch = scriptedChannel(() => (fail ? { success: false, error: { code: 'E42', msg: 'Customer is blocked' } } : ok()));
    const { adapter, emitted, types } = adapterWith(ch.channel);
    await adapter.handle({ type: 'start', visitor: SAMPLE_VISITOR, answers: {} });
    expect(emitted).toEqual([
      {
        type: 'error',
        code: 'start-failed',
        message: 'Online help could not be started: Customer is blocked (code E42)',
        fatal: false,
        retryable: true,
      },
    ]);
    fail = false;
    await adapter.handle({ type: 'start', visitor: SAMPLE_VISITOR, answers: {} });
    expect(types()).toEqual(['error', 'accepted', 'waiting']);
  });

  it('an unreachable channel is a retryable error, not a crash', async () => {
    const { adapter, emitted } = adapterWith(scriptedChannel(() => Promise.reject(new Error('ECONNREFUSED'))).channel);
    await adapter.handle({ type: 'start', visitor: SAMPLE_VISITOR, answers: {} });
    expect(emitted).toEqual([expect.objectContaining({ type: 'error', code: 'unreachable', fatal: false, retryable: true })]);
  });

  it('a start without the handshake (no transactionHash or deviceHash) never reaches Diyalog', async () => {
    const ch = scriptedChannel(ok);
    const { adapter, emitted } = adapterWith(ch.channel);
    const { transactionHash: _t, ...noHash } = SAMPLE_VISITOR;
    await adapter.handle({ type: 'start', visitor: noHash, answers: {} });
    const { deviceHash: _d, ...noDevice } = SAMPLE_VISITOR;
    await adapter.handle({ type: 'start', visitor: noDevice, answers: {} });
    await adapter.handle({ type: 'start', visitor: { ...SAMPLE_VISITOR, customerId: ' ' }, answers: {} });
    expect(ch.calls).toEqual([]);
    expect(emitted.map((e) => e.type === 'error' && e.code)).toEqual(['bad-start', 'bad-start', 'bad-start']);
    expect(emitted.every((e) => e.type === 'error' && e.retryable)).toBe(true);
  });

  it('a second start while one is running is refused', async () => {
    const { adapter, ch, emitted } = await waitingAdapter();
    await adapter.handle({ type: 'start', visitor: SAMPLE_VISITOR, answers: {} });
    expect(ch.calls).toHaveLength(1);
    expect(emitted.at(-1)).toMatchObject({ type: 'error', code: 'already-started' });
  });

  it('state changes that race the start result are applied after it, in order', async () => {
    const { ch, adapter, types, started, release } = await startHeldOpen();
    ch.events.state(CHAT_INPROGRESS);
    release();
    await started;
    expect(types()).toEqual(['accepted', 'waiting', 'agent']);
  });
});

/** A start whose call to Diyalog has gone out and waits until `release()` lets it answer. */
async function startHeldOpen() {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const ch = scriptedChannel(async () => {
    await gate;
    return ok();
  });
  const { adapter, types } = adapterWith(ch.channel);
  const started = adapter.handle({ type: 'start', visitor: SAMPLE_VISITOR, answers: {} });
  await vi.waitFor(() => expect(ch.calls).toHaveLength(1));
  return { ch, adapter, types, started, release };
}

describe('Diyalog adapter: one help after another', () => {
  it('callbacks of an ended online help cannot disturb the next one', async () => {
    const { adapter, ch, emitted, types } = await chattingAdapter();
    const old = ch.events;
    old.state(CHAT_ENDED);
    await adapter.handle({ type: 'start', visitor: SAMPLE_VISITOR, answers: {} });
    const count = emitted.length;
    old.state(CHAT_INPROGRESS);
    old.message({ id: 'stale', text: 'from the last chat' });
    old.lost('late close');
    expect(emitted.length).toBe(count);
    expect(types().slice(-2)).toEqual(['accepted', 'waiting']);
  });

  it('a session closed while Diyalog is still answering leaves no help open', async () => {
    const { ch, adapter, types, started, release } = await startHeldOpen();
    await adapter.close();
    release();
    await started;
    expect(ch.log).toEqual(['closeMessaging', 'dispose']);
    expect(types()).toEqual([]);
  });
});

describe('Diyalog adapter: online help states', () => {
  it(`${STARTED} after a successful result changes nothing (the wait screen is already up)`, async () => {
    const { ch, types } = await waitingAdapter();
    ch.events.state(STARTED);
    expect(types()).toEqual(['accepted', 'waiting']);
  });

  it(`${NO_CHAT} before the conversation is the initial value: the wait screen stays`, async () => {
    const { ch, types } = await waitingAdapter();
    ch.events.state(NO_CHAT);
    ch.events.state('N0_CHAT'); // the document's prose spells it with a zero once
    expect(types()).toEqual(['accepted', 'waiting']);
  });

  it(`${CHAT_INPROGRESS} means the representative joined`, async () => {
    const { emitted } = await chattingAdapter();
    expect(emitted.at(-1)).toEqual({ type: 'agent', action: 'joined', agent: { name: 'Deniz', isBot: false } });
  });

  it('a representative without a name from the channel is called "Representative"', async () => {
    const { ch, emitted } = await waitingAdapter();
    ch.events.state(CHAT_INPROGRESS);
    ch.events.state(CHAT_INPROGRESS);
    expect(emitted.filter((e) => e.type === 'agent')).toEqual([
      { type: 'agent', action: 'joined', agent: { name: 'Representative', isBot: false } },
    ]);
  });

  it(`${CHAT_ENDED} during the conversation: the representative ended it`, async () => {
    const { ch, emitted } = await chattingAdapter();
    ch.events.state(CHAT_ENDED);
    expect(emitted.at(-1)).toEqual({ type: 'ended', by: 'agent' });
    expect(ch.help.dispose).toHaveBeenCalled();
  });

  it(`${CHAT_ENDED} with an error: ended, showing the error code and message`, async () => {
    const { ch, emitted } = await chattingAdapter();
    ch.events.state(CHAT_ENDED, { error: { code: '503', msg: 'Representative disconnected' } });
    expect(emitted.at(-1)).toEqual({ type: 'ended', by: 'system', text: 'Representative disconnected (code 503)' });
  });

  it(`${CHAT_ENDED} on the wait screen: nobody took the chat, so nobody is available (offline, no code shown)`, async () => {
    const { ch, emitted } = await waitingAdapter();
    ch.events.state(CHAT_ENDED);
    expect(emitted.at(-1)).toEqual({ type: 'rejected', reason: '' });
  });

  it(`${CHAT_ENDED} with an error on the wait screen (NO_REPRESENTATIVE): offline, never "(code NO_REPRESENTATIVE)"`, async () => {
    const { ch, emitted } = await waitingAdapter();
    ch.events.state(CHAT_ENDED, { error: { code: 'NO_REPRESENTATIVE', msg: 'No representative' } });
    expect(emitted.at(-1)).toEqual({ type: 'rejected', reason: '' });
    expect(JSON.stringify(emitted)).not.toContain('NO_REPRESENTATIVE');
    expect(ch.help.dispose).toHaveBeenCalled();
  });

  it(`${NO_CHAT} during the conversation: the help vanished, the chat ends once`, async () => {
    const { ch, emitted } = await chattingAdapter();
    ch.events.state(NO_CHAT);
    ch.events.state(CHAT_ENDED);
    expect(emitted.filter((e) => e.type === 'ended')).toEqual([{ type: 'ended', by: 'system' }]);
  });

  it('a lost channel ends the chat with a reason', async () => {
    const { ch, emitted } = await chattingAdapter();
    ch.events.lost('socket closed');
    expect(emitted.at(-1)).toMatchObject({ type: 'ended', by: 'system', text: expect.stringContaining('lost') });
  });

  it('an unknown state is one non-fatal error and one warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { ch, emitted } = await chattingAdapter();
    ch.events.state('CHAT_EXPLODED');
    expect(emitted.at(-1)).toEqual(expect.objectContaining({ type: 'error', code: 'bad-frame', fatal: false }));
    expect(warn).toHaveBeenCalledTimes(1);
    ch.events.state(CHAT_ENDED);
    expect(emitted.at(-1)).toEqual({ type: 'ended', by: 'agent' });
  });
});

describe('Diyalog adapter: commands', () => {
  it('Cancel on the wait screen calls closeMessaging and ends the chat once, whatever echoes back', async () => {
    const { adapter, ch, emitted } = await waitingAdapter();
    ch.help.closeMessaging.mockImplementationOnce(async () => {
      ch.log.push('closeMessaging');
      ch.events.state(NO_CHAT); // the channel's echo of our own close
    });
    await adapter.handle({ type: 'cancel' });
    expect(ch.log).toEqual(['closeMessaging', 'dispose']);
    expect(emitted.filter((e) => e.type === 'ended')).toEqual([{ type: 'ended', by: 'visitor' }]);
  });

  it('End chat during the conversation also calls closeMessaging', async () => {
    const { adapter, ch, emitted } = await chattingAdapter();
    await adapter.handle({ type: 'end' });
    expect(ch.help.closeMessaging).toHaveBeenCalledTimes(1);
    expect(emitted.at(-1)).toEqual({ type: 'ended', by: 'visitor' });
    await adapter.handle({ type: 'end' });
    expect(emitted.filter((e) => e.type === 'ended')).toHaveLength(1);
  });

  it('Cancel before anything started ends the chat without calling Diyalog', async () => {
    const ch = scriptedChannel(ok);
    const { adapter, emitted } = adapterWith(ch.channel);
    await adapter.handle({ type: 'cancel' });
    expect(ch.help.closeMessaging).not.toHaveBeenCalled();
    expect(emitted).toEqual([{ type: 'ended', by: 'visitor' }]);
  });

  it('a failing closeMessaging still ends the chat for the visitor', async () => {
    const { adapter, ch, emitted } = await waitingAdapter();
    ch.help.closeMessaging.mockRejectedValueOnce(new Error('gone'));
    await adapter.handle({ type: 'cancel' });
    expect(emitted.at(-1)).toEqual({ type: 'ended', by: 'visitor' });
  });

  it("the visitor's line goes to Diyalog and comes back as its echo with the client id", async () => {
    const { adapter, ch, emitted } = await chattingAdapter();
    await adapter.handle({ type: 'send', clientId: 'c-1', text: 'Hello' });
    expect(ch.sent).toEqual(['Hello']);
    expect(emitted.at(-1)).toEqual({ type: 'message', message: { id: 'srv-1', sender: 'visitor', text: 'Hello', clientId: 'c-1' } });
  });

  it('a line Diyalog refuses is an error, never a silent loss', async () => {
    const { adapter, ch, emitted } = await chattingAdapter();
    ch.failSends();
    await adapter.handle({ type: 'send', clientId: 'c-1', text: 'Hello' });
    expect(emitted.at(-1)).toMatchObject({ type: 'error', code: 'send-failed', fatal: false });
  });

  it('a line sent before the representative joined is refused with an error', async () => {
    const { adapter, ch, emitted } = await waitingAdapter();
    await adapter.handle({ type: 'send', clientId: 'c-1', text: 'Hello?' });
    expect(ch.sent).toEqual([]);
    expect(emitted.at(-1)).toMatchObject({ type: 'error', code: 'not-chatting' });
  });

  it("the representative's lines and typing reach the visitor", async () => {
    const { ch, emitted } = await chattingAdapter();
    ch.events.typing?.(true);
    ch.events.message({ id: 'm1', text: 'Hi, how can I help?', authorName: 'Deniz', sentAt: 1700000000000 });
    expect(emitted.slice(-2)).toEqual([
      { type: 'typing', on: true },
      { type: 'message', message: { id: 'm1', sender: 'agent', text: 'Hi, how can I help?', authorName: 'Deniz', sentAt: 1700000000000 } },
    ]);
  });

  it('a malformed line from Diyalog is one error and one warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const { ch, emitted } = await chattingAdapter();
    ch.events.message({ id: '', text: 'x' });
    expect(emitted.at(-1)).toMatchObject({ type: 'error', code: 'bad-frame', fatal: false });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('commands Diyalog cannot carry out become errors', async () => {
    const { adapter, emitted } = await chattingAdapter();
    await adapter.handle({ type: 'rate', ratingId: 'r', optionId: '5' });
    expect(emitted.at(-1)).toMatchObject({ type: 'error', code: 'unsupported', fatal: false });
  });

  it('the relay shutting down closes the online help', async () => {
    const { adapter, ch } = await chattingAdapter();
    await adapter.close();
    expect(ch.log).toEqual(['closeMessaging', 'dispose']);
  });
});

describe('Diyalog adapter: customer fields', () => {
  it('reads formatted phone numbers, falls back to name fields, and defaults what is invalid', () => {
    const p = onlineHelpParams({
      customerId: 'c-9',
      name: 'Ayşe',
      lastName: 'Yılmaz',
      phone: '+90 (555) 123-4567',
      idNumber: '12ab',
      helpType: 'hologram',
      isLoggedIn: 'true',
      transactionHash: 'h',
      deviceHash: 'fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS+k=',
    });
    expect(p).toMatchObject({ customerName: 'Ayşe Yılmaz', customerPhone: 905551234567, idNumber: 0, helpType: 'chat', isLoggedIn: true });
    expect(onlineHelpParams({ ...SAMPLE_VISITOR, idNumber: '99999999999999999' })).toMatchObject({ idNumber: 0 });
    expect(onlineHelpParams({ ...SAMPLE_VISITOR, helpType: 'video_call' })).toMatchObject({ helpType: 'video_call' });
    expect(onlineHelpParams({ ...SAMPLE_VISITOR, transactionHash: 'x'.repeat(600) })).toEqual(expect.stringContaining('transactionHash'));
    expect(onlineHelpParams({ ...SAMPLE_VISITOR, deviceHash: 'has spaces in it' })).toEqual(expect.stringContaining('deviceHash'));
    expect(onlineHelpParams({ ...SAMPLE_VISITOR, deviceHash: 'A'.repeat(129) })).toEqual(expect.stringContaining('deviceHash'));
  });
});

/** The site's queuing service as the adapter sees it, recording into `order` (shared with the channel). */
function recordingQueue(order: string[], opts: { failCreate?: boolean } = {}): QueuingService & { created: CreateInteraction[] } {
  const created: CreateInteraction[] = [];
  return {
    created,
    async createInteraction(request) {
      order.push('CreateInteraction');
      if (opts.failCreate) throw new Error('CreateInteraction: HTTP 503');
      created.push(request);
      return `i-${created.length}`;
    },
    async deleteInteraction(id) {
      order.push(`DELETE ${id}`);
    },
  };
}

/** Timers the test fires by hand. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 0;
  return {
    timers: {
      setTimeout: (fn: () => void, ms: number) => (pending.set(++next, { fn, ms }), next),
      clearTimeout: (h: unknown) => void pending.delete(h as number),
    },
    pending,
    fireAll() {
      const due = [...pending.values()];
      pending.clear();
      due.forEach((t) => t.fn());
    },
  };
}

async function queuedAdapter(over: Partial<DiyalogAdapterDeps> = {}, outcome: () => Outcome = ok) {
  const order: string[] = [];
  const ch = scriptedChannel((p) => {
    order.push(`start ${p.customerId}`);
    return outcome();
  });
  const queue = recordingQueue(order);
  const a = adapterWith(ch.channel, { queue, ...over });
  await a.adapter.handle({ type: 'start', visitor: SAMPLE_VISITOR, answers: {} });
  return { ch, order, queue, ...a };
}

describe('Diyalog adapter: the queue interaction (D4)', () => {
  it('CreateInteraction comes before startAnonymousOnlineHelp, with the customer and attached data', async () => {
    const { order, queue } = await queuedAdapter();
    expect(order).toEqual(['CreateInteraction', `start ${DOC_SAMPLE.customerId}`]);
    expect(queue.created).toEqual([
      {
        identityNumber: '',
        customerId: DOC_SAMPLE.customerId,
        attachedData: { channel: 'web', helpType: 'chat', customerName: DOC_SAMPLE.customerName, pageUrl: 'https://shop.example.com/' },
      },
    ]);
  });

  it('Cancel on the wait screen: closeMessaging, then DELETE of the interaction', async () => {
    const { adapter, order, ch, emitted } = await queuedAdapter();
    await adapter.handle({ type: 'cancel' });
    expect(order.slice(2)).toEqual(['DELETE i-1']);
    expect(ch.log).toEqual(['closeMessaging', 'dispose']);
    expect(emitted.at(-1)).toEqual({ type: 'ended', by: 'visitor' });
  });

  it('a failed start withdraws the interaction; a documented code keeps its name, another passes through', async () => {
    const inCall = await queuedAdapter({}, () => ({ success: false, error: { code: 'DLGEXCP_USER_IS_IN_CALL_NOW', msg: 'busy' } }));
    expect(inCall.order).toEqual(['CreateInteraction', `start ${DOC_SAMPLE.customerId}`, 'DELETE i-1']);
    expect(inCall.emitted.at(-1)).toMatchObject({ type: 'error', code: 'DLGEXCP_USER_IS_IN_CALL_NOW', retryable: true, fatal: false });
    const odd = await queuedAdapter({}, () => ({ success: false, error: { code: 'DLG_SOMETHING_NEW', msg: 'Yeni hata' } }));
    expect(odd.emitted.at(-1)).toMatchObject({ type: 'error', code: 'start-failed', message: expect.stringContaining('Yeni hata (code DLG_SOMETHING_NEW)') });
  });

  it('a representative who took it: the interaction is theirs, ending later deletes nothing', async () => {
    const { adapter, order, ch } = await queuedAdapter();
    ch.events.state(CHAT_INPROGRESS, { agentName: 'Deniz', staffId: '45186' });
    await adapter.handle({ type: 'end' });
    expect(order).toEqual(['CreateInteraction', `start ${DOC_SAMPLE.customerId}`]);
  });

  it(`${CHAT_ENDED} on the wait screen withdraws the interaction`, async () => {
    const { order, ch } = await queuedAdapter();
    ch.events.state(CHAT_ENDED);
    await vi.waitFor(() => expect(order.at(-1)).toBe('DELETE i-1'));
  });

  it('a wait that times out: closeMessaging, DELETE, and the visitor is offered the offline view', async () => {
    const clock = manualTimers();
    const { order, ch, emitted } = await queuedAdapter({ timers: clock.timers, waitTimeoutMs: 60_000 });
    expect([...clock.pending.values()].map((t) => t.ms)).toEqual([60_000]);
    clock.fireAll();
    await vi.waitFor(() => expect(emitted.at(-1)).toEqual({ type: 'rejected', reason: '' }));
    expect(order.at(-1)).toBe('DELETE i-1');
    expect(ch.log).toEqual(['closeMessaging', 'dispose']);
  });

  it('the wait timer stops when a representative joins', async () => {
    const clock = manualTimers();
    const { ch } = await queuedAdapter({ timers: clock.timers, waitTimeoutMs: 60_000 });
    ch.events.state(CHAT_INPROGRESS, {});
    expect(clock.pending.size).toBe(0);
  });

  it('CreateInteraction failing: a retryable error, and no help is started', async () => {
    const order: string[] = [];
    const ch = scriptedChannel(ok);
    const { adapter, emitted } = adapterWith(ch.channel, { queue: recordingQueue(order, { failCreate: true }) });
    await adapter.handle({ type: 'start', visitor: SAMPLE_VISITOR, answers: {} });
    expect(ch.calls).toEqual([]);
    expect(emitted.at(-1)).toMatchObject({ type: 'error', code: 'unreachable', retryable: true });
  });

  it('a nameless visitor is refused before anything is queued (Diyalog needs customerName)', async () => {
    const order: string[] = [];
    const ch = scriptedChannel(ok);
    const { adapter, emitted } = adapterWith(ch.channel, { queue: recordingQueue(order) });
    await adapter.handle({ type: 'start', visitor: { ...SAMPLE_VISITOR, customerName: ' ' }, answers: {} });
    expect(order).toEqual([]);
    expect(emitted.at(-1)).toMatchObject({ type: 'error', code: 'DLGEXCPINP_CUSTOMER_NAME_IS_EMPTY', retryable: true });
  });

  it('without a queuing service the factory says at creation that no representative will be routed chats', () => {
    const said: string[] = [];
    createDiyalogAdapterFactory({ channel: scriptedChannel(ok).channel, log: (m) => said.push(m) });
    createDiyalogAdapterFactory({ channel: scriptedChannel(ok).channel, log: (m) => said.push(m), queue: recordingQueue([]) });
    expect(said).toEqual([expect.stringMatching(/no queuing service.*representatives will not be routed chats/)]);
  });
});

describe("Diyalog adapter: the channel's own device hash, and finishonlinehelp", () => {
  it('a channel with its own device hash announces it in config and starts with it', async () => {
    const ch = scriptedChannel(ok);
    const own = 'fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS+k=';
    const channel: DiyalogChannel = { ...ch.channel, getDeviceHash: async () => own };
    const { adapter, emitted } = adapterWith(channel);
    await adapter.open();
    expect(emitted[0]).toMatchObject({ type: 'config', config: { deviceHash: own } });
    await adapter.handle({ type: 'start', visitor: SAMPLE_VISITOR, answers: {} });
    expect(ch.calls[0]?.deviceHash).toBe(own);
  });

  it('a channel hash that is not base64 is not announced', async () => {
    const ch = scriptedChannel(ok);
    const { adapter, emitted } = adapterWith({ ...ch.channel, getDeviceHash: async () => '<script>' });
    await adapter.open();
    expect(emitted[0]).toMatchObject({ type: 'config' });
    expect((emitted[0] as unknown as { config: Record<string, unknown> }).config.deviceHash).toBeUndefined();
  });

  it('a channel lost mid-conversation: finishonlinehelp for the customer and the representative', async () => {
    const finished: unknown[] = [];
    const order: string[] = [];
    const ch = scriptedChannel(ok);
    const { adapter } = adapterWith(ch.channel, { queue: recordingQueue(order), api: { finishOnlineHelp: async (r) => void finished.push(r) } });
    await adapter.handle({ type: 'start', visitor: SAMPLE_VISITOR, answers: {} });
    ch.events.state(CHAT_INPROGRESS, { agentName: 'Deniz', staffId: '45186' });
    ch.events.lost('socket closed');
    await vi.waitFor(() => expect(finished).toEqual([{ customerId: DOC_SAMPLE.customerId, staffId: '45186' }]));
  });

  it('the relay ending a conversation whose closeMessaging fails calls finishonlinehelp; one that closes does not', async () => {
    const finished: unknown[] = [];
    const api = { finishOnlineHelp: async (r: unknown) => void finished.push(r) };
    const failing = await queuedAdapter({ api });
    failing.ch.help.closeMessaging.mockRejectedValueOnce(new Error('gone'));
    failing.ch.events.state(CHAT_INPROGRESS, { staffId: '45186' });
    await failing.adapter.close();
    expect(finished).toEqual([{ customerId: DOC_SAMPLE.customerId, staffId: '45186' }]);
    const fine = await queuedAdapter({ api });
    fine.ch.events.state(CHAT_INPROGRESS, { staffId: '45186' });
    await fine.adapter.close();
    expect(finished).toHaveLength(1);
  });

  it('the relay ending a session on the wait screen withdraws the interaction', async () => {
    const { adapter, order } = await queuedAdapter();
    await adapter.close();
    expect(order.at(-1)).toBe('DELETE i-1');
  });
});
