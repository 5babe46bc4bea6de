// @vitest-environment happy-dom
/**
 * A masked survey field submitted at once, before the lazily loaded mask matcher is there,
 * is still validated: the form waits for the matcher, then judges (never skips the mask).
 */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { SurveyField } from '../../src/core/contract';
import { masksReady } from '../../src/core/survey';
import { PrechatForm } from '../../src/ui/prechat-form';
import { baseConfig, fakeSession } from './fake-session';
import { renderUi } from './render-ui';

afterEach(cleanup);

const ZIP: SurveyField = { name: 'zip', type: 'text', label: 'ZIP code', required: true, mask: '\\d{5}' };

describe('a masked pre-chat field submitted before the matcher has loaded', () => {
  it('is refused when it breaks the mask, then accepted once it fits', async () => {
    expect(masksReady([ZIP]), 'the matcher must not be loaded yet for this test to mean anything').not.toBeNull();
    const fake = fakeSession({ phase: 'prechat', prechatFields: [ZIP], config: baseConfig({ prechat: [ZIP] }) });
    renderUi(fake.session, <PrechatForm onStart={(a) => fake.session.start(a)} />);
    const zip = screen.getByRole('textbox', { name: /ZIP code/ });
    fireEvent.input(zip, { target: { value: '1234x' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start chat' }));
    await waitFor(() => expect(zip.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('The value is not in the expected format')).toBeTruthy();
    expect(fake.callsOf('start')).toHaveLength(0);
    fireEvent.input(zip, { target: { value: '12345' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start chat' }));
    expect(fake.callsOf('start')).toEqual([[{ zip: '12345' }]]);
  });
});
