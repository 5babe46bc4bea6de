import { describe, expect, it } from 'vitest';
import { MemoryStorage, chatConfig, harness, settle } from './harness';

describe('data-consent="required": the consent gate', () => {
  it('opening shows the consent step without loading a transport or writing to either storage', async () => {
    const durable = new MemoryStorage();
    const h = harness({ consentRequired: true, durableStorage: durable });
    h.session.open();
    await settle();
    expect(h.session.isOpen.value).toBe(true);
    expect(h.session.consentPending.value).toBe(true);
    expect(h.loads).toBe(0);
    expect([h.storage.data.size, durable.data.size]).toEqual([0, 0]);
    h.session.destroy();
  });

  it('accepting connects, and remembers the choice in session storage only then', async () => {
    const h = harness({ consentRequired: true });
    h.session.open();
    await settle();
    h.session.consent(true);
    await settle();
    expect(h.session.consentPending.value).toBe(false);
    expect(h.loads).toBe(1);
    expect(h.storage.getItem('confab:test:consent')).toBe('1');
    h.transport.emit({ type: 'connection', state: 'open' });
    h.transport.emit({ type: 'config', config: chatConfig() });
    expect(h.session.phase.value).toBe('prechat');
    h.session.destroy();
  });

  it('declining closes the window; nothing is loaded or stored, and reopening asks again', async () => {
    const h = harness({ consentRequired: true });
    h.session.open();
    h.session.consent(false);
    await settle();
    expect(h.session.isOpen.value).toBe(false);
    expect(h.loads).toBe(0);
    expect(h.storage.data.size).toBe(0);
    h.session.open();
    await settle();
    expect(h.session.consentPending.value).toBe(true);
    expect(h.loads).toBe(0);
    h.session.destroy();
  });

  it('a later page in the same session that already accepted connects without asking', async () => {
    const storage = new MemoryStorage();
    const first = harness({ consentRequired: true, storage });
    first.session.open();
    first.session.consent(true);
    await settle();
    first.session.destroy();
    const next = harness({ consentRequired: true, storage });
    expect(next.session.consentPending.value).toBe(false);
    next.session.open();
    await settle();
    expect(next.loads).toBe(1);
    next.session.destroy();
  });

  it('without data-consent nothing is gated', async () => {
    const h = harness();
    expect(h.session.consentPending.value).toBe(false);
    h.session.open();
    await settle();
    expect(h.loads).toBe(1);
    h.session.destroy();
  });
});
