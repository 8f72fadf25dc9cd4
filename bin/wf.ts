#!/usr/bin/env node
// The `wf` command: everything lives in lib/cli; this file only hands it argv and the exit code.
import module from 'node:module';

// Node 22 keeps the compiled code of the modules wf loads on disk, for the next start (no-op on 20).
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// The AWS SDK warns on every start that it will need Node 22 from 2027; the CLI works on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { installCrashHandlers, runCli } = await import('../lib/cli/run-cli.ts');

installCrashHandlers();
process.exitCode = await runCli(process.argv.slice(2));
