/**
 * How deeply maps and lists nest inside a value. Values enter a run from the caller (`--params`,
 * `-p`, a StartExecution input) and from YAML defaults, then travel through every part of the
 * pipeline that walks them: the expression engine, the local engine's JSONPath, Python's `json`,
 * the audit record's redaction and truncation. A bound where they enter keeps all of those within
 * a small, fixed stack. The walk here is itself iterative and stops as soon as the bound is passed.
 */

/**
 * The deepest nesting of maps and lists a param value may have: `{"a": 1}` is 1 level, `[[1]]` 2.
 * DynamoDB caps nested attributes at 32 levels and JSON parsers commonly at 64 to 512; the audit
 * record stores params and the result document as JSON text, so 64 levels fit everywhere a run
 * carries them, with room for the levels the result document adds around them.
 */
export const VALUE_DEPTH_MAX = 64;

/**
 * The nesting depth of `value` (0 for a scalar), counted no further than `limit + 1`: a value
 * deeper than `limit` costs no more than one `limit + 1` deep, and shared or cyclic references
 * are walked once per depth they are reached at.
 */
export function valueDepth(value: unknown, limit: number = VALUE_DEPTH_MAX): number {
  let deepest = 0;
  const seen = new Map<object, number>();
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object' || v instanceof Date) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    const before = seen.get(v);
    if (before !== undefined && before >= level) continue;
    seen.set(v, level);
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, level]);
  }
  return deepest;
}
