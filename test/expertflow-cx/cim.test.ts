/** CX's form definitions and CIM media lines, read as W (ExpertFlow's customer widget) reads them. */
import { describe, expect, it } from 'vitest';
import { decodeCim, decodeForm, decodeWidgetConfig } from '../../src/transports/expertflow-cx/cim';

const attr = (key: string, valueType: string, extra: Record<string, unknown> = {}) => ({ key, label: key.toUpperCase(), valueType, ...extra });

describe('CX forms', () => {
  it('maps W’s value types onto our fields', () => {
    const form = decodeForm({
      id: 'f1',
      sections: [
        { attributes: [attr('name', 'shortAnswer', { isRequired: true }), attr('mail', 'email'), attr('bio', 'paragraph'), attr('born', 'date')] },
        {
          attributes: [
            attr('plan', 'dropdown', { attributeOptions: { attributeData: [{ values: [{ label: 'Basic' }, { value: 'pro' }] }] } }),
            attr('agree', 'boolean'),
            attr('tags', 'checkbox'),
            attr('mail', 'email'), // the same key twice: once
          ],
        },
      ],
    });
    expect(form?.id).toBe('f1');
    expect(form?.fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ['name', 'name', true],
      ['mail', 'email', false],
      ['bio', 'text', false],
      ['born', 'date', false],
      ['plan', 'select', false],
      ['agree', 'boolean', false],
    ]);
    expect(form?.fields[2]?.multiline).toBe(true);
    expect(form?.fields[4]).toMatchObject({ options: ['Basic', 'pro'], selectAs: 'select' });
  });

  it('a required field we cannot ask (checkbox, file) makes the form unusable rather than silently incomplete', () => {
    expect(decodeForm({ sections: [{ attributes: [attr('doc', 'file', { isRequired: true })] }] })).toBeNull();
    expect(decodeForm({ sections: 'x' })).toBeNull();
  });

  it('reads the widget configuration’s form id and file switch', () => {
    expect(decodeWidgetConfig({ form: '67e6', enableFileTransfer: true, title: 'Expertflow' })).toEqual({ formId: '67e6', fileTransfer: true, title: 'Expertflow' });
    expect(decodeWidgetConfig({ form: '' })).toEqual({ fileTransfer: false });
  });
});

describe('CX media lines', () => {
  const header = { sender: { type: 'AGENT', senderName: 'jo', additionalDetail: null } };
  it('names a FILE by additionalDetails.fileName and media by the caption; unsafe URLs are no attachment', () => {
    const file = decodeCim({ id: '1', header, body: { type: 'FILE', additionalDetails: { fileName: 'a.pdf' }, attachment: { mediaUrl: 'https://f.example/x?filename=a.pdf', mimeType: 'application/pdf', size: 9 } } });
    expect(file).toMatchObject({ kind: 'media', attachment: { name: 'a.pdf', kind: 'file', mime: 'application/pdf', size: 9 } });
    const video = decodeCim({ id: '2', header, body: { type: 'VIDEO', caption: 'clip.mp4', attachment: { mediaUrl: 'https://f.example/c' } } });
    expect(video).toMatchObject({ kind: 'media', attachment: { name: 'clip.mp4', kind: 'video' } });
    const evil = decodeCim({ id: '3', header, body: { type: 'IMAGE', caption: 'x', attachment: { mediaUrl: 'javascript:alert(1)' } } });
    expect(evil?.kind).toBe('other');
  });

  it('names an agent by first and last name (W getAgentDisplayName), else the user name', () => {
    expect(decodeCim({ id: '1', header: { sender: { type: 'AGENT', senderName: 'jo', additionalDetail: { firstName: 'Jo', lastName: 'Ng' } } }, body: { type: 'PLAIN', markdownText: 'hi' } })?.senderName).toBe('Jo Ng');
    expect(decodeCim({ id: '1', header, body: { type: 'PLAIN', markdownText: 'hi' } })?.senderName).toBe('jo');
  });
});
