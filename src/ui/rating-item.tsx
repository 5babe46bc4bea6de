/**
 * A satisfaction rating request as a radio group. Stars show ★ but each option is named
 * by its text ("4 stars", or the vendor's label); numeric scales show the numbers.
 *
 * Choosing with the pointer (or Space) rates at once. Arrow keys only move the choice —
 * in a radio group they also check, and rating on every arrow press would send the wrong
 * score — so keyboard users confirm with Enter or the "Send rating" button.
 * Read-only once rated or after `expiresAt` (server time: our clock + serverSkew),
 * re-checked with a timer so it closes on time without a re-render from outside.
 */
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { t } from '../core/i18n-views';
import type { RatingItem as Item } from '../core/session-api';
import { useUi } from './context';

function expired(expiresAt: number | undefined, skew = 0): boolean {
  return expiresAt !== undefined && Date.now() + skew >= expiresAt;
}

export function RatingItem({ item }: { item: Item }) {
  const { session } = useUi();
  const { rating } = item;
  const [sent, setSent] = useState<string | undefined>(undefined);
  const [pending, setPending] = useState<string | undefined>(undefined);
  const [, tick] = useState(0);
  const arrowed = useRef(false);
  const answer = useRef<HTMLParagraphElement>(null);
  const id = useId();
  const isExpired = expired(rating.expiresAt, rating.serverSkew);
  const selected = rating.selected ?? sent;
  const closed = isExpired || selected !== undefined;

  useEffect(() => {
    if (rating.expiresAt === undefined || isExpired || selected !== undefined) return;
    const wait = rating.expiresAt - (Date.now() + (rating.serverSkew ?? 0));
    // Timers clamp at ~24.8 days; re-check then rather than fire at once.
    const timer = setTimeout(() => tick((n) => n + 1), Math.min(Math.max(0, wait) + 5, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [rating.expiresAt, rating.serverSkew, isExpired, selected]);

  const rate = (optionId: string) => {
    if (closed) return;
    setSent(optionId);
    setPending(undefined);
    session.rate(rating.id, optionId);
  };
  const current = selected ?? pending;
  const chosenLabel = rating.options.find((o) => o.id === selected)?.label;
  // The visitor's rating disables the radios and removes "Send rating": focus moves to the
  // answer instead of falling to the page.
  useEffect(() => {
    if (sent !== undefined) answer.current?.focus();
  }, [sent]);
  const title = rating.title || t('rating.title');

  return (
    <div class="confab-rating">
      <div
        role="radiogroup"
        aria-labelledby={`${id}-t`}
        aria-disabled={closed || undefined}
        class={rating.scale === 'stars' ? 'confab-stars' : 'confab-scale'}
        onKeyDown={(e) => {
          arrowed.current = e.key.startsWith('Arrow');
          if (e.key === 'Enter' && pending) {
            e.preventDefault();
            rate(pending);
          }
        }}
      >
        {/* Title, labels and closing are the vendor's text: each takes its own direction. */}
        <p id={`${id}-t`} class="confab-prompt" dir="auto">
          {title}
        </p>
        {rating.options.map((o, i) => (
          <label key={o.id} class="confab-radio">
            <input
              type="radio"
              name={id}
              value={o.id}
              checked={current === o.id}
              disabled={closed}
              onChange={() => {
                if (arrowed.current) {
                  arrowed.current = false;
                  setPending(o.id);
                } else rate(o.id);
              }}
            />
            {rating.scale === 'stars' ? (
              <>
                <span aria-hidden="true" class={current && rating.options.findIndex((x) => x.id === current) >= i ? 'confab-lit' : ''}>
                  ★
                </span>
                <span class="confab-sr" dir="auto">
                  {o.label}
                </span>
              </>
            ) : (
              <span dir="auto">{o.label}</span>
            )}
          </label>
        ))}
      </div>
      {pending && !closed && (
        <button type="button" class="confab-secondary" onClick={() => rate(pending)}>
          {t('rating.send')}
        </button>
      )}
      {chosenLabel !== undefined && (
        <p class="confab-answer" ref={answer} tabIndex={-1}>
          {t('rating.chosen', { choice: chosenLabel })}
        </p>
      )}
      {isExpired && selected === undefined && <p class="confab-muted">{t('rating.expired')}</p>}
      {rating.closing && selected !== undefined && <p dir="auto">{rating.closing}</p>}
    </div>
  );
}
