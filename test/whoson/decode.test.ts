import { describe, expect, it } from 'vitest';
import { authorOf, decodeFrame, queuePosition, toSurveyField } from '../../src/transports/whoson/decode';
import { fixture, fixtureText } from './helpers';

const decode = (name: string) => decodeFrame(fixtureText(name));

describe('WhosOn decode: the document\'s example events', () => {
  it('maps the connected example to the session, web services URL, translation and config', () => {
    const ev = decode('event-connected');
    if (ev.kind !== 'connected') throw new Error(ev.kind);
    expect(ev.sessionId).toBe('2c61f576-330e-4127-af83-90809776fa9c');
    expect(ev.domain).toBe('www.mycompany.com');
    expect(ev.webServicesUrl).toBe('https://chat.mycompany.com/whosoncharts/');
    expect(ev.translation).toEqual({ enabled: true, defaultLanguage: 'en', showLanguageSelector: false, selected: '' });
    expect(ev.chatUid).toBe('');
    const c = ev.config;
    expect(c.siteName).toBe('My Company');
    expect(c.welcomeHtml).toMatch(/^<h3>Welcome<\/h3>Please enter your name/);
    expect(c.closingText).toBe('Thank you for chatting to us today.');
    expect(c.forwardingUrl).toBeUndefined();
    expect(c.leaveMessage).toBe(true);
    expect(c.previewAllowed).toBe(false);
    expect(c.maxMessageLength).toBe(4000);
    expect(c.allowedFileTypes).toEqual(['pdf', 'doc', 'docx', 'xls', 'xlsx', 'pptx', 'rtf', 'txt', 'jpg', 'gif', 'bmp', 'png', 'xml']);
    expect(c.languages).toEqual([
      { code: 'en', name: 'English' },
      { code: 'fr', name: 'French' },
      { code: 'de', name: 'German' },
    ]);
    expect(c.prechat).toEqual([
      { name: 'VisitorName', type: 'name', label: 'Please enter your name:', required: true, maxLength: 100 },
      { name: 'Company', type: 'company', label: 'Please enter your company name:', required: false, maxLength: 200, changeCase: 'words' },
    ]);
    expect(c.postchat).toEqual([
      { name: 'Rating', type: 'rating', label: 'Please rate your chat experience:', required: false, max: 5 },
      // HTML5Type "email": checked as an address; the transcript goes to it (issue 25 item 15).
      { name: 'transEmail', type: 'email', label: 'Enter your email address to receive a transcript of this chat', required: false, maxLength: 250, transcript: true },
      { name: 'Mailing', type: 'boolean', label: 'Join our mailing list?', required: false, defaultValue: 'Y' },
      {
        name: 'FindMethod', type: 'select', label: 'How did you find us?', required: false,
        selectAs: 'select', options: ['Google', 'LinkedIn Ad', 'Twitter Ad'],
      },
    ]);
  });

  it('maps the survey field example', () => {
    expect(toSurveyField(fixture('survey-field'))).toEqual({
      name: 'FindMethod', type: 'select', label: 'How did you find us?', required: false,
      selectAs: 'select', options: ['Google', 'LinkedIn Ad', 'Twitter Ad'],
    });
  });

  it('reads the error, accepted and notaccepted examples', () => {
    expect(decode('event-error-connect')).toEqual({
      kind: 'error',
      message: 'The specified site (www.test.co.uk) is not being monitored by WhosOn. A chat session cannot be started.',
    });
    expect(decode('event-error-filetype')).toEqual({ kind: 'error', message: 'You cannot upload files of this type.' });
    expect(decode('event-accepted')).toEqual({
      kind: 'accepted', chatUid: 'gq0i7smlen', text: 'Please wait. An operator will be with you shortly.',
    });
    expect(decode('event-notaccepted')).toMatchObject({ kind: 'notaccepted', chatUid: 'gq0i7smlen' });
  });

  it('splits every newline example\'s Classname into tokens', () => {
    const classes = (n: string) => {
      const ev = decode(n);
      return ev.kind === 'newline' ? ev.classes : ev.kind;
    };
    expect(classes('event-newline-example')).toEqual(['pagingmessage']);
    expect(classes('event-newline-pagingmessage')).toEqual(['pagingmessage']);
    expect(classes('event-newline-linewaiting1')).toEqual(['lineo', 'linewaiting1']);
    expect(classes('event-newline-linewaiting2')).toEqual(['lineo', 'linewaiting2']);
    expect(classes('event-newline-final')).toEqual(['lineo', 'final']);
    expect(classes('event-newline-queuemessage')).toEqual(['queuemessage']);
    expect(classes('event-newline-linesays-operator')).toEqual(['linesays']);
    expect(classes('event-newline-lineo')).toEqual(['lineo']);
    expect(classes('event-newline-linesays-visitor')).toEqual(['linesays']);
    expect(classes('event-newline-linev')).toEqual(['linev']);
    expect(decodeFrame('{"EventName":"newline","Data":{"Classname":"  LINEO   LineWaiting2 ","Content":"x"}}')).toMatchObject({
      classes: ['lineo', 'linewaiting2'],
    });
  });

  it('reads operators (IsBot as "False"/"True" or a boolean), typing, queue, requests and the end events', () => {
    expect(decode('event-operatorjoined')).toEqual({
      kind: 'operatorjoined', operator: { name: 'Howard Williams', isBot: false, status: 'Online' },
    });
    expect(decodeFrame('{"EventName":"operatorjoined","Data":{"Name":"Bo","IsBot":"True"}}')).toMatchObject({ operator: { isBot: true } });
    expect(decodeFrame('{"EventName":"operatorjoined","Data":{"Name":"Bo","IsBot":true}}')).toMatchObject({ operator: { isBot: true } });
    expect(decode('event-typing')).toEqual({ kind: 'typing', on: true });
    expect(decode('event-typingstop')).toEqual({ kind: 'typing', on: false });
    expect(decode('event-queue')).toEqual({ kind: 'queue', position: 2 });
    expect(decode('event-requestfile')).toEqual({ kind: 'requestfile', types: ['pdf', 'doc'] });
    expect(decode('event-requestfield')).toEqual({
      kind: 'requestfield',
      field: { name: 'OrderNumber', type: 'text', label: 'Please enter the order number:', required: false, maxLength: 10, changeCase: 'upper' },
    });
    expect(decode('event-quit')).toEqual({ kind: 'quit' });
    expect(decode('event-acknowledged')).toEqual({ kind: 'acknowledged' });
    expect(decode('event-operators')).toEqual({
      kind: 'operators',
      operators: [
        { name: 'Howard Williams', isBot: false, status: 'Online' },
        { name: 'Daniel Tallentire', isBot: false, status: 'Busy' },
      ],
    });
  });

  it('turns a site image into a data: URL only when it is a real base64 image', () => {
    // The document's example carries the placeholder "{base64}", which is no image.
    expect(decode('event-image')).toEqual({ kind: 'image', imageType: 1, url: null });
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    expect(decodeFrame(JSON.stringify({ EventName: 'image', Data: { ImageType: 5, Ext: '.PNG', Base64: png } }))).toEqual({
      kind: 'image', imageType: 5, url: `data:image/png;base64,${png}`,
    });
    expect(decodeFrame(JSON.stringify({ EventName: 'image', Data: { ImageType: 5, Ext: '.svg', Base64: png } }))).toMatchObject({ url: null });
    expect(decodeFrame(JSON.stringify({ EventName: 'image', Data: { ImageType: 5, Ext: '.png', Base64: 'x");alert(1)//' } }))).toMatchObject({ url: null });
  });
});

