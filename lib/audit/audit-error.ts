/**
 * The one error the audit store throws. SDK errors are translated here into a sentence that says
 * what failed, against which table and endpoint, and what to do, so that no SDK stack trace
 * reaches the user; the SDK error stays available as `cause`.
 */

/** Why an audit operation failed. */
export type AuditErrorReason = 'unreachable' | 'no-table' | 'credentials' | 'denied' | 'throttled' | 'bad-table' | 'server' | 'failed';

/** Where an audit operation went: the table and a readable endpoint (`http://127.0.0.1:8000`, `DynamoDB in eu-west-1`). */
export interface AuditTarget {
  table: string;
  endpoint: string;
}

/** An audit store failure with a message meant for the user. */
export class AuditError extends Error {
  constructor(
    message: string,
    /** Why it failed (stable, for callers that react differently). */
    readonly reason: AuditErrorReason,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuditError';
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED']);
const CONNECTION_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'NetworkingError']);
const DENIED_NAMES = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException', 'MissingAuthenticationTokenException']);
const THROTTLED_NAMES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

function connectionCode(e: unknown, depth = 0): string | undefined {
  if (typeof e !== 'object' || e === null || depth > 4) return undefined;
  const { code, name, errors, cause } = e as { code?: unknown; name?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return code;
  if (typeof name === 'string' && CONNECTION_NAMES.has(name)) return name;
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const c = connectionCode(inner, depth + 1);
      if (c) return c;
    }
  }
  return connectionCode(cause, depth + 1);
}

/** True when `thrown` says the endpoint could not be reached (refused, reset, timed out, unknown host). */
export function isConnectionError(thrown: unknown): boolean {
  return connectionCode(thrown) !== undefined;
}

/**
 * The {@link AuditError} for something an SDK call threw while doing `action` (a phrase such as
 * `writing the audit record of run X`). An AuditError passes through unchanged.
 */
export function toAuditError(thrown: unknown, action: string, target: AuditTarget): AuditError {
  if (thrown instanceof AuditError) return thrown;
  const e = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = typeof e.name === 'string' ? e.name : 'Error';
  const detail = typeof e.message === 'string' && e.message !== '' ? e.message : String(thrown);
  const where = `table "${target.table}" at ${target.endpoint}`;
  const fail = (message: string, reason: AuditErrorReason): AuditError => new AuditError(message, reason, { cause: thrown });

  const code = connectionCode(thrown);
  if (code !== undefined) {
    return fail(`${action} failed: cannot reach the audit store at ${target.endpoint} (${code}). Check that the endpoint is right and the store is running, then try again.`, 'unreachable');
  }
  if (name === 'ResourceNotFoundException') {
    return fail(`${action} failed: the audit ${where} does not exist. Deploy the stack that creates it (or, for a local store, let it create the table) and check the table name.`, 'no-table');
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
    return fail(`${action} failed: no AWS credentials for the audit ${where} (${detail}). Configure credentials (AWS_PROFILE, environment variables or an instance role).`, 'credentials');
  }
  if (DENIED_NAMES.has(name) || e.$metadata?.httpStatusCode === 403) {
    return fail(`${action} failed: access to the audit ${where} was denied (${name}: ${detail}). Grant the caller dynamodb:PutItem, GetItem, Query and DescribeTable on the table and its by-run index.`, 'denied');
  }
  if (THROTTLED_NAMES.has(name)) {
    return fail(`${action} failed: the audit ${where} is throttling requests (${name}). Try again later.`, 'throttled');
  }
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) {
    return fail(`${action} failed: the audit store at ${target.endpoint} answered with an internal error (${name}: ${detail}). Try again; if it persists, check the store.`, 'server');
  }
  return fail(`${action} failed on the audit ${where}: ${name}: ${detail}`, 'failed');
}
