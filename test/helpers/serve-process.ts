/** A `wf serve` process in tests: wait until it listens (its URL), stop it. */
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A started `wf serve`: the process, its URL, and what it wrote on stderr so far. */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: string[];
}

/** Resolves once a spawned `wf serve --port 0` prints its URL; rejects if it exits or takes over 30 s. */
export async function whenListening(child: ChildProcess): Promise<ServeProcess> {
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wf serve did not start: ${stderr.join('')}`)), 30_000);
    lines.on('line', (line) => {
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`wf serve exited with ${code}: ${stderr.join('')}`)));
  });
  return { child, url, stderr };
}

/** Stops a `wf serve` with SIGTERM and resolves with its exit code. */
export function stopServe(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}
