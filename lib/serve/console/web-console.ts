/**
 * The web console of `wf serve`, on the API's port: the page at `/` (its script and style sheet
 * under `/console/assets/`), and the JSON endpoints it calls under `/console/api/`:
 *
 * | request | answer |
 * |---|---|
 * | `GET /console/api/workflows` | every served workflow: params, schedules, graph ({@link WorkflowView}) |
 * | `GET /console/api/runs?workflow=&status=&offset=&limit=` | a page of runs, newest first ({@link RunPageView}) |
 * | `GET /console/api/runs/<run id>` | a run's page ({@link RunDetailView}) |
 * | `POST /console/api/workflows/<name>/start` `{params}` | starts a run: `{runId, executionArn}` |
 * | `POST /console/api/runs/<run id>/stop` | stops it |
 * | `POST /console/api/runs/<run id>/rerun` `{secrets}` | runs it again: `{runId, executionArn}` |
 * | `POST /console/api/runs/<run id>/signal` `{signal, reject?, reason?, data?}` | answers a wait stage |
 *
 * The server checks Host and Origin before it gets here, as for the API. A POST must also carry
 * `X-WF-Console: 1`, a header no other site's page can send without a CORS preflight (which the
 * server refuses). With a token (console-access.ts), every request must prove it holds it.
 * Errors are `{error, problems?}` with a 4xx status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditStore } from '../../audit/index.ts';
import type { Workflow } from '../../config/index.ts';
import { readBody } from '../../local/verify-sigv4.ts';
import { localExecutionArn } from '../local-arns.ts';
import type { LocalExecutions } from '../local-executions.ts';
import { SfnError } from '../sfn-error.ts';
import { cookieToken, isConsoleToken, tokenCookie } from './console-access.ts';
import { answerSignal, ConsoleActionError, rerunRun, startRun, stopRun } from './console-actions.ts';
import { CONSOLE_PAGE, consoleBundle } from './console-assets.ts';
import type { LiveRuns } from './live-runs.ts';
import { runDetail } from './run-detail.ts';
import { listRuns } from './run-list.ts';
import { workflowView } from './workflow-view.ts';

const MAX_BODY = 262_144;

/** What the console serves from. */
export interface WebConsoleOptions {
  workflows: ReadonlyMap<string, Workflow>;
  executions: LocalExecutions;
  store: AuditStore;
  live: LiveRuns;
  /** The server's port (names the token's cookie). */
  port: number;
  /** With `--require-signature`: the token a browser must hold (console-access.ts). @default none */
  token?: string;
}

/**
 * True for a request the console answers: a GET or HEAD, or anything under `/console/`, without an
 * `X-Amz-Target` header (a request with one is always for the API, whatever its method or path).
 */
export function isConsoleRequest(req: IncomingMessage): boolean {
  if (req.headers['x-amz-target'] !== undefined) return false;
  return req.method === 'GET' || req.method === 'HEAD' || (req.url ?? '').startsWith('/console/');
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'",
};

