/**
 * The process-global registry of `call` functions: registry → function alias → tag → entry.
 * It lives on `globalThis` under a `Symbol.for` key, so that a registry module importing `tag`
 * from another copy of this package (the published one, a bundle) still registers into the
 * registry the runner reads.
 */
import type { ZodType } from 'zod';
import { didYouMean, quoteList } from '../diagnostics/index.ts';

/** A registered `call` function. */
export interface RegisteredFunction {
  registry: string;
  alias: string;
  tag: string;
  /** The argument schema (a zod object schema), when one was declared. */
  schema?: ZodType;
  fn: (args: never) => unknown;
}

type Store = Map<string, Map<string, Map<string, RegisteredFunction>>>;

const STORE_KEY = Symbol.for('sfn-workflow.call-registry');

/** The process-global store. */
export function registryStore(): Store {
  const g = globalThis as { [STORE_KEY]?: Store };
  g[STORE_KEY] ??= new Map();
  return g[STORE_KEY];
}

/** Adds (or replaces: the last registration wins) an entry. */
export function registerFunction(entry: RegisteredFunction): void {
  const store = registryStore();
  let fns = store.get(entry.registry);
  if (!fns) store.set(entry.registry, (fns = new Map()));
  let tags = fns.get(entry.alias);
  if (!tags) fns.set(entry.alias, (tags = new Map()));
  tags.set(entry.tag, entry);
}

/** Removes every registered function (for tests and long-lived hosts that reload modules). */
export function clearRegistry(): void {
  registryStore().clear();
}

/** Every registered function as `registry/alias@tag`, sorted. */
export function listFunctions(): string[] {
  const out: string[] = [];
  for (const [registry, fns] of registryStore()) {
    for (const [alias, tags] of fns) for (const tag of tags.keys()) out.push(`${registry}/${alias}@${tag}`);
  }
  return out.sort();
}

/** The parts of a `uses` reference. */
export interface UsesRef {
  registry: string;
  alias: string;
  tag: string;
}

const USES = /^([^/@\s]+)\/([^/@\s]+)(?:@([^/@\s]+))?$/;

/** Splits `registry/function@tag` (the tag defaults to `latest`); undefined when malformed. */
export function parseUses(uses: string): UsesRef | undefined {
  const m = USES.exec(uses.trim());
  if (!m) return undefined;
  return { registry: m[1]!, alias: m[2]!, tag: m[3] ?? 'latest' };
}

/** Outcome of {@link lookupFunction}: the entry, or a message and a note for a diagnostic. */
export type LookupResult =
  | { ok: true; entry: RegisteredFunction }
  | { ok: false; message: string; note?: string };

function sorted(names: Iterable<string>): string[] {
  return [...names].sort();
}

function note(word: string, kind: string, names: string[]): string {
  const hint = didYouMean(word, names);
  return `${kind} ${quoteList(names)}${hint ? `; ${hint}` : ''}`;
}

/**
 * Finds the function a `uses` reference names. When there is none the message says which part is
 * unknown and the note lists what exists, with a "did you mean" when one is close.
 */
export function lookupFunction(uses: string): LookupResult {
  const ref = parseUses(uses);
  if (!ref) {
    return {
      ok: false,
      message: `uses ${JSON.stringify(uses)} is not of the form <registry>/<function>@<tag>`,
      note: 'e.g. uses: tasks/process_csv@latest',
    };
  }
  const store = registryStore();
  const fns = store.get(ref.registry);
  if (!fns) {
    if (store.size === 0) {
      return {
        ok: false,
        message: `unknown registry "${ref.registry}" in uses "${uses}": no function is registered`,
        note: 'load the module that calls tag(...) with --registry PATH (or WORKFLOW_CORE_REGISTRY_CALLER)',
      };
    }
    return {
      ok: false,
      message: `unknown registry "${ref.registry}" in uses "${uses}"`,
      note: note(ref.registry, 'registered registries are', sorted(store.keys())),
    };
  }
  const tags = fns.get(ref.alias);
  if (!tags) {
    return {
      ok: false,
      message: `registry "${ref.registry}" has no function "${ref.alias}" (uses "${uses}")`,
      note: note(ref.alias, 'its functions are', sorted(fns.keys())),
    };
  }
  const entry = tags.get(ref.tag);
  if (!entry) {
    return {
      ok: false,
      message: `function "${ref.registry}/${ref.alias}" has no tag "${ref.tag}" (uses "${uses}")`,
      note: note(ref.tag, 'its tags are', sorted(tags.keys())),
    };
  }
  return { ok: true, entry };
}
