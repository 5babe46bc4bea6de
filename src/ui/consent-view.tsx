/**
 * The consent step (data-consent="required"): shown instead of anything else until the
 * visitor accepts, so no transport loads, no socket opens and nothing is stored before.
 * The site's own text (data-consent-text) is plain text, never HTML; its privacy link goes
 * through the URL allowlist and is left out when unsafe.
 */
import { useId } from 'preact/hooks';
import { t } from '../core/i18n-views';
import { safeUrl } from '../core/urls';
import { useUi } from './context';

export interface ConsentViewProps {
  text?: string;
  privacyUrl?: string;
  /**
   * The window's focusLauncher: declining closes the window, and focus goes back to the
   * launcher the way Escape and Minimise send it, instead of falling onto <body>.
   */
  focusLauncher?(): void;
}

export function ConsentView({ text, privacyUrl, focusLauncher }: ConsentViewProps) {
  const { session } = useUi();
  const id = useId();
  const href = safeUrl(privacyUrl, 'link');
  return (
    <section class="confab-consent" aria-labelledby={id}>
      <h3 id={id} class="confab-h">
        {t('consent.heading')}
      </h3>
      <p dir="auto">{text?.trim() || t('consent.text')}</p>
      {href && (
        <p>
          <a href={href} target="_blank" rel="noopener noreferrer">
            {t('consent.privacy')}
          </a>
        </p>
      )}
      <div class="confab-actions">
        <button type="button" class="confab-primary" onClick={() => session.consent(true)}>
          {t('consent.accept')}
        </button>
        <button
          type="button"
          class="confab-secondary"
          onClick={() => {
            session.consent(false);
            focusLauncher?.();
          }}
        >
          {t('consent.decline')}
        </button>
      </div>
    </section>
  );
}
