import { renderTemplate } from './render-template.ts';
import type { EvalContext, RenderMode } from './types.ts';
import { setOwn } from './set-own.ts';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Renders every template in a value: strings through `renderTemplate`, lists and objects
 * recursively into new ones (object keys are not templated), other values unchanged.
 * @param mode how embedded non-string values are written. @default 'text'
 */
export function renderValue(raw: unknown, ctx: EvalContext, mode: RenderMode = 'text'): unknown {
  if (typeof raw === 'string') return renderTemplate(raw, ctx, mode);
  if (Array.isArray(raw)) return raw.map((x) => renderValue(x, ctx, mode));
  if (isPlainObject(raw)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw)) setOwn(out, k, renderValue(v, ctx, mode));
    return out;
  }
  return raw;
}
