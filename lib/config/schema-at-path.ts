/**
 * Walks a zod schema along an issue path (object keys, array items, record values), unwrapping
 * optional/default/lazy wrappers, to find the schema a nested issue is about: its keys feed "did you
 * mean", its description feeds "must be ...".
 */
import type { z } from 'zod';

interface Def {
  type: string;
  innerType?: z.ZodType;
  getter?: () => z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional']);

/** The schema without optional/default/lazy/pipe wrappers. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'lazy' && def.getter) s = def.getter();
    else if (def.type === 'pipe' && def.in) s = def.in;
    else break;
  }
  return s;
}

/** The first description found on the schema or one of its wrappers. */
export function describeSchema(schema: z.ZodType | undefined): string | undefined {
  let s = schema;
  for (let i = 0; s && i < 20; i++) {
    if (s.description) return s.description;
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'lazy' && def.getter) s = def.getter();
    else return undefined;
  }
  return undefined;
}

/** The keys of an object schema (or of the object options of a union), or undefined when there are none. */
export function objectKeys(schema: z.ZodType | undefined): string[] | undefined {
  if (!schema) return undefined;
  const def = defOf(unwrapSchema(schema));
  if (def.type === 'object' && def.shape) return Object.keys(def.shape);
  if (def.type !== 'union') return undefined;
  const keys = (def.options ?? []).flatMap((o) => objectKeys(o) ?? []);
  return keys.length ? [...new Set(keys)] : undefined;
}

/** The schema at `path` below `schema`, or undefined when the path leaves it. */
export function schemaAtPath(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const seg of path) {
    if (!s) return undefined;
    s = step(unwrapSchema(s), seg);
  }
  return s;
}

function step(schema: z.ZodType, seg: PropertyKey): z.ZodType | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'object':
      return def.shape?.[String(seg)];
    case 'array':
      return typeof seg === 'number' ? def.element : undefined;
    case 'record':
      return def.valueType;
    case 'union':
      for (const option of def.options ?? []) {
        const inner = step(unwrapSchema(option), seg);
        if (inner) return inner;
      }
      return undefined;
    default:
      return undefined;
  }
}
