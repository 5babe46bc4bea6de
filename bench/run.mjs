#!/usr/bin/env node
// `npm run bench`: runs bench/runner.mjs under tsx (it starts the TypeScript sandbox in-process).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./runner.mjs', import.meta.url));
const r = spawnSync(process.execPath, ['--import', 'tsx', runner, ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
