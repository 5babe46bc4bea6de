/** A card: title, description, an image and a link, both only when their URLs are safe. */
import { t } from '../core/i18n';
import type { CardItem as Item } from '../core/session-api';
import { safeUrl } from '../core/urls';
import { LinkedText } from './html';

export function CardItem({ item }: { item: Item }) {
  const { card } = item;
  const image = safeUrl(card.image, 'image');
  const link = safeUrl(card.url, 'link');
  return (
    <article class={`confab-card confab-from-${item.sender}`} aria-label={card.title}>
      {image && <img src={image} alt="" loading="lazy" />}
      <p class="confab-card-title">{card.title}</p>
      {card.description && (
        <p>
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
