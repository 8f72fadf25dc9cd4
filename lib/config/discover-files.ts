import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The YAML files (`*.yml`, `*.yaml`) under `dir`, recursively, sorted by path; hidden entries and
 * `node_modules` are skipped. `dir` may also be a single file. Paths are `join(dir, relative)`, so
 * a relative `dir` gives paths relative to the working directory and an absolute one absolute paths.
 * Throws when `dir` cannot be read.
 */
export function discoverFiles(dir: string): string[] {
  if (statSync(dir).isFile()) return [dir];
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(e.name) && (e.isFile() || e.isSymbolicLink())) out.push(p);
    }
  };
  walk(dir);
  return out;
}
