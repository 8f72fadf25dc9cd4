/**
 * Turns a TypeScript registry module into a JavaScript module Node imports as is, the way the CDK
 * bundles it into the stage-runner Lambda: esbuild bundles the module with its relative imports
 * into one ES module, `sfn-workflow` aliased to the package's `tag` module, every package import
 * left to Node as the file it resolves to from where it is imported (so a package that is not
 * installed is reported when compiling, at the import). The result goes under `.wf/registry/` of
 * the module's project (the nearest folder above it with a package.json), and loads whatever the
 * project's module type (`"type": "module"` or not). Nothing else compiles
 * TypeScript at run time, and only a run that loads a TypeScript registry module pays for it; a
 * manifest beside the output lists the files it was built from (with their sizes and times), so
 * an unchanged module is imported again without running esbuild.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { isBuiltin } from 'node:module';
import { codeFile } from '../package-files.ts';
import { RunnerError } from './runner-error.ts';

/** File names esbuild compiles; others are imported as they are. */
export const TYPESCRIPT_MODULE = /\.[cm]?tsx?$/;

function projectRootOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return dirname(file);
  }
}

/**
 * Leaves every package import to Node, as the absolute file esbuild resolves it to from the file
 * that imports it: a package resolves where the module is (its project's node_modules), wherever
 * the compiled output is written. `sfn-workflow` is left to the alias (the package's `tag`).
 */
const packagesWhereTheyAre: Plugin = {
  name: 'packages-where-they-are',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === OWN || isBuiltin(args.path) || args.path === 'sfn-workflow') return undefined;
      const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: OWN });
      if (found.errors.length) return { errors: found.errors };
      return found.external ? { path: args.path, external: true } : { path: pathToFileURL(found.path).href, external: true };
    });
  },
};
const OWN = Symbol('packages-where-they-are');

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number; lineText?: string } | null;
}

function messageText(m: EsbuildMessage, cwd: string): string {
  const at = m.location ? `${relative(cwd, m.location.file) || m.location.file}:${m.location.line}:${m.location.column + 1}: ` : '';
  return `${at}${m.text}`;
}

/**
 * Compiles the registry module at `file` (absolute; `shown` is how the user named it) and returns
 * the file URL of the JavaScript to import. A module that does not compile, or whose relative
 * imports do not resolve, is a `RegistryError` listing esbuild's messages at file:line:col.
 */
export async function compileRegistryModule(file: string, shown: string, cwd: string = process.cwd()): Promise<string> {
  const root = projectRootOf(file);
  const dir = join(root, '.wf', 'registry');
  const manifestFile = join(dir, `${basename(file).replace(TYPESCRIPT_MODULE, '')}-${createHash('sha256').update(file).digest('hex').slice(0, 12)}.json`);
  const cached = upToDate(manifestFile);
  if (cached) return pathToFileURL(cached).href;

  const { build } = await import('esbuild');
  let code: string;
  let inputs: string[];
  try {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      sourcemap: 'inline',
      sourceRoot: dirname(file),
      alias: { 'sfn-workflow': codeFile('lib/runtime/tag') },
      plugins: [packagesWhereTheyAre],
      banner: { js: "import { createRequire as __wfCreateRequire } from 'node:module'; const require = __wfCreateRequire(import.meta.url);" },
      metafile: true,
      logLevel: 'silent',
    });
    code = result.outputFiles[0]!.text;
    inputs = Object.keys(result.metafile.inputs).map((p) => resolve(p));
  } catch (e) {
    const errors = (e as { errors?: EsbuildMessage[] }).errors;
    const text = errors?.length ? errors.map((m) => messageText(m, cwd)).join('\n') : String(e);
    throw new RunnerError('RegistryError', `registry module "${shown}" does not compile:\n${text}`);
  }
  const out = join(dir, `${basename(file).replace(TYPESCRIPT_MODULE, '')}-${createHash('sha256').update(file).update('\0').update(code).digest('hex').slice(0, 12)}.mjs`);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(out) || readFileSync(out, 'utf8') !== code) writeFileSync(out, code);
  const manifest: Manifest = { out, inputs: Object.fromEntries(inputs.map((p) => [p, stamp(p)])) };
  writeFileSync(manifestFile, JSON.stringify(manifest));
  return pathToFileURL(out).href;
}

/** What an earlier compile was built from: each input's size and modification time. */
interface Manifest {
  out: string;
  inputs: Record<string, string | null>;
}

function stamp(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

/** The output of an earlier compile when none of its inputs changed since. */
function upToDate(manifestFile: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    if (!existsSync(manifest.out)) return undefined;
    for (const [path, was] of Object.entries(manifest.inputs)) if (stamp(path) !== was) return undefined;
    return manifest.out;
  } catch {
    return undefined;
  }
}
