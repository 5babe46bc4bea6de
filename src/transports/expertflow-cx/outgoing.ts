/**
 * The customer's CIM messages as ExpertFlow's own widget (W, named in transport.ts's header)
 * builds them: a PLAIN line, a file line, and a button's answer.
 * - Lines: `{type, header: {sender, ...}, body: {type: 'PLAIN', markdownText}, customer,
 *   timestamp: ''}` (E3 sendMessage, W constructCimMessage; E3 blanks `timestamp`).
 * - Files: an IMAGE / VIDEO / AUDIO line (caption = name) or FILE (`additionalDetails.fileName`)
 *   with `attachment {mediaUrl, type, size, extType, mimeType}` (W).
 * - Buttons: a PLAIN line with the button's title, `header.intent` its payload without the
 *   leading '/', JSON entities split off (W sendButtonMessage, transformPayload).
 */
import type { Json } from '../../core/contract';
import { str } from './cim';

/** An uploaded file's line (its text is the stored name). */
export type Upload = { mime: string; size: number; url: string } | undefined;

/** One CIM line from the customer. */
export function cimOut(
  body: Record<string, Json>,
  sender: Record<string, Json>,
  customer: Record<string, Json>,
  header: Record<string, Json> = {},
): Record<string, Json> {
  return {
    type: str(body.type) ?? 'PLAIN',
    header: { originalMessageId: null, intent: null, entities: {}, additionalData: {}, sender, ...header },
    body,
    customer,
    timestamp: '',
  };
}

/** The body of a visitor's line: its text, or the file it names. */
export function lineBody(text: string, f: Upload): Record<string, Json> {
  if (!f) return { type: 'PLAIN', markdownText: text };
  const major = f.mime.split('/')[0] ?? '';
  const media = major === 'image' || major === 'video' || major === 'audio';
  return {
    type: media ? major.toUpperCase() : 'FILE',
    markdownText: '',
    caption: media ? text : '',
    additionalDetails: media ? {} : { fileName: text },
    attachment: { mediaUrl: f.url, type: f.mime, size: f.size, extType: text.split('.').pop() ?? '', mimeType: f.mime },
  };
}

/** W transformPayload: "/intent{json entities}" → intent and entities. */
export function buttonIntent(payload: string): [string, Json] {
  let intent = payload.replace(/^\//, '');
  let entities: Json = {};
  const json = /\{.*\}/.exec(intent)?.[0];
  if (json) {
    try {
      entities = JSON.parse(json) as Json;
      intent = intent.replace(json, '');
    } catch {
      /* not JSON: the payload is the intent as it is */
    }
  }
  return [intent, entities];
}
