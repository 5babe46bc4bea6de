/**
 * Vitest setup: the seed every fast-check property in the suite runs with.
 *
 * Without FUZZ_SEED each run draws a new seed, so developers' runs keep exploring; fast-check
 * prints the seed of a failure, and `FUZZ_SEED=<seed> npx vitest run test/fuzz` replays it.
 * `.ci/run` pins one, so CI judges the change under test rather than the dice (the same
 * practice as Hypothesis's derandomized CI profile).
 */
import fc from 'fast-check';

const raw = process.env.FUZZ_SEED;
if (raw) {
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, not "${raw}"`);
  fc.configureGlobal({ seed });
}
