import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RunnerError, thrownText } from './runner-error.ts';

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
 * returns their absolute paths. TypeScript loads because the CLI runs under tsx. A missing file
 * or a module that throws while loading is a `RegistryError` naming the path.
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
    const url = pathToFileURL(abs).href;
    try {
      await import(url);
    } catch (err) {
      throw new RunnerError('RegistryError', `registry module "${p}" failed to load: ${thrownText(err)}`);
    }
    if (!loadedUrls.includes(url)) loadedUrls.push(url);
    loaded.push(abs);
  }
  return loaded;
}
