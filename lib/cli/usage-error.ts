/**
 * A mistake in how the command was called that commander itself cannot see (two options that
 * exclude each other, a malformed value). Printed as `error: <message>` with exit code 2.
 */
export class UsageError extends Error {
  readonly note?: string;
  constructor(message: string, note?: string) {
    super(message);
    this.name = 'UsageError';
    if (note !== undefined) this.note = note;
  }
}
