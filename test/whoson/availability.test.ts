/**
 * Issue 25 item 12: before the visitor gives a name, WhosOn's GetOperators answer says
 * whether anybody is Online; the transport passes it on as the config's `agentsAvailable`.
 * Against the simulator, over a real socket, in both states of its "Agents available" switch.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWhosOnSimulator, type WhosOnSimulatorHandle } from '../../src/server/sandbox/whoson';
import { operatorsAvailable } from '../../src/transports/whoson/availability';
import { harness, type Harness } from './helpers';

let sim: WhosOnSimulatorHandle;
let available = true;
let open: Harness[] = [];
beforeAll(async () => {
  sim = await startWhosOnSimulator({ agent: { delayScale: 0.02, available: () => available } });
});
afterEach(() => {
  for (const h of open) h.transport.close();
  open = [];
});
afterAll(async () => {
  expect(sim.violations).toEqual([]);
  await sim.close();
});

describe('WhosOn availability before the visitor commits (item 12)', () => {
  it.each([
    [true, 'an operator is Online'],
    [false, 'nobody is Online (Away, Busy)'],
  ])('agents available %s: %s → a second config says so, and no Hello went out', async (now) => {
    available = now;
    const h = harness({ server: sim.url, ...sim.options });
    open.push(h);
    const first = await h.next('config');
    expect(first.config.agentsAvailable).toBeUndefined();
    const second = await h.next('config', (e) => e.config.agentsAvailable !== undefined, 'the config with availability');
    expect(second.config.agentsAvailable).toBe(now);
    expect(second.config.prechat).toEqual(first.config.prechat);
    expect(h.transport.operators.map((o) => o.status)).toEqual([now ? 'Online' : 'Away', 'Busy']);
    expect(sim.received.some((f) => f.name === 'Hello')).toBe(false);
  });

  it('only Online counts, in any letter case; an empty list is nobody', () => {
    const op = (status: string) => ({ name: 'A', isBot: false, status });
    expect(operatorsAvailable([op('Busy'), op('Be Right Back'), op('Away')])).toBe(false);
    expect(operatorsAvailable([op('Away'), op('ONLINE')])).toBe(true);
    expect(operatorsAvailable([])).toBe(false);
  });
});
