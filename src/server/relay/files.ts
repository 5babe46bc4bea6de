/**
 * Files the relay holds for visitors (agent uploads, and the visitor's own, echoed back).
 * A file is reachable only through a URL signed for the session it belongs to; memory is
 * bounded per session (oldest files go first) and everything goes when the session does.
 */
import type { RelayFile } from './adapter';
import { newId, safeEqual, sign } from './tokens';

interface Stored extends RelayFile {
  sessionId: string;
}

export class FileStore {
  private readonly files = new Map<string, Stored>();
  private readonly bySession = new Map<string, string[]>();

  constructor(
    private readonly key: string,
    private readonly publicUrl: string,
    private readonly perSessionBytes: number,
  ) {}

  put(sessionId: string, file: RelayFile): string {
    const id = newId(12);
    this.files.set(id, { ...file, sessionId });
    const ids = this.bySession.get(sessionId) ?? [];
    ids.push(id);
    this.bySession.set(sessionId, ids);
    let total = ids.reduce((n, f) => n + (this.files.get(f)?.bytes.length ?? 0), 0);
    while (total > this.perSessionBytes && ids.length > 1) {
      const old = ids.shift()!;
      total -= this.files.get(old)?.bytes.length ?? 0;
      this.files.delete(old);
    }
    const sig = sign(this.key, 'file', `${sessionId}/${id}`);
    return `${this.publicUrl}/files/${id}/${encodeURIComponent(file.name)}?sig=${sig}`;
  }

  /** The file when `sig` was signed for its session, else undefined. */
  get(id: string, sig: string): RelayFile | undefined {
    const f = this.files.get(id);
    if (!f || !safeEqual(sig, sign(this.key, 'file', `${f.sessionId}/${id}`))) return undefined;
    return f;
  }

  dropSession(sessionId: string): void {
    for (const id of this.bySession.get(sessionId) ?? []) this.files.delete(id);
    this.bySession.delete(sessionId);
  }
}
