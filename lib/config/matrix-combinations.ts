/**
 * Matrix strategy expansion with GitHub Actions' documented rules, so a workflow written for
 * GitHub expands to the same combinations here:
 *   - the cartesian product of the axes, in declared order, the first axis varying slowest;
 *   - `exclude` removes every combination that matches all the key:value pairs of an entry (a
 *     partial match is enough), before any `include`;
 *   - each `include` entry is merged into every original combination whose axis values it does not
 *     contradict (values added by earlier includes may be overwritten, axis values never); an entry
 *     merged into none becomes a combination of its own. Combinations created by an include are not
 *     candidates for later includes.
 * Values are any JSON and compare deeply. This runs at compile time for literal matrices and in the
 * stage runner for matrices computed at run time, so it stays free of any dependency.
 */

/** One expanded combination: a stable readable key and the `matrix` context of that run. */
export interface MatrixCombination {
  /** `axis-value` pairs joined with `_`, e.g. `env-dev_region-us`; unique within one expansion. */
  key: string;
  /** Axis values in declared axis order, then include-added keys in the order they were added. */
  matrix: Record<string, unknown>;
}

/**
 * Expands a matrix strategy into its combinations.
 *
 * Order: the surviving product combinations, then include-created ones in include order. A
 * combination's key renders each of its entries as `name-value` (strings as written, other values
 * as compact JSON), joins them with `_`, replaces every character that is not a letter, a digit
 * (any script), `.`, `_` or `-` with `-`, keeps the first {@link MATRIX_KEY_MAX} characters, and
 * appends `-2`, `-3`, ... when an earlier combination already has that key; a combination with no
 * entries is keyed `default`. No axes and no include yields no combination. Values are shared with
 * the input, never copied or modified.
 */
export function matrixCombinations(
  matrix: Record<string, unknown[]>,
  include: ReadonlyArray<Record<string, unknown>> = [],
  exclude: ReadonlyArray<Record<string, unknown>> = [],
): MatrixCombination[] {
  const axes = Object.keys(matrix);
  const axisSet = new Set(axes);

  let product: Map<string, unknown>[] = axes.length === 0 ? [] : [new Map()];
  for (const axis of axes) {
    const next: Map<string, unknown>[] = [];
    for (const partial of product) {
      for (const value of matrix[axis]!) next.push(new Map(partial).set(axis, value));
    }
    product = next;
  }

  const original = product.filter((combo) => !exclude.some((entry) => matchesAll(combo, entry)));

  const created: Map<string, unknown>[] = [];
  for (const entry of include) {
    const pairs = Object.entries(entry);
    let merged = false;
    for (const combo of original) {
      if (!pairs.every(([k, v]) => !axisSet.has(k) || deepEqual(combo.get(k), v))) continue;
      merged = true;
      for (const [k, v] of pairs) if (!axisSet.has(k)) combo.set(k, v);
    }
    if (!merged) {
      const combo = new Map<string, unknown>();
      for (const axis of axes) if (Object.hasOwn(entry, axis)) combo.set(axis, entry[axis]);
      for (const [k, v] of pairs) if (!axisSet.has(k)) combo.set(k, v);
      created.push(combo);
    }
  }

  const used = new Set<string>();
  return [...original, ...created].map((combo) => {
    const key = uniqueKey(renderKey(combo), used);
    return { key, matrix: Object.fromEntries(combo) };
  });
}

/**
 * Checks the keys of a matrix strategy and returns one message per problem (empty when fine):
 * every key of an `exclude` entry must be an axis (GitHub rejects the workflow otherwise), an
 * exclude entry must not be empty (it would remove every combination), and an axis must have at
 * least one value. Include entries may add new keys.
 */
export function checkMatrixKeys(
  matrix: Record<string, unknown[]>,
  include: ReadonlyArray<Record<string, unknown>> = [],
  exclude: ReadonlyArray<Record<string, unknown>> = [],
): string[] {
  const axes = Object.keys(matrix);
  const known = axes.length === 0 ? 'the matrix has no axes' : `the axes are ${axes.map((a) => `"${a}"`).join(', ')}`;
  const messages: string[] = [];
  for (const axis of axes) {
    if (matrix[axis]!.length === 0) {
      messages.push(`matrix axis "${axis}" has no values; give it at least one value or remove it`);
    }
  }
  exclude.forEach((entry, n) => {
    const keys = Object.keys(entry);
    if (keys.length === 0) {
      messages.push(`exclude entry ${n + 1} is empty, so it would remove every combination; name the axis values to exclude`);
    }
    for (const key of keys) {
      if (!Object.hasOwn(matrix, key)) {
        messages.push(`exclude entry ${n + 1} has key "${key}", which is not a matrix axis; exclude keys must be axes (${known})`);
      }
    }
  });
  if (axes.length === 0 && include.length === 0) {
    messages.push('the matrix has no axes and no include entries, so it yields no combination; add an axis or an include entry');
  }
  return messages;
}

function matchesAll(combo: Map<string, unknown>, entry: Record<string, unknown>): boolean {
  return Object.entries(entry).every(([k, v]) => combo.has(k) && deepEqual(combo.get(k), v));
}

/** Equality of JSON values: objects compare by key set and values, arrays element by element. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => deepEqual(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return (
    keys.length === Object.keys(right).length &&
    keys.every((k) => Object.hasOwn(right, k) && deepEqual(left[k], right[k]))
  );
}

/** The longest key, in characters, before the `-N` that keeps it unique. */
export const MATRIX_KEY_MAX = 100;

function renderKey(combo: Map<string, unknown>): string {
  if (combo.size === 0) return 'default';
  const key = [...combo].map(([name, value]) => `${name}-${valueText(value)}`.replace(/[^\p{L}\p{N}._-]/gu, '-')).join('_');
  const chars = [...key];
  return chars.length > MATRIX_KEY_MAX ? chars.slice(0, MATRIX_KEY_MAX).join('') : key;
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

function uniqueKey(base: string, used: Set<string>): string {
  let key = base;
  for (let n = 2; used.has(key); n++) key = `${base}-${n}`;
  used.add(key);
  return key;
}
