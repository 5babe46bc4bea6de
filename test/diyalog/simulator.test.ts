/**
 * The Diyalog simulator through its own client (the DiyalogChannel the relay is given), over
 * real sockets: the security trio, the documented results and states, closeMessaging.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnlineHelpEvents, OnlineHelpParams, OnlineHelpStartResult } from '../../src/server/relay/adapters/diyalog-channel';
import { connectSandboxDiyalog, startDiyalogSimulator, type DiyalogSimulatorHandle } from '../../src/server/sandbox/diyalog';
import { DOC_SAMPLE, DOC_STATES } from './doc-fixtures';
import { waitFor } from './harness';

let sim: DiyalogSimulatorHandle;
let available = true;
beforeAll(async () => {
  sim = await startDiyalogSimulator({
    credentials: { id: 'site-server', secret: 's3cret' },
    agent: { delayScale: 0.02, available: () => available },
  });
});
afterAll(() => sim.close());

const DEVICE = 'device-0000-aaaa';

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
  const messages: string[] = [];
  const events: OnlineHelpEvents = {
    state: (v) => states.push(v),
    message: (m) => messages.push(m.text),
    lost: (r) => states.push(`lost:${r}`),
  };
  return { states, messages, events };
}

const failure = (r: OnlineHelpStartResult) => (r.success ? null : r.error.code);

async function issue(customerId = DOC_SAMPLE.customerId!, deviceHash = DEVICE) {
  return sim.channel.getTransactionHashForOnlineHelp({ customerId, deviceHash });
}

describe('Diyalog simulator', () => {
  it('issues transaction hashes only to a server with the credentials', async () => {
    expect(await issue()).toMatch(/^[0-9a-f]{40}$/);
    const base = sim.url.replace(/^ws/, 'http').replace(/\/__sandbox.*$/, '');
    const intruder = connectSandboxDiyalog(base, { id: 'site-server', secret: 'guess' });
    await expect(intruder.getTransactionHashForOnlineHelp({ customerId: '1', deviceHash: DEVICE })).rejects.toThrow(/401/);
  });

  it("refuses the document's sample hash: it never issued it", async () => {
    const r = await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: DOC_SAMPLE.transactionHash! }), recorder().events);
    expect(r).toEqual({ success: false, error: { code: 'TRANSACTION_INVALID', msg: expect.stringContaining('Security check failed') } });
  });

  it('refuses a hash presented with another customer or another device', async () => {
    const hash = await issue();
    expect(failure(await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: hash, customerId: '999' }), recorder().events))).toBe(
      'TRANSACTION_INVALID',
    );
    expect(
      failure(await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: hash, deviceHash: 'other-device-01' }), recorder().events)),
    ).toBe('TRANSACTION_INVALID');
  });

  it('accepts a hash once', async () => {
    const hash = await issue();
    const first = await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: hash }), recorder().events);
    expect(first.success).toBe(true);
    if (first.success) await first.help.closeMessaging();
    if (first.success) first.help.dispose();
    expect(failure(await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: hash }), recorder().events))).toBe('TRANSACTION_INVALID');
  });

  it('refuses an invalid help type', async () => {
    const r = await sim.channel.startAnonymousOnlineHelp(
      params({ transactionHash: await issue(), helpType: 'fax' as OnlineHelpParams['helpType'] }),
      recorder().events,
    );
    expect(failure(r)).toBe('INVALID_PARAMETERS');
  });

  it('says when no representative is available', async () => {
    available = false;
    try {
      const r = await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: await issue() }), recorder().events);
      expect(failure(r)).toBe('NO_REPRESENTATIVE');
    } finally {
      available = true;
    }
  });

  it(`with isBackground true there is no ${DOC_STATES[1]}: ${DOC_STATES[2]}, lines, ${DOC_STATES[3]}`, async () => {
    const rec = recorder();
    const r = await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: await issue() }), rec.events);
    if (!r.success) throw new Error('start failed');
    await waitFor(() => rec.messages.length > 0, 'greeting');
    expect(rec.states).toEqual(['CHAT_INPROGRESS']);
    expect(rec.messages[0]).toMatch(/^Hello Name of Customer/);
    const { id } = await r.help.sendMessage('goodbye');
    expect(id).toBeTruthy();
    await waitFor(() => rec.states.includes('CHAT_ENDED'), 'CHAT_ENDED');
    r.help.dispose();
  });

  it(`with isBackground false the SDK's own wait screen state ${DOC_STATES[1]} comes first`, async () => {
    const rec = recorder();
    const r = await sim.channel.startAnonymousOnlineHelp(params({ transactionHash: await issue(), isBackground: false }), rec.events);
    if (!r.success) throw new Error('start failed');
    await waitFor(() => rec.states.includes('CHAT_INPROGRESS'), 'in progress');
    expect(rec.states.slice(0, 2)).toEqual(['STARTED', 'CHAT_INPROGRESS']);
    r.help.dispose();
  });

  it('refuses lines before the representative joined, and records closeMessaging', async () => {
    const slowSim = await startDiyalogSimulator({ agent: { delayScale: 5 } });
    try {
      const rec = recorder();
      const hash = await slowSim.channel.getTransactionHashForOnlineHelp({ customerId: 'c1', deviceHash: DEVICE });
      const r = await slowSim.channel.startAnonymousOnlineHelp(params({ customerId: 'c1', transactionHash: hash }), rec.events);
      if (!r.success) throw new Error('start failed');
      await expect(r.help.sendMessage('anyone?')).rejects.toThrow(/NOT_IN_CHAT/);
      await r.help.closeMessaging();
      expect(slowSim.received.map((f) => f.name)).toEqual([
        'gettransactionhashforonlinehelp',
        'startAnonymousOnlineHelp',
        'sendMessage',
        'closeMessaging',
      ]);
      r.help.dispose();
    } finally {
      await slowSim.close();
    }
  });
});
