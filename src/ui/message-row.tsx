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

export function MessageRow({ item }: { item: MessageItem }) {
  const { session } = useUi();
  const mine = item.sender === 'visitor';
  const author = mine
    ? t('messages.you')
    : item.authorName ?? (item.sender === 'bot' ? t('messages.bot') : item.sender === 'agent' ? session.agent.value?.name ?? t('messages.agent') : '');
  return (
    // aria-busy while a streamed answer grows: assistive technology reads it once it is whole.
    <div class={`confab-msg confab-from-${item.sender}`} aria-busy={item.partial || undefined}>
      <p class="confab-meta">
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
      {mine && item.status && (
        <p class={`confab-delivery confab-${item.status}`}>
          {t(item.status === 'sending' ? 'messages.sending' : item.status === 'sent' ? 'messages.sent' : 'messages.failed')}
          {item.status === 'failed' && item.clientId && (
            <button type="button" class="confab-link-button" onClick={() => session.retry(item.clientId ?? '')}>
              {t('messages.retry')}
            </button>
          )}
        </p>
      )}
    </div>
  );
}
