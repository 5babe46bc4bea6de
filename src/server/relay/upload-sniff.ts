/**
 * Files are judged by their bytes, not by what the sender declared: a `.png` must start like a
 * PNG, and it is served as `image/png` whatever type came with it. Names lose bidi controls
 * (U+202E turns `gpj.exe` into what reads as `exe.jpg`). Signatures from the formats' own
 * specifications (PNG §5.2, JFIF/EXIF SOI, GIF87a/89a, RIFF/WEBP, PDF `%PDF-`, OLE2 compound
 * file for .doc/.xls, ZIP local header for .docx/.xlsx).
 */
import type { RelayFile } from './adapter';

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const at = (bytes: Uint8Array, offset: number, sig: readonly number[]) => sig.every((b, i) => bytes[offset + i] === b);

const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text: valid UTF-8 without NUL (a binary renamed .txt is not text). */
function isText(b: Uint8Array): boolean {
  if (b.includes(0)) return false;
  try {
    utf8.decode(b);
    return true;
  } catch {
    return false;
  }
}

interface Kind {
  mime: string;
  /** Checks the leading bytes (`head`) or, for text, the whole file. */
  matches(head: Uint8Array, whole?: Uint8Array): boolean;
}

const KINDS: Record<string, Kind> = {
  png: { mime: 'image/png', matches: (b) => at(b, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  jpg: { mime: 'image/jpeg', matches: (b) => at(b, 0, [0xff, 0xd8, 0xff]) },
  jpeg: { mime: 'image/jpeg', matches: (b) => at(b, 0, [0xff, 0xd8, 0xff]) },
  gif: { mime: 'image/gif', matches: (b) => at(b, 0, ascii('GIF87a')) || at(b, 0, ascii('GIF89a')) },
  webp: { mime: 'image/webp', matches: (b) => at(b, 0, ascii('RIFF')) && at(b, 8, ascii('WEBP')) },
  pdf: { mime: 'application/pdf', matches: (b) => at(b, 0, ascii('%PDF-')) },
  doc: { mime: 'application/msword', matches: (b) => at(b, 0, OLE) },
  xls: { mime: 'application/vnd.ms-excel', matches: (b) => at(b, 0, OLE) },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', matches: (b) => at(b, 0, ZIP) },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', matches: (b) => at(b, 0, ZIP) },
  txt: { mime: 'text/plain; charset=utf-8', matches: (_h, whole) => !!whole && isText(whole) },
  csv: { mime: 'text/csv; charset=utf-8', matches: (_h, whole) => !!whole && isText(whole) },
};

/** Bytes a signature check needs from the start of a file. */
export const SNIFF_BYTES = 16;

// LRM/RLM, ALM, the embeddings and overrides (U+202A–E) and the isolates (U+2066–9).
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A file name without bidi controls or control characters, never empty. */
export function cleanFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(BIDI, '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200) || 'file';
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * Whether the bytes are what the extension says. `whole` is needed for text types only;
 * extensions without a known signature (an operator's own RELAY_FILE_TYPES) pass.
 */
export function contentMatches(ext: string, head: Uint8Array, whole?: Uint8Array): boolean {
  const kind = KINDS[ext];
  return !kind || kind.matches(head, whole);
}

/** Types a browser may run or render as a document: never served as such. */
const ACTIVE = /^(text\/html|application\/xhtml|image\/svg|text\/xml|application\/xml|text\/javascript|application\/javascript|application\/ecmascript|text\/ecmascript|multipart\/)/i;

/**
 * The type a stored file is served with: the extension's own when the bytes match it; the
 * declared one for other extensions unless it is active content; otherwise a plain download.
 */
export function servedMime(name: string, declared: string, bytes: Uint8Array): string {
  const ext = extensionOf(name);
  const kind = KINDS[ext];
  if (kind) return kind.matches(bytes.subarray(0, SNIFF_BYTES), bytes) ? kind.mime : 'application/octet-stream';
  return /^[\w.+-]+\/[\w.+-]+$/.test(declared) && !ACTIVE.test(declared) ? declared : 'application/octet-stream';
}

/** A file as the relay keeps it: a clean name and the type its bytes earn. */
export function safeStoredFile(file: RelayFile): RelayFile {
  const name = cleanFileName(file.name);
  return { name, mime: servedMime(name, file.mime, file.bytes), bytes: file.bytes };
}

/**
 * A visitor's `send-file` before it reaches the adapter (and the vendor): the clean name, and
 * whether its extension is allowed and its bytes match it. `data` is base64.
 */
export function checkVisitorUpload(
  name: string,
  data: string,
  allowedTypes: readonly string[],
): { ok: true; name: string } | { ok: false } {
  const clean = cleanFileName(name);
  const ext = extensionOf(clean);
  if (!allowedTypes.includes(ext)) return { ok: false };
  const text = ext === 'txt' || ext === 'csv';
  const bytes = new Uint8Array(Buffer.from(text ? data : data.slice(0, 4 * Math.ceil(SNIFF_BYTES / 3) + 4), 'base64'));
  return contentMatches(ext, bytes.subarray(0, SNIFF_BYTES), bytes) ? { ok: true, name: clean } : { ok: false };
}
