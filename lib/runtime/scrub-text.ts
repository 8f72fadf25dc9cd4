/**
 * Secret values out of text: every occurrence becomes `***`. Shared by the stage runner (its
 * error messages) and the local engine (progress lines, messages in records).
 */

/** The shortest secret value searched for; shorter ones would garble every message. */
export const MIN_SECRET_CHARS = 4;

const REDACTED = '***';

/** `text` with every occurrence of a secret replaced by `***` (pass secrets longest first). */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}
