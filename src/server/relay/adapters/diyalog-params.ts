/**
 * The start command's `visitor`, read as the SDK's startAnonymousOnlineHelp parameters (D3). The
 * browser `diyalog` transport puts the handshake and the customer fields there under the
 * document's parameter names; the generic VisitorInfo names (name, lastName, phone) are accepted
 * as fallbacks.
 */
import type { VisitorInfo } from '../../../core/contract';
import { DEVICE_HASH_PATTERN } from '../../../transports/diyalog/device-hash';
import { HELP_TYPES, type DiyalogChannel, type HelpType, type OnlineHelpParams } from './diyalog-channel';

const MAX_HASH = 512;
const MAX_WAIT_TEXT = 500;

/** The parameters, or why the command cannot start a help. */
export function onlineHelpParams(visitor: VisitorInfo): OnlineHelpParams | string {
  const str = (v: string | undefined, max: number) => (v ?? '').trim().slice(0, max);
  const transactionHash = str(visitor.transactionHash, MAX_HASH + 1);
  const deviceHash = str(visitor.deviceHash, MAX_HASH + 1);
  const customerId = str(visitor.customerId, 200);
  if (!transactionHash || transactionHash.length > MAX_HASH) return 'transactionHash is missing or too long';
  if (!DEVICE_HASH_PATTERN.test(deviceHash)) return 'deviceHash is missing or not base64';
  if (!customerId) return 'customerId is missing';
  const helpType = visitor.helpType ?? 'chat';
  const fullName = [visitor.name, visitor.lastName].filter(Boolean).join(' ');
  return {
    customerId,
    customerName: str(visitor.customerName || fullName, 200),
    idNumber: int64(visitor.idNumber),
    customerPhone: int64(visitor.customerPhone ?? visitor.phone),
    email: str(visitor.email, 254),
    helpType: (HELP_TYPES as readonly string[]).includes(helpType) ? (helpType as HelpType) : 'chat',
    transactionHash,
    isLoggedIn: visitor.isLoggedIn === 'true',
    isBackground: true,
    waitDisplayText: str(visitor.waitDisplayText, MAX_WAIT_TEXT),
    deviceHash,
  };
}

/**
 * The SDK's Int64 fields as a JS number. Phone numbers arrive formatted ("+90 555 …"), so
 * separators are dropped; anything else, or beyond 2^53, becomes the document's "unknown" 0.
 */
function int64(raw: string | undefined): number {
  const digits = (raw ?? '').replace(/[\s()+.-]/g, '');
  if (!/^\d{1,16}$/.test(digits)) return 0;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : 0;
}

/** A real SDK's device hash (the one Diyalog checks), when the channel has one; else the browser's is used. */
export async function channelDeviceHash(channel: DiyalogChannel, sessionId: string, log: (m: string) => void): Promise<string | null> {
  if (!channel.getDeviceHash) return null;
  try {
    const hash = await channel.getDeviceHash({ sessionId });
    if (typeof hash === 'string' && DEVICE_HASH_PATTERN.test(hash)) return hash;
    log('diyalog: the channel gave a device hash that is not base64 of 8-128 characters; the browser\'s is used');
  } catch (err) {
    log(`diyalog: getDeviceHash failed: ${String(err)}`);
  }
  return null;
}
