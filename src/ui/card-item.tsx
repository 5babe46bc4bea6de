/** A card: title, description, an image and a link, both only when their URLs are safe. */
import { useState } from 'preact/hooks';
import { t } from '../core/i18n';
import type { CardItem as Item } from '../core/session-api';
import { safeUrl } from '../core/urls';
import { LinkedText } from './html';

export function CardItem({ item }: { item: Item }) {
  const { card } = item;
  const image = safeUrl(card.image, 'image');
  const link = safeUrl(card.url, 'link');
  // A broken image would leave an empty box (and a broken-image icon) above the title.
  // Remembering which URL failed shows a replacement image if the card is updated.
  const [failed, setFailed] = useState<string | null>(null);
  return (
    <article class={`confab-card confab-from-${item.sender}`} aria-label={card.title}>
      {image && image !== failed && <img src={image} alt="" loading="lazy" onError={() => setFailed(image)} />}
      <p class="confab-card-title" dir="auto">
        {card.title}
      </p>
      {card.description && (
        <p dir="auto">
          <LinkedText text={card.description} />
        </p>
      )}
      {link && (
        <a href={link} target="_blank" rel="noopener noreferrer">
          {t('card.open')}
          <span class="confab-sr"> {card.title}</span>
        </a>
      )}
    </article>
  );
}
