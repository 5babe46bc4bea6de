/**
 * The desk custom messages the visitor sends, shaped exactly as the desk document shows
 * (`customerServicePlugin: 0`, `src` as a string). Built with JSON.stringify, never by
 * string concatenation, so visitor text cannot break out of its field.
 */
import type { Card } from '../../core/contract';

const desk = (src: string, extra?: Record<string, unknown>): string =>
  JSON.stringify({ customerServicePlugin: 0, src, ...extra });

/** src 7: starts the service flow. Sent online-only, once per widget session. */
export const triggerData = (): string => desk('7');

/** src 10: the visitor's satisfaction choice. */
export const selectionData = (id: string, content: string, sessionId: string): string =>
  desk('10', { menuSelected: { id, content, sessionId } });

/** src 24: the visitor asks for the satisfaction message. */
export const askRatingData = (): string => desk('24');

/** src 27: the visitor ends the manual conversation. */
export const endData = (): string => desk('27');

/** src 22: a product card the visitor shares (stored, like any chat line). */
export const cardData = (card: Card): string =>
  desk('22', {
    content: { header: card.title, desc: card.description ?? '', pic: card.image ?? '', url: card.url ?? '' },
  });

