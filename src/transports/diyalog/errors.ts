/**
 * Diyalog's failures in the visitor's language. Two sources:
 *   - the SDK's documented start error codes (D3: OnlineHelpStartError), which the relay's
 *     adapter sends as the error's code; any other code keeps the relay's words ("<msg> (code X)");
 *   - the site endpoint's `reason` when Diyalog did not issue a transaction hash (its REST
 *     answers 400/401/403, isSuccess false, …): the operator's log has the details, the
 *     visitor gets a plain sentence.
 */
import type { MessageKey } from '../../core/i18n';

export const START_ERROR_WORDS: Readonly<Record<string, MessageKey>> = {
  DLGEXCPINP_CUSTOMER_ID: 'diyalog.securityCheck',
  DLGEXCPINP_TRXHASH_IS_EMPTY: 'diyalog.securityCheck',
  DLGEXCP_AUTH_REQUEST: 'diyalog.securityCheck',
  DLGEXCP_COMPLETE_AUTH: 'diyalog.securityCheck',
  DLGEXCP_USER_IS_IN_CALL_NOW: 'diyalog.inCall',
  DLGEXCP_CUSTOMER_NOT_ACTIVE_IN_DEVICE: 'diyalog.notActive',
  DLGEXCPINP_CUSTOMER_NAME_IS_EMPTY: 'diyalog.nameMissing',
  DLGEXCPINP_INVALID_HELP_TYPE: 'diyalog.unavailable',
  DLGEXCP_GENERAL_EXCEPTION: 'diyalog.unavailable',
  DLGEXCP_NOT_SUPPORTED_FEATURE: 'diyalog.unavailable',
};

/** The endpoint's `reason` (diyalog-transaction.ts) → words; anything else is error.chatToken. */
export function transactionFailureWords(reason: unknown): MessageKey {
  return reason === 'config' || reason === 'clock' ? 'diyalog.unavailable' : reason === 'refused' ? 'diyalog.securityCheck' : 'error.chatToken';
}

export function startErrorWords(code: string): MessageKey | undefined {
  return Object.prototype.hasOwnProperty.call(START_ERROR_WORDS, code) ? START_ERROR_WORDS[code] : undefined;
}
