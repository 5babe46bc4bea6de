/** ExpertFlow CX sandbox: the tenant's fixed identities and form, the conversation record, multipart reading. */
import type { ScriptedAgent } from './agent';
import type { Obj } from './obj';

export const CX_SERVICE = '5155';
export const CX_WIDGET = 'web';
export const CX_FORM_ID = '67e639de74315a03beb7b06f';
export const CX_BOT = { id: 'bot-1', name: 'Expertflow Bot' };
export const CX_AGENT = { id: 'agent-1', username: 'alex.morgan', firstName: 'Alex', lastName: 'Morgan' };

/** The pre-chat form, in W's form schema. */
export const CX_FORM = {
  id: CX_FORM_ID,
  formTitle: 'Start a chat',
  formDescription: 'Tell us who you are.',
  sections: [
    {
      _id: 's1',
      sectionName: 'Contact',
      attributes: [
        { _id: 'a1', key: 'name', label: 'Your name', valueType: 'shortAnswer', attributeType: 'INPUT', isRequired: true },
        { _id: 'a2', key: 'phone', label: 'Phone number', valueType: 'phoneNumber', attributeType: 'INPUT', isRequired: true },
        {
          _id: 'a3',
          key: 'topic',
          label: 'Topic',
          valueType: 'dropdown',
          attributeType: 'OPTIONS',
          isRequired: false,
          attributeOptions: { attributeData: [{ values: [{ label: 'Billing', value: 'billing' }, { label: 'Internet', value: 'internet' }] }] },
        },
      ],
    },
  ],
};

/** E4's file-name rule: "Only underscore, hyphen and space are allowed in file name." */
export const FILE_NAME = /^[\w\- ]{1,120}(\.[A-Za-z0-9]{1,8})?$/;
export const MAX_UPLOAD = 5 * 1024 * 1024;

export interface CxConversation {
  id: string;
  cid: string;
  customerId: string;
  history: Obj[];
  state: 'bot' | 'agent' | 'ended';
  agent?: ScriptedAgent;
  token?: string;
  /** Ids of the bot's BUTTON and CAROUSEL messages: what a button answer may name. */
  prompts: Set<string>;
  visitorName: string;
}

export function parseMultipart(body: Buffer, type: string): Map<string, { filename?: string; mime?: string; data: Buffer }> | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(type);
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) return null;
  const out = new Map<string, { filename?: string; mime?: string; data: Buffer }>();
  const delim = Buffer.from(`--${b}`);
  let at = body.indexOf(delim);
  while (at >= 0) {
    const start = at + delim.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delim, start);
    if (next < 0) return null;
    const part = body.subarray(start + 2, next - 2); // after CRLF, before CRLF
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return null;
    const head = part.subarray(0, split).toString('utf8');
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name !== undefined) {
      const entry: { filename?: string; mime?: string; data: Buffer } = { data: part.subarray(split + 4) };
      const filename = /filename="([^"]*)"/i.exec(head)?.[1];
      if (filename !== undefined) entry.filename = filename;
      const mime = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
      if (mime) entry.mime = mime.trim();
      out.set(name, entry);
    }
    at = next;
  }
  return out;
}
