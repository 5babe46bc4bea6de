/**
 * The top of the first screen (issue 25 item 12), before the visitor commits: a welcome and,
 * where the vendor has a channel for it, whether someone can take the chat now. Only what is
 * known is said: "We're online" when the vendor said so (config.agentsAvailable: WhosOn's
 * GetOperators, Omnidesk's chat configuration through the relay); nothing when the vendor
 * has no such channel (Tencent, Diyalog, ExpertFlow). Nobody there never reaches this view:
 * the session goes offline first. The reply-time hint is the site's own (data-reply-time): no
 * vendor's protocol carries one. The title and our greeting stand in for a vendor welcome
 * only when the vendor sent none (Tencent, Diyalog: otherwise one bare button); the site's
 * data-greeting is shown either way.
 */
import { t } from '../core/i18n';
import { useUi } from './context';
// (visitor-extras re-exports this view: the two modules form one chunk.)
import { useStyles } from './visitor-extras';

export function Intro() {
  const { session, site = {}, title } = useUi();
  useStyles();
  const config = session.config.value;
  const own = !config?.welcomeHtml;
  const greeting = site.greeting || (own ? t('intro.greeting') : '');
  const online = config?.agentsAvailable === true;
  return (
    <div class="confab-intro">
      {own && (
        <p class="confab-intro-title" dir="auto">
          {title?.()}
        </p>
      )}
      {greeting && <p dir="auto">{greeting}</p>}
      {(online || site.replyTime) && (
        <p class="confab-presence">
          {online && <span class="confab-online">{t('intro.online')}</span>}
          {site.replyTime && <span dir="auto">{site.replyTime}</span>}
        </p>
      )}
    </div>
  );
}
