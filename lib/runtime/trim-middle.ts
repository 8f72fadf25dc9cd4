/**
 * Shortening text by its middle: the head often says what ran and the tail why it stopped, so both
 * are kept, with a marker between them that says how much was dropped. Process output capture and
 * failure trimming use the same marker, so a user meets one spelling of it.
 */

/** The marker that stands for `bytes` bytes (UTF-8) dropped from the middle of a text. */
export function truncationMarker(bytes: number): string {
  return `…[truncated ${bytes} bytes]…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * `text` when it has at most `keep` characters (UTF-16 code units); else its first and last
 * characters, `keep` of them in all (the head gets the odd one), around a {@link truncationMarker}.
 * A character outside the Basic Multilingual Plane is never cut in half.
 */
export function trimMiddle(text: string, keep: number): string {
  if (text.length <= keep) return text;
  const budget = Math.max(0, Math.floor(keep));
  let headEnd = Math.ceil(budget / 2);
  let tailStart = text.length - (budget - headEnd);
  if (headEnd > 0 && isHighSurrogate(text.charCodeAt(headEnd - 1))) headEnd--;
  if (tailStart < text.length && isLowSurrogate(text.charCodeAt(tailStart))) tailStart++;
  const dropped = Buffer.byteLength(text.slice(headEnd, tailStart));
  return `${text.slice(0, headEnd)}${truncationMarker(dropped)}${text.slice(tailStart)}`;
}
