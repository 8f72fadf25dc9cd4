/**
 * One `.confignore` pattern as a matcher over paths relative to the config directory, in the
 * gitignore style: `*` and `?` stay within one path segment, `**` spans any number of segments,
 * `[abc]`/`[a-z]`/`[!a]` are character classes, `\` escapes the next character. A pattern with a `/`
 * before its end is anchored at the config directory (a leading `/` is optional); one without
 * matches a name at any depth. A trailing `/` matches directories only. A YAML file's name also
 * matches without its `.yml`/`.yaml` extension, so `*_draft` ignores `etl_draft.yml`.
 */

/** A compiled pattern: does it match `path` (relative, `/`-separated), a directory or a file? */
export type GlobMatcher = (path: string, isDir: boolean) => boolean;

/** Compiles one pattern (already trimmed, without `!`). */
export function compileGlob(pattern: string): GlobMatcher {
  const dirOnly = pattern.endsWith('/');
  let body = dirOnly ? pattern.slice(0, -1) : pattern;
  const anchored = body.includes('/');
  if (body.startsWith('/')) body = body.slice(1);
  const re = new RegExp(`^${anchored ? '' : '(?:.*/)?'}${globBody(body)}$`, 'u');
  return (path, isDir) => {
    if (dirOnly && !isDir) return false;
    if (re.test(path)) return true;
    return !isDir && /\.ya?ml$/i.test(path) && re.test(path.replace(/\.ya?ml$/i, ''));
  };
}

function globBody(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const atStart = i === 0 || glob[i - 1] === '/';
      const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
      if (atStart && atEnd) {
        // `**/` any leading directories (or none); a final `**` everything below.
        if (i + 2 === glob.length) out += '.*';
        else {
          out += '(?:.*/)?';
          i++;
        }
        i++;
        continue;
      }
      out += '[^/]*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) {
        out += '\\[';
        continue;
      }
      let set = glob.slice(i + 1, close);
      const negate = set.startsWith('!') || set.startsWith('^');
      if (negate) set = set.slice(1);
      out += `[${negate ? '^/' : ''}${set.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < glob.length) {
      out += escapeRe(glob[++i]!);
    } else out += escapeRe(c);
  }
  return out;
}

function escapeRe(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
