/**
 * Runs `call` functions in worker threads, where a function that never returns (a busy loop, a
 * hung await) can be stopped: the stage's timeout or cancel terminates the worker. A worker imports
 * the modules that registered the functions (the `--registry` modules, or the stage-runner bundle
 * itself), so its registry holds the same entries; it is kept and reused for later calls until a
 * call has to be stopped. Arguments go in and outputs come back as JSON-compatible data.
 */
import { Worker } from 'node:worker_threads';
import { BUNDLED } from '../package-files.ts';
import { registryModuleUrls } from './load-registry-modules.ts';

/** What a function call came to, as the worker reports it. */
export type CallOutcome =
  | { kind: 'returned'; json?: string }
  | { kind: 'not-object'; what: string }
  | { kind: 'not-json'; text: string }
  | { kind: 'threw'; name: string; message?: string; text: string }
  | { kind: 'missing' }
  | { kind: 'exited'; text: string };

/** The function to run: its registry coordinates (resolved by the caller) and its checked arguments. */
export interface WorkerCall {
  registry: string;
  alias: string;
  tag: string;
  args: unknown;
}

// The worker's code: plain JavaScript (it runs inside a Lambda bundle too). It imports the modules
// (JavaScript: TypeScript registry modules are compiled when loaded), then answers `{id, call}`
// messages with outcomes.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const STORE = Symbol.for('sfn-workflow.call-registry');
const textOf = (v) => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined || typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function') return String(v);
  try { const j = JSON.stringify(v); if (j !== undefined && j !== '{}') return j; } catch {}
  return require('node:util').inspect(v, { depth: 2, breakLength: Infinity });
};
const isPlain = (v) => { if (typeof v !== 'object' || v === null || Array.isArray(v)) return false; const p = Object.getPrototypeOf(v); return p === Object.prototype || p === null; };
const kindOf = (v) => v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an instance of ' + ((v.constructor && v.constructor.name) || 'a class') : 'a ' + typeof v;
for (const stream of ['stdout', 'stderr']) {
  process[stream].write = (chunk, encoding, cb) => {
    parentPort.postMessage({ output: stream, text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8') });
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') done();
    return true;
  };
}
const ready = (async () => {
  for (const url of workerData.modules) await import(url);
})();
parentPort.on('message', async ({ id, call }) => {
  let outcome;
  try {
    await ready;
    const entry = globalThis[STORE]?.get(call.registry)?.get(call.alias)?.get(call.tag);
    if (!entry) outcome = { kind: 'missing' };
    else {
      let returned;
      try { returned = await entry.fn(call.args); }
      catch (e) { outcome = e instanceof Error ? { kind: 'threw', name: e.name, message: e.message, text: String(e) } : { kind: 'threw', name: 'Error', text: textOf(e) }; }
      if (!outcome) {
        if (returned === undefined) outcome = { kind: 'returned' };
        else if (!isPlain(returned)) outcome = { kind: 'not-object', what: kindOf(returned) };
        else { try { outcome = { kind: 'returned', json: JSON.stringify(returned) }; } catch (e) { outcome = { kind: 'not-json', text: e instanceof Error ? e.message : String(e) }; } }
      }
    }
  } catch (e) {
    outcome = { kind: 'exited', text: 'its registry modules failed to load in the worker: ' + String(e) };
  }
  parentPort.postMessage({ id, outcome });
});
`;

interface Pooled {
  worker: Worker;
  busy: boolean;
  /** Where what the function prints goes during a call (console.log and friends); the process's own streams otherwise. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

const idle = new Map<string, Pooled[]>();
let nextId = 0;

/** The modules a worker imports; undefined when no worker can run calls here. */
function workerSetup(): { modules: string[] } | undefined {
  const modules = registryModuleUrls();
  // Inside a bundle (the stage-runner Lambda) the registry modules are part of this very file.
  if (!modules.length && BUNDLED) modules.push(import.meta.url);
  return modules.length ? { modules } : undefined;
}

function takeWorker(key: string, setup: { modules: string[] }): Pooled {
  const free = idle.get(key)?.pop();
  if (free) return free;
  // The worker's code is a CommonJS script: a parent started with `--input-type=module` must not pass that on.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: setup, execArgv });
  const pooled: Pooled = { worker, busy: false };
  // What a function prints comes as messages on the same port as its answer, so in order with it.
  worker.on('message', (m: { output?: 'stdout' | 'stderr'; text?: string }) => {
    if (m.output !== 'stdout' && m.output !== 'stderr') return;
    const chunk = Buffer.from(String(m.text ?? ''));
    if (pooled.onOutput) pooled.onOutput(m.output, chunk);
    else process[m.output].write(chunk);
  });
  return pooled;
}

function release(key: string, p: Pooled): void {
  p.busy = false;
  p.worker.unref();
  let list = idle.get(key);
  if (!list) idle.set(key, (list = []));
  list.push(p);
}

/**
 * Calls a registered function in a worker thread. Resolves to its outcome, or to undefined when
 * calls cannot run in a worker here (no registry module is known: the function was registered by
 * the host process itself), in which case the caller runs it in-process. Aborting `signal`
 * terminates the worker; the promise then never settles (the caller has already given up).
 */
export function callInWorker(call: WorkerCall, signal?: AbortSignal, onOutput?: Pooled['onOutput']): Promise<CallOutcome> | undefined {
  const setup = workerSetup();
  if (!setup) return undefined;
  const key = JSON.stringify(setup);
  const pooled = takeWorker(key, setup);
  pooled.busy = true;
  pooled.onOutput = onOutput;
  const { worker } = pooled;
  worker.ref();
  const id = nextId++;
  return new Promise<CallOutcome>((resolve) => {
    const done = (outcome: CallOutcome, keep: boolean): void => {
      pooled.onOutput = undefined;
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
      if (keep) release(key, pooled);
      else void worker.terminate();
      resolve(outcome);
    };
    const onMessage = (m: { id: number; outcome: CallOutcome }): void => {
      // A worker whose modules failed to load is not kept: the next call starts afresh.
      if (m.id === id) done(m.outcome, m.outcome.kind !== 'exited');
    };
    // An error the function left behind (a rejection nobody awaited) stops the worker.
    const onError = (e: Error): void => done({ kind: 'threw', name: e.name, message: e.message, text: String(e) }, false);
    const onExit = (code: number): void => done({ kind: 'exited', text: `the function ended its worker (exit code ${code})` }, false);
    const onAbort = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      void worker.terminate();
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);
    worker.postMessage({ id, call });
  });
}
