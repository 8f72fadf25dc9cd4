/**
 * `wf serve`: an HTTP server on loopback that speaks the Step Functions JSON 1.0 protocol (POST /,
 * `X-Amz-Target: AWSStepFunctions.<Action>`, `application/x-amz-json-1.0` bodies), so the
 * unmodified AWS SDK and AWS CLI drive local runs. Errors have AWS's shape (HTTP 400,
 * `{"__type", "message"}`); request signatures are not checked. A bad request never stops the
 * server; the executions live in the local state folder's embedded DynamoDB server, beside the
 * audit table (see local-executions.ts and execution-table.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Workflow } from '../config/index.ts';
import { openLocalStore } from '../local/index.ts';
import { ExecutionTable, EXECUTIONS_TABLE } from './execution-table.ts';
import { LocalExecutions } from './local-executions.ts';
import { isSfnAction, runSfnAction } from './sfn-actions.ts';
import { SfnError } from './sfn-error.ts';

/** The default port (Step Functions Local's). */
export const DEFAULT_SERVE_PORT = 8083;

/** The largest request body read, in bytes (a StartExecution input may be 256 KB, escaped). */
export const MAX_BODY_BYTES = 1_048_576;

const TARGET_PREFIX = 'AWSStepFunctions.';

/** Options of {@link startServer}. */
export interface ServeOptions {
  /** Every workflow by name: one state machine each. */
  workflows: ReadonlyMap<string, Workflow>;
  /** The port; 0 picks a free one. @default 8083 */
  port?: number;
  /** The address to listen on. @default '127.0.0.1' */
  host?: string;
  /** The local state folder (audit and executions). @default `WORKFLOW_CORE_AUDIT_PATH`, else `.wf` */
  dir?: string;
  /** The executions table's name. @default 'wf-executions' */
  table?: string;
  /** Replaces retry waits with this many milliseconds (tests). */
  retryWaitMs?: number;
  /** Receives a line per execution that starts or ends, and per internal error. @default none */
  log?: (line: string) => void;
}

/** A listening local endpoint. */
export interface RunningServer {
  port: number;
  /** `http://127.0.0.1:<port>`: the endpoint to give the AWS SDK or CLI. */
  url: string;
  executions: LocalExecutions;
  /** Executions found RUNNING from a previous server and marked FAILED at start. */
  recovered: number;
  /** Stops accepting requests, ends running executions (FAILED, "the local server stopped during the run") and closes the store. */
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': randomUUID(),
    ...extra,
  });
  res.end(text);
}

/** Reads a body up to `limit` bytes; a longer one is drained and reported as undefined. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

async function handle(executions: LocalExecutions, req: IncomingMessage, res: ServerResponse, log?: (line: string) => void): Promise<void> {
  try {
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) {
      send(res, 413, new SfnError('ValidationException', `the request body is larger than ${MAX_BODY_BYTES} bytes`).body(), { connection: 'close' });
      return;
    }
    if (req.method !== 'POST') throw new SfnError('UnknownOperationException', `${req.method} ${req.url}: the Step Functions API takes POST / with an X-Amz-Target header`);
    const target = req.headers['x-amz-target'];
    const action = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
    if (action === undefined || !isSfnAction(action)) {
      throw new SfnError('UnknownOperationException', `unknown operation ${JSON.stringify(target ?? null)}; the local endpoint serves AWSStepFunctions.StartExecution, DescribeExecution, StopExecution, ListExecutions, GetExecutionHistory, RedriveExecution, ListStateMachines and DescribeStateMachine`);
    }
    let parsed: unknown = {};
    const text = body.toString('utf8');
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new SfnError('SerializationException', `the request body is not JSON: ${(e as Error).message}`);
      }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SfnError('SerializationException', 'the request body must be a JSON object');
    send(res, 200, await runSfnAction(executions, action, parsed as Record<string, unknown>));
  } catch (e) {
    if (e instanceof SfnError) {
      send(res, e.status, e.body());
      return;
    }
    log?.(`internal error: ${(e as Error).stack ?? String(e)}`);
    if (!res.headersSent) send(res, 500, { __type: 'InternalFailure', message: (e as Error).message });
  }
}

/**
 * Opens the local store, marks executions a previous server left RUNNING as FAILED, and starts
 * serving. Resolves once the server listens.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const local = await openLocalStore({ ...(options.dir !== undefined ? { dir: options.dir } : {}) });
  let executions: LocalExecutions;
  let recovered: number;
  try {
    const table = new ExecutionTable(local.client, options.table ?? EXECUTIONS_TABLE);
    await table.ensureTable();
    executions = new LocalExecutions({
      workflows: options.workflows,
      table,
      audit: local.store,
      pendingDir: local.dir,
      ...(options.retryWaitMs !== undefined ? { retryWaitMs: options.retryWaitMs } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    recovered = await executions.recover();
  } catch (e) {
    await local.close();
    throw e;
  }
  const server = createServer((req, res) => void handle(executions, req, res, options.log));
  server.keepAliveTimeout = 5_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_SERVE_PORT, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await local.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    executions,
    recovered,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await executions.close();
        server.closeAllConnections();
        await closed;
        await local.close();
      })()),
  };
}
