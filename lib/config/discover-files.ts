import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readConfignore } from './read-confignore.ts';

/**
 * The YAML files (`*.yml`, `*.yaml`) under `dir`, recursively, sorted by path; hidden entries,
 * `node_modules` and what `dir`'s `.confignore` lists are skipped. `dir` may also be a single file.
 * Paths are `join(dir, relative)`, so a relative `dir` gives paths relative to the working directory
 * and an absolute one absolute paths. Throws when `dir` cannot be read.
 */
export function discoverFiles(dir: string): string[] {
  if (statSync(dir).isFile()) return [dir];
  const ignored = readConfignore(dir);
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!ignored(r, true)) walk(p, r);
      } else if (/\.ya?ml$/i.test(e.name) && (e.isFile() || e.isSymbolicLink()) && !ignored(r, false)) out.push(p);
    }
  };
  walk(dir, '');
  return out;
}
