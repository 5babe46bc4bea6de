import { describe, expect, it } from 'vitest';
import { loadLocale, localePending, t } from '../../src/core/i18n';

// Its own file: "pending" is about the very first load of the module's life.
describe('the first non-English load', () => {
  it('is pending from the call until the table is applied, and never again after', async () => {
    expect(localePending.value).toBe(false);
    const loading = loadLocale('de');
    expect(localePending.value).toBe(true);
    expect(t('composer.send')).toBe('Send');
    await loading;
    expect(localePending.value).toBe(false);
    expect(t('composer.send')).toBe('Senden');
    const next = loadLocale('fr');
    expect(localePending.value).toBe(false); // a switch keeps showing German until French is in
    await next;
    expect(t('composer.send')).toBe('Envoyer');
  });
});
