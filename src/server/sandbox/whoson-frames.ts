/**
 * What the WhosOn sandbox says and checks, as the document shows it: the commands' parameter
 * tables, Hello's survey block, the connected event (survey fields, site settings), the
 * operators event. Pure data and functions; the server is whoson.ts.
 */
import { randomBytes } from 'node:crypto';
import { injectLists } from './agent';

/** How many parameters each command takes, in the document's order. */
export const ARITY: Record<string, number> = {
  connect: 7, hello: 10, message: 3, preview: 3, file: 4, dynamicfield: 4, starttyping: 1,
  stoptyping: 1, quit: 2, postchatsurvey: 5, transcript: 5, leavemessage: 9, getoperators: 2, getimage: 3,
};
/** Index of the Domain parameter (StartTyping/StopTyping carry none). */
export const DOMAIN_PARAM: Record<string, number> = {
  hello: 1, message: 1, preview: 1, file: 1, dynamicfield: 1, quit: 1, postchatsurvey: 2,
  transcript: 2, leavemessage: 2, getoperators: 1, getimage: 1,
};
/** Index of the Chat Session ID parameter, for commands that carry one. */
export const SESSION_PARAM: Record<string, number> = {
  hello: 4, message: 0, preview: 0, file: 0, dynamicfield: 0, starttyping: 0, stoptyping: 0,
  quit: 0, postchatsurvey: 1, transcript: 1, getoperators: 0, getimage: 0,
};

export const FILE_TYPE_ERROR = 'You cannot upload files of this type.';

/**
 * Hello's tenth parameter, as the document ("Survey Fields", "Chat Sessions") defines it:
 * `<Fields><Field><Name>…</Name><Value>…</Value></Field>…</Fields>`, any field name (extra
 * fields "do not need to be setup in WhosOn"), but "field names must be unique". The names, or
 * what is wrong with the block. Empty is tolerated: the document does not say it is required.
 */