describe('WhosOn decode: survey field model', () => {
  const base = { FieldName: 'F', Prompt: 'P', Enabled: true };
  it('drops disabled fields and keeps every documented property', () => {
    expect(toSurveyField({ ...base, Enabled: false })).toBeNull();
    expect(toSurveyField({ ...base, FieldType: 'numeric', ValidateLow: -1, ValidateHigh: 10 })).toMatchObject({ type: 'numeric', max: 10 });
    expect(toSurveyField({ ...base, FieldType: 'numeric', ValidateLow: -1, ValidateHigh: 10 })).not.toHaveProperty('min');
    expect(toSurveyField({ ...base, FieldType: 'numeric', ValidateLow: 1, ValidateHigh: -1 })).toMatchObject({ min: 1 });
    expect(toSurveyField({ ...base, FieldType: 'rating', ValidateHigh: -1 })).toMatchObject({ max: 5 });
    expect(toSurveyField({ ...base, FieldType: 'rating', ValidateHigh: 10 })).toMatchObject({ max: 10 });
    expect(toSurveyField({ ...base, FieldType: 'date', DefaultDateToday: true })).toMatchObject({ defaultNow: true });
    expect(toSurveyField({ ...base, FieldType: 'time', DefaultTimeToday: 'true' })).toMatchObject({ defaultNow: true });
    expect(toSurveyField({ ...base, FieldType: 'text', DefaultDateToday: true })).not.toHaveProperty('defaultNow');
    expect(toSurveyField({ ...base, FieldType: 'select', SelectType: 'radio', SelectOptions: ['a', 'b'] })).toMatchObject({ selectAs: 'radio', options: ['a', 'b'] });
    expect(toSurveyField({ ...base, MultiLine: true, Lines: 4, Mask: '^\\d+$', ChangeCase: 3 })).toMatchObject({
      multiline: true, lines: 4, mask: '^\\d+$', changeCase: 'lower',
    });
    expect(toSurveyField({ ...base, FieldType: 'hologram' })).toMatchObject({ type: 'text' });
  });
});

