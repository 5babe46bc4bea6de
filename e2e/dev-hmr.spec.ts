/**
 * `npm run dev` (issue 22): the demo against the sandbox's simulators through Vite's dev
 * server, and an edit to a Preact component shows in the open demo without a reload.
 *
 * The test runs the real command on an ephemeral port, opens the demo and the widget, edits
 * src/ui/header.tsx (restored in `finally`, and the server stopped, whatever happens), and
 * checks the window heading changed while a property set on the page before the edit is
 * still there (a reload would have dropped it) and the pre-chat form keeps what was typed
 * (a hot update keeps the component's state).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const root = fileURLToPath(new URL('..', import.meta.url));
const COMPONENT = fileURLToPath(new URL('../src/ui/header.tsx', import.meta.url));
const TITLE_JSX = '            {title}\n';

/** Starts `npm run dev` on a free port; resolves with its address once it listens. */
function startDev(): { child: ChildProcess; url: Promise<string>; output: () => string } {
  // Its own process group, so that stopping it stops npm's child (vite) too.
  const child = spawn('npm', ['run', 'dev', '--', '--port', '0'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CONFAB_AGENT_SPEED: '0.15', NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += String(chunk);
      const found = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (found) resolve(found[1]!);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`npm run dev exited (${code}) before it listened:\n${output}`)));
  });
  return { child, url, output: () => output };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

test('npm run dev: the demo runs against the sandbox, and a component edit is a hot update, not a reload', async ({ page }) => {
  test.setTimeout(180_000);
  const original = await readFile(COMPONENT, 'utf8');
  expect(original).toContain(TITLE_JSX);
  const dev = startDev();
  try {
    const url = await dev.url;
    await page.goto(`${url}/?vendor=whoson`);
    const widget = page.locator('confab-chat');
    await widget.getByRole('button', { name: 'Open chat' }).click();
    const dialog = widget.getByRole('dialog');
    // The sandbox answers through the dev server: WhosOn's pre-chat survey and site name come from its simulator.
    const name = dialog.getByLabel('Please enter your name:');
    await name.fill('Thomas', { timeout: 60_000 });
    const heading = dialog.getByRole('heading', { level: 2 });
    await expect(heading).toHaveText('My Company');
    await page.evaluate(() => Object.assign(window, { beforeTheEdit: true }));

    // An edit made before Vite's watcher has finished its first scan (a busy machine) is not seen:
    // the edit is written again (each time a new file) until the page shows it.
    let edits = 0;
    await expect(async () => {
      await writeFile(COMPONENT, original.replace(TITLE_JSX, "            {title} (edited)\n") + `// edit ${++edits}\n`);
      await expect(heading).toHaveText('My Company (edited)', { timeout: 10_000 });
    }).toPass({ timeout: 120_000 });
    expect(await page.evaluate(() => (window as unknown as { beforeTheEdit?: boolean }).beforeTheEdit)).toBe(true);
    await expect(name).toHaveValue('Thomas');
  } finally {
    await writeFile(COMPONENT, original);
    await stop(dev.child);
  }
});
