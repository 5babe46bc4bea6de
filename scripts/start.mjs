// `npm start`: install if needed, build, then serve the demo with every vendor's simulator.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!existsSync(new URL('../node_modules/.package-lock.json', import.meta.url))) run('npm', ['ci']);
run(process.execPath, ['scripts/build.mjs', '--quiet']);
const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/sandbox/main.ts'], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
