/**
 * Reads `params`: the short form (`name: str`) and the full form (`{type, default, description
 * (alias desc), required, options, secret}`). A declared default must fit the declared type (checked with the
 * same coercion run-time input goes through); `choice` needs `options` and only `choice` takes them.
 */
import { namedSecret, SSM_NAME } from './named-secret.ts';
import { isMap, isScalar, type Node } from 'yaml';
import { didYouMean, quoteList, type Location } from '../diagnostics/index.ts';
import { ID_PATTERN, PARAM_TYPES, paramSchema } from './dialect-schemas.ts';
import { describeValue } from './describe-value.ts';
import { mapEntries } from './map-entries.ts';
import type { Param, ParamType } from './model.ts';
import { coerceParam } from './parameterize.ts';
import { report, type ReadContext } from './read-context.ts';
import { readObject } from './read-object.ts';
import { setOwn } from '../expr/index.ts';

const PARAM_HINTS: Record<string, string> = {
  text: 'a param\'s text is written "description" (or "desc")',
};

/** Reads the `params` map; a param whose type cannot be read is reported and left out. */
export function readParams(ctx: ReadContext, node: Node | null, anchor: Location): Record<string, Param> {
  const out: Record<string, Param> = {};
  if (node === null || (isScalar(node) && node.value === null)) return out;
  if (!isMap(node)) {
    report(ctx, 'WF2003', `"params" must be a map of param name to type, got ${describeValue(ctx.source.toJS(node))}`, ctx.source.locate(node) ?? anchor);
    return out;
  }
  for (const entry of mapEntries(ctx.source.doc, node)) {
    const keyLoc = ctx.source.locate(entry.keyNode);
    if (entry.complexKey) continue; // reported by parseSource (WF1007)
    if (!ID_PATTERN.test(entry.key)) {
      report(ctx, 'WF2007', `"${entry.key}" is not a valid param name`, keyLoc, 'param names use only letters, digits, "_" and "-"');
      continue;
    }
    const param = readParam(ctx, entry.key, entry.value, keyLoc);
    if (param) setOwn(out, entry.key, param);
  }
  return out;
}

function readParamType(ctx: ReadContext, name: string, value: unknown, loc: Location): ParamType | undefined {
  if (typeof value === 'string' && (PARAM_TYPES as readonly string[]).includes(value)) return value as ParamType;
  const hint = typeof value === 'string' ? didYouMean(value, PARAM_TYPES) : undefined;
  report(
    ctx,
    'WF2009',
    `param "${name}" has unknown type ${describeValue(value)}`,
    loc,
    hint ?? `param types are ${quoteList(PARAM_TYPES)}`,
  );
  return undefined;
}

function readParam(ctx: ReadContext, name: string, node: Node | null, keyLoc: Location): Param | undefined {
  if (!isMap(node)) {
    const value = ctx.source.toJS(node);
    const type = readParamType(ctx, name, value, node ? ctx.source.locate(node) : keyLoc);
    if (!type) return undefined;
    if (type === 'choice') {
      report(ctx, 'WF2009', `choice param "${name}" needs "options"`, ctx.source.locate(node), `write it in full: ${name}: {type: choice, options: [a, b]}`);
      return undefined;
    }
    return { name, type, hasDefault: false, required: true, secret: false, loc: keyLoc };
  }
  const fields = readObject(ctx, node, paramSchema, {
    what: `param "${name}"`,
    anchor: keyLoc,
    nested: ['type'],
    hints: PARAM_HINTS,
  });
  if (!fields) return undefined;
  const typeField = fields.get('type');
  if (!typeField) return undefined;
  const type = readParamType(ctx, name, ctx.source.toJS(typeField.node), typeField.loc);
  if (!type) return undefined;
  const options = fields.value<unknown[]>('options');
  const optionsField = fields.get('options');
  if (type === 'choice' && !optionsField) {
    report(ctx, 'WF2009', `choice param "${name}" needs "options"`, typeField.loc, 'add options: [a, b, ...]');
  }
  if (type !== 'choice' && optionsField) {
    report(ctx, 'WF2009', `"options" applies only to choice params; param "${name}" is ${type}`, optionsField.loc, 'write type: choice, or remove options');
  }
  const hasDefault = fields.has('default');
  const required = fields.value<boolean>('required');
  const param: Param = {
    name,
    type,
    hasDefault,
    required: !hasDefault && required !== false,
    secret: fields.value<boolean>('secret') ?? false,
    loc: keyLoc,
  };
  if (hasDefault) param.default = fields.get('default')!.value ?? null;
  const descField = fields.get('desc');
  if (fields.has('description') && descField) {
    report(ctx, 'WF2008', `"description" and "desc" are the same field; write only "description"`, descField.loc);
  }
  const description = fields.value<string>('description') ?? fields.value<string>('desc');
  if (description !== undefined) param.description = description;
  if (options) param.options = options;
  const named = namedSecret(param);
  if (named !== undefined && !SSM_NAME.test(named)) {
    report(ctx, 'WF2009', `param "${name}" names the SSM parameter ${JSON.stringify(named)}, which is not a parameter name`, fields.get('default')!.loc, 'a name has letters, digits, _ . - and /, like /prod/db-password');
  }
  if (hasDefault && named === undefined && param.default !== null && (type !== 'choice' || options)) {
    const r = coerceParam(param, param.default);
    if (!r.ok) {
      report(
        ctx,
        'WF2009',
        `default of param "${name}" does not fit its type: expected ${r.error.expected}, got ${describeValue(param.default)}`,
        fields.get('default')!.loc,
        r.error.note,
      );
      }
  }
  if (hasDefault && required === true) {
    report(
      ctx,
      'WF2009',
      `param "${name}" has a default, so "required: true" has no effect`,
      fields.get('required')!.loc,
      'remove "required: true", or remove the default to make callers give a value',
      'warning',
    );
  }
  return param;
}
