/**
 * The Diyalog simulator through its SDK stand-in (the DiyalogChannel the relay is given) and
 * the queuing service it hosts, over real sockets: the security trio, D3's error codes, the
 * documented states, closeMessaging, and a representative who opens only queued chats (D4).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnlineHelpEvents, OnlineHelpParams, OnlineHelpStartResult } from '../../src/server/relay/adapters/diyalog-channel';
import { httpQueuingService, type QueuingService } from '../../src/server/relay/adapters/diyalog-queue';
import { diyalogApplicationApi, type DiyalogApplicationApi } from '../../src/server/relay/adapters/transaction-hash-issuer';
import { startDiyalogSimulator, type DiyalogSimulatorHandle } from '../../src/server/sandbox/diyalog';
import { DOC_SAMPLE, DOC_STATES } from './doc-fixtures';
import { waitFor } from './harness';

let sim: DiyalogSimulatorHandle;
let api: DiyalogApplicationApi;
let queue: QueuingService;
let available = true;

function clients(s: DiyalogSimulatorHandle) {
  return {
    api: diyalogApplicationApi({ apiBase: s.apiBase, credentials: { ...s.keys, requesterUserId: 'site' }, log: () => undefined }),
    queue: httpQueuingService(s.queueUrl),
  };
}

beforeAll(async () => {
  sim = await startDiyalogSimulator({ agent: { delayScale: 0.02, available: () => available } });
  ({ api, queue } = clients(sim));
});
afterAll(() => sim.close());

const DEVICE = 'fwCZgi6zl2DPuNck6H644eq6JfPZpXKCqa2ouP2JS+k=';

function params(over: Partial<OnlineHelpParams>): OnlineHelpParams {
  return {
    customerId: DOC_SAMPLE.customerId!,
    customerName: DOC_SAMPLE.customerName!,
    idNumber: 0,
    customerPhone: 0,
    email: '',
    helpType: 'chat',
    transactionHash: '',
    isLoggedIn: false,
    isBackground: true,
    waitDisplayText: DOC_SAMPLE.waitDisplayText!,
    deviceHash: DEVICE,
    ...over,
  };
}

function recorder() {
  const states: string[] = [];
  const infos: unknown[] = [];
  const messages: string[] = [];
  const events: OnlineHelpEvents = {
    state: (v, info) => {
      states.push(v);
      infos.push(info);
    },
    message: (m) => messages.push(m.text),
    lost: (r) => states.push(`lost:${r}`),
  };
  return { states, infos, messages, events };
}

const failure = (r: OnlineHelpStartResult) => (r.success ? null : r.error.code);

async function issue(customerId = DOC_SAMPLE.customerId!, deviceHash = DEVICE) {
  return api.getTransactionHashForOnlineHelp({ customerId, deviceHash });
}

/** D4's order: the interaction first, then the help. */
async function queued(customerId = DOC_SAMPLE.customerId!) {
  return queue.createInteraction({ identityNumber: '', customerId, attachedData: { helpType: 'chat' } });
}

