/**
 * How a template's value becomes text when it sits inside a longer string.
 *
 * - `text` and `bash`: strings bare, `null` as the empty string (GitHub Actions does the same),
 *   booleans `true`/`false`, numbers as JavaScript prints them (`3`, `0.5`, `1e+21`), lists and
 *   objects as compact JSON (`[1,2]`, `{"a":1}`).
 * - `python`: strings bare, anything else as a Python literal (`None`, `True`, `[1, 2]`, `{'a': 1}`),
 *   so `flag = ${{ params.on }}` is valid Python.
 */
import { toPythonLiteral } from './to-python-literal.ts';
import type { RenderMode } from './types.ts';

/** The text of `value` in a template embedded in a longer string, for the given mode. */
export function toText(value: unknown, mode: RenderMode = 'text'): string {
  if (typeof value === 'string') return value;
  if (mode === 'python') return toPythonLiteral(value);
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  return JSON.stringify(value) ?? '';
}
