const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * "14:05" (or the locale's form: "2:05 PM", "١٤:٠٥") for an item's time, in the visitor's
 * own tag (locale.value.tag: en-GB and en-US differ) — one formatter per tag.
 */
export function clockTime(at: number, tag: string): string {
  let f = formats.get(tag);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit' });
    } catch {
      f = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
    }
    formats.set(tag, f);
  }
  return f.format(at);
}
