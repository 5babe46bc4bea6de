/**
 * The window's header: site title (names the dialog), logo, the agent with avatar and a
 * bot marker, "End chat" while a chat is live and the vendor can end it, and "Minimise".
 * "End chat" asks first ("End this chat?", visitor-extras.tsx).
 */
import { useRef, useState } from 'preact/hooks';
import { t } from '../core/i18n';
import { safeUrl } from '../core/urls';
import { useUi } from './context';
import { useExtras } from './extras';
import { notificationsSupported, toggleNotifications } from './notify';

export function Header({ title, titleId, logo: siteLogo, onMinimise }: { title: string; titleId: string; logo?: string; onMinimise(): void }) {
  const { session, notify } = useUi();
  const agent = session.agent.value;
  // The vendor's own site image (WhosOn GetImage) wins; data-logo stands in when there is none.
  const logo = safeUrl(session.logoUrl.value, 'image') ?? safeUrl(siteLogo, 'image');
  const avatar = agent ? safeUrl(agent.avatar, 'image') : null;
  const phase = session.phase.value;
  const live = phase === 'starting' || phase === 'waiting' || phase === 'chatting';
  const canEnd = live && phase !== 'starting' && session.capabilities.value.has('end');
  const [asking, setAsking] = useState(false);
  const endButton = useRef<HTMLButtonElement>(null);
  const extras = useExtras();
  if (asking && !canEnd) setAsking(false); // a later chat starts without the question
  return (
    <>
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
        {notify && live && notificationsSupported() && (
          <button type="button" class="confab-icon" aria-pressed={notify.value} title={t('notify.toggle')} aria-label={t('notify.toggle')} onClick={() => toggleNotifications(notify)}>
            <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
              <path d="M8 1.5a4 4 0 0 0-4 4V9l-1.5 2.5h11L12 9V5.5a4 4 0 0 0-4-4zM6.5 13a1.5 1.5 0 0 0 3 0" fill={notify.value ? 'currentColor' : 'none'} stroke="currentColor" stroke-width="1.3" />
            </svg>
          </button>
        )}
        {canEnd && (
          <button ref={endButton} type="button" class="confab-end" disabled={!extras} aria-expanded={asking} onClick={() => setAsking(!asking)}>
            {t('header.end')}
          </button>
        )}
        <button type="button" class="confab-icon" aria-label={t('header.minimise')} onClick={onMinimise}>
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path d="M3 8h10" stroke="currentColor" stroke-width="2" />
          </svg>
        </button>
      </header>
      {asking && extras && (
        <extras.EndConfirm
          onKeep={() => {
            setAsking(false);
            endButton.current?.focus();
          }}
        />
      )}
    </>
  );
}
