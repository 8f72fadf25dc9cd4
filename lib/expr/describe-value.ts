/** The value kinds of the expression language, as named in messages. */
export type ValueKind = 'null' | 'boolean' | 'number' | 'string' | 'list' | 'object';

/** The kind of a value (`undefined` counts as null; functions and other non-JSON values as object). */
export function kindOf(v: unknown): ValueKind {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  if (Array.isArray(v)) return 'list';
  return 'object';
}

const MAX = 60;

function clip(s: string): string {
  return s.length > MAX ? `${s.slice(0, MAX - 1)}…` : s;
}

/**
 * Describes a value for a message, with its kind and (shortened) content:
 * `the string "abc"`, `the number 3`, `null`, `a list of 2 items [1,2]`, `an object with keys "a", "b"`.
 */
export function describeValue(v: unknown): string {
  switch (kindOf(v)) {
    case 'null':
      return 'null';
    case 'boolean':
      return `the boolean ${String(v)}`;
    case 'number':
      return `the number ${String(v)}`;
    case 'string':
      return `the string ${clip(JSON.stringify(v))}`;
    case 'list': {
      const n = (v as unknown[]).length;
      return `a list of ${n} item${n === 1 ? '' : 's'} ${clip(safeJson(v))}`;
    }
    case 'object': {
      const keys = Object.keys(v as object);
      if (keys.length === 0) return 'an empty object';
      return `an object with key${keys.length === 1 ? '' : 's'} ${clip(keys.map((k) => JSON.stringify(k)).join(', '))}`;
    }
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
