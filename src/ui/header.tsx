/**
 * The window's header: site title (names the dialog), logo, the agent with avatar and a
 * bot marker, "End chat" while a chat is live and the vendor can end it, and "Minimise".
 */
import { t } from '../core/i18n';
import { safeUrl } from '../core/urls';
import { useUi } from './context';

export function Header({ title, titleId, onMinimise }: { title: string; titleId: string; onMinimise(): void }) {
  const { session } = useUi();
  const agent = session.agent.value;
  const logo = safeUrl(session.logoUrl.value, 'image');
  const avatar = agent ? safeUrl(agent.avatar, 'image') : null;
  const phase = session.phase.value;
  const canEnd = (phase === 'waiting' || phase === 'chatting') && session.capabilities.value.has('end');
  return (
    <header class="confab-header">
      {logo && <img class="confab-logo" src={logo} alt={t('header.logo', { site: title })} />}
      <div class="confab-titles">
        <h2 id={titleId} class="confab-title">
          {title}
        </h2>
        {agent && (
          <p class="confab-agent">
            {avatar && <img class="confab-avatar" src={avatar} alt="" />}
            <span>{agent.name}</span>
            {agent.isBot && <span class="confab-bot">{t('header.bot')}</span>}
          </p>
        )}
      </div>
      {canEnd && (
        <button type="button" class="confab-end" onClick={() => session.end()}>
          {t('header.end')}
        </button>
      )}
      <button type="button" class="confab-icon" aria-label={t('header.minimise')} onClick={onMinimise}>
        <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
          <path d="M3 8h10" stroke="currentColor" stroke-width="2" />
        </svg>
      </button>
    </header>
  );
}
