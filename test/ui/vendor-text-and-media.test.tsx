// @vitest-environment happy-dom
/**
 * Vendor text keeps its own direction in an RTL window, inline (data:) images save instead
 * of opening a blocked tab, and broken card images leave no gap. (The layout fixes need a
 * real layout engine: e2e/ux.spec.ts.)
 */
import { cleanup, fireEvent, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it } from 'vitest';
import type { SurveyField } from '../../src/core/contract';
import type { BranchItem as BranchT, CardItem as CardT, RatingItem as RatingT } from '../../src/core/session-api';
import { AttachmentView } from '../../src/ui/attachment-view';
import { BranchItem } from '../../src/ui/branch-item';
import { CardItem } from '../../src/ui/card-item';
import { Field } from '../../src/ui/field';
import { RatingItem } from '../../src/ui/rating-item';
import { SurveyForm } from '../../src/ui/survey-form';
import { fakeSession } from './fake-session';
import { renderUi } from './render-ui';

afterEach(cleanup);
const at = 0;

/** The direction an element's text is laid out in: dir="auto" on it or its nearest dir'd ancestor. */
const dirOf = (text: string) => screen.getByText(text).closest('[dir]')?.getAttribute('dir');

describe('vendor text in an Arabic window', () => {
  const field = (over: Partial<SurveyField>): SurveyField => ({ name: 'n', type: 'text', label: 'Please enter your name:', required: true, ...over });

  it('survey field labels, legends and options take their own direction', () => {
    renderUi(
      fakeSession().session,
      <div dir="rtl">
        <SurveyForm
          fields={[
            field({}),
            field({ name: 's', type: 'select', label: 'How did you find us?', options: ['LinkedIn Ad'] }),
            field({ name: 'r', type: 'select', selectAs: 'radio', label: 'Department', options: ['Sales team'] }),
            field({ name: 'b', type: 'boolean', label: 'Join our mailing list?', required: false }),
          ]}
          submitLabel="إرسال"
          onSubmit={() => {}}
        />
      </div>,
      'ar',
    );
    for (const text of ['Please enter your name:', 'How did you find us?', 'LinkedIn Ad', 'Department', 'Sales team', 'Join our mailing list?']) {
      expect(dirOf(text), text).toBe('auto');
    }
    // Still the control's accessible name.
    expect(screen.getByRole('textbox', { name: /Please enter your name:/ })).toBeTruthy();
  });

  it('a lone field does too (the in-chat form)', () => {
    renderUi(fakeSession().session, <Field field={field({ label: 'Order number', type: 'numeric' })} value="" onChange={() => {}} />);
    expect(dirOf('Order number')).toBe('auto');
  });

  it('branch header, options and tail', () => {
    const item: BranchT = { id: 'b', at, kind: 'branch', branch: { id: 'p', header: 'What do you need?', options: [{ id: 'o', label: 'Sales' }], tail: 'Pick one' } };
    renderUi(fakeSession().session, <BranchItem item={item} />);
    for (const text of ['What do you need?', 'Sales', 'Pick one']) expect(dirOf(text), text).toBe('auto');
    expect(screen.getByRole('group', { name: 'What do you need?' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sales' })).toBeTruthy();
  });

  it('rating title, option labels and closing', () => {
    const item: RatingT = {
      id: 'r', at, kind: 'rating',
      rating: { id: 'x', title: 'Rate us', closing: 'Thanks a lot', scale: 'numeric', options: [{ id: 'a', label: 'Poor' }, { id: 'b', label: 'Great' }] },
    };
    renderUi(fakeSession().session, <RatingItem item={item} />);
    fireEvent.click(screen.getByRole('radio', { name: 'Great' }));
    for (const text of ['Rate us', 'Poor', 'Thanks a lot']) expect(dirOf(text), text).toBe('auto');
  });

  it('card title and description', () => {
    const card: CardT = { id: 'c', at, kind: 'card', sender: 'agent', card: { title: 'Blue shoes', description: 'Size 42' } };
    renderUi(fakeSession().session, <CardItem item={card} />);
    expect(dirOf('Blue shoes')).toBe('auto');
    expect(dirOf('Size 42')).toBe('auto');
  });
});

describe('attachments sent as data: URLs', () => {
  const png = 'data:image/png;base64,iVBORw0KGgo=';

  it('save under their name instead of opening a new tab the browser blocks', () => {
    renderUi(fakeSession().session, <AttachmentView attachment={{ kind: 'image', name: 'invoice.png', url: png }} />);
    const link = screen.getByRole('link', { name: 'invoice.png' });
    expect(link.getAttribute('href')).toBe(png);
    expect(link.getAttribute('download')).toBe('invoice.png');
    expect(link.hasAttribute('target')).toBe(false);
  });

  it('an http image still opens in a new tab', () => {
    renderUi(fakeSession().session, <AttachmentView attachment={{ kind: 'image', name: 'a.png', url: 'https://cdn.test/a.png' }} />);
    const link = screen.getByRole('link', { name: 'a.png' });
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.hasAttribute('download')).toBe(false);
  });
});

describe('card image', () => {
  it('that fails to load is removed, leaving title and link', () => {
    const card: CardT = { id: 'c', at, kind: 'card', sender: 'agent', card: { title: 'Blue shoes', image: 'https://shop.test/gone.png', url: 'https://shop.test/s' } };
    const { container } = renderUi(fakeSession().session, <CardItem item={card} />);
    const img = container.querySelector('img')!;
    fireEvent.error(img);
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByRole('article', { name: 'Blue shoes' })).toBeTruthy();
    expect(screen.getByRole('link', { name: /Open/ })).toBeTruthy();
  });
});
