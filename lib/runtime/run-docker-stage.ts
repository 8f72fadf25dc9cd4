/**
 * Runs a docker stage locally with the `docker` CLI (on AWS the compiler sends it to ECS Fargate
 * instead). Environment values reach the container through the CLI's own environment (`-e NAME`),
 * so they never appear on a command line.
 *
 * Two faces: {@link runDockerStage} answers as the stage runner does (`{return_code}`, a non-zero
 * exit thrown as the stage's failure); {@link runDockerTask} answers as ECS does, with the stopped
 * task's description whatever the exit code, which the local engine turns into the Task's result
 * or its `States.TaskFailed` as Step Functions does.
 */
import type { RunStageRequest, StageResponse } from '../protocol/index.ts';
import { lastLine } from './last-line.ts';
import { processFailure } from './process-failure.ts';
import { scriptEnv } from './run-bash.ts';
import { runProcess, type ProcessResult } from './run-process.ts';
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

/** The name of the container a docker stage's ECS task definition holds (its only, essential container). */
export const DOCKER_CONTAINER_NAME = 'stage';

/** ECS's longest container `Reason`. */
const REASON_CHARS = 255;

/**
 * A stopped ECS task as `DescribeTasks` describes it (and Step Functions passes it on, keys in
 * PascalCase), with the fields a docker stage reads: the container's exit code and reason.
 */
export interface EcsTaskDescription {
  LastStatus: 'STOPPED';
  DesiredStatus: 'STOPPED';
  StopCode: 'EssentialContainerExited';
  StoppedReason: string;
  Containers: Array<{ Name: string; LastStatus: 'STOPPED'; ExitCode: number; Reason?: string }>;
}

/** Runs the docker stage (see the file comment); outputs `{return_code}`. */
export async function runDockerStage(req: RunStageRequest, options: StageRunOptions = {}): Promise<StageResponse> {
  const ran = await runContainer(req, options);
  if ('dryrun' in ran) return ran.dryrun;
  const { r, label } = ran;
  const outputs = { return_code: r.code };
  const failure = processFailure(label, { return_code: r.code, stderr: r.stderr, stdout: r.stdout, signal: r.signal, timedOut: r.timedOut, aborted: r.aborted }, req.stage.timeout);
  if (failure) throw stageFailed(failure, outputs, r.aborted ? 'CANCEL' : 'FAILED');
  return { status: 'SUCCESS', outputs };
}

/**
 * Runs the docker stage's container and describes the stopped task as ECS does: `ExitCode` is
 * the container's exit code, and a non-zero exit has the last line of the container's stderr
 * (else stdout) as its `Reason`. What ECS would not describe as a stopped task fails as the stage
 * runner's failure, as {@link runDockerStage} does: no Docker engine, a failed `docker login`,
 * the stage's timeout, a cancel.
 */
export async function runDockerTask(req: RunStageRequest, options: StageRunOptions = {}): Promise<EcsTaskDescription> {
  const ran = await runContainer(req, options);
  if ('dryrun' in ran) throw new Error('runDockerTask: a dry run never starts an ECS task (the stage runner answers it)');
  const { r, label } = ran;
  if (r.timedOut || r.aborted) {
    throw stageFailed(processFailure(label, { return_code: r.code, timedOut: r.timedOut, aborted: r.aborted }, req.stage.timeout)!, { return_code: r.code }, r.aborted ? 'CANCEL' : 'FAILED');
  }
  const reason = r.code === 0 ? '' : lastLine(r.stderr, REASON_CHARS) || lastLine(r.stdout, REASON_CHARS);
  return {
    LastStatus: 'STOPPED',
    DesiredStatus: 'STOPPED',
    StopCode: 'EssentialContainerExited',
    StoppedReason: 'Essential container in task exited',
    Containers: [{ Name: DOCKER_CONTAINER_NAME, LastStatus: 'STOPPED', ExitCode: r.code, ...(reason ? { Reason: reason } : {}) }],
  };
}

/** Renders the stage, then runs `docker run` (after the engine probe and `docker login`); a dry run only says what would run. */
async function runContainer(req: RunStageRequest, options: StageRunOptions): Promise<{ dryrun: StageResponse } | { r: ProcessResult; label: string }> {
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
    return { dryrun: { status: 'SUCCESS', outputs: { dryrun: `would run docker ${ref}${cmd.length ? ` ${cmd.join(' ')}` : ''}` } } };
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
  return { r, label: sc.label };
}
