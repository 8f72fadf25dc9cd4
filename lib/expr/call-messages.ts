/**
 * Messages shared by the static checker and the evaluator for calls and filters, so a problem
 * reads the same whether it is found at validate time or at run time.
 */
import { didYouMean, quoteList } from '../diagnostics/index.ts';
import { FILTER_NAMES, lookupFilter } from './filters.ts';
import { FUNCTION_NAMES, lookupFunction } from './functions.ts';

/** A message and a note. */
export interface MessageAndNote {
  message: string;
  note?: string;
}

function count(n: number): string {
  return `${n} argument${n === 1 ? '' : 's'}`;
}

function expected(min: number, max: number): string {
  if (min === max) return count(min);
  if (max === Infinity) return `at least ${count(min)}`;
  return `${min} to ${max} arguments`;
}

/** `contains() takes 2 arguments, got 1`, or undefined when the count fits. */
export function arityMessage(kind: 'function' | 'filter', spec: { name: string; minArgs: number; maxArgs: number; usage: string }, given: number): MessageAndNote | undefined {
  if (given >= spec.minArgs && given <= spec.maxArgs) return undefined;
  const what = kind === 'function' ? `${spec.name}()` : `filter "${spec.name}"`;
  const extra = kind === 'filter' ? ' (besides the value on its left)' : '';
  return { message: `${what} takes ${expected(spec.minArgs, spec.maxArgs)}${extra}, got ${given}`, note: `usage: ${spec.usage}` };
}

/** The message for a call of a function that does not exist. */
export function unknownFunctionMessage(name: string): MessageAndNote {
  if (lookupFilter(name)) return { message: `unknown function "${name}"`, note: `"${name}" is a filter: write value | ${name}` };
  const hint = didYouMean(name, FUNCTION_NAMES);
  return { message: `unknown function "${name}"`, note: hint ?? `functions are ${quoteList(FUNCTION_NAMES)}` };
}

/** The message for a filter that does not exist. */
export function unknownFilterMessage(name: string): MessageAndNote {
  const fn = lookupFunction(name);
  if (fn) return { message: `unknown filter "${name}"`, note: `"${fn.name}" is a function: write ${fn.name}(value)` };
  const hint = didYouMean(name, FILTER_NAMES);
  return { message: `unknown filter "${name}"`, note: hint ?? `filters are ${quoteList(FILTER_NAMES)}` };
}
