/** ANSI styling for terminal output, or none at all (`NO_COLOR`, pipes, dumb terminals). */
export interface Paint {
  readonly enabled: boolean;
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const style =
  (enabled: boolean, open: number, close: number) =>
  (text: string): string =>
    enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text;

/** A {@link Paint} that styles when `enabled`, else returns text unchanged. */
export function createPaint(enabled: boolean): Paint {
  return {
    enabled,
    red: style(enabled, 31, 39),
    yellow: style(enabled, 33, 39),
    green: style(enabled, 32, 39),
    bold: style(enabled, 1, 22),
    dim: style(enabled, 2, 22),
  };
}

/**
 * Whether to colour a stream: never when `NO_COLOR` is set to anything non-empty (no-color.org),
 * always when `FORCE_COLOR` is set and not `0`, else only on a terminal that is not `dumb`.
 */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean | undefined): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return Boolean(isTTY) && env.TERM !== 'dumb';
}
