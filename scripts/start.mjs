// `npm start`: install if needed, build, then serve the demo with every vendor's simulator.
// It says what it is doing at each step; the sandbox prints where to go once it listens.
// (npm 11 lists packages whose install scripts are not reviewed: package.json's
// `allowScripts` approves esbuild's, which checks its platform binary after install.)
import { spawnSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const step = (text) => console.log(`\u203a ${text}`);
/** Runs a step; `quiet`: its output is shown only if it fails (the build's timing notes are noise here). */
const run = (cmd, args, quiet = false) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (r.status === 0) return;
  if (quiet) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
  process.exit(r.status ?? 1);
};

if (!existsSync(new URL('../node_modules/.package-lock.json', import.meta.url))) {
  step('Installing dependencies (npm ci, about a minute the first time)…');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}
step('Building the widget into dist/…');
run(process.execPath, ['scripts/build.mjs', '--quiet'], true);
step('Starting the sandbox: the demo page and every vendor simulator on this machine…');
const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/sandbox/main.ts'], { cwd: root, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
