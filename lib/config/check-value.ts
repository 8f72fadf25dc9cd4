/**
 * Validates one YAML value against a zod schema and turns each zod issue into a diagnostic at the
 * exact node it concerns (the offending value, the unknown key, the map missing a key).
 */
import type { Node } from 'yaml';
import type { z } from 'zod';
import { didYouMean, quoteList } from '../diagnostics/index.ts';
import { ID_PATTERN } from './dialect-schemas.ts';
import { describeValue } from './describe-value.ts';
import { nodeAtPath } from './node-at-path.ts';
import { report, type ReadContext } from './read-context.ts';
import { describeSchema, objectKeys, schemaAtPath, unwrapSchema } from './schema-at-path.ts';

/** The outcome of {@link checkValue}: the parsed value when valid. */
export type Checked<T> = { ok: true; value: T } | { ok: false };

/** Checks the value of `node` (named `label` in messages) against `schema`, reporting every issue. */
export function checkValue<T>(ctx: ReadContext, schema: z.ZodType<T>, node: Node | null, label: string): Checked<T> {
  const js = ctx.source.toJS(node);
  // zod drops a "__proto__" key; it is checked under a stand-in name and given back its own.
  const result = schema.safeParse(renameKey(js, PROTO, STAND_IN));
  if (result.success) return { ok: true, value: renameKey(result.data, STAND_IN, PROTO) as T };
  const real = (k: PropertyKey): PropertyKey => (k === STAND_IN ? PROTO : k);
  for (const issue of result.error.issues) {
    const keys = 'keys' in issue && Array.isArray(issue.keys) ? { keys: issue.keys.map(real) } : {};
    reportIssue(ctx, { ...issue, path: issue.path.map(real), ...keys } as z.core.$ZodIssue, { schema, node, js, label });
  }
  return { ok: false };
}

const PROTO = '__proto__';
const STAND_IN = '\u0000__proto__';

/** A copy of `v` whose maps have key `from` renamed `to` (as an own property), at any depth. */
function renameKey(v: unknown, from: string, to: string): unknown {
  if (Array.isArray(v)) return v.some((x) => x !== null && typeof x === 'object') ? v.map((x) => renameKey(x, from, to)) : v;
  if (v === null || typeof v !== 'object') return v;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k === from ? to : k, { value: renameKey(x, from, to), enumerable: true, writable: true, configurable: true });
  return out;
}

interface IssueBase {
  schema: z.ZodType;
  node: Node | null;
  js: unknown;
  label: string;
}

