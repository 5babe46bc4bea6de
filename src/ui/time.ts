const formats = new Map<string, Intl.DateTimeFormat>();

/** "14:05" (or the locale's form) for an item's time; one formatter per locale. */
export function clockTime(at: number, locale: string): string {
  let f = formats.get(locale);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
    } catch {
      f = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
    }
    formats.set(locale, f);
  }
  return f.format(at);
}
