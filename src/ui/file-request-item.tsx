/** The agent asked for a file: say which types, and offer the upload button right here. */
import { t } from '../core/i18n';
import type { FileRequestItem as Item } from '../core/session-api';
import { useUi } from './context';
import { useExtras } from './extras';

export function FileRequestItem({ item }: { item: Item }) {
  const { session } = useUi();
  const live = session.phase.value === 'chatting' || session.phase.value === 'waiting';
  // The picker is in the extras chunk (fetched as the window opens).
  const extras = useExtras();
  return (
    <div class="confab-file-request">
      <p>{item.allowedTypes.length ? t('file.requested', { types: item.allowedTypes.join(', ') }) : t('file.requestedAny')}</p>
      {extras && <extras.FilePicker types={item.allowedTypes} disabled={!live} />}
    </div>
  );
}
