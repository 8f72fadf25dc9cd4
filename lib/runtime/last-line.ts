/** The last non-blank line of `text`, shortened to `max` characters; '' when there is none. */
export function lastLine(text: string, max = 300): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const line = (lines[lines.length - 1] ?? '').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
