/** Public events as window CustomEvents (`confab:message`, …), for tag managers. */
export function dispatchPublic(widget: string, name: string, detail: unknown): void {
  dispatchEvent(new CustomEvent(`confab:${name}`, { detail: { widget, ...(detail as object) } }));
}
