import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileRegistryModule, TYPESCRIPT_MODULE } from './compile-registry-module.ts';
import { RunnerError, thrownText } from './runner-error.ts';

/** A clearer text for an import of a package that is not installed where the module is. */
function unresolvedImport(err: unknown, module: string): string | undefined {
  const e = err as { code?: string; message?: string };
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || typeof e.message !== 'string') return undefined;
  const name = /Cannot find (?:package|module) '([^']+)'/.exec(e.message)?.[1];
  if (name === undefined || name.startsWith('/') || name.startsWith('file:')) return undefined;
  return `it imports "${name}", which is not installed for ${dirname(module)} (install it there: npm install ${name})`;
}

/** Where registry modules are looked for. */
export interface LoadRegistryOptions {
  /** Base of relative paths. @default process.cwd() */
  cwd?: string;
}

const loadedUrls: string[] = [];

/** The file URLs of the registry modules loaded so far, in load order (what a call worker imports). */
export function registryModuleUrls(): string[] {
  return [...loadedUrls];
}

/** Splits `--registry` values and `WORKFLOW_CORE_REGISTRY_CALLER` text on commas, dropping blanks. */
export function splitRegistryPaths(values: Iterable<string | undefined>): string[] {
  const out: string[] = [];
  for (const v of values) for (const p of (v ?? '').split(',')) if (p.trim()) out.push(p.trim());
  return out;
}

/**
 * Imports the TypeScript or JavaScript modules whose `tag(...)` calls register `call` functions
 * (`--registry PATH`, `WORKFLOW_CORE_REGISTRY_CALLER`; comma-separated lists are split) and
 * returns their absolute paths. TypeScript is compiled first (see compile-registry-module.ts). A
 * missing file, a module that does not compile, an import that does not resolve, or a module that
 * throws while loading is a `RegistryError` naming the path.
 */
export async function loadRegistryModules(paths: Iterable<string>, options: LoadRegistryOptions = {}): Promise<string[]> {
  const cwd = options.cwd ?? process.cwd();
  const loaded: string[] = [];
  for (const p of splitRegistryPaths(paths)) {
    const abs = resolve(cwd, p);
    const info = await stat(abs).catch(() => undefined);
    if (!info?.isFile()) {
      throw new RunnerError(
        'RegistryError',
        `registry module "${p}" not found (looked for ${abs})${info ? ': it is not a file' : ''}`,
      );
    }
    const url = TYPESCRIPT_MODULE.test(abs) ? await compileRegistryModule(abs, p, cwd) : pathToFileURL(abs).href;
    try {
      await import(url);
    } catch (err) {
      throw new RunnerError('RegistryError', `registry module "${p}" failed to load: ${unresolvedImport(err, abs) ?? thrownText(err)}`);
    }
    if (!loadedUrls.includes(url)) loadedUrls.push(url);
    loaded.push(abs);
  }
  return loaded;
}
