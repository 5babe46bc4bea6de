/**
 * Commands → WhosOn frames `{Command, Parameters}`, each parameter in the exact order the
 * document lists it. Every parameter is a string (the document: "All parameters are case
 * sensitive strings"). Pure; the tests compare each builder with the document's example.
 */
export interface WireCommand {
  Command: string;
  Parameters: string[] | null;
}

const cmd = (Command: string, ...Parameters: string[]): WireCommand => ({ Command, Parameters });

const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;',
};

/** Text safe inside an XML element: the five specials escaped, XML-illegal controls dropped. */
export function escapeXml(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => XML_ENTITIES[c] ?? c);
}

const TRUE_WORDS = /^(y|yes|true|1|on)$/i;

/**
 * Survey answers → `<Fields><Field><Name>…</Name><Value>…</Value></Field>…</Fields>`. The
 * answers of `booleans` (the boolean fields) go out as `Y`/`N`: the document's only boolean
 * value is the example's DefaultValue `Y` (the widget holds them as "true"/"false").
 */
export function surveyXml(answers: Readonly<Record<string, string>>, booleans: ReadonlySet<string> = new Set()): string {
  let xml = '<Fields>';
  for (const [name, raw] of Object.entries(answers)) {
    const value = booleans.has(name) ? (TRUE_WORDS.test(raw.trim()) ? 'Y' : 'N') : raw;
    xml += `<Field><Name>${escapeXml(name)}</Name><Value>${escapeXml(value)}</Value></Field>`;
  }
  return `${xml}</Fields>`;
}

/**
 * A visitor's line as the Message parameter. `<original>…</original>` in it would be read by
 * the server as our own translation claim (document, "Handling Translation"): the `<` of
 * anything that reads as that tag, in any case or spacing, is written `&lt;`, so the visitor's
 * text can never carry one. Line text is HTML to WhosOn ("Content can contain HTML"), so the
 * operator still reads the `<` the visitor typed.
 */
export const visitorLine = (text: string): string => text.replace(/<(?=\s*\/?\s*original)/gi, '&lt;');

/**
 * Connect. `chatUid`, when given, re-attaches the running chat after the socket was closed
 * and re-opened (version 10 Chat API, notes W1): it goes as an eighth parameter.
 */
export const connect = (
  auth: string, domain: string, visitorIp: string, cookieId: string,
  userAgent: string, referrer: string, apiKey: string, chatUid = '',
) => (chatUid
  ? cmd('Connect', auth, domain, visitorIp, cookieId, userAgent, referrer, apiKey, chatUid)
  : cmd('Connect', auth, domain, visitorIp, cookieId, userAgent, referrer, apiKey));

export const hello = (
  visitorName: string, domain: string, department: string, operator: string, sessionId: string,
  visitorIp: string, cookieId: string, language: string, translate: boolean, prechatXml: string,
) =>
  cmd('Hello', visitorName, domain, department, operator, sessionId, visitorIp, cookieId, language,
    translate ? 'true' : 'false', prechatXml);

/** Message: `line` is the visitor's text, escaped here (see visitorLine). */
export const message = (sessionId: string, domain: string, line: string) =>
  cmd('Message', sessionId, domain, visitorLine(line));

export const preview = (sessionId: string, domain: string, typed: string) =>
  cmd('Preview', sessionId, domain, typed);

export const file = (sessionId: string, domain: string, fileName: string, url: string) =>
  cmd('File', sessionId, domain, fileName, url);

export const dynamicField = (sessionId: string, domain: string, fieldName: string, value: string) =>
  cmd('DynamicField', sessionId, domain, fieldName, value);

export const typing = (sessionId: string, on: boolean) =>
  cmd(on ? 'StartTyping' : 'StopTyping', sessionId);

export const quit = (sessionId: string, domain: string) => cmd('Quit', sessionId, domain);

export const postChatSurvey = (chatUid: string, sessionId: string, domain: string, visitorIp: string, xml: string) =>
  cmd('PostChatSurvey', chatUid, sessionId, domain, visitorIp, xml);

export const transcript = (chatUid: string, sessionId: string, domain: string, visitorIp: string, email: string) =>
  cmd('Transcript', chatUid, sessionId, domain, visitorIp, email);

export const leaveMessage = (
  chatUid: string, sessionId: string, domain: string, visitorIp: string, name: string,
  department: string, email: string, phone: string, text: string,
) => cmd('LeaveMessage', chatUid, sessionId, domain, visitorIp, name, department, email, phone, text);

export const getOperators = (sessionId: string, domain: string) => cmd('GetOperators', sessionId, domain);

/** ImageType: 1 button available, 2 button unavailable, 5 site logo, 8 mobile logo. */
export const getImage = (sessionId: string, domain: string, imageType: 1 | 2 | 5 | 8) =>
  cmd('GetImage', sessionId, domain, String(imageType));
