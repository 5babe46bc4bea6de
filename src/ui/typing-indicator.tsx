/** "Alex Morgan is typing…": shown, never announced (it would interrupt every line). */
import { t } from '../core/i18n';
import { useUi } from './context';

export function TypingIndicator() {
  const { session } = useUi();
  if (!session.agentTyping.value) return null;
  const name = session.agent.value?.name;
  return (
    <p class="confab-typing" aria-hidden="true">
      {name ? t('typing.named', { name }) : t('typing.anonymous')}
    </p>
  );
}
