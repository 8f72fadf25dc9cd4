import type { PyRunRequest, RunStageRequest, StageResponse } from '../protocol/index.ts';
import { joinPythonParts, type PythonPart } from '../expr/index.ts';
import { badRequest } from './runner-error.ts';
import { renderEntries, stageContext, type StageContext } from './stage-context.ts';

/** Runs a rendered Python request (the Python runner: a subprocess locally, a Lambda on AWS). */
export type PyRunner = (req: PyRunRequest) => Promise<unknown>;

function pyRequest(req: RunStageRequest, sc: StageContext): PyRunRequest {
  const f = req.stage.fields;
  const out: PyRunRequest = {
    action: req.stage.kind === 'virtual-py' ? 'virtual-py' : 'py',
    name: req.stage.name,
    code: sc.renderCode('run', typeof f.run === 'string' ? f.run : ''),
    vars: renderEntries(sc, 'vars', f.vars),
    globals: sc.evalCtx.scope,
  };
  if (req.stage.kind === 'virtual-py') {
    const deps = sc.render('deps', f.deps ?? []);
    out.deps = (Array.isArray(deps) ? deps : [deps]).map(String);
    if (f.version !== undefined) out.version = String(sc.render('version', f.version));
  }
  if (req.stage.timeout !== undefined) out.timeout = req.stage.timeout;
  return out;
}

/**
 * Builds the Python runner request for a py or virtual py stage: `run` rendered into parts, each
 * value for its place in the code (a literal, or text escaped for its string), `vars` rendered, and
 * the scope as globals.
 */
export function pyRunRequest(req: RunStageRequest): PyRunRequest {
  return pyRequest(req, stageContext(req));
}

function codeText(code: PyRunRequest['code']): string {
  if (typeof code === 'string') return code;
  if (Array.isArray(code)) return joinPythonParts(code);
  const keyed = Object.entries(code).sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1)));
  return joinPythonParts(keyed.map(([k, value]): PythonPart => (k[0] === 't' ? String(value) : k[0] === 'v' ? { value } : { value, in: k[0] === 'f' ? 'fstring' : 'string' })));
}

/**
 * Runs a py or virtual py stage through `runPy` and returns its response (the Python runner's
 * `{status, outputs}`); its `StageFailed` errors pass through unchanged. Without a runner it is a
 * `BadRequest`: on AWS the compiler sends these stages to the Python runner Lambda directly.
 */
export async function runPyStage(req: RunStageRequest, runPy: PyRunner | undefined): Promise<StageResponse> {
  const sc = stageContext(req);
  const py = pyRequest(req, sc);
  if (req.stage.dryrun) {
    const deps = py.deps?.length ? ` with deps ${py.deps.join(', ')}` : '';
    return { status: 'SUCCESS', outputs: { dryrun: `would run ${req.stage.kind === 'virtual-py' ? 'virtual py' : 'py'}${deps}:\n${codeText(py.code)}` } };
  }
  if (!runPy) throw badRequest(`${sc.label}: py stages run in the Python runner, not the stage runner`);
  return (await runPy(py)) as StageResponse;
}
