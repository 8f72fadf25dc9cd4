/** The local audit server daemon a test's `wf` processes started for a state folder. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Stops the audit server daemon of a state folder (`.wf`), when its `server.json` names one. */
export function stopAuditServer(state: string): void {
  const file = join(state, 'audit', 'server.json');
  if (!existsSync(file)) return;
  try {
    process.kill((JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid, 'SIGTERM');
  } catch {
    // already gone
  }
}
