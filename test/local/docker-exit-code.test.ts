/**
 * Docker stages on the local engine end as they do on AWS: a container that exits non-zero fails
 * the `ecs:runTask.sync` Task with `States.TaskFailed` and the stopped ECS task's description as
 * its Cause, and the compiled failure path records the stage FAILED with `return_code`. No Docker
 * engine runs here, so the tests put a stand-in `docker` first on PATH: it answers `docker info`,
 * and `docker run ... IMAGE CMD...` runs CMD on this machine (with the `-e` variables, which the
 * runner passes through the CLI's environment) and exits with its code.
 */
import '../../lib/local/polyfill.ts';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { runLocal, type ResultDocument, type RunEvent } from '../../lib/local/index.ts';
import { runDockerLocally } from '../../lib/local/run-docker-locally.ts';

const FAKE_DOCKER = `#!/usr/bin/env bash
# A stand-in for the docker CLI (see the test file's comment).
case "$1" in
  info)
    if [ -n "$FAKE_DOCKER_DOWN" ]; then echo "Cannot connect to the Docker daemon" >&2; exit 1; fi
    echo 27.0.0 ;;
  run)
    shift
    while [ $# -gt 0 ]; do
      case "$1" in
        --rm) shift ;;
        -e|-v) shift 2 ;;
        *) break ;;
      esac
    done
    echo "$1" >> "$FAKE_DOCKER_LOG"
    shift
    exec "$@" ;;
  *) echo "fake docker: no command $1" >&2; exit 1 ;;
esac
`;

/** A workflow with one job, `main`: a docker stage Box with these fields, then a bash stage After. */
function workflow(name: string, box: string, params = '{}'): string {
  return `${name}:\n  type: Workflow\n  params: ${params}\n  jobs:\n    main:\n      stages:\n        - {name: Box, id: box, image: alpine, ${box}}\n        - {name: After, id: after, bash: echo after}\n`;
}

const text = [
  workflow('boxes', `tag: "3.20", env: {CODE: "\${{ params.code }}"}, cmd: 'echo partial; echo "it broke" >&2; exit "$CODE"', continue-on-error: true`, '{code: {type: int, default: 0}}'),
  workflow('strict', 'cmd: exit 4, retry: 2'),
].join('');

const { workflows, diagnostics } = loadWorkflowsFromText({ 'boxes.yml': text });
let dir: string;
const saved = { PATH: process.env.PATH, FAKE_DOCKER_LOG: process.env.FAKE_DOCKER_LOG };

/** The job `main` of a result document. */
function main(doc: ResultDocument): { status: string; errors?: unknown; stages: Record<string, any> } {
  return doc.jobs.main as { status: string; errors?: unknown; stages: Record<string, any> };
}

/** The images `docker run` was called with, in order. */
function runs(): string[] {
  try {
    return readFileSync(process.env.FAKE_DOCKER_LOG!, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wf-fake-docker-'));
  writeFileSync(join(dir, 'docker'), FAKE_DOCKER);
  chmodSync(join(dir, 'docker'), 0o755);
  process.env.PATH = `${dir}:${process.env.PATH}`;
  process.env.FAKE_DOCKER_LOG = join(dir, 'runs.log');
});

afterAll(() => {
  process.env.PATH = saved.PATH;
  if (saved.FAKE_DOCKER_LOG === undefined) delete process.env.FAKE_DOCKER_LOG;
  else process.env.FAKE_DOCKER_LOG = saved.FAKE_DOCKER_LOG;
  rmSync(dir, { recursive: true, force: true });
});

describe('the local ecs:runTask.sync handler', () => {
  const docker = { image: 'alpine', tag: '3.20', volume: {}, auth: {}, placeholder: 'TaskDefinition_x' };
  const overrides = (code: number) => ({ Overrides: { ContainerOverrides: [{ Environment: [{ Name: 'CODE', Value: String(code) }], Command: ['sh', '-c', 'echo "it broke" >&2; exit "$CODE"'] }] } });

  it('fails the Task with States.TaskFailed whose Cause is the stopped task as ECS describes it', async () => {
    const error = await runDockerLocally('main.Box', docker, overrides(3)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('States.TaskFailed');
    expect(JSON.parse((error as Error).message)).toEqual({
      LastStatus: 'STOPPED',
      DesiredStatus: 'STOPPED',
      StopCode: 'EssentialContainerExited',
      StoppedReason: 'Essential container in task exited',
      Containers: [{ Name: 'stage', LastStatus: 'STOPPED', ExitCode: 3, Reason: 'it broke' }],
    });
  });

  it('answers a zero exit with the same description, as the Task result', async () => {
    const task = await runDockerLocally('main.Box', docker, overrides(0));
    expect(task.Containers).toEqual([{ Name: 'stage', LastStatus: 'STOPPED', ExitCode: 0 }]);
    expect(task.StopCode).toBe('EssentialContainerExited');
  });

  it('fails with the runner error when no Docker engine answers (ECS would not have started a task)', async () => {
    process.env.FAKE_DOCKER_DOWN = '1';
    try {
      const error = (await runDockerLocally('main.Box', docker, overrides(0)).catch((e: Error) => e)) as Error;
      expect(error.name).toBe('DockerUnavailable');
      expect(error.message).toMatch(/^docker stage "main\.Box": docker stages need a Docker engine; none answered at .+ \(Cannot connect to the Docker daemon\); on AWS they run on ECS Fargate$/);
    } finally {
      delete process.env.FAKE_DOCKER_DOWN;
    }
  });
});

describe('docker stages run by the compiled machine on the local engine', () => {
  it('loads', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('records a non-zero exit as FAILED with return_code, and continue-on-error lets the run go on', async () => {
    const events: RunEvent[] = [];
    const doc = await runLocal(workflows.get('boxes')!, { params: { code: 3 }, onEvent: (e) => events.push(e) });
    const stages = main(doc).stages;
    expect(stages.box).toEqual({
      status: 'FAILED',
      outputs: { return_code: 3 },
      errors: { name: 'StageError', message: 'docker stage "Box" exited with code 3: it broke' },
    });
    expect(stages.after).toEqual({ status: 'SUCCESS', outputs: { return_code: 0, stdout: 'after', stderr: '' } });
    expect(main(doc).status).toBe('SUCCESS');
    expect(doc.status).toBe('SUCCESS');
    expect(events.filter((e) => e.stage === 'Box').map((e) => e.type)).toEqual(['stage-start', 'stage-failed']);
  });

  it('succeeds on exit 0', async () => {
    const doc = await runLocal(workflows.get('boxes')!, { params: { code: 0 } });
    const stages = main(doc).stages;
    expect(stages.box).toEqual({ status: 'SUCCESS', outputs: { return_code: 0 } });
    expect(doc.status).toBe('SUCCESS');
  });

  it('without continue-on-error, retries the container and then fails the run', async () => {
    const before = runs().length;
    const doc = await runLocal(workflows.get('strict')!, { retryWaitMs: 0 });
    expect(runs().slice(before)).toEqual(['alpine:latest', 'alpine:latest', 'alpine:latest']);
    expect(doc.status).toBe('FAILED');
    expect(main(doc).status).toBe('FAILED');
    expect(main(doc).errors).toEqual({ name: 'StageError', message: 'docker stage "Box" exited with code 4' });
    const stages = main(doc).stages;
    expect(stages.box.outputs).toEqual({ return_code: 4 });
    expect(stages.after).toBeUndefined();
  });
});
