/** `npm run relay` / the `confab-relay` bin: the relay configured from the environment (`--help` lists it). */
import { runRelayCli } from './cli';

void runRelayCli();
