// In a checkout of this repository (after `npm install` or `npm ci`), links node_modules/.bin/wf to
// bin/wf.js, the command run from the TypeScript sources, so that tools that look for a project's
// own `wf` there find it. Elsewhere (the package installed as a dependency, or packed) it does nothing.
import { existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'node_modules', '.bin');
const target = join(root, 'bin', 'wf.js');
if (!root.split(sep).includes('node_modules') && existsSync(join(root, 'node_modules')) && existsSync(target)) {
  mkdirSync(bin, { recursive: true });
  const link = join(bin, 'wf');
  try {
    if (lstatSync(link)) unlinkSync(link);
  } catch {
    // no link yet
  }
  symlinkSync(relative(bin, target), link);
}
