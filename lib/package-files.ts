/**
 * Where this package's own files are, whether it runs from its TypeScript sources (the repository,
 * under tsx or vitest) or from its build (`dist/`, what npm installs). Code that names one of the
 * package's files by path (a script to spawn, an entry to bundle, the Python runner) asks here.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when this module is the TypeScript source (the repository), false when it is the build. */
export const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The root of the code that runs: the repository when from sources, else `dist/`. */
export const CODE_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The package's root: where package.json and functions/py-runner are. */
export const PACKAGE_ROOT = FROM_SOURCES ? CODE_ROOT : join(CODE_ROOT, '..');

/** A module of the package by its path without extension (`lib/local/audit-server`): `.ts` from sources, `.js` from the build. */
export function codeFile(path: string): string {
  return join(CODE_ROOT, `${path}${FROM_SOURCES ? '.ts' : '.js'}`);
}

/**
 * True inside a bundle (the stage-runner Lambda's code, where every module shares the bundle's
 * one file): there, the registry modules are part of that very file.
 */
export const BUNDLED = !FROM_SOURCES && !/\/lib\/package-files\.js$/.test(new URL(import.meta.url).pathname);
