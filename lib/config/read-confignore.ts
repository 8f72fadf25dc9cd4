/**
 * Reads a config directory's `.confignore`: one glob pattern a line (see compile-glob.ts), `#`
 * starts a comment line, blank lines are skipped, `!pattern` loads again what an earlier pattern
 * left out. The last pattern that matches a path (or one of its directories) decides.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileGlob, type GlobMatcher } from './compile-glob.ts';

/** The name of the ignore file in a config directory. */
export const CONFIGNORE = '.confignore';

/** Decides whether a path relative to the config directory is left out. */
export type IgnoreRule = (path: string, isDir: boolean) => boolean;

/** The rule of `dir`'s `.confignore` (nothing is ignored when there is none). */
export function readConfignore(dir: string): IgnoreRule {
  const file = join(dir, CONFIGNORE);
  return existsSync(file) ? confignoreRule(readFileSync(file, 'utf8')) : () => false;
}

/** The rule of a `.confignore` text. */
export function confignoreRule(text: string): IgnoreRule {
  const rules: { negate: boolean; match: GlobMatcher }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    const pattern = negate ? line.slice(1) : line;
    if (pattern === '' || pattern === '/') continue;
    rules.push({ negate, match: compileGlob(pattern) });
  }
  if (rules.length === 0) return () => false;
  return (path, isDir) => {
    const segments = path.split('/');
    let ignored = false;
    for (const rule of rules) {
      // A pattern that matches a parent directory covers everything below it.
      for (let n = 1; n <= segments.length; n++) {
        const last = n === segments.length;
        if (rule.match(segments.slice(0, n).join('/'), last ? isDir : true)) {
          ignored = !rule.negate;
          break;
        }
      }
    }
    return ignored;
  };
}