describe('Diyalog simulator: the SDK stand-in', () => {
  it("refuses the document's sample hash: it never issued it (DLGEXCP_AUTH_REQUEST)", async () => {
    const r = await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: DOC_SAMPLE.transactionHash! }), recorder().events);
    expect(r).toEqual({ success: false, error: { code: 'DLGEXCP_AUTH_REQUEST', msg: expect.stringContaining('Security check failed') } });
  });

  it('refuses a hash presented with another customer or another device', async () => {
    const hash = await issue();
    expect(failure(await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: hash, customerId: '999' }), recorder().events))).toBe(
      'DLGEXCP_AUTH_REQUEST',
    );
    expect(
      failure(await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: hash, deviceHash: 'other-device-01' }), recorder().events)),
    ).toBe('DLGEXCP_AUTH_REQUEST');
  });

  it('accepts a hash once', async () => {
    const hash = await issue();
    await queued();
    const first = await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: hash }), recorder().events);
    expect(first.success).toBe(true);
    if (first.success) await first.help.closeMessaging();
    if (first.success) first.help.dispose();
    expect(failure(await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: hash }), recorder().events))).toBe('DLGEXCP_AUTH_REQUEST');
  });

  it("answers D3's input codes: empty customer id, empty hash, invalid help type, empty name", async () => {
    const start = (over: Partial<OnlineHelpParams>) => sim.channel.startAnonymousOnlineHelp(params(over), recorder().events).then(failure);
    expect(await start({ customerId: '', transactionHash: 'x' })).toBe('DLGEXCPINP_CUSTOMER_ID');
    expect(await start({ transactionHash: '' })).toBe('DLGEXCPINP_TRXHASH_IS_EMPTY');
    expect(await start({ transactionHash: await issue(), helpType: 'fax' as OnlineHelpParams['helpType'] })).toBe('DLGEXCPINP_INVALID_HELP_TYPE');
    expect(await start({ transactionHash: await issue(), customerName: ' ' })).toBe('DLGEXCPINP_CUSTOMER_NAME_IS_EMPTY');
  });

  it(`with isBackground true there is no ${DOC_STATES[1]}: ${DOC_STATES[2]} (with the representative's staffId), lines, ${DOC_STATES[3]}`, async () => {
    const rec = recorder();
    await queued();
    const r = await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: await issue() }), rec.events);
    if (!r.success) throw new Error('start failed');
    await waitFor(() => rec.messages.length > 0, 'greeting');
    expect(rec.states).toEqual(['CHAT_INPROGRESS']);
    expect(rec.infos[0]).toEqual({ agentName: 'Alex Morgan', staffId: '45186' });
    expect(rec.messages[0]).toMatch(/^Hello Name of Customer/);
    const { id } = await r.help.sendMessage('goodbye');
    expect(id).toBeTruthy();
    await waitFor(() => rec.states.includes('CHAT_ENDED'), 'CHAT_ENDED');
    r.help.dispose();
  });

  it(`with isBackground false the SDK's own wait screen state ${DOC_STATES[1]} comes first`, async () => {
    const rec = recorder();
    await queued();
    const r = await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: await issue(), isBackground: false }), rec.events);
    if (!r.success) throw new Error('start failed');
    await waitFor(() => rec.states.includes('CHAT_INPROGRESS'), 'in progress');
    expect(rec.states.slice(0, 2)).toEqual(['STARTED', 'CHAT_INPROGRESS']);
    r.help.dispose();
  });

  it('a second start on the same connection is DLGEXCP_USER_IS_IN_CALL_NOW', async () => {
    // The stand-in opens one connection per help, so the sandbox reaches this only through
    // its own protocol: two start frames on one socket.
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(sim.url);
    await new Promise((r) => ws.once('open', r));
    const results: unknown[] = [];
    ws.on('message', (d) => results.push(JSON.parse(String(d))));
    await queued('in-call-1');
    const hash = await issue('in-call-1');
    ws.send(JSON.stringify({ op: 'startAnonymousOnlineHelp', params: params({ customerId: 'in-call-1', transactionHash: hash }) }));
    ws.send(JSON.stringify({ op: 'startAnonymousOnlineHelp', params: params({ customerId: 'in-call-1', transactionHash: hash }) }));
    await waitFor(() => results.length >= 2, 'two results');
    expect(results.slice(0, 2)).toEqual([
      { op: 'result', success: true },
      { op: 'result', success: false, error: { code: 'DLGEXCP_USER_IS_IN_CALL_NOW', msg: expect.any(String) } },
    ]);
    ws.close();
  });
});

