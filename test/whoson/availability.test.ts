/**
 * Issue 25 item 12: before the visitor gives a name, WhosOn's GetOperators answer says
 * whether anybody is Online; the transport passes it on as the config's `agentsAvailable`.
 * Against the simulator, over a real socket, in both states of its "Agents available" switch.
 */
import { describe, expect, it } from 'vitest';
import { startWhosOnSimulator } from '../../src/server/sandbox/whoson';
import { operatorsAvailable } from '../../src/transports/whoson/availability';
import { harness } from './helpers';

describe('WhosOn availability before the visitor commits (item 12)', () => {
  it.each([
    [true, 'an operator is Online'],
    [false, 'nobody is Online (Away, Busy)'],
  ])('agents available %s: %s → a second config says so, and no Hello went out', async (available) => {
    const sim = await startWhosOnSimulator({ agent: { delayScale: 0.02, available: () => available } });
    const h = harness({ server: sim.url, ...sim.options });
    try {
      const first = await h.next('config');
      expect(first.config.agentsAvailable).toBeUndefined();
      const second = await h.next('config', (e) => e.config.agentsAvailable !== undefined, 'the config with availability');
      expect(second.config.agentsAvailable).toBe(available);
      expect(second.config.prechat).toEqual(first.config.prechat);
      expect(h.transport.operators.map((o) => o.status)).toEqual([available ? 'Online' : 'Away', 'Busy']);
      expect(sim.received.some((f) => f.name === 'Hello')).toBe(false);
    } finally {
      h.transport.close();
      await sim.close();
    }
    expect(sim.violations).toEqual([]);
  });

  it('only Online counts, in any letter case; an empty list is nobody', () => {
    const op = (status: string) => ({ name: 'A', isBot: false, status });
    expect(operatorsAvailable([op('Busy'), op('Be Right Back'), op('Away')])).toBe(false);
    expect(operatorsAvailable([op('Away'), op('ONLINE')])).toBe(true);
    expect(operatorsAvailable([])).toBe(false);
  });
});
