/**
 * Bundles the web console's page (console/, preact and dagre) into one script and one style
 * sheet with esbuild: at build time into `dist/console/` (scripts/build-console.mjs), and in memory
 * on first request when `wf serve` runs from the TypeScript sources. Nothing is fetched at run
 * time: the libraries are inside the bundle.
 */
import { join } from 'node:path';
import { build } from 'esbuild';
import { PACKAGE_ROOT } from '../../package-files.ts';

/** The console's bundled files. */
export interface ConsoleBundle {
  js: string;
  css: string;
}

/** The console's entry module. */
export const CONSOLE_ENTRY = join(PACKAGE_ROOT, 'console', 'main.tsx');

/** Bundles the console (see the file comment). */
export async function bundleConsole(): Promise<ConsoleBundle> {
  const result = await build({
    entryPoints: [CONSOLE_ENTRY],
    bundle: true,
    write: false,
    outdir: 'console',
    entryNames: 'console',
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'silent',
  });
  const text = (ext: string): string => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  return { js: text('.js'), css: text('.css') };
}