function reply(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...SECURITY_HEADERS, ...extra });
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  reply(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Serves the console (see the file comment). */
export class WebConsole {
  constructor(private readonly options: WebConsoleOptions) {}

  /** Answers one console request; never throws. */
  async handle(req: IncomingMessage, res: ServerResponse, log?: (line: string) => void): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://console.invalid');
      if (this.options.token !== undefined && !this.admitted(req, res, url)) return;
      await this.route(req, res, url);
    } catch (e) {
      if (res.headersSent) return void res.end();
      if (e instanceof ConsoleActionError) return json(res, e.status, { error: e.message, ...(e.problems.length ? { problems: e.problems } : {}) });
      if (e instanceof SfnError) return json(res, e.status === 403 ? 403 : 400, { error: `${e.type}: ${e.message}` });
      log?.(`internal error in the web console: ${(e as Error).stack ?? String(e)}`);
      json(res, 500, { error: (e as Error).message });
    }
  }

  /** With a token: sets its cookie from `?token=`, or refuses a request without it. */
  private admitted(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const token = this.options.token!;
    if (url.pathname === '/' && url.searchParams.has('token') && isConsoleToken(url.searchParams.get('token'), token)) {
      reply(res, 303, 'text/plain; charset=utf-8', 'see /', { location: '/', 'set-cookie': tokenCookie(this.options.port, token) });
      return false;
    }
    if (isConsoleToken(cookieToken(req, this.options.port), token)) return true;
    req.resume();
    const message = 'wf serve was started with --require-signature: open the console through the address with ?token= that it printed';
    if (url.pathname.startsWith('/console/api/')) json(res, 403, { error: message });
    else reply(res, 403, 'text/plain; charset=utf-8', `${message}.\n`);
    return false;
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    const get = req.method === 'GET' || req.method === 'HEAD';
    // Every other address outside /console/ is the page too (`/runs`, `/runs/<id>`): it routes itself.
    if (get && !path.startsWith('/console/') && path !== '/favicon.ico') return reply(res, 200, 'text/html; charset=utf-8', CONSOLE_PAGE);
    if (get && path === '/console/assets/console.js') return reply(res, 200, 'text/javascript; charset=utf-8', (await consoleBundle()).js);
    if (get && path === '/console/assets/console.css') return reply(res, 200, 'text/css; charset=utf-8', (await consoleBundle()).css);
    if (!path.startsWith('/console/api/')) {
      req.resume();
      return reply(res, 404, 'text/plain; charset=utf-8', `${req.method} ${path}: not found; the web console is at /, the Step Functions API takes POST / with an X-Amz-Target header\n`);
    }
    const parts = path.slice('/console/api/'.length).split('/').map((p) => decodeURIComponent(p));
    if (get) {
      req.resume();
      return json(res, 200, await this.read(parts, url.searchParams));
    }
    if (req.method !== 'POST') throw new ConsoleActionError(405, `${req.method} is not served; the console's actions are POST requests`);
    if (req.headers['x-wf-console'] !== '1') throw new ConsoleActionError(403, 'a console action needs the header X-WF-Console: 1');
    const raw = await readBody(req, MAX_BODY);
    if (raw === undefined) throw new ConsoleActionError(413, `the request body is larger than ${MAX_BODY} bytes`);
    let body: unknown = {};
    try {
      if (raw.length) body = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      throw new ConsoleActionError(400, `the request body is not JSON: ${(e as Error).message}`);
    }
    if (!isRecord(body)) throw new ConsoleActionError(400, 'the request body must be a JSON object');
    json(res, 200, await this.act(parts, body));
  }

  private workflow(name: string | undefined): Workflow {
    const workflow = name === undefined ? undefined : this.options.workflows.get(name);
    if (!workflow) throw new ConsoleActionError(404, `no workflow "${name}" is served`);
    return workflow;
  }

  private async record(runId: string | undefined) {
    const record = runId ? await this.options.store.findRun(runId) : undefined;
    if (!record) throw new ConsoleActionError(404, `no run "${runId}" in the audit store [WF7006]`);
    return record;
  }

  private async read(parts: string[], query: URLSearchParams): Promise<unknown> {
    const { workflows, store, live, executions } = this.options;
    if (parts.length === 1 && parts[0] === 'workflows') {
      const now = new Date();
      return { workflows: [...workflows.values()].sort((a, b) => a.name.localeCompare(b.name)).map((w) => workflowView(w, now)) };
    }
    if (parts.length === 1 && parts[0] === 'runs') {
      const number = (k: string): number | undefined => (query.get(k) && Number.isFinite(Number(query.get(k))) ? Math.trunc(Number(query.get(k))) : undefined);
      const workflow = query.get('workflow') || undefined;
      const status = query.get('status') || undefined;
      const offset = number('offset');
      const limit = number('limit');
      return listRuns(store, [...workflows.keys()], { ...(workflow ? { workflow } : {}), ...(status ? { status } : {}), ...(offset !== undefined ? { offset } : {}), ...(limit !== undefined ? { limit } : {}) }, {
        isRunning: (id) => live.isRunning(id),
        executionStatus: (r) => executions.status(localExecutionArn(r.workflow, r.runId)),
      });
    }
    if (parts.length === 2 && parts[0] === 'runs') return runDetail({ store, workflows, executions, live }, await this.record(parts[1]));
    throw new ConsoleActionError(404, `/console/api/${parts.join('/')}: no such endpoint`);
  }

  private async act(parts: string[], body: Record<string, unknown>): Promise<unknown> {
    const { executions, store } = this.options;
    if (parts.length === 3 && parts[0] === 'workflows' && parts[2] === 'start') {
      return startRun(executions, store, this.workflow(parts[1]), isRecord(body.params) ? body.params : {});
    }
    if (parts.length === 3 && parts[0] === 'runs') {
      const record = await this.record(parts[1]);
      switch (parts[2]) {
        case 'stop':
          await stopRun(executions, record);
          return { stopped: record.runId };
        case 'rerun':
          return rerunRun(executions, store, this.workflow(record.workflow), record, isRecord(body.secrets) ? body.secrets : {});
        case 'signal': {
          if (typeof body.signal !== 'string' || body.signal === '') throw new ConsoleActionError(400, 'give the signal\'s name in "signal"');
          await answerSignal(store, record, body.signal, {
            ...(body.reject === true ? { reject: true } : {}),
            ...(typeof body.reason === 'string' && body.reason !== '' && body.reject === true ? { reason: body.reason } : {}),
            ...(isRecord(body.data) ? { data: body.data } : {}),
            by: 'web console',
          });
          return { signal: body.signal, status: body.reject === true ? 'REJECTED' : 'SUCCESS' };
        }
      }
    }
    throw new ConsoleActionError(404, `/console/api/${parts.join('/')}: no such action`);
  }
}