function valueAt(js: unknown, path: readonly PropertyKey[]): unknown {
  let v = js;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function pathLabel(label: string, path: readonly PropertyKey[]): string {
  let out = label;
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${String(seg)}` : String(seg);
  return out;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map',
  record: 'a map',
};

function expectedText(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

function reportIssue(ctx: ReadContext, issue: z.core.$ZodIssue, base: IssueBase): void {
  const path = issue.path;
  const value = valueAt(base.js, path);
  const field = pathLabel(base.label, path);
  const at = ctx.source.locate(nodeAtPath(ctx.source.doc, base.node, path) ?? base.node);
  const described = describeSchema(schemaAtPath(base.schema, path));
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined && path.length > 0) {
        const parentNode = nodeAtPath(ctx.source.doc, base.node, path.slice(0, -1));
        const key = String(path[path.length - 1]);
        report(ctx, 'WF2002', `missing required key "${key}" in "${pathLabel(base.label, path.slice(0, -1))}"`, ctx.source.locate(parentNode));
        return;
      }
      const expected = described ?? expectedText(issue.expected);
      report(ctx, 'WF2003', `"${field}" must be ${expected}, got ${describeValue(value)}`, at);
      return;
    }
    case 'too_small':
    case 'too_big':
      report(ctx, 'WF2004', rangeMessage(issue, field, value), at);
      return;
    case 'invalid_format': {
      if (issue.format === 'regex' && issue.pattern === String(ID_PATTERN)) {
        report(ctx, 'WF2007', `${describeValue(value)} is not a valid id (in "${field}")`, at, 'ids use only letters, digits, "_" and "-"');
        return;
      }
      report(ctx, 'WF2003', `"${field}" must be ${described ?? 'text of another form'}, got ${describeValue(value)}`, at);
      return;
    }
    case 'invalid_value': {
      const options = issue.values.map(String);
      const hint = typeof value === 'string' ? didYouMean(value, options) : undefined;
      const expected = options.length === 1 ? `"${options[0]}"` : `one of ${quoteList(options)}`;
      report(ctx, 'WF2008', `"${field}" must be ${expected}, got ${describeValue(value)}`, at, hint);
      return;
    }
    case 'unrecognized_keys': {
      const keys = objectKeys(schemaAtPath(base.schema, path)) ?? [];
      for (const key of issue.keys) {
        const keyNode = nodeAtPath(ctx.source.doc, base.node, [...path, key], true);
        report(
          ctx,
          'WF2001',
          `unknown key "${key}" in "${field}"`,
          ctx.source.locate(keyNode),
          didYouMean(key, keys) ?? (keys.length ? `valid keys are ${quoteList(keys)}` : undefined),
        );
      }
      return;
    }
    case 'invalid_union': {
      const options = unionOptions(schemaAtPath(base.schema, path));
      const branchIndex = issue.errors.findIndex((errs) => !errs.every((e) => e.code === 'invalid_type' && e.path.length === 0));
      const chosen = branchIndex >= 0 ? issue.errors[branchIndex]! : [];
      // A near miss of a single literal (`batch: lots` against a number or "auto") says the whole choice.
      if (described && chosen.length === 1 && chosen[0]!.code === 'invalid_value' && chosen[0]!.path.length === 0 && chosen[0]!.values.length === 1) {
        const literal = String(chosen[0]!.values[0]);
        report(ctx, 'WF2003', `"${field}" must be ${described}, got ${describeValue(value)}`, at, typeof value === 'string' ? didYouMean(value, [literal]) : undefined);
        return;
      }
      if (branchIndex >= 0 && options[branchIndex]) {
        const sub: IssueBase = {
          schema: options[branchIndex]!,
          node: nodeAtPath(ctx.source.doc, base.node, path),
          js: value,
          label: field,
        };
        for (const inner of issue.errors[branchIndex]!) reportIssue(ctx, inner, sub);
        return;
      }
      const expectedList = issue.errors.map((errs) => {
        const e = errs[0];
        return e && e.code === 'invalid_type' ? expectedText(e.expected) : 'another form';
      });
      const expected = described ?? [...new Set(expectedList)].join(' or ');
      report(ctx, 'WF2003', `"${field}" must be ${expected}, got ${describeValue(value)}`, at);
      return;
    }
    default:
      report(ctx, 'WF2008', `"${field}": ${issue.message}`, at);
  }
}

function unionOptions(schema: z.ZodType | undefined): z.ZodType[] {
  if (!schema) return [];
  const def = (unwrapSchema(schema) as unknown as { _zod: { def: { type: string; options?: z.ZodType[] } } })._zod.def;
  return def.type === 'union' ? (def.options ?? []) : [];
}

function rangeMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, field: string, value: unknown): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  if (issue.origin === 'array') {
    return small
      ? `"${field}" must have at least ${bound} item${bound === 1 ? '' : 's'}`
      : `"${field}" must have at most ${bound} item${bound === 1 ? '' : 's'}`;
  }
  if (issue.origin === 'string') return small ? `"${field}" must not be empty` : `"${field}" is too long (at most ${bound} characters)`;
  const inclusive = issue.inclusive !== false;
  const relation = small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'less than';
  return `"${field}" must be ${relation} ${bound}, got ${describeValue(value)}`;
}
