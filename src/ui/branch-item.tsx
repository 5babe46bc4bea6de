/**
 * A branch (quick replies): a group of buttons named by the header. After a choice the
 * chosen button stays readable and focusable, marked pressed and "selected"; the others
 * are disabled. The choice shows at once (before the vendor confirms) so nothing is sent twice.
 * A long list with a page size shows a page at a time and a button for the next page.
 * A menu of an earlier chat (`closed`) stays readable but every option is disabled, and the
 * group is described by why (issue 25 item 11).
 */
import { useId, useState } from 'preact/hooks';
import { t } from '../core/i18n';
import type { BranchItem as Item } from '../core/session-api';
import { useUi } from './context';

export function BranchItem({ item }: { item: Item }) {
  const { session } = useUi();
  const { branch } = item;
  const [picked, setPicked] = useState<string | undefined>(undefined);
  const selected = branch.selected ?? picked;
  const id = useId();
  // A paged list (Tencent's welcome list) shows one page; once chosen, the page with the choice.
  const size = branch.pageSize && branch.pageSize > 0 && branch.options.length > branch.pageSize ? branch.pageSize : 0;
  const [page, setPage] = useState(0);
  const chosenAt = branch.options.findIndex((o) => o.id === selected);
  const first = !size ? 0 : chosenAt >= 0 ? chosenAt - (chosenAt % size) : page * size;
  const shown = size ? branch.options.slice(first, first + size) : branch.options;
  return (
    <div role="group" aria-labelledby={`${id}-h`} aria-describedby={item.closed ? `${id}-c` : undefined} class="confab-branch">
      {/* Vendor text: its own direction, whatever the window's (an English header in an Arabic window). */}
      <p id={`${id}-h`} class="confab-prompt" dir="auto">
        {branch.header}
      </p>
      <div class="confab-options">
        {shown.map((o) => {
          const chosen = o.id === selected;
          return (
            <button
              key={o.id}
              type="button"
              aria-pressed={chosen}
              aria-disabled={chosen || undefined}
              disabled={(selected !== undefined || !!item.closed) && !chosen}
              onClick={() => {
                if (selected !== undefined || item.closed) return;
                setPicked(o.id);
                session.choose(branch.id, o.id);
              }}
            >
              {/* The choice is marked by a check (and aria-pressed), not a literal "(selected)" (issue 25 item 11). */}
              {chosen && <span aria-hidden="true">✓ </span>}
              <span dir="auto">{o.label}</span>
              {chosen && <span class="confab-sr">{t('messages.selected')}</span>}
            </button>
          );
        })}
      </div>
      {size > 0 && selected === undefined && !item.closed && (
        <button type="button" class="confab-link-button confab-more-options" onClick={() => setPage((p) => ((p + 1) * size >= branch.options.length ? 0 : p + 1))}>
          {t('messages.moreOptions')}
        </button>
      )}
      {branch.tail && <p class="confab-tail" dir="auto">{branch.tail}</p>}
      {item.closed && (
        <p id={`${id}-c`} class="confab-tail">
          {t('messages.menuClosed')}
        </p>
      )}
    </div>
  );
}
