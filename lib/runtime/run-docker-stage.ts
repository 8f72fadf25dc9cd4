/**
 * Runs a docker stage locally with the `docker` CLI (on AWS the compiler sends it to ECS Fargate
 * instead). Environment values reach the container through the CLI's own environment (`-e NAME`),
 * so they never appear on a command line.
 */
import type { RunStageRequest, StageResponse } from '../protocol/index.ts';
import { lastLine } from './last-line.ts';
import { processFailure } from './process-failure.ts';
import { scriptEnv } from './run-bash.ts';
import { runProcess } from './run-process.ts';
import { stageFailed } from './runner-error.ts';
import { renderEntries, stageContext } from './stage-context.ts';
import type { StageRunOptions } from './stage-run-options.ts';

/** How long `docker info` may take to show an engine answers. */
const PROBE_MS = 3000;

function asString(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The command (`cmd`): a list as arguments, a string through `sh -c`. */
function commandArgs(cmd: unknown): string[] {
  if (cmd === undefined || cmd === null || cmd === '') return [];
  if (Array.isArray(cmd)) return cmd.map(asString);
  return ['sh', '-c', asString(cmd)];
}

/** `-v` arguments from `volume`: a map host → container path, or a list of `host:container`. */
function volumeArgs(volume: unknown): string[] {
  if (volume === undefined || volume === null) return [];
  const specs = Array.isArray(volume)
    ? volume.map(asString)
    : Object.entries(volume as Record<string, unknown>).map(([host, target]) => `${host}:${asString(target)}`);
  return specs.flatMap((s) => ['-v', s]);
}

/** Runs the docker stage (see the file comment); outputs `{return_code}`. */
export async function runDockerStage(req: RunStageRequest, options: StageRunOptions = {}): Promise<StageResponse> {
  const sc = stageContext(req);
  const f = req.stage.fields;
  const image = asString(sc.render('image', f.image ?? ''));
  const tag = f.tag === undefined ? 'latest' : asString(sc.render('tag', f.tag));
  const env = renderEntries(sc, 'env', f.env);
  const cmd = commandArgs(sc.render('cmd', f.cmd));
  const volumes = volumeArgs(sc.render('volume', f.volume));
  const auth = f.auth === undefined ? undefined : (sc.render('auth', f.auth) as Record<string, unknown>);
  const ref = `${image}:${tag}`;
  if (req.stage.dryrun) {
    return { status: 'SUCCESS', outputs: { dryrun: `would run docker ${ref}${cmd.length ? ` ${cmd.join(' ')}` : ''}` } };
  }

  const host = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  const probe = await runProcess({ command: 'docker', args: ['info', '--format', '{{.ServerVersion}}'], timeoutMs: PROBE_MS, killGraceMs: 200 });
  if (probe.spawnError || probe.code !== 0) {
    const why = probe.spawnError ? 'the docker command is not installed' : probe.timedOut ? `no answer within ${PROBE_MS / 1000} s` : lastLine(probe.stderr);
    throw stageFailed({
      name: 'DockerUnavailable',
      message: `${sc.label}: docker stages need a Docker engine; none answered at ${host} (${why}); on AWS they run on ECS Fargate`,
    });
  }

  let dockerEnv: NodeJS.ProcessEnv;
  try {
    dockerEnv = scriptEnv(env);
  } catch (err) {
    throw stageFailed({ name: 'StageError', message: `${sc.label}: ${(err as Error).message}` });
  }
  if (auth && typeof auth.username === 'string' && typeof auth.password === 'string') {
    const registry = typeof auth.registry === 'string' ? auth.registry : image.includes('/') ? image.split('/')[0]! : '';
    const login = await runProcess({
      command: 'docker',
      args: ['login', '--username', auth.username, '--password-stdin', ...(registry ? [registry] : [])],
      input: auth.password,
      signal: options.signal,
    });
    if (login.code !== 0) {
      throw stageFailed({ name: 'StageError', message: `${sc.label}: docker login failed: ${lastLine(login.stderr)}` });
    }
  }
  const args = ['run', '--rm', ...Object.keys(env).flatMap((k) => ['-e', k]), ...volumes, ref, ...cmd];
  const r = await runProcess({
    command: 'docker',
    args,
    env: dockerEnv,
    cwd: options.cwd,
    signal: options.signal,
    ...(req.stage.timeout !== undefined ? { timeoutMs: req.stage.timeout * 1000 } : {}),
  });
  const outputs = { return_code: r.code };
  const failure = processFailure(sc.label, { return_code: r.code, stderr: r.stderr, stdout: r.stdout, signal: r.signal, timedOut: r.timedOut, aborted: r.aborted }, req.stage.timeout);
  if (failure) throw stageFailed(failure, outputs, r.aborted ? 'CANCEL' : 'FAILED');
  return { status: 'SUCCESS', outputs };
}
