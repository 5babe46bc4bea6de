// Production build: the whole of dist/ as vite.config.ts describes it (`npx vite build` does
// the same). `--quiet`: warnings only (npm test, npm start, the e2e and size tests call it so).
import { createBuilder } from 'vite';

const quiet = process.argv.includes('--quiet');
const builder = await createBuilder({ logLevel: quiet ? 'warn' : 'info', build: { reportCompressedSize: !quiet } });
await builder.buildApp();
