/**
 * One chat line: author and time, the body (vendor HTML through the sanitizer, or text
 * with safe auto-links), attachments, translations, and for the visitor's own lines the
 * delivery state with "Retry" when it failed.
 */
import { locale, t } from '../core/i18n';
import type { MessageItem } from '../core/session-api';
import { AttachmentView } from './attachment-view';
import { useUi } from './context';
import { Html, LinkedText } from './html';
import { clockTime } from './time';
import { safeUrl } from '../core/urls';

/** "Alex Morgan" → "AM": the avatar of an author without a picture. */
const initials = (name: string): string =>
  name
    .split(/\s+/)
    .slice(0, 2)
    .map((w) => [...w][0] ?? '')
    .join('')
    .toLocaleUpperCase();

/**
 * `more`: the line continues its author's group (same minute): its name and time are only
 * for screen readers. `last`: the visitor's newest delivered line, the one that says "Sent".
 */
export function MessageRow({ item, more, last }: { item: MessageItem; more?: boolean; last?: boolean }) {
  const { session } = useUi();
  const mine = item.sender === 'visitor';
  const agent = session.agent.value;
  const author = mine
    ? t('messages.you')
    : item.authorName ?? (item.sender === 'bot' ? t('messages.bot') : item.sender === 'agent' ? agent?.name ?? t('messages.agent') : '');
  // The vendor's picture of the agent who wrote the line, else the author's initials.
  const picture = agent && agent.name === author ? safeUrl(agent.avatar, 'image') : null;
  return (
    // aria-busy while a streamed answer grows: assistive technology reads it once it is whole.
    <div class={`confab-msg confab-from-${item.sender}${item.status ? ` confab-${item.status}` : ''}`} aria-busy={item.partial || undefined}>
      <p class={more ? 'confab-sr' : 'confab-meta'}>
        {!mine && author && item.sender !== 'system' && (picture ? <img class="confab-avatar" src={picture} alt="" /> : <span class="confab-avatar confab-initials" aria-hidden="true">{initials(author)}</span>)}
        {author && <span class="confab-author">{author}</span>}
        <time dateTime={new Date(item.at).toISOString()}>{clockTime(item.at, locale.value.tag)}</time>
      </p>
      {item.html ? (
        <Html class="confab-body" html={item.html} />
      ) : item.text ? (
        <p class="confab-body" dir="auto">
          <LinkedText text={item.text} />
        </p>
      ) : null}
      {item.attachments?.map((a, i) => <AttachmentView key={i} attachment={a} />)}
      {item.translations?.map((tr, i) => (
        <p key={i} class="confab-translation" dir="auto">
          <span class="confab-sr">{t('messages.translation')}: </span>
          <LinkedText text={tr} />
        </p>
      ))}
      {mine && item.status && (item.status !== 'sent' || last) && (
        <p class={`confab-delivery confab-${item.status}`}>
          {t(
            item.status === 'sending'
              ? // Offline the line is not "sending": it waits for the connection (issue 25 item 9).
                session.connection.value === 'open' ? 'messages.sending' : 'messages.waiting'
              : item.status === 'sent'
                ? 'messages.sent'
                : 'messages.failed',
          )}
          {item.status === 'failed' && item.clientId && !item.refused && (
            <button type="button" class="confab-link-button" onClick={() => session.retry(item.clientId ?? '')}>
              {t('messages.retry')}
            </button>
          )}
        </p>
      )}
    </div>
  );
}
