/**
 * What a visitor can do when nobody is available (issue 25 item 2): always something true,
 * never a path the vendor lacks. In order: the vendor's leave-a-message form (only when the
 * session says the vendor takes messages), the vendor's forwarding page, the site's own contact
 * page (data-offline-url), else "try again later" (the vendor's reason, which carries its
 * opening hours when it sends them, stays above it).
 */
import type { OfflineState } from './session-api';
import { safeUrl } from './urls';

export type OfflineNext = { kind: 'form' } | { kind: 'link'; url: string } | { kind: 'later' };

export function offlineNext(offline: OfflineState, siteUrl?: string): OfflineNext {
  if (offline.leaveMessage) return { kind: 'form' };
  const url = safeUrl(offline.forwardingUrl, 'link') ?? safeUrl(siteUrl, 'link');
  return url ? { kind: 'link', url } : { kind: 'later' };
}
