/**
 * The survey-mask matcher is a lazy chunk (only WhosOn surveys carry masks). A masked value
 * judged before the chunk is there must wait for it, or be refused: never pass unchecked.
 * Each test starts from fresh modules, so the matcher has not been loaded yet.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SurveyField } from '../../src/core/contract';

const ZIP: SurveyField = { name: 'zip', type: 'text', label: 'ZIP code', required: true, mask: '\\d{5}' };

beforeEach(() => {
  vi.resetModules();
});

describe('masks are never skipped while the matcher chunk loads', () => {
  it('validate refuses a masked value, even a good one, until the matcher is loaded', async () => {
    const { loadMasks, masksReady, validate } = await import('../../src/core/survey');
    expect(masksReady([{ ...ZIP, mask: undefined }])).toBeNull();
    expect(masksReady([ZIP])).not.toBeNull();
    expect(validate(ZIP, '12345')).toBe('The value is not in the expected format');
    expect(validate(ZIP, '1234')).toBe('The value is not in the expected format');
    await loadMasks();
    expect(masksReady([ZIP])).toBeNull();
    expect(validate(ZIP, '12345')).toBeNull();
    expect(validate(ZIP, '1234')).toBe('The value is not in the expected format');
  });

  it('an in-chat form answered the moment it arrives is judged by its mask once the matcher is there', async () => {
    const { chatting, harness, settle } = await import('./harness');
    const { loadMasks } = await import('../../src/core/survey');
    const h = harness();
    await chatting(h);
    h.transport.emit({ type: 'form', form: { id: 'p1', header: 'Where are you?', field: ZIP } });
    h.session.submitForm('p1', '1234x');
    h.session.submitForm('p1', '12345');
    // Nothing is judged (nor sent) before the matcher is loaded...
    expect(h.transport.sent('submit-form')).toEqual([]);
    await loadMasks();
    await settle();
    // ...then the bad answer is refused by the mask and the good one goes.
    expect(h.transport.sent('submit-form')).toEqual([{ type: 'submit-form', promptId: 'p1', fieldName: 'zip', value: '12345' }]);
  });

  it('the session fetches the matcher as soon as a survey with a mask arrives', async () => {
    const { chatConfig, connected, harness, settle } = await import('./harness');
    const survey = await import('../../src/core/survey');
    const h = harness();
    await connected(h, chatConfig({ postchat: [ZIP] }));
    await settle();
    expect(survey.masksReady([ZIP])).toBeNull();
  });
});
