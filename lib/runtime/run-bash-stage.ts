import { StringDecoder } from 'node:string_decoder';
import type { RunStageRequest, StageResponse } from '../protocol/index.ts';
import { processFailure } from './process-failure.ts';
import { runBash } from './run-bash.ts';
import { stageFailed } from './runner-error.ts';
import { renderEntries, stageContext } from './stage-context.ts';
import type { StageRunOptions } from './stage-run-options.ts';

/**
 * Runs a bash stage: renders `bash` (each template a reference to a `WF_VALUE_<i>` variable, quoted
 * for its place, its value passed in the environment: render-bash.ts) and `env`, runs the script,
 * and returns `{return_code, stdout, stderr}`. A non-zero exit, a signal, a
 * timeout (`stage.timeout` seconds) or a cancel throws `StageFailed` with those outputs.
 */
export async function runBashStage(req: RunStageRequest, options: StageRunOptions = {}): Promise<StageResponse> {
  const sc = stageContext(req);
  const fields = req.stage.fields;
  const rendered = sc.renderScript('bash', typeof fields.bash === 'string' ? fields.bash : '');
  const env = { ...renderEntries(sc, 'env', fields.env), ...rendered.env };
  const text = rendered.script;
  if (req.stage.dryrun) {
    const names = Object.keys(env);
    const values = Object.entries(rendered.env).map(([k, v]) => `\n${k === Object.keys(rendered.env)[0] ? 'with' : 'and'} ${k}=${JSON.stringify(v)}`).join('');
    return { status: 'SUCCESS', outputs: { dryrun: `would run bash${names.length ? ` (env: ${names.join(', ')})` : ''}:\n${text}${values}` } };
  }
  // A character split between two chunks is decoded whole, once its last byte has come.
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const onOutput = options.onOutput ? (stream: 'stdout' | 'stderr', chunk: Buffer): void => options.onOutput!(stream, decoders[stream].write(chunk)) : undefined;
  let result;
  try {
    result = await runBash({
      script: text,
      env,
      cwd: options.cwd,
      signal: options.signal,
      ...(onOutput ? { onOutput } : {}),
      ...(req.stage.timeout !== undefined ? { timeoutMs: req.stage.timeout * 1000 } : {}),
    });
  } catch (err) {
    throw stageFailed({ name: 'StageError', message: `${sc.label}: ${(err as Error).message}` });
  } finally {
    if (options.onOutput) for (const stream of ['stdout', 'stderr'] as const) options.onOutput(stream, decoders[stream].end());
  }
  const outputs = { return_code: result.return_code, stdout: result.stdout, stderr: result.stderr };
  const failure = processFailure(sc.label, result, req.stage.timeout);
  if (failure) throw stageFailed(failure, outputs, result.aborted ? 'CANCEL' : 'FAILED');
  return { status: 'SUCCESS', outputs };
}
