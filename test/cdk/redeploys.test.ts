/**
 * Redeploys under running executions. An execution keeps the definition it started with, so what
 * that definition names must still exist after a later deploy, and the machine's role must still
 * allow it. Two synths of the same app stand for two deploys: the second changes the stage
 * runner's configuration (a new version) and the docker stage's image tag (a new revision).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { WorkflowApp } from '../../lib/cdk/index.ts';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { definitionStatements, resourcesOf, stateMachine } from './synth-helpers.ts';

const workflowsWithTag = (tag: string) => {
  const { workflows, diagnostics } = loadWorkflowsFromText({
    'box.yml': `
box:
  type: Workflow
  jobs:
    run:
      stages:
        - name: Greet
          bash: echo hello
        - name: Compute
          run: x = 1
        - name: In a box
          image: alpine
          tag: "${tag}"
          cmd: echo boxed
`,
  });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return workflows;
};

interface Deploy {
  stack: Stack;
  app: WorkflowApp;
  template: Template;
}

function deploy(tag: string, stage: string): Deploy {
  const stack = new Stack(new App(), 'Redeploy');
  const app = new WorkflowApp(stack, 'Workflows', { workflows: workflowsWithTag(tag), stageRunner: { environment: { WORKFLOW_ENV_STAGE: stage } } });
  return { stack, app, template: Template.fromStack(stack) };
}

let first: Deploy;
let second: Deploy;

beforeAll(() => {
  first = deploy('3.20', 'one');
  second = deploy('3.21', 'two');
});

const substitutions = (d: Deploy) => stateMachine(d.template, 'Redeploy-box').props.DefinitionSubstitutions as Record<string, unknown>;
const versions = (d: Deploy) => resourcesOf(d.template, 'AWS::Lambda::Version');

describe('runner functions', () => {
  it('are invoked through a published version, never the bare function ($LATEST)', () => {
    for (const d of [first, second]) {
      const subs = substitutions(d);
      const versionIds = Object.keys(versions(d));
      for (const p of ['StageRunnerFunctionArn', 'PyRunnerFunctionArn']) {
        const ref = (subs[p] as { Ref?: string }).Ref;
        expect(versionIds, p).toContain(ref);
      }
      const functions = Object.keys(resourcesOf(d.template, 'AWS::Lambda::Function'));
      expect(JSON.stringify(subs)).not.toMatch(new RegExp(functions.map((f) => `"${f}"`).join('|')));
    }
  });

  it('publish a new version when the function changes, and keep the old one (Retain)', () => {
    const before = versions(first);
    const after = versions(second);
    expect(Object.keys(before)).toHaveLength(2);
    for (const v of [...Object.values(before), ...Object.values(after)]) {
      expect(v.DeletionPolicy).toBe('Retain');
      expect(v.UpdateReplacePolicy).toBe('Retain');
    }
    const stageBefore = (substitutions(first).StageRunnerFunctionArn as { Ref: string }).Ref;
    const stageAfter = (substitutions(second).StageRunnerFunctionArn as { Ref: string }).Ref;
    expect(stageAfter).not.toBe(stageBefore);
    expect(Object.keys(after)).not.toContain(stageBefore);
    // Same function: the old version is a version of the function the new template still has.
    expect(before[stageBefore]!.Properties.FunctionName).toEqual(after[stageAfter]!.Properties.FunctionName);
    // The Python runner did not change: same version, nothing to publish.
    expect(substitutions(second).PyRunnerFunctionArn).toEqual(substitutions(first).PyRunnerFunctionArn);
  });

  it("let the machine's role invoke every version of the runners, so the new role still allows the old version", () => {
    const invoke = (d: Deploy) => definitionStatements(d.template, stateMachine(d.template, 'Redeploy-box').props).find((s) => s.actions.join() === 'lambda:InvokeFunction')!;
    const fnName = (d: Deploy, fn: 'stageRunner' | 'pyRunner') => d.stack.resolve(d.app[fn].functionName);
    const everyVersion = (d: Deploy, fn: 'stageRunner' | 'pyRunner') =>
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:', fnName(d, fn), ':*']] });
    for (const d of [first, second]) expect(invoke(d).resources).toEqual([everyVersion(d, 'pyRunner'), everyVersion(d, 'stageRunner')].sort());
    expect(invoke(second)).toEqual(invoke(first));
  });
});

describe('docker task definitions', () => {
  const taskDefinitions = (d: Deploy) => Object.values(resourcesOf(d.template, 'AWS::ECS::TaskDefinition'));

  it('register a new revision of the same family when the image changes, and keep the old revision (Retain)', () => {
    const [before] = taskDefinitions(first);
    const [after] = taskDefinitions(second);
    expect(before!.Properties.Family).toBe('Redeploy-box_run_In_a_box');
    expect(after!.Properties.Family).toBe(before!.Properties.Family);
    expect((before!.Properties.ContainerDefinitions as Array<{ Image: string }>)[0]!.Image).toBe('alpine:3.20');
    expect((after!.Properties.ContainerDefinitions as Array<{ Image: string }>)[0]!.Image).toBe('alpine:3.21');
    for (const def of [before!, after!]) {
      expect(def.DeletionPolicy).toBe('Retain');
      expect(def.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('are run through a grant on the whole family, the same before and after, and the roles every revision uses', () => {
    const grants = (d: Deploy) => definitionStatements(d.template, stateMachine(d.template, 'Redeploy-box').props);
    const runTask = (d: Deploy) => grants(d).find((s) => s.actions.join() === 'ecs:RunTask')!.resources;
    expect(runTask(first)).toEqual([
      JSON.stringify({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':task-definition/Redeploy-box_run_In_a_box:*']] }),
    ]);
    expect(runTask(second)).toEqual(runTask(first));
    const docker = second.app.docker!;
    expect(grants(second).find((s) => s.actions.join() === 'iam:PassRole')!.resources).toEqual(
      [JSON.stringify(second.stack.resolve(docker.taskRole.roleArn)), JSON.stringify(second.stack.resolve(docker.executionRole.roleArn))].sort(),
    );
    const [def] = taskDefinitions(second);
    expect(def!.Properties.TaskRoleArn).toEqual(second.stack.resolve(docker.taskRole.roleArn));
    expect(def!.Properties.ExecutionRoleArn).toEqual(second.stack.resolve(docker.executionRole.roleArn));
  });

  it('are named in the definition by their revision ARN, which a running execution keeps', () => {
    const def = second.app.stateMachines.get('box')!.taskDefinitions.get('TaskDefinition_box_run_In_a_box')!;
    expect(substitutions(second).TaskDefinition_box_run_In_a_box).toEqual(second.stack.resolve(def.taskDefinitionArn));
  });
});
