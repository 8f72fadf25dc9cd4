/**
 * The local engine's `ecs:runTask.sync`: the task definition's image (from the compiler's state
 * info), the overrides' env and command, run with the local `docker` engine. It ends as Step
 * Functions ends the Task on AWS: a container that exited 0 gives the stopped task's description
 * as the result; a non-zero exit fails the Task with `States.TaskFailed`, whose Cause is that
 * description as JSON, so the compiled failure path reads the exit code from it as it does on AWS.
 * What ECS would not report as a stopped task (no Docker engine, a failed login, the stage's
 * timeout, a cancel) fails the Task with the stage runner's error name and message.
 */
import type { StateInfo } from '../compiler/index.ts';
import type { RunnerRequest } from '../protocol/index.ts';
import { runDockerTask, type EcsTaskDescription } from '../runtime/index.ts';

/** The Parameters of an `ecs:runTask.sync` Task that the local engine reads. */
export interface EcsRunTask {
  Overrides?: { ContainerOverrides?: Array<{ Environment?: Array<{ Name: string; Value: string }>; Command?: string[] }> };
}

function taskError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** Runs the Task `state` (a docker stage) with the local `docker` engine (see the file comment). */
export async function runDockerLocally(state: string, docker: StateInfo['docker'], p: EcsRunTask, signal?: AbortSignal): Promise<EcsTaskDescription> {
  if (!docker) throw taskError('States.TaskFailed', `state "${state}" has no docker image`);
  const o = p.Overrides?.ContainerOverrides?.[0] ?? {};
  const env = Object.fromEntries((o.Environment ?? []).map((e) => [e.Name, e.Value]));
  const req: RunnerRequest = {
    action: 'stage',
    stage: { kind: 'docker', name: state, fields: { image: docker.image, tag: docker.tag, env, volume: docker.volume, auth: docker.auth, ...(o.Command?.length ? { cmd: o.Command } : {}) } },
    ctx: {},
  };
  let task: EcsTaskDescription;
  try {
    task = await runDockerTask(req, { signal });
  } catch (e) {
    const message = (e as Error).message;
    const errors = (() => {
      try {
        return (JSON.parse(message) as { errors?: { name: string; message: string } }).errors;
      } catch {
        return undefined;
      }
    })();
    throw taskError(errors?.name ?? 'States.TaskFailed', errors?.message ?? message);
  }
  if (task.Containers.some((c) => c.ExitCode !== 0)) throw taskError('States.TaskFailed', JSON.stringify(task));
  return task;
}
