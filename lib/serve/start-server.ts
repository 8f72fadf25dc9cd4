/**
 * `wf serve`: an HTTP server on loopback that speaks the Step Functions JSON 1.0 protocol (POST /,
 * `X-Amz-Target: AWSStepFunctions.<Action>`, `application/x-amz-json-1.0` bodies), so the
 * unmodified AWS SDK and AWS CLI drive local runs. Errors have AWS's shape (HTTP 400,
 * `{"__type", "message"}`). A bad request never stops the server; the executions live in the
 * local state folder's embedded DynamoDB server, beside the audit table (see local-executions.ts
 * and execution-table.ts).
 *
 * Web pages may not use it (see lib/local/verify-sigv4.ts): a request whose `Host` is not one of
 * the server's own names with its port (DNS rebinding), whose `Origin` is not the server's own, or
 * a CORS preflight is refused with HTTP 403 (`AccessDeniedException`). With `signature`, a request
 * must also be SigV4-signed (service `states`) with the given credentials.
 *
 * The same port serves the web console (console/web-console.ts): the page at `/` and its JSON
 * endpoints under `/console/`, behind the same Host and Origin checks; with `signature`, a browser
 * holds a token instead of signing (console/console-access.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { Workflow } from '../config/index.ts';
import { openLocalStore } from '../local/index.ts';
import { hostProblem, isLoopbackHost, originProblem, readBody, verifySigV4, type LocalCredentials } from '../local/verify-sigv4.ts';
import { newConsoleToken } from './console/console-access.ts';
import { LiveRuns } from './console/live-runs.ts';
import { isConsoleRequest, WebConsole } from './console/web-console.ts';
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
  /**
   * Serve only requests SigV4-signed with these credentials; `source` says where callers find them
   * (for the refusal message). @default none: requests need not be signed
   */
  signature?: { credentials: LocalCredentials; source: string };
}

/** A listening local endpoint. */
export interface RunningServer {
  port: number;
  /** `http://127.0.0.1:<port>`: the endpoint to give the AWS SDK or CLI. */
  url: string;
  /** The web console's address to open in a browser (with `?token=` when requests must be signed). */
  consoleUrl: string;
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

/** True for an address that means every interface (`0.0.0.0`, `::`). */
export function isWildcardHost(host: string): boolean {
  return host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** The names a client may reach a server bound to `host` by, besides the loopback ones. */
function ownNames(host: string): string[] {
  if (isLoopbackHost(host)) return [host];
  if (!isWildcardHost(host)) return [host];
  const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
  return [hostname(), ...addresses];
}

/** What a request must pass before it is served (see the file comment). */
interface RequestGuard {
  port: number;
  names: string[];
  origins: string[];
  signature?: { credentials: LocalCredentials; source: string };
}

function makeGuard(host: string, port: number, signature: ServeOptions['signature']): RequestGuard {
  const names = ownNames(host);
  const origins = ['127.0.0.1', 'localhost', '[::1]', ...names].map((n) => `http://${n.includes(':') && !n.startsWith('[') ? `[${n}]` : n}:${port}`.toLowerCase());
  return { port, names, origins, ...(signature ? { signature } : {}) };
}

const SERVE_HINT = 'wf serve answers only the AWS SDK, the aws CLI and wf, through its own address';

/** Refuses a request from a web page or through a foreign host name (before its body is read). */
function pageRefusal(guard: RequestGuard, req: IncomingMessage): SfnError | undefined {
  const problem = originProblem(req.headers.origin, guard.origins) ?? hostProblem(req.headers.host, guard.port, guard.names) ?? (req.method === 'OPTIONS' ? 'CORS preflight requests are refused' : undefined);
  return problem ? new SfnError('AccessDeniedException', `refused: ${problem}. ${SERVE_HINT} (http://127.0.0.1:${guard.port} on this machine).`, 403) : undefined;
}

/** With a signature required, refuses an unsigned or wrongly signed request. */
async function signatureRefusal(guard: RequestGuard, req: IncomingMessage, body: Buffer): Promise<SfnError | undefined> {
  if (!guard.signature) return undefined;
  const refused = await verifySigV4(
    { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
    {
      credentials: guard.signature.credentials,
      service: 'states',
      hint: `wf serve was started with --require-signature: sign requests (AWS Signature Version 4, as the AWS SDK and the aws CLI do) with the credentials in ${guard.signature.source}`,
    },
  );
  return refused ? new SfnError(refused.type, refused.message, 403) : undefined;
}

async function handle(executions: LocalExecutions, guard: RequestGuard, web: WebConsole, req: IncomingMessage, res: ServerResponse, log?: (line: string) => void): Promise<void> {
  try {
    const fromPage = pageRefusal(guard, req);
    if (fromPage) {
      req.resume();
      send(res, fromPage.status, fromPage.body(), { connection: 'close' });
      return;
    }
    if (isConsoleRequest(req)) {
      await web.handle(req, res, log);
      return;
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) {
      send(res, 413, new SfnError('ValidationException', `the request body is larger than ${MAX_BODY_BYTES} bytes`).body(), { connection: 'close' });
      return;
    }
    const refused = await signatureRefusal(guard, req, body);
    if (refused) {
      send(res, refused.status, refused.body(), { connection: 'close' });
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
  const live = new LiveRuns(local.dir);
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
      logsDir: local.dir,
      watch: live,
      ...(options.retryWaitMs !== undefined ? { retryWaitMs: options.retryWaitMs } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    recovered = await executions.recover();
  } catch (e) {
    await local.close();
    throw e;
  }
  let guard: RequestGuard | undefined;
  let web: WebConsole | undefined;
  const server = createServer((req, res) => {
    if (guard && web) void handle(executions, guard, web, req, res, options.log);
    else send(res, 503, new SfnError('ServiceUnavailable', 'the local server is starting', 503).body());
  });
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
  const token = options.signature ? newConsoleToken() : undefined;
  web = new WebConsole({ workflows: options.workflows, executions, store: local.store, live, port, ...(token !== undefined ? { token } : {}) });
  guard = makeGuard(options.host ?? '127.0.0.1', port, options.signature);
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    port,
    url,
    consoleUrl: `${url}/${token !== undefined ? `?token=${token}` : ''}`,
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
