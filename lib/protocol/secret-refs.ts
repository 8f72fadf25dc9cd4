/**
 * Secret params travel through a run as references, never as values (docs/reliability.md#secrets): the run's
 * input and every state hold `{"$wf:secret": "<name>"}` for a secret param, and only the runner
 * that uses the value reads it from the secret store (AWS Systems Manager Parameter Store, a
 * SecureString, on AWS; the local store locally) and keeps it in memory.
 *
 * - A run's own secrets are stored under `<prefix>/<run id>/<param>`: the runners resolve a
 *   reference only under the prefix and for the run whose request it is (or that run's parent, when
 *   a child run takes over a secret its trigger stage passed: the child stores its own copy).
 * - `at` picks a value inside the stored one: a foreach item or matrix value taken from a secret
 *   list is `{"$wf:secret": name, "at": [1]}`.
 * - The stored text is the value's JSON.
 */

/** The key of a reference object. */
export const SECRET_REF_KEY = '$wf:secret';

/** A reference to a stored secret value (or to a value inside it). */
export interface SecretRef {
  [SECRET_REF_KEY]: string;
  at?: Array<string | number>;
}

/** True when `v` is a reference object (exactly the key, and `at` when present). */
export function isSecretRef(v: unknown): v is SecretRef {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  const name = (v as Record<string, unknown>)[SECRET_REF_KEY];
  if (typeof name !== 'string' || !keys.every((k) => k === SECRET_REF_KEY || k === 'at')) return false;
  const at = (v as { at?: unknown }).at;
  return at === undefined || (Array.isArray(at) && at.every((s) => typeof s === 'string' || typeof s === 'number'));
}

/** The store name of a run's secret param: `<prefix>/<run id>/<param>` (the param name URI-encoded). */
export function secretName(prefix: string, runId: string, param: string): string {
  return `${prefix.replace(/\/+$/, '')}/${runId}/${encodeURIComponent(param)}`;
}

/** The run id a name under `prefix` belongs to, or undefined when it is not one of the prefix's. */
export function runOfSecretName(prefix: string, name: string): string | undefined {
  const base = `${prefix.replace(/\/+$/, '')}/`;
  if (!name.startsWith(base)) return undefined;
  const rest = name.slice(base.length).split('/');
  return rest.length === 2 && rest[0] && rest[1] ? rest[0] : undefined;
}

/** The environment variable that gives the stage and Python runners the secrets prefix on AWS. */
export const SECRETS_PREFIX_ENV = 'WF_SECRETS_PREFIX';
