/** Replaces secret params' values before they are stored (a second line of defence after the caller's). */

/** What a secret value is stored as; the same placeholder `lib/config` uses in messages. */
export const REDACTED = '***';

/**
 * A copy of `params` with the value of every key in `secretNames` replaced by {@link REDACTED}
 * (`null` and absent values stay as they are: there is nothing to hide). Returns `params` itself
 * when there is nothing to replace.
 */
export function redactSecrets(params: Record<string, unknown>, secretNames: readonly string[] = []): Record<string, unknown> {
  const hidden = secretNames.filter((name) => Object.hasOwn(params, name) && params[name] !== null && params[name] !== undefined && params[name] !== REDACTED);
  if (hidden.length === 0) return params;
  const out = { ...params };
  for (const name of hidden) out[name] = REDACTED;
  return out;
}
