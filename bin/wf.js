#!/usr/bin/env node
// The `wf` command run from the repository (tests and development). It runs the build (dist/, which
// `npm install` makes) when that is newer than every source file, since the build starts about twice
// as fast as the sources through tsx; otherwise, or with WF_FROM_SOURCES=1, the TypeScript sources.
import { readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const built = new URL('dist/bin/wf.js', root);

/** The newest modification time of the files under `dir`. */
function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const url = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    t = Math.max(t, entry.isDirectory() ? newest(url) : statSync(url).mtimeMs);
  }
  return t;
}

function buildIsCurrent() {
  if (process.env.WF_FROM_SOURCES === '1') return false;
  try {
    const at = statSync(built).mtimeMs;
    return ['lib/', 'bin/', 'functions/', 'console/', 'scripts/'].every((d) => newest(new URL(d, root)) <= at);
  } catch {
    return false;
  }
}

if (buildIsCurrent()) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./wf.ts');
}
