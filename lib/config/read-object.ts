/**
 * Reads one YAML map against a strict object schema, key by key: an unknown key is reported at
 * the key with "did you mean" among the keys valid for this node; a known key's value is checked
 * with its field schema; a missing required key is reported at the node's anchor. Keys listed as
 * nested are left to the caller (lists of stages, strategy, params ...).
 */
import { isMap, type Node } from 'yaml';
import type { z } from 'zod';
import { didYouMean, quoteList, type Location } from '../diagnostics/index.ts';
import { checkValue } from './check-value.ts';
import { describeValue } from './describe-value.ts';
import { mapEntries } from './map-entries.ts';
import { report, type ReadContext } from './read-context.ts';

/** One key of a read map. */
export interface Field {
  key: string;
  keyNode: Node;
  /** The value's node; null for `key:` with nothing after it. */
  node: Node | null;
  /** The validated value (undefined for nested keys, which the caller reads). */
  value: unknown;
  /** False when the value failed its schema. */
  ok: boolean;
  /** Where the value is (the key, when there is no value). */
  loc: Location;
}

/** The keys of a read map, by name. */
export class Fields {
  readonly byKey: Map<string, Field>;
  constructor(byKey: Map<string, Field>) {
    this.byKey = byKey;
  }
  /** True when `key` is written. */
  has(key: string): boolean {
    return this.byKey.has(key);
  }
  /** The field `key`, valid or not. */
  get(key: string): Field | undefined {
    return this.byKey.get(key);
  }
  /** The validated value of `key`, or undefined when absent or invalid. */
  value<T>(key: string): T | undefined {
    const f = this.byKey.get(key);
    return f && f.ok ? (f.value as T) : undefined;
  }
  /** Location of each present key's value, by key. */
  locs(): Record<string, Location> {
    const out: Record<string, Location> = {};
    for (const [k, f] of this.byKey) out[k] = f.loc;
    return out;
  }
}

/** How {@link readObject} names and anchors the node it reads. */
export interface ReadObjectOptions {
  /** The node in messages, e.g. `stage "Echo"` or `job "build"`. */
  what: string;
  /** Where a missing key or a non-map value is reported. */
  anchor: Location;
  /** Keys whose values the caller reads itself. */
  nested?: readonly string[];
  /** Keys offered by "did you mean"; default: the schema's keys. */
  candidates?: readonly string[];
  /** Required keys the caller checks itself. */
  skipRequired?: readonly string[];
  /** Notes for keys known from other dialects: key → note. */
  hints?: Readonly<Record<string, string>>;
  /** Report unknown keys (false when the caller reports them with more context). @default true */
  reportUnknown?: boolean;
  /** Keys that are not part of this node's schema but are read elsewhere (skipped, not reported). */
  ignore?: readonly string[];
}

/** True when `key` is a required field of `schema`. */
export function isRequired(schema: z.ZodObject, key: string): boolean {
  const field = schema.shape[key] as z.ZodType | undefined;
  return field !== undefined && !field.safeParse(undefined).success;
}

/** Reads the map `node` against `schema`; undefined when the node is not a map. */
export function readObject(ctx: ReadContext, node: Node | null, schema: z.ZodObject, opts: ReadObjectOptions): Fields | undefined {
  if (!isMap(node)) {
    report(
      ctx,
      'WF2003',
      `${opts.what} must be a map of keys to values, got ${describeValue(ctx.source.toJS(node))}`,
      node ? ctx.source.locate(node) : opts.anchor,
    );
    return undefined;
  }
  const shape = schema.shape as Record<string, z.ZodType>;
  const nested = new Set(opts.nested ?? []);
  const byKey = new Map<string, Field>();
  for (const entry of mapEntries(ctx.source.doc, node)) {
    const keyLoc = ctx.source.locate(entry.keyNode);
    if (entry.complexKey) continue; // reported by parseSource (WF1007)
    if (opts.ignore?.includes(entry.key)) continue;
    if (!Object.hasOwn(shape, entry.key)) {
      if (opts.reportUnknown !== false) reportUnknownKey(ctx, entry.key, keyLoc, opts.what, opts.candidates ?? Object.keys(shape), opts.hints);
      continue;
    }
    const loc = entry.value && entry.value.range && entry.value.range[1] > entry.value.range[0] ? ctx.source.locate(entry.value) : keyLoc;
    const field: Field = { key: entry.key, keyNode: entry.keyNode, node: entry.value, value: undefined, ok: true, loc };
    if (!nested.has(entry.key)) {
      const checked = checkValue(ctx, shape[entry.key]!, entry.value, entry.key);
      field.ok = checked.ok;
      if (checked.ok) field.value = checked.value;
    }
    byKey.set(entry.key, field);
  }
  const skip = new Set(opts.skipRequired ?? []);
  for (const key of Object.keys(shape)) {
    if (!byKey.has(key) && !skip.has(key) && isRequired(schema, key)) {
      report(ctx, 'WF2002', `${opts.what} is missing required key "${key}"`, opts.anchor);
    }
  }
  return new Fields(byKey);
}

/** Reports an unknown key with the closest valid key, a known-spelling hint, or the valid keys. */
export function reportUnknownKey(
  ctx: ReadContext,
  key: string,
  loc: Location,
  what: string,
  candidates: readonly string[],
  hints?: Readonly<Record<string, string>>,
): void {
  const note = didYouMean(key, candidates) ?? (hints && Object.hasOwn(hints, key) ? hints[key] : undefined) ?? `valid keys are ${quoteList(candidates)}`;
  report(ctx, 'WF2001', `unknown key "${key}" in ${what}`, loc, note);
}
