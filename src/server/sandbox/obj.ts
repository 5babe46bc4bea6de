/** Reading untrusted JSON in the simulators: an object, or a string, or nothing. */
export type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
