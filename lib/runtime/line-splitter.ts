/**
 * Cuts a stream of text chunks into whole lines, for stage output streamed as it comes: a line is
 * handed on when its newline arrives (a `\r\n` ending loses its `\r`), and what is left at the end
 * when the stream ends. A line longer than {@link MAX_LINE_CHARS} is handed on in pieces, so a
 * process that never prints a newline cannot grow the buffer without bound.
 */

/** The longest line kept whole; longer ones are handed on in pieces of this size. */
export const MAX_LINE_CHARS = 16 * 1024;

/** Splits chunks into lines; see the file comment. */
export class LineSplitter {
  private rest = '';

  constructor(private readonly onLine: (line: string) => void) {}

  /** Adds a chunk of text. */
  push(chunk: string): void {
    this.rest += chunk;
    let nl: number;
    while ((nl = this.rest.indexOf('\n')) >= 0) {
      const line = this.rest.slice(0, nl);
      this.rest = this.rest.slice(nl + 1);
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    while (this.rest.length > MAX_LINE_CHARS) {
      this.onLine(this.rest.slice(0, MAX_LINE_CHARS));
      this.rest = this.rest.slice(MAX_LINE_CHARS);
    }
  }

  /** Ends the stream: hands on the last line when it had no newline. */
  end(): void {
    if (this.rest !== '') this.onLine(this.rest);
    this.rest = '';
  }
}
