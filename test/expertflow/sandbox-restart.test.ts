import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/server/sandbox/main';
import { probeGeneration } from '../../src/transports/expertflow/link';

const INIT = { firstName: 'Kashif', channel: 'web' };

describe('ExpertFlow in the sandbox: failing a start and restarting in place', () => {
  let sandbox: Sandbox | undefined;
  afterAll(async () => {
    await sandbox?.close();
  });

  const init = (server: string) =>
    fetch(`${server}/api/customer/init`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(INIT),
    });

  it('answers one init with the chosen status, then restarts on the same port with the same store and received log', async () => {
    sandbox = await startSandbox({ vendors: ['expertflow'], delayScale: 0.02 });
    const ef = sandbox.vendors.expertflow;
    const server = ef?.attributes.server ?? '';
    if (!ef?.restart || !ef.failNextStart) throw new Error('no restart / failNextStart on the ExpertFlow sandbox');

    ef.failNextStart(503);
    expect((await init(server)).status).toBe(503);
    expect((await init(server)).status).toBe(200);

    let refusedWhileDown = false;
    await ef.restart(async () => {
      refusedWhileDown = await init(server).then(
        () => false,
        () => true,
      );
      // Set on the store while no server runs: the restarted server must honour it.
      ef.failNextStart?.(500);
    });
    expect(refusedWhileDown).toBe(true);

    expect((await init(server)).status).toBe(500);
    expect((await init(server)).status).toBe(200);
    // Both runs' frames, in order (the attempt while down reached no server).
    expect(ef.received.map((f) => f.name)).toEqual(Array(4).fill('POST /api/customer/init'));
  });

  it('switches the server between socket.io 4 and 2 in place, and a bot first, from the demo page\'s route', async () => {
    sandbox ??= await startSandbox({ vendors: ['expertflow'], delayScale: 0.02 });
    const server = sandbox.vendors.expertflow?.attributes.server ?? '';
    const settings = async () => ((await (await fetch(`${sandbox?.url}/sandbox.json`)).json()) as { expertflow: unknown }).expertflow;
    const post = (body: unknown) => fetch(`${sandbox?.url}/__sandbox/expertflow`, { method: 'POST', body: JSON.stringify(body) });
    expect(await settings()).toEqual({ socketio: 4, bot: false });
    expect(await probeGeneration(fetch, server, '/socket.io')).toBe(4);

    expect(await (await post({ socketio: 2, bot: true })).json()).toEqual({ socketio: 2, bot: true });
    expect(await settings()).toEqual({ socketio: 2, bot: true });
    expect(await probeGeneration(fetch, server, '/socket.io')).toBe(2);
    expect((await post('nonsense')).status).toBe(400);

    await post({ socketio: 4, bot: false });
    expect(await probeGeneration(fetch, server, '/socket.io')).toBe(4);
  });
});
