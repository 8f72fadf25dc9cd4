/**
 * Secret values out of the messages we build. A secret param's value is redacted by name where it
 * is a param (`params.token` → `"***"`), but a message can quote it too: an expression error
 * (`condition "${{ params.token }}" gave the string "..."`), a `fromJson` failure, an echo stage's
 * rendered text in the progress lines, a dry run's description of a call. Those texts are scrubbed
 * here, and so are stage outputs (what user code printed or returned), as GitHub Actions masks
 * logs: every occurrence of a secret value, of each line of it and of its JSON-escaped form
 * becomes `***`.
 *
 * Values shorter than {@link MIN_SECRET_CHARS} characters are not searched for (they would garble
 * every message that happens to contain them).
 */
import type { Workflow } from '../config/index.ts';
import { coerceParam } from '../config/index.ts';

import { hideSecretRefs, maskSecrets, MIN_SECRET_CHARS, scrubText, secretMasks } from '../runtime/index.ts';

export { MIN_SECRET_CHARS, scrubText };

/**
 * The masks of a workflow's secret params in a run (lib/runtime/secret-masks.ts: each value as
 * given, as coerced and as its default; each line; the JSON-escaped form; each value inside a list
 * or map), longest first.
 */
export function secretTexts(workflow: Pick<Workflow, 'params'>, given: Record<string, unknown> = {}): string[] {
  const values: unknown[] = [];
  for (const p of Object.values(workflow.params)) {
    if (!p.secret) continue;
    const raw = Object.hasOwn(given, p.name) ? given[p.name] : undefined;
    for (const v of [raw, p.hasDefault ? p.default : undefined]) {
      if (v === undefined || v === null) continue;
      const coerced = coerceParam(p, v);
      values.push(v, coerced.ok ? coerced.value : undefined);
    }
  }
  return secretMasks(values);
}

/**
 * A copy of a result document with every secret mask replaced by `***`, in every string and key:
 * errors, outputs (what stages printed or returned), items, matrix values, job outputs. Masked as
 * GitHub Actions masks its logs, so a value that holds a secret shows `***` in the document, the
 * audit record and the progress lines alike. A secret reference (what the run's state holds) shows
 * as `***` too.
 */
export function maskDocument<T>(doc: T, masks: readonly string[]): T {
  return maskSecrets(hideSecretRefs(doc), masks);
}
