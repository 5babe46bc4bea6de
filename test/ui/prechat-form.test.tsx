// @vitest-environment happy-dom
import { fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from '@testing-library/preact';
import type { SurveyField } from '../../src/core/contract';
import { PrechatForm } from '../../src/ui/prechat-form';
import { baseConfig, fakeSession } from './fake-session';
import { renderUi } from './render-ui';

afterEach(cleanup);

const f = (over: Partial<SurveyField> & Pick<SurveyField, 'name' | 'type' | 'label'>): SurveyField => ({ required: false, ...over });

const fields: SurveyField[] = [
  f({ name: 'name', type: 'name', label: 'Your name', required: true }),
  f({ name: 'email', type: 'email', label: 'Email' }),
  f({ name: 'phone', type: 'phone', label: 'Phone' }),
  f({ name: 'age', type: 'numeric', label: 'Age', min: 18, max: 120 }),
  f({ name: 'day', type: 'date', label: 'Day' }),
  f({ name: 'at', type: 'time', label: 'At' }),
  f({ name: 'question', type: 'text', label: 'Question', multiline: true, lines: 4 }),
  f({ name: 'pin', type: 'text', label: 'PIN', password: true }),
  f({ name: 'Mailing', type: 'boolean', label: 'Join our mailing list?', defaultValue: 'Y' }),
  f({ name: 'FindMethod', type: 'select', label: 'How did you find us?', selectAs: 'select', options: ['Google', 'LinkedIn Ad'] }),
  f({ name: 'dept', type: 'select', label: 'Department', selectAs: 'radio', options: ['Sales', 'Support'] }),
  f({ name: 'mood', type: 'rating', label: 'Mood', max: 5 }),
];

function setup(over: Parameters<typeof fakeSession>[0] = {}) {
  const fake = fakeSession({ phase: 'prechat', prechatFields: fields, config: baseConfig({ welcomeHtml: '<b>Hi!</b><img src=x onerror="alert(1)"><script>alert(2)</script>' }), ...over });
  const r = renderUi(fake.session, <PrechatForm onStart={(a) => fake.session.start(a)} />);
  return { ...fake, ...r };
}

describe('pre-chat form', () => {
  it('renders the welcome message as sanitized HTML', () => {
    const { container } = setup();
    expect(screen.getByText('Hi!')).toBeTruthy();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('[onerror]')).toBeNull();
  });

  it('gives each field type the right control', () => {
    setup();
    expect(screen.getByRole('textbox', { name: /Your name/ }).getAttribute('autocomplete')).toBe('name');
    const email = screen.getByLabelText('Email');
    expect([email.getAttribute('type'), email.getAttribute('inputmode')]).toEqual(['email', 'email']);
    expect(screen.getByLabelText('Phone').getAttribute('type')).toBe('tel');
    const age = screen.getByRole('spinbutton', { name: 'Age' });
    expect([age.getAttribute('min'), age.getAttribute('max')]).toEqual(['18', '120']);
    expect(screen.getByLabelText('Day').getAttribute('type')).toBe('date');
    expect(screen.getByLabelText('At').getAttribute('type')).toBe('time');
    const q = screen.getByRole('textbox', { name: 'Question' });
    expect([q.tagName, q.getAttribute('rows')]).toEqual(['TEXTAREA', '4']);
    expect(screen.getByLabelText('PIN').getAttribute('type')).toBe('password');
    // Default Y, yet unticked: consent is never pre-ticked (issue 25 item 15).
    expect((screen.getByRole('checkbox', { name: 'Join our mailing list?' }) as HTMLInputElement).checked).toBe(false);
    expect(screen.getByRole('combobox', { name: 'How did you find us?' }).tagName).toBe('SELECT');
    expect(screen.getByRole('radiogroup', { name: 'Department' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: 'Sales' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: '1 star' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: '5 stars' })).toBeTruthy();
  });

  it('marks required fields', () => {
    setup();
    const name = screen.getByRole('textbox', { name: /Your name/ });
    expect(name.hasAttribute('required')).toBe(true);
    expect(screen.getByText(/Your name/).closest('label')?.textContent).toContain('(required)');
  });

  it('shows errors beside the fields, tied with aria-describedby, and announces them without starting', () => {
    const { callsOf, announced } = setup();
    fireEvent.input(screen.getByLabelText('Email'), { target: { value: 'not-an-email' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start chat' }));
    expect(callsOf('start')).toHaveLength(0);
    const name = screen.getByRole('textbox', { name: /Your name/ });
    expect(name.getAttribute('aria-invalid')).toBe('true');
    const described = name.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(described)?.textContent).toBeTruthy();
    expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true');
    expect(announced.join(' ')).toMatch(/2 field/);
  });

  it('moves focus from "Start chat" to the first field that needs fixing, and again on each failed submit', async () => {
    setup();
    const start = screen.getByRole('button', { name: 'Start chat' });
    const name = screen.getByRole('textbox', { name: /Your name/ });
    start.focus();
    fireEvent.click(start);
    await waitFor(() => expect(document.activeElement).toBe(name));
    start.focus();
    fireEvent.click(start);
    await waitFor(() => expect(document.activeElement).toBe(name));
  });

  it('submits normalized answers with "Start chat"', () => {
    const { callsOf } = setup({ prechatFields: [fields[0]!, fields[8]!, fields[10]!, fields[11]!] });
    fireEvent.input(screen.getByRole('textbox', { name: /Your name/ }), { target: { value: 'Ann Lee' } });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Join our mailing list?' }));
    fireEvent.click(screen.getByRole('radio', { name: 'Support' }));
    fireEvent.click(screen.getByRole('radio', { name: '4 stars' }));
    fireEvent.click(screen.getByRole('button', { name: 'Start chat' }));
    expect(callsOf('start')).toEqual([[{ name: 'Ann Lee', Mailing: 'true', dept: 'Support', mood: '4' }]]);
  });

  it('pre-fills what the visitor already told us', () => {
    setup({ prechatFields: [fields[0]!, fields[1]!], visitor: { name: 'Ann', email: 'ann@example.com' } });
    expect((screen.getByRole('textbox', { name: /Your name/ }) as HTMLInputElement).value).toBe('Ann');
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('ann@example.com');
  });
});
