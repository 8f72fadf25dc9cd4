#!/usr/bin/env node
// Launcher for the `wf` command: loads the TypeScript sources through tsx.
// The AWS SDK warns on every start that it will need Node 22 from 2027; the CLI works on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { register } = await import('tsx/esm/api');
register();
await import('./wf.ts');
