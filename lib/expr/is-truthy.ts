/**
 * Truthiness as in GitHub Actions and JavaScript: `null`, `false`, `0`, `NaN` and `''` are falsy;
 * every list and object is truthy, even an empty one (unlike Python).
 */
export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === '') return false;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  return true;
}
