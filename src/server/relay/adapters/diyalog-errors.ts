/**
 * The start error codes of Diyalog's SDK (D3: android_online_help, `OnlineHelpStartError`),
 * with an English gloss of each constant's name (the page gives names, not messages). The
 * adapter sends a documented code as the error's code, so the widget can word it in the
 * visitor's language (src/transports/diyalog/errors.ts); any other code passes through as
 * "<message> (code <code>)".
 */
import type { ConfabEventBody } from '../../../core/contract';

export const DIYALOG_START_ERRORS = {
  DLGEXCPINP_CUSTOMER_ID: 'The customer id must be passed.',
  DLGEXCP_AUTH_REQUEST: 'Exception in the auth request.',
  DLGEXCP_COMPLETE_AUTH: 'Exception in completing the auth.',
  DLGEXCP_USER_IS_IN_CALL_NOW: 'The user is in a call now.',
  DLGEXCP_CUSTOMER_NOT_ACTIVE_IN_DEVICE: 'The customer is not active on this device.',
  DLGEXCP_GENERAL_EXCEPTION: 'General exception.',
  DLGEXCPINP_TRXHASH_IS_EMPTY: 'The transaction hash is empty.',
  DLGEXCPINP_INVALID_HELP_TYPE: 'Invalid help type.',
  DLGEXCPINP_CUSTOMER_NAME_IS_EMPTY: 'The customer name is empty.',
  DLGEXCP_NOT_SUPPORTED_FEATURE: 'Not a supported feature.',
} as const;

export type DiyalogStartErrorCode = keyof typeof DIYALOG_START_ERRORS;

/** Diyalog's message with its code, as the visitor reads it ("<message> (code <code>)"). */
export function describeDiyalogError(code: string, msg: string): string {
  return `${msg.slice(0, 300) || 'unknown error'} (code ${code.slice(0, 40) || '?'})`;
}

/**
 * A failed start, retryable. A documented code keeps its own name (the widget words it in the
 * visitor's language); any other passes through with Diyalog's message.
 */
export function startFailedEvent(code: string, msg: string): ConfabEventBody {
  const documented = Object.prototype.hasOwnProperty.call(DIYALOG_START_ERRORS, code);
  return {
    type: 'error',
    code: documented ? (code as DiyalogStartErrorCode) : 'start-failed',
    message: `Online help could not be started: ${describeDiyalogError(code, msg)}`,
    fatal: false,
    retryable: true,
  };
}
