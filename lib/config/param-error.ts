import type { Diagnostic } from '../diagnostics/index.ts';

/** The codes a {@link ParamError} carries (catalogue range WF7xxx). */
export type ParamErrorCode = 'WF7001' | 'WF7002' | 'WF7003' | 'WF7004' | 'WF7005';

/** What a {@link ParamError} is built from. */
export interface ParamErrorInit {
  /** The param's name (or, for a malformed `-p` entry, the entry as written). */
  param: string;
  /** The value received; `"***"` for a secret param, `undefined` when none was given. */
  value: unknown;
  /** What would have been valid, in the user's words: `int`, `one of "a", "b"`, `KEY=VALUE`. */
  expected: string;
  code: ParamErrorCode;
  /** The message after `param "<name>": `; default `expected <expected>, got <value>`. */
  detail?: string;
  /** How to fix it. */
  note?: string;
}

/**
 * A wrong run-time param: unknown, missing, or a value that does not fit the declared type.
 * The message names the param, the value and what was expected:
 * `param "batch_size": expected int, got "lots"`.
 */
export class ParamError extends Error {
  readonly param: string;
  readonly value: unknown;
  readonly expected: string;
  readonly code: ParamErrorCode;
  readonly note?: string;

  constructor(init: ParamErrorInit) {
    super(`param "${init.param}": ${init.detail ?? `expected ${init.expected}, got ${describeValue(init.value)}`}`);
    this.name = 'ParamError';
    this.param = init.param;
    this.value = init.value;
    this.expected = init.expected;
    this.code = init.code;
    if (init.note !== undefined) this.note = init.note;
  }

  /** The message with its code and, when there is one, its fix: `param "n": expected int, got "x" [WF7001]`. */
  report(): string {
    return `${this.message} [${this.code}]${this.note !== undefined ? `; ${this.note}` : ''}`;
  }

  /** The same problem as a diagnostic (no file location: params come from the caller). */
  toDiagnostic(): Diagnostic {
    const d: Diagnostic = { code: this.code, severity: 'error', message: this.message };
    if (this.note !== undefined) d.note = this.note;
    return d;
  }
}

const MAX_SHOWN = 60;

/** A value as quoted in a message: JSON text, shortened past 60 characters; `nothing` for undefined. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : `Date ${value.toISOString()}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = typeof value === 'bigint' ? `${value}` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}
