import type { z, ZodType } from 'zod';
import { registerFunction } from './registry.ts';

/** How a function is registered. */
export interface TagOptions<S extends ZodType | undefined = ZodType | undefined> {
  /** The function's name in `uses: <registry>/<alias>@<tag>`. */
  alias: string;
  /** @default 'latest' */
  tag?: string;
  /** A zod object schema the arguments (`with`) are checked and parsed with before the call. */
  schema?: S;
}

type Args<S> = S extends ZodType ? z.output<S> : Record<string, unknown>;

const NAME = /^[^/@\s]+$/;

/**
 * Registers `fn` as the `call` function `<registry>/<alias>@<tag>` and returns it unchanged.
 * The function receives the (schema-parsed) arguments and returns a plain object: the stage's
 * outputs. Registering the same name and tag twice keeps the last one.
 *
 * @example
 * export const greet = tag('tasks', { alias: 'greet', schema: z.object({ who: z.string() }) },
 *   ({ who }) => ({ message: `hello ${who}` }));
 */
export function tag<S extends ZodType | undefined = undefined, F extends (args: Args<S>) => unknown = (args: Args<S>) => unknown>(
  registry: string,
  options: TagOptions<S>,
  fn: F,
): F {
  const tagName = options.tag ?? 'latest';
  for (const [what, value] of [['registry', registry], ['alias', options.alias], ['tag', tagName]] as const) {
    if (typeof value !== 'string' || !NAME.test(value)) {
      throw new TypeError(`tag(): ${what} ${JSON.stringify(value)} must be a non-empty name without "/", "@" or spaces`);
    }
  }
  if (typeof fn !== 'function') throw new TypeError(`tag(): "${registry}/${options.alias}" must be given a function`);
  registerFunction({
    registry,
    alias: options.alias,
    tag: tagName,
    ...(options.schema ? { schema: options.schema } : {}),
    fn: fn as (args: never) => unknown,
  });
  return fn;
}
