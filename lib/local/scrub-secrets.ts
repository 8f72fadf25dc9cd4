/**
 * Secret values out of the messages we build. A secret param's value is redacted by name where it
 * is a param (`params.token` → `"***"`), but a message can quote it too: an expression error
 * (`condition "${{ params.token }}" gave the string "..."`), a `fromJson` failure, an echo stage's
 * rendered text in the progress lines, a dry run's description of a call. Those texts are scrubbed
 * here: every occurrence of a secret value becomes `***`. Stage outputs are not touched: what user
 * code prints is the user's.
 *
 * Values shorter than {@link MIN_SECRET_CHARS} characters are not searched for (they would garble
 * every message that happens to contain them).
 */
import type { Workflow } from '../config/index.ts';
import { coerceParam } from '../config/index.ts';

import { MIN_SECRET_CHARS, scrubText } from '../runtime/index.ts';

export { MIN_SECRET_CHARS, scrubText };

/** The texts of a workflow's secret params in a run: as given, as coerced, and their defaults. */
export function secretTexts(workflow: Pick<Workflow, 'params'>, given: Record<string, unknown> = {}): string[] {
  const out = new Set<string>();
  for (const p of Object.values(workflow.params)) {
    if (!p.secret) continue;
    const raw = Object.hasOwn(given, p.name) ? given[p.name] : undefined;
    for (const v of [raw, p.hasDefault ? p.default : undefined]) {
      if (v === undefined || v === null) continue;
      const coerced = coerceParam(p, v);
      for (const x of [v, coerced.ok ? coerced.value : undefined]) {
        if (x === undefined || x === null) continue;
        const text = typeof x === 'string' ? x : JSON.stringify(x);
        if (text !== undefined && text.length >= MIN_SECRET_CHARS) out.add(text);
      }
    }
  }
  // Longest first, so a value that contains another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

function scrubStrings(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return scrubText(value, secrets);
  if (Array.isArray(value)) return value.map((v) => scrubStrings(v, secrets));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubStrings(v, secrets)]));
  return value;
}

function scrubOutputs(outputs: unknown, secrets: readonly string[]): unknown {
  if (outputs === null || typeof outputs !== 'object' || Array.isArray(outputs)) return outputs;
  const { dryrun } = outputs as { dryrun?: unknown };
  return typeof dryrun === 'string' ? { ...outputs, dryrun: scrubText(dryrun, secrets) } : outputs;
}

/**
 * A copy of a result document with secret values scrubbed from the texts we build: every `errors`
 * entry (the run's, the jobs', the strategies' and the stages'), however deep, and the `dryrun`
 * description of a dry run's stage. Other `outputs` (what stages produced) are left as they are.
 */
export function scrubErrors<T>(doc: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return doc;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'errors' ? scrubStrings(v, secrets) : k === 'outputs' ? scrubOutputs(v, secrets) : walk(v)]),
    );
  };
  return walk(doc) as T;
}