describe('WhosOn decode: survey rules as documented (issue 19)', () => {
  const base = { FieldName: 'F', Prompt: 'P', Enabled: true };
  it('a field both MultiLine and Password is one masked line', () => {
    const f = toSurveyField({ ...base, MultiLine: true, Lines: 4, Password: true });
    expect(f).toMatchObject({ password: true });
    expect(f).not.toHaveProperty('multiline');
  });
  it('ValidateLow/High: numeric only, -1 is no limit, every other value a bound (0/0 admits only 0)', () => {
    expect(toSurveyField({ ...base, FieldType: 'numeric', ValidateLow: 0, ValidateHigh: 0 })).toMatchObject({ min: 0, max: 0 });
    expect(toSurveyField({ ...base, FieldType: 'numeric', ValidateLow: -1, ValidateHigh: -1 })).not.toHaveProperty('min');
    expect(toSurveyField({ ...base, FieldType: 'numeric', ValidateLow: -5, ValidateHigh: '12' })).toMatchObject({ min: -5, max: 12 });
    // The requestfield example's 0/0 on a text field is not a range.
    expect(toSurveyField({ ...base, FieldType: 'text', ValidateLow: 0, ValidateHigh: 0 })).not.toHaveProperty('max');
  });
});

describe('WhosOn decode: one tolerant reader (issue 19)', () => {
  it('property names in any case: ClassName, ChatUID, SessionId, eventName, DATA', () => {
    expect(decodeFrame(JSON.stringify({ EventName: 'newline', ChatUID: 'u1', Data: { ClassName: 'lineo', Content: 'Hi' } }))).toEqual({
      kind: 'newline', chatUid: 'u1', classes: ['lineo'], content: 'Hi',
    });
    expect(decodeFrame(JSON.stringify({ eventName: 'accepted', chatuid: 'u2', DATA: 'wait' }))).toEqual({ kind: 'accepted', chatUid: 'u2', text: 'wait' });
    const data = fixture<{ Data: Record<string, unknown> }>('event-connected').Data;
    const { SessionID, OperatorPreview: _preview, ...rest } = data;
    const ev = decodeFrame(JSON.stringify({ EventName: 'connected', ChatUID: 'v10uid', Data: { ...rest, SessionId: SessionID, operatorpreview: 'True' } }));
    expect(ev).toMatchObject({ kind: 'connected', sessionId: SessionID, chatUid: 'v10uid', config: { previewAllowed: true } });
    expect(toSurveyField({ fieldname: 'x', FIELDTYPE: 'numeric', validatelow: 1, Prompt: 'X' })).toMatchObject({ name: 'x', type: 'numeric', min: 1 });
  });
  it('Data as JSON text where an object or a list is expected', () => {
    expect(decodeFrame(JSON.stringify({ EventName: 'newline', ChatUid: 'u', Data: JSON.stringify({ Classname: 'lineo', Content: 'Hi' }) }))).toMatchObject({
      kind: 'newline', content: 'Hi',
    });
    expect(decodeFrame(JSON.stringify({ EventName: 'operators', Data: JSON.stringify([{ Name: 'A', IsBot: 'True' }]) }))).toEqual({
      kind: 'operators', operators: [{ name: 'A', isBot: true, status: '' }],
    });
    const data = fixture<{ Data: unknown }>('event-connected').Data;
    expect(decodeFrame(JSON.stringify({ EventName: 'connected', Data: JSON.stringify(data) }))).toMatchObject({ kind: 'connected' });
    // A string event stays a string, even when it looks like JSON.
    expect(decodeFrame(JSON.stringify({ EventName: 'error', Data: '{"not": "parsed"}' }))).toEqual({ kind: 'error', message: '{"not": "parsed"}' });
  });
  it('the language selector and the Selected language are read', () => {
    const data = fixture<{ Data: { Translation: Record<string, unknown> } }>('event-connected').Data;
    const tr = { ...data.Translation, ShowLanguageSelector: true, Languages: [{ ISO2: 'EN', DisplayAs: 'English' }, { ISO2: 'de', DisplayAs: 'German', Selected: true }] };
    expect(decodeFrame(JSON.stringify({ EventName: 'connected', Data: { ...data, Translation: tr } }))).toMatchObject({
      translation: { showLanguageSelector: true, selected: 'de' },
    });
  });
});

