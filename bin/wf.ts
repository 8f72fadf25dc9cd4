// The `wf` command: everything lives in lib/cli; this file only hands it argv and the exit code.
import { installCrashHandlers, runCli } from '../lib/cli/index.ts';

installCrashHandlers();
process.exitCode = await runCli(process.argv.slice(2));
