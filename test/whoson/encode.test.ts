import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as wire from '../../src/transports/whoson/encode';
import { fixture } from './helpers';

const SID = 'd6e76b3c-b1fc-4e13-9ee6-f4a788a5269a';
const DOM = 'www.mycompany.com';
const IP = '195.62.193.194';

/** Same JSON text as the document's example: names, order, every parameter. */
const same = (frame: wire.WireCommand, name: string) => expect(JSON.stringify(frame)).toBe(JSON.stringify(fixture(name)));

describe('WhosOn encode: every command in the document\'s parameter order', () => {
  it('Connect (both examples)', () => {
    same(
      wire.connect('myauthstring', DOM, IP, '287-3882882',
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/64.0.3282.140 Safari/537.36 Edge/17.17134',
        'https://www.google.com', 'abcdefg124567'),
      'command-connect',
    );
    same(wire.connect('myauthstring', DOM, '193.22.32.21', '287-3882882', 'edge', '', 'abcdefg12345'), 'command-connect-intro');
  });

  it('Hello with the pre-chat survey XML', () => {
    same(wire.hello('Thomas', DOM, '', '', SID, IP, '287-3883882', 'en', false, wire.surveyXml({ Company: 'IBM' })), 'command-hello');
  });

  it('Message, Preview, File, DynamicField', () => {
    same(wire.message(SID, DOM, 'Could you please help me with product installation'), 'command-message');
    // The document's own-translation example is a claim we never make: a visitor who types
    // the tag sends text, never a claim (issue 19).
    const claim = fixture<{ Parameters: string[] }>('command-message-original').Parameters[2] ?? '';
    expect(wire.message(SID, DOM, claim).Parameters?.[2]).toBe('Hello&lt;original>Bonjour&lt;/original>');
    for (const typed of ['<ORIGINAL>x</Original>', '< original >x< / original>', 'a<original']) {
      expect(wire.message(SID, DOM, typed).Parameters?.[2]).not.toMatch(/<\s*\/?\s*original/i);
    }
    expect(wire.message(SID, DOM, '3 < 5 and <b>').Parameters?.[2]).toBe('3 < 5 and <b>');
    same(wire.preview(SID, DOM, 'I would li'), 'command-preview');
    same(
      wire.file(SID, DOM, 'mydocument.pdf',
        'http://chat.mycompany.com/whosoncharts/document.aspx?f=dfc3ffd72bb9416194aaea7c6f14b449f4629aafd2830e0b4716.pdf'),
      'command-file',
    );
    same(wire.dynamicField(SID, DOM, 'OrderNumber', '12345'), 'command-dynamicfield');
  });

  it('StartTyping, StopTyping, Quit', () => {
    same(wire.typing(SID, true), 'command-starttyping');
    same(wire.typing(SID, false), 'command-stoptyping');
    same(wire.quit(SID, DOM), 'command-quit');
    same(wire.quit(SID, DOM), 'command-quit-waiting');
  });

  it('PostChatSurvey, Transcript, LeaveMessage', () => {
    same(wire.postChatSurvey('gq0i7smlen', SID, DOM, IP, wire.surveyXml({ Rating: '5' })), 'command-postchatsurvey');
    same(wire.transcript('gq0i7smlen', SID, DOM, IP, 'thomas@test.com'), 'command-transcript');
    same(
      wire.leaveMessage('sjbhpx4nxc', SID, DOM, IP, 'Thomas', '', 'thomas@test.com', '07799123456', 'Please call back as soon as possible'),
      'command-leavemessage',
    );
  });

  it('GetOperators, GetImage', () => {
    same(wire.getOperators(SID, DOM), 'command-getoperators');
    same(wire.getImage(SID, DOM, 1), 'command-getimage');
  });
});

describe('WhosOn encode: booleans and re-attach', () => {
  it('boolean answers go out as Y/N (the document\'s only boolean value is Y)', () => {
    const xml = wire.surveyXml({ Mailing: 'true', Other: 'false', Text: 'true' }, new Set(['Mailing', 'Other']));
    expect(xml).toBe('<Fields><Field><Name>Mailing</Name><Value>Y</Value></Field><Field><Name>Other</Name><Value>N</Value></Field><Field><Name>Text</Name><Value>true</Value></Field></Fields>');
  });
  it('Connect re-attaching a chat carries its ChatUID as an eighth parameter (notes W1)', () => {
    expect(wire.connect('a', 'd', '', 'c', 'ua', 'r', 'k', 'gq0i7smlen').Parameters).toEqual(['a', 'd', '', 'c', 'ua', 'r', 'k', 'gq0i7smlen']);
    expect(wire.connect('a', 'd', '', 'c', 'ua', 'r', 'k').Parameters).toHaveLength(7);
  });
});

describe('WhosOn encode: survey XML escaping', () => {
  it('escapes & < > " \' in names and values and drops XML-illegal control characters', () => {
    expect(wire.surveyXml({ 'a&b': `<x> "q" 'a'\u0001\u0007` })).toBe(
      '<Fields><Field><Name>a&amp;b</Name><Value>&lt;x&gt; &quot;q&quot; &apos;a&apos;</Value></Field></Fields>',
    );
    expect(wire.surveyXml({})).toBe('<Fields></Fields>');
    expect(wire.surveyXml({ Note: 'line1\nline2\ttab' })).toContain('<Value>line1\nline2\ttab</Value>');
  });

  it('a hostile value can never open or close an element', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, value) => {
        const xml = wire.surveyXml({ [name]: value });
        const inner = xml.slice('<Fields><Field><Name>'.length, -'</Value></Field></Fields>'.length);
        const [n, v, ...rest] = inner.split('</Name><Value>');
        expect(rest).toEqual([]);
        for (const part of [n ?? '', v ?? '']) {
          expect(part).not.toMatch(/[<>"']/);
          expect(part).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
        }
      }),
    );
  });
});
