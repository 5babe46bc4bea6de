// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadExtras } from '../../src/ui/extras';
import type { BranchItem as BranchT, CardItem as CardT, FileRequestItem as FileReqT, FormItem as FormT, RatingItem as RatingT } from '../../src/core/session-api';
import { BranchItem } from '../../src/ui/branch-item';
import { CardItem } from '../../src/ui/card-item';
import { FileRequestItem } from '../../src/ui/file-request-item';
import { FormItem } from '../../src/ui/form-item';
import { RatingItem } from '../../src/ui/rating-item';
import { fakeSession } from './fake-session';
import { renderUi } from './render-ui';

afterEach(cleanup);
const at = 0;

// The file picker, emoji button and end question come in the extras chunk (fetched as the window opens).
beforeAll(loadExtras);

describe('branch (quick replies)', () => {
  const item = (selected?: string): BranchT => ({
    id: 'b1', at, kind: 'branch',
    branch: { id: 'p1', header: 'What do you need?', options: [{ id: 'o1', label: 'Sales' }, { id: 'o2', label: 'Support' }], tail: 'Pick one', selected },
  });

  it('is a group of buttons named by its header; choosing sends once and keeps the choice readable', () => {
    const fake = fakeSession();
    renderUi(fake.session, <BranchItem item={item()} />);
    expect(screen.getByRole('group', { name: 'What do you need?' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Support' }));
    fireEvent.click(screen.getByRole('button', { name: /Support/ }));
    expect(fake.callsOf('choose')).toEqual([['p1', 'o2']]);
    const chosen = screen.getByRole('button', { name: /Support.*selected/ });
    expect(chosen.getAttribute('aria-pressed')).toBe('true');
    expect((screen.getByRole('button', { name: 'Sales' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows a choice restored from history as selected', () => {
    const fake = fakeSession();
    renderUi(fake.session, <BranchItem item={item('o1')} />);
    expect(screen.getByRole('button', { name: /Sales.*selected/ }).getAttribute('aria-pressed')).toBe('true');
    expect((screen.getByRole('button', { name: 'Support' }) as HTMLButtonElement).disabled).toBe(true);
  });
});

describe('in-chat form', () => {
  const item = (submitted?: string): FormT => ({
    id: 'f1', at, kind: 'form',
    form: { id: 'p2', header: 'We need your order number', field: { name: 'order', type: 'numeric', label: 'Order number', required: true }, submitted },
  });

  it('validates, submits the value and then shows it read-only', () => {
    const fake = fakeSession();
    renderUi(fake.session, <FormItem item={item()} />);
    fireEvent.click(screen.getByRole('button', { name: 'Submit' }));
    expect(fake.callsOf('submitForm')).toHaveLength(0);
    fireEvent.input(screen.getByRole('spinbutton', { name: /Order number/ }), { target: { value: '1234' } });
    fireEvent.click(screen.getByRole('button', { name: 'Submit' }));
    expect(fake.callsOf('submitForm')).toEqual([['p2', '1234']]);
    expect(screen.queryByRole('spinbutton')).toBeNull();
    expect(screen.getByText('1234')).toBeTruthy();
  });
});

describe('card', () => {
  it('shows title, description, a safe image and a safe link', () => {
    const card: CardT = { id: 'c', at, kind: 'card', sender: 'agent', card: { title: 'Blue shoes', description: 'Size 42', image: 'https://shop.test/s.png', url: 'https://shop.test/s' } };
    const { container } = renderUi(fakeSession().session, <CardItem item={card} />);
    expect(screen.getByRole('article', { name: 'Blue shoes' })).toBeTruthy();
    expect(screen.getByText('Size 42')).toBeTruthy();
    expect(container.querySelector('img')?.getAttribute('src')).toBe('https://shop.test/s.png');
    expect(screen.getByRole('link', { name: /Open/ }).getAttribute('href')).toBe('https://shop.test/s');
  });

  it('drops an unsafe image and link', () => {
    const card: CardT = { id: 'c', at, kind: 'card', sender: 'agent', card: { title: 'Bad', image: 'javascript:alert(1)', url: 'javascript:alert(1)' } };
    const { container } = renderUi(fakeSession().session, <CardItem item={card} />);
    expect(container.querySelector('img, a')).toBeNull();
  });
});

describe('rating request', () => {
  const stars = (over: Partial<RatingT['rating']> = {}): RatingT => ({
    id: 'r', at, kind: 'rating',
    rating: { id: 'rate1', title: 'Rate us', scale: 'stars', options: [1, 2, 3, 4, 5].map((n) => ({ id: String(n), label: n === 1 ? '1 star' : `${n} stars` })), ...over },
  });

  it('is a radio group whose star options are named by their text; clicking rates once', () => {
    const fake = fakeSession();
    renderUi(fake.session, <RatingItem item={stars()} />);
    expect(screen.getByRole('radiogroup', { name: 'Rate us' })).toBeTruthy();
    fireEvent.click(screen.getByRole('radio', { name: '4 stars' }));
    expect(fake.callsOf('rate')).toEqual([['rate1', '4']]);
    expect(screen.getByText('You rated: 4 stars')).toBeTruthy();
    expect(screen.getAllByRole('radio').every((r) => (r as HTMLInputElement).disabled)).toBe(true);
  });

  it('keyboard: arrows only move the choice, Enter sends it', () => {
    const fake = fakeSession();
    renderUi(fake.session, <RatingItem item={stars()} />);
    const three = screen.getByRole('radio', { name: '3 stars' });
    fireEvent.keyDown(three, { key: 'ArrowRight' });
    fireEvent.click(three);
    expect(fake.callsOf('rate')).toHaveLength(0);
    fireEvent.keyDown(three, { key: 'Enter' });
    expect(fake.callsOf('rate')).toEqual([['rate1', '3']]);
  });

  it('after "Send rating", focus moves to the answer instead of falling to the page', async () => {
    const fake = fakeSession();
    renderUi(fake.session, <RatingItem item={stars()} />);
    const two = screen.getByRole('radio', { name: '2 stars' });
    two.focus();
    fireEvent.keyDown(two, { key: 'ArrowRight' });
    fireEvent.click(two);
    const send = screen.getByRole('button', { name: 'Send rating' });
    send.focus();
    fireEvent.click(send);
    expect(fake.callsOf('rate')).toEqual([['rate1', '2']]);
    await waitFor(() => expect(document.activeElement?.textContent).toBe('You rated: 2 stars'));
  });

  it('numeric scales show their numbers', () => {
    const item: RatingT = { id: 'r', at, kind: 'rating', rating: { id: 'n', scale: 'numeric', options: [{ id: 'a', label: '1' }, { id: 'b', label: '10' }] } };
    renderUi(fakeSession().session, <RatingItem item={item} />);
    expect(screen.getByText('10')).toBeTruthy();
    expect(screen.getByRole('radio', { name: '10' })).toBeTruthy();
  });

  it('is read-only once expired, judged on the server clock', () => {
    // Expired 1 s ago by the server's clock, although our clock is 10 s behind it.
    renderUi(fakeSession().session, <RatingItem item={stars({ expiresAt: Date.now() + 9000, serverSkew: 10000 })} />);
    expect(screen.getAllByRole('radio').every((r) => (r as HTMLInputElement).disabled)).toBe(true);
    expect(screen.getByText('This rating request has expired.')).toBeTruthy();
  });

  it('closes by itself when the expiry passes', async () => {
    renderUi(fakeSession().session, <RatingItem item={stars({ expiresAt: Date.now() + 60, serverSkew: 0 })} />);
    expect((screen.getByRole('radio', { name: '5 stars' }) as HTMLInputElement).disabled).toBe(false);
    await waitFor(() => expect((screen.getByRole('radio', { name: '5 stars' }) as HTMLInputElement).disabled).toBe(true), { timeout: 2000 });
  });

  it('shows a selection the vendor reports', () => {
    renderUi(fakeSession().session, <RatingItem item={stars({ selected: '2' })} />);
    expect(screen.getByText('You rated: 2 stars')).toBeTruthy();
  });
});

describe('file request', () => {
  it('says what the agent wants and offers the upload button', () => {
    const fake = fakeSession();
    const item: FileReqT = { id: 'fr', at, kind: 'file-request', allowedTypes: ['pdf', 'jpg'] };
    renderUi(fake.session, <FileRequestItem item={item} />);
    expect(screen.getByText(/pdf, jpg/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Attach file' })).toBeTruthy();
    expect(screen.getByTestId('file-input').getAttribute('accept')).toBe('.pdf,.jpg');
    fireEvent.change(screen.getByTestId('file-input'), { target: { files: [new File(['%PDF'], 'invoice.pdf')] } });
    expect(fake.callsOf('sendFile')).toHaveLength(1);
    act(() => void (fake.state.phase.value = 'ended'));
    expect((screen.getByRole('button', { name: 'Attach file' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
