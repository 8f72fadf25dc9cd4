#!/usr/bin/env node
// The `wf` command run from the TypeScript sources (the repository's tests and development): the
// same bin/wf.ts that the build compiles to dist/bin/wf.js, loaded through tsx.
const { register } = await import('tsx/esm/api');
register();
await import('./wf.ts');
