/**
 * Masks for secret values, as GitHub Actions masks secrets: for each value, the exact text, each
 * line of a multi-line text, and its JSON-escaped form (how it looks inside a JSON document or an
 * error that quotes JSON); for a list or map, also each string, number and line inside it, and its
 * JSON text. Masks shorter than {@link MIN_SECRET_CHARS} are left out (they would garble every text
 * that happens to contain them). `maskSecrets` replaces every occurrence, in strings and in keys,
 * however deep.
 */
import { MIN_SECRET_CHARS, scrubText } from './scrub-text.ts';

function addText(out: Set<string>, text: string): void {
  const forms = [text, JSON.stringify(text).slice(1, -1)];
  for (const line of text.split(/\r\n|\r|\n/)) forms.push(line, line.trim(), JSON.stringify(line).slice(1, -1));
  for (const f of forms) if (f.length >= MIN_SECRET_CHARS) out.add(f);
}

function addValue(out: Set<string>, value: unknown, depth: number): void {
  if (value === null || value === undefined || depth > 20) return;
  if (typeof value === 'string') return addText(out, value);
  if (typeof value === 'number' || typeof value === 'boolean') return addText(out, String(value));
  if (typeof value !== 'object') return;
  const json = JSON.stringify(value);
  if (json !== undefined) {
    addText(out, json);
    addText(out, JSON.stringify(value, null, 2));
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) addValue(out, v, depth + 1);
}

/** The masks of secret values, longest first (so a mask that contains another is replaced whole). */
export function secretMasks(values: Iterable<unknown>): string[] {
  const out = new Set<string>();
  for (const v of values) addValue(out, v, 0);
  return [...out].sort((a, b) => b.length - a.length);
}

/**
 * `value` with every mask replaced by `***` in every string and key, however deep. A string equal
 * to one of `whole` (secret values, whatever their length) becomes `***` as a whole.
 */
export function maskSecrets<T>(value: T, masks: readonly string[], whole: ReadonlySet<string> = new Set()): T {
  if (!masks.length && !whole.size) return value;
  const text = (t: string): string => (whole.has(t) ? '***' : scrubText(t, masks));
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return text(v);
    if (v === null || typeof v !== 'object' || depth > 200) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      // Two keys masked alike (two foreach items holding secrets) stay two entries: `***`, `*** (2)`.
      const masked = text(k);
      let key = masked;
      for (let n = 2; key !== k && Object.hasOwn(out, key); n++) key = `${masked} (${n})`;
      Object.defineProperty(out, key, { value: walk(x, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return walk(value, 0) as T;
}
