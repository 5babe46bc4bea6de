import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startExpertFlowSimulator, type ExpertFlowSimulatorHandle } from '../../src/server/sandbox/expertflow';
import { connectTransport, until, GENERATIONS } from './harness';

describe.each(GENERATIONS)('ExpertFlow (socket.io %i): the pre-chat form comes from the site options', (socketio) => {
  let sim: ExpertFlowSimulatorHandle;
  beforeAll(async () => {
    sim = await startExpertFlowSimulator({ agent: { delayScale: 0.02 }, socketio });
  });
  afterAll(() => sim.close());

  const configFor = (options: Record<string, string>) => {
    const h = connectTransport(sim.url, { options });
    h.transport.close();
    return { config: h.of('config')[0]?.config, capabilities: h.transport.capabilities };
  };

  it('asks for every listed field, labelled in the visitor\'s language, with subjects as a required select', () => {
    const { config } = configFor({ prechat: 'name,lastname,email,phone,comment,subject', subjects: 'ADSL, Billing,Sales' });
    expect(config?.prechat.map((f) => ({ name: f.name, type: f.type, label: f.label, required: f.required }))).toEqual([
      { name: 'name', type: 'name', label: 'Your name', required: true },
      { name: 'lastName', type: 'name', label: 'Last name (optional)', required: false },
      { name: 'email', type: 'email', label: 'Email (optional)', required: false },
      { name: 'phone', type: 'phone', label: 'Phone (optional)', required: false },
      { name: 'comment', type: 'text', label: 'How can we help? (optional)', required: false },
      { name: 'subject', type: 'select', label: 'Topic', required: true },
    ]);
    expect(config?.prechat.at(-1)?.options).toEqual(['ADSL', 'Billing', 'Sales']);
    expect(config?.prechat.find((f) => f.name === 'comment')?.multiline).toBe(true);
  });

  it('skips a subject field when the site lists no subjects', () => {
    expect(configFor({ prechat: 'name,subject' }).config?.prechat.map((f) => f.name)).toEqual(['name']);
  });

  it('skips the form altogether with prechat=none (and drops the prechat capability)', () => {
    const { config, capabilities } = configFor({ prechat: 'none' });
    expect(config?.prechat).toEqual([]);
    expect(capabilities.has('prechat')).toBe(false);
  });

  it('warns once about a field it does not know', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(configFor({ prechat: 'name,shoeSize' }).config?.prechat.map((f) => f.name)).toEqual(['name']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('shoesize');
    warn.mockRestore();
  });

  it('fills the init request from the answers, routing by the chosen subject over data-subject', async () => {
    const h = connectTransport(sim.url, { options: { subject: 'General', channel: 'web' } });
    h.send({
      type: 'start',
      visitor: { lastName: 'Liddell' },
      answers: { name: 'Alice', phone: '+441234', comment: 'About my bill', subject: 'Billing' },
    });
    await until('accepted', () => h.of('accepted')[0]);
    const init = sim.received.filter((f) => f.name === 'POST /api/customer/init').at(-1)?.payload;
    expect(init).toMatchObject({
      firstName: 'Alice',
      lastName: 'Liddell',
      phone: '+441234',
      refId: '+441234',
      comment: 'About my bill',
      subject: 'Billing',
    });
    h.send({ type: 'end' });
    h.transport.close();
  });
});