describe('Diyalog simulator: the queue decides who is picked up', () => {
  it('CreateInteraction answers in D4\'s shape and is recorded with its fields', async () => {
    const id = await queue.createInteraction({ identityNumber: '12345678901', customerId: '221122121', attachedData: { TRX: 'CustomerOnboarding' } });
    expect(id).toMatch(/^\d{13}$/);
    expect(sim.received.at(-1)).toMatchObject({
      name: 'CreateInteraction',
      payload: { identityNumber: '12345678901', customerId: '221122121', attachedData: { TRX: 'CustomerOnboarding' } },
    });
    await queue.deleteInteraction(id);
    expect(sim.received.at(-1)).toMatchObject({ name: 'DeleteInteraction', payload: { interactionId: id } });
  });

  it('a help started without a queued interaction is never picked up, and is a violation of D3\'s order', async () => {
    const lonely = await startDiyalogSimulator({ agent: { delayScale: 0.02 } });
    try {
      const c = clients(lonely);
      const rec = recorder();
      const hash = await c.api.getTransactionHashForOnlineHelp({ customerId: 'lonely', deviceHash: DEVICE });
      const r = await lonely.channel.startAnonymousOnlineHelp(params({ customerId: 'lonely', transactionHash: hash }), rec.events);
      expect(r.success).toBe(true);
      // A queued customer started after is picked up, so the first was not just slow.
      await c.queue.createInteraction({ identityNumber: '', customerId: 'queued', attachedData: {} });
      const rec2 = recorder();
      const hash2 = await c.api.getTransactionHashForOnlineHelp({ customerId: 'queued', deviceHash: DEVICE });
      const r2 = await lonely.channel.startAnonymousOnlineHelp(params({ customerId: 'queued', transactionHash: hash2 }), rec2.events);
      await waitFor(() => rec2.states.includes('CHAT_INPROGRESS'), 'the queued one picked up');
      expect(rec.states).toEqual([]);
      expect(lonely.violations).toEqual([expect.stringMatching(/customer lonely with no queued interaction/)]);
      if (r.success) r.help.dispose();
      if (r2.success) r2.help.dispose();
    } finally {
      await lonely.close();
    }
  });

  it('an interaction deleted before a representative opened it is never picked up', async () => {
    const slow = await startDiyalogSimulator({ agent: { delayScale: 2 } });
    try {
      const c = clients(slow);
      const rec = recorder();
      const id = await c.queue.createInteraction({ identityNumber: '', customerId: 'c1', attachedData: {} });
      const hash = await c.api.getTransactionHashForOnlineHelp({ customerId: 'c1', deviceHash: DEVICE });
      const r = await slow.channel.startAnonymousOnlineHelp(params({ customerId: 'c1', transactionHash: hash }), rec.events);
      if (!r.success) throw new Error('start failed');
      await expect(r.help.sendMessage('anyone?')).rejects.toThrow(/NOT_IN_CHAT/);
      await c.queue.deleteInteraction(id);
      await r.help.closeMessaging();
      expect(slow.received.map((f) => f.name)).toEqual([
        'CreateInteraction',
        'gettransactionhashforonlinehelp',
        'startAnonymousOnlineHelp',
        'sendMessage',
        'DeleteInteraction',
        'closeMessaging',
      ]);
      // Deleting it again: it is gone.
      await expect(c.queue.deleteInteraction(id)).resolves.toBeUndefined();
      expect(rec.states).not.toContain('CHAT_INPROGRESS');
      expect(slow.violations).toEqual([]);
      r.help.dispose();
    } finally {
      await slow.close();
    }
  });

  it('with nobody at the desk (available false) a queued chat waits', async () => {
    available = false;
    try {
      const rec = recorder();
      await queued('desk-empty');
      const r = await sim.channel.startAnonymousOnlineHelp(params({ customerId: 'desk-empty', transactionHash: await issue('desk-empty') }), rec.events);
      expect(r.success).toBe(true);
      expect(rec.states).toEqual([]);
      if (r.success) {
        await r.help.closeMessaging();
        r.help.dispose();
      }
    } finally {
      available = true;
    }
  });

  it('finishonlinehelp ends a conversation the representative holds after the SDK side vanished', async () => {
    const rec = recorder();
    await queued('held-1');
    const r = await sim.channel.startAnonymousOnlineHelp(params({ customerId: 'held-1', transactionHash: await issue('held-1') }), rec.events);
    if (!r.success) throw new Error('start failed');
    await waitFor(() => rec.states.includes('CHAT_INPROGRESS'), 'in progress');
    await api.finishOnlineHelp({ customerId: 'held-1', staffId: '45186' });
    await waitFor(() => rec.states.includes('CHAT_ENDED'), 'ended by finishonlinehelp');
    // Once finished, there is nothing left to finish.
    await expect(api.finishOnlineHelp({ customerId: 'held-1', staffId: '45186' })).rejects.toMatchObject({ reason: 'refused' });
    r.help.dispose();
  });
});
