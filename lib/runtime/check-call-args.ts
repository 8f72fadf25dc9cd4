/**
 * Checks `call` arguments against a function's zod schema and words each problem for a user who
 * wrote `with:` in YAML: the argument's path, what was expected, what was received. An argument
 * the schema does not declare is a problem too (zod would silently drop it), unless the schema
 * was made with `z.looseObject` or `.catchall(...)`.
 */
import type { ZodType } from 'zod';

/** One bad argument. */
export interface ArgProblem {
  /** Dotted path of the argument (`limit`, `metadata.owner`, `items.0`). */
  path: string;
  expected: string;
  received: string;
}

/** Outcome of {@link checkCallArgs}: the parsed arguments, or the problems. */
export type ArgCheck = { ok: true; args: unknown } | { ok: false; problems: ArgProblem[] };

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  const text = json ?? String(value);
  const clipped = text.length > 60 ? `${text.slice(0, 59)}…` : text;
  const kind = value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
  return `${clipped} (${kind})`;
}

function at(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

interface ZodIssueLike {
  code: string;
  path: PropertyKey[];
  message: string;
  expected?: string;
  values?: unknown[];
  keys?: string[];
}

function expectedOf(issue: ZodIssueLike): string {
  if (issue.code === 'invalid_type' && issue.expected) return issue.expected;
  if (issue.code === 'invalid_value' && issue.values) return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message.replace(/^Invalid input: /, '').replace(/, received .*$/, '');
}

/** The object schema's declared keys, when unknown keys should be refused; undefined otherwise. */
function strictKeys(schema: ZodType): string[] | undefined {
  const def = (schema as unknown as { _zod?: { def?: { type?: string; shape?: object; catchall?: unknown } } })._zod?.def;
  if (def?.type !== 'object' || def.catchall !== undefined || !def.shape) return undefined;
  return Object.keys(def.shape);
}

/** Checks `args` against `schema`; on success returns the parsed arguments (defaults applied). */
export function checkCallArgs(schema: ZodType | undefined, args: Record<string, unknown>): ArgCheck {
  if (!schema) return { ok: true, args };
  const problems: ArgProblem[] = [];
  const declared = strictKeys(schema);
  if (declared) {
    for (const key of Object.keys(args)) {
      if (!declared.includes(key)) {
        problems.push({
          path: key,
          expected: declared.length ? `no such argument (the function takes ${declared.map((k) => `"${k}"`).join(', ')})` : 'no arguments',
          received: describe(args[key]),
        });
      }
    }
  }
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    for (const issue of parsed.error.issues as unknown as ZodIssueLike[]) {
      if (issue.code === 'unrecognized_keys' && issue.keys) {
        for (const key of issue.keys) {
          const path = [...issue.path, key].map(String).join('.');
          if (problems.some((p) => p.path === path)) continue;
          problems.push({ path, expected: 'no such argument', received: describe(at(args, [...issue.path, key])) });
        }
        continue;
      }
      problems.push({
        path: issue.path.length ? issue.path.map(String).join('.') : '(arguments)',
        expected: expectedOf(issue),
        received: describe(at(args, issue.path)),
      });
    }
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, args: parsed.success ? parsed.data : args };
}

/** The problems as message lines: `  - limit: expected number, received "ten" (string)`. */
export function formatArgProblems(problems: readonly ArgProblem[]): string {
  return problems.map((p) => `  - ${p.path}: expected ${p.expected}, received ${p.received}`).join('\n');
}
