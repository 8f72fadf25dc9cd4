#!/usr/bin/env node
// Bundles the web console (console/, with preact and dagre) into dist/console/console.js and
// console.css, with the same esbuild settings `wf serve` uses from the sources. Runs after tsc.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { bundleConsole } = await import(join(root, 'dist/lib/serve/console/bundle-console.js'));
const out = join(root, 'dist/console');
mkdirSync(out, { recursive: true });
const { js, css } = await bundleConsole();
writeFileSync(join(out, 'console.js'), js);
writeFileSync(join(out, 'console.css'), css);
console.log(`dist/console: console.js ${js.length} bytes, console.css ${css.length} bytes`);
