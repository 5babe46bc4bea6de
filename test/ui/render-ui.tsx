/** Renders a component inside the UI context, with announcements captured for assertions. */
import { render } from '@testing-library/preact';
import type { ComponentChildren } from 'preact';
import type { Session } from '../../src/core/session-api';
import { Ui } from '../../src/ui/context';

export function renderUi(session: Session, ui: ComponentChildren, locale = 'en') {
  const announced: string[] = [];
  const result = render(<Ui.Provider value={{ session, locale, announce: (t) => announced.push(t) }}>{ui}</Ui.Provider>);
  return { ...result, announced };
}