export function helloFields(xml: string): { names: string[] } | { problem: string } {
  if (xml === '') return { names: [] };
  const body = /^\s*<Fields>([\s\S]*)<\/Fields>\s*$/.exec(xml)?.[1];
  if (body === undefined) return { problem: 'the pre-chat survey is not a <Fields> block' };
  const names: string[] = [];
  const rest = body.replace(/\s*<Field>\s*<Name>([^<]*)<\/Name>\s*<Value>([^<]*)<\/Value>\s*<\/Field>\s*/g, (_, name: string) => {
    names.push(name);
    return '';
  });
  if (rest.trim()) return { problem: `the pre-chat survey has something that is not a <Field><Name/><Value/></Field>: ${rest.slice(0, 60)}` };
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return { problem: `the pre-chat survey names the field "${twice}" twice (names must be unique)` };
  return { names };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function field(name: string, type: string, prompt: string, extra: Record<string, unknown> = {}) {
  return {
    FieldName: name, FieldType: type, Enabled: true, Prompt: prompt, Length: 0, MultiLine: false,
    Lines: 0, Password: false, ChangeCase: 0, Mask: '', DefaultValue: '', DefaultDateToday: false,
    DefaultTimeToday: false, SelectType: '', ValidateLow: -1, ValidateHigh: -1, RequiredField: false,
    SelectOptions: [] as string[], HTML5Type: 'text', ...extra,
  };
}

type Injected = NonNullable<ReturnType<typeof injectLists>>;
const FIELD_TYPES = ['text', 'boolean', 'numeric', 'rating', 'date', 'email', 'phone', 'name'];

/**
 * The XSS injector's survey fields: every text in a label (three to a field, to stay under
 * the widget's 100-field bound), and every text once as an option of a drop-down or radio
 * list (100 to a list, the same bound).
 */
export function injectedFields(inject: Injected, prefix: string) {
  const fields = [];
  for (let i = 0; i * 3 < inject.texts.length; i++) {
    const type = FIELD_TYPES[i % FIELD_TYPES.length] ?? 'text';
    fields.push(field(`${prefix}Label${i}`, type, inject.texts.slice(i * 3, i * 3 + 3).join(' '), { ValidateHigh: type === 'rating' ? 5 : -1 }));
  }
  for (let i = 0; i * 100 < inject.texts.length; i++) {
    fields.push(field(`${prefix}Options${i}`, 'select', `${prefix} options ${i + 1}`, {
      SelectType: i % 2 ? 'radio' : 'select', SelectOptions: inject.texts.slice(i * 100, i * 100 + 100),
    }));
  }
  return fields;
}

/**
 * The document's connected example, with this server's session, domain and web services.
 * With the XSS injector set, its HTML and text fields carry the hostile texts and its
 * forwarding URL the first hostile URL (leave-message off, so an offline visitor sees it).
 */
export function connectedData(sessionId: string, domain: string, webServicesUrl: string, inject: Injected | null = null, preview = false) {
  const data = {
    SessionID: sessionId,
    Domain: domain,
    SiteName: 'My Company',
    UTCBias: 0,
    OpeningMessage:
      '<h3>Welcome</h3>Please enter your name and click the <b>Start Chat</b> button to begin<br><br>If we are available we will respond, if not please leave us a message.',
    ClosingMessage: 'Thank you for chatting to us today.',
    ForwardingURL: '',
    Layout: 'standard',
    Color: 'office',
    Lang: 'fr',
    Height: 550,
    Width: 470,
    OperatorPreview: preview,
    WebServicesURL: webServicesUrl,
    GeoIP: {
      IPAddress: '195.62.193.194', IsProxy: false, IsSatellite: false, PostCode: 'ST1', Latitude: 53.0278,
      Longitude: -2.1658, Radius: 20, ISP: 'Internet Central Limited', CountryISO: 'GB',
      CountryName: 'United Kingdom', City: 'Stoke-on-Trent', MetroCode: '', Organization: '',
      RegionName: 'England', RegionISO: 'ENG',
    },
    AllowedFileTypes: 'pdf, doc, docx, xls, xlsx, pptx, rtf, txt, jpg, gif, bmp, png, xml',
    PreChatSurvey: {
      Enabled: true,
      Fields: [
        field('VisitorName', 'name', 'Please enter your name:', { Length: 100, RequiredField: true }),
        field('Company', 'company', 'Please enter your company name:', { Length: 200, ChangeCase: 2 }),
      ],
    },
    PostChatSurvey: {
      Enabled: true,
      Fields: [
        field('Rating', 'rating', 'Please rate your chat experience:', { ValidateHigh: 5, HTML5Type: 'range' }),
        field('transEmail', 'text', 'Enter your email address to receive a transcript of this chat', {
          Length: 250, ValidateLow: 0, ValidateHigh: 0, HTML5Type: 'email',
        }),
        field('Mailing', 'boolean', 'Join our mailing list?', { DefaultValue: 'Y', HTML5Type: 'checkbox' }),
        field('FindMethod', 'select', 'How did you find us?', {
          SelectType: 'select', SelectOptions: ['Google', 'LinkedIn Ad', 'Twitter Ad'],
        }),
      ],
    },
    Translation: {
      Enabled: true,
      DefaultLanguage: 'en',
      Languages: [
        { ISO2: 'en', DisplayAs: 'English', Selected: false },
        { ISO2: 'fr', DisplayAs: 'French', Selected: false },
        { ISO2: 'de', DisplayAs: 'German', Selected: false },
      ],
      ShowLanguageSelector: false,
      ShowAsOverlay: false,
      ForceTranslation: false,
    },
    CallbackEnabled: true,
    LeaveMessageEnabled: true,
    VisitorSingleUseFiles: 0,
    ServerBuild: '19.1.385.800',
  };
  if (!inject) return data;
  return {
    ...data,
    OpeningMessage: inject.texts.join('\n'),
    ClosingMessage: inject.texts.join(' '),
    ForwardingURL: inject.urls[0] ?? '',
    LeaveMessageEnabled: false,
    PreChatSurvey: { Enabled: true, Fields: [...data.PreChatSurvey.Fields, ...injectedFields(inject, 'Pre')] },
    PostChatSurvey: { Enabled: true, Fields: [...data.PostChatSurvey.Fields, ...injectedFields(inject, 'Post')] },
  };
}

export function operatorData(name: string, isBot: boolean, status: string) {
  return {
    Name: name, Email: 'howard@mycompany.com', Phone: '+441782822577', Dept: '',
    Skills: ['Sales', 'Marketing'], IsBot: isBot ? 'True' : 'False', Status: status, Lang: 'en',
  };
}

export const chatUid = () => {
  const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(10), (b) => abc[b % abc.length]).join('');
};

export function clock(): string {
  const d = new Date();
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * Site settings a test can change (what a WhosOn administrator sets in the Settings Portal):
 * extra survey fields (in the document's field shape, see `field`), the language selector,
 * and which spellings the server uses.
 */
export interface SiteSettings {
  prechat?: Record<string, unknown>[];
  postchat?: Record<string, unknown>[];
  showLanguageSelector?: boolean;
  spellings?: 'document' | 'alternative';
}

/** A survey field in the document's shape, every property given (for `site()`). */
export const surveyField = (name: string, type: string, prompt: string, extra: Record<string, unknown> = {}) => field(name, type, prompt, extra);

export function withSite<T extends ReturnType<typeof connectedData>>(data: T, s: SiteSettings): T {
  if (!s.prechat && !s.postchat && s.showLanguageSelector === undefined) return data;
  return {
    ...data,
    PreChatSurvey: { ...data.PreChatSurvey, Fields: [...data.PreChatSurvey.Fields, ...(s.prechat ?? [])] },
    PostChatSurvey: { ...data.PostChatSurvey, Fields: [...data.PostChatSurvey.Fields, ...(s.postchat ?? [])] },
    Translation: { ...data.Translation, ShowLanguageSelector: s.showLanguageSelector ?? data.Translation.ShowLanguageSelector },
  };
}

export function allowedTypes(): string[] {
  return connectedData('', '', '').AllowedFileTypes.split(',').map((s) => s.trim());
}

export function renameKey<T extends Record<string, unknown>>(o: T, from: string, to: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k === from ? to : k] = v;
  return out;
}
