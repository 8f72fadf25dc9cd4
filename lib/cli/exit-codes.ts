/**
 * The `wf` command's exit codes, a contract scripts rely on (docs/running.md).
 * 70 is `EX_SOFTWARE` from sysexits.h: a bug in wf, not in the user's input.
 */
export const ExitCode = {
  /** Success (for `wf run`: SUCCESS or SKIP). */
  ok: 0,
  /** The command ran and found problems: validation errors, or a FAILED/CANCEL run. */
  failure: 1,
  /** A usage or input error: unknown command or option, bad params; nothing ran. */
  usage: 2,
  /** An unexpected exception inside wf. */
  internal: 70,
  /** A run stopped with Ctrl-C: 128 + SIGINT, as a shell (and `npx`, which dies of the same Ctrl-C) reports it. */
  interrupted: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
