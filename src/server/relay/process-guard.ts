/**
 * The last line: an error no handler caught (a socket or stream path nobody foresaw) is logged
 * and the relay keeps serving everyone else. Every path the tests know of is handled where it
 * arises (test/security/); this only keeps the unknown ones from taking every chat down.
 */
export function guardProcess(log: (message: string) => void, proc: NodeJS.Process = process): () => void {
  let logged = 0;
  const report = (kind: string) => (err: unknown) => {
    // Bounded: a path that fails on every packet must not fill the disk either.
    if (logged++ < 100) log(`${kind} survived: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  };
  const onException = report('uncaught exception');
  const onRejection = report('unhandled rejection');
  proc.on('uncaughtException', onException);
  proc.on('unhandledRejection', onRejection);
  return () => {
    proc.off('uncaughtException', onException);
    proc.off('unhandledRejection', onRejection);
  };
}