describe('WhosOn decode: malformed frames never throw', () => {
  it.each([
    ['not JSON', 'hello{'],
    ['a JSON array', '[1,2]'],
    ['no EventName', '{"ChatUid":"x","Data":""}'],
    ['newline with string Data', '{"EventName":"newline","Data":"oops"}'],
    ['newline without Classname', '{"EventName":"newline","Data":{"Content":"x"}}'],
    ['queue with a word', '{"EventName":"queue","Data":"soon"}'],
    ['operators not a list', '{"EventName":"operators","Data":{"Name":"x"}}'],
    ['connected without SessionID', '{"EventName":"connected","Data":{}}'],
    ['error with an object', '{"EventName":"error","Data":{"x":1}}'],
  ])('%s → malformed', (_what, raw) => {
    expect(decodeFrame(raw).kind).toBe('malformed');
  });

  it('binary data → malformed; an unknown event name → unknown (ignored)', () => {
    expect(decodeFrame(new Uint8Array([1, 2])).kind).toBe('malformed');
    expect(decodeFrame('{"EventName":"Hologram","Data":null}')).toEqual({ kind: 'unknown', name: 'hologram' });
  });
});

describe('WhosOn decode: line helpers', () => {
  it('reads the queue position line and the linesays author', () => {
    expect(queuePosition('Thank you for waiting. You are in position 3 of 10.')).toEqual({ position: 3, total: 10 });
    expect(queuePosition('Thanks for waiting')).toBeNull();
    expect(authorOf('Howard Williams says:')).toBe('Howard Williams');
    expect(authorOf('<b>Thomas</b> says:')).toBe('Thomas');
  });
});
