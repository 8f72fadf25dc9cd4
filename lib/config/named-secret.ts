/**
 * A secret param's default may name a stored secret instead of holding a value:
 * `default: {ssm: /prod/db-password}` names an AWS Systems Manager Parameter Store parameter
 * (SecureString or String). A run that is not given the param reads it when it starts (the stage
 * runner's `prepare`, whose role may read exactly the parameters workflows name), so a scheduled
 * start needs no value and the definition holds only the name. A local run cannot read AWS: it
 * asks for the value (`-p name=...`).
 */
import type { Param } from './model.ts';

/** The Parameter Store names accept letters, digits, `_ . - /`; a path starts with `/`. */
export const SSM_NAME = /^\/?[A-Za-z0-9_.\-/]{1,2000}$/;

/** The parameter a secret param's default names, or undefined when it names none. */
export function namedSecret(param: Pick<Param, 'secret' | 'default' | 'hasDefault'>): string | undefined {
  if (!param.secret || !param.hasDefault) return undefined;
  const d = param.default;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return undefined;
  const keys = Object.keys(d);
  const name = (d as { ssm?: unknown }).ssm;
  return keys.length === 1 && typeof name === 'string' ? name : undefined;
}
