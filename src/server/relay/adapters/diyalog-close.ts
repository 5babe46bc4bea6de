/**
 * Ending a help on Diyalog's side: the document's closeMessaging, and finishonlinehelp
 * (documented for a chat stuck on Diyalog's side), called when the relay ends a conversation
 * that Diyalog still holds: the channel was lost, or closeMessaging failed.
 */
import type { OnlineHelp } from './diyalog-channel';
import type { DiyalogApplicationApi } from './transaction-hash-issuer';

/** true when Diyalog took the close (or there was no help to close). */
export async function closeMessaging(help: OnlineHelp | null, log: (m: string) => void): Promise<boolean> {
  try {
    await help?.closeMessaging();
    return true;
  } catch (err) {
    log(`diyalog: closeMessaging failed: ${String(err)}`);
    return false;
  }
}

/** finishonlinehelp for a conversation Diyalog still holds (needs the representative's id). */
export async function finishOnlineHelp(
  api: Pick<DiyalogApplicationApi, 'finishOnlineHelp'> | undefined,
  ids: { customerId: string; staffId: string },
  why: string,
  log: (m: string) => void,
): Promise<void> {
  if (!api) return log(`diyalog: ${why}; no Diyalog API configured to call finishonlinehelp`);
  if (!ids.staffId) return log(`diyalog: ${why}; the channel gave no staffId, so finishonlinehelp cannot be called`);
  try {
    await api.finishOnlineHelp({ customerId: ids.customerId, staffId: ids.staffId });
  } catch (err) {
    log(`diyalog: finishonlinehelp failed: ${String(err)}`);
  }
}
