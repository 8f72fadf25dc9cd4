/**
 * A templated trigger target deployed: the parent's `choice` param names two of three workflows,
 * so its role may start exactly those two state machines (and follow their executions), never the
 * third; each start Task's StateMachineArn is substituted with its own child's ARN; and the
 * synthesized template passes AWS's rules. A free-text target stops the synth with WF5008.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { WorkflowApp } from '../../lib/cdk/index.ts';
import { scanTemplate } from '../helpers/aws-rules.ts';
import { definitionStatements, stateMachine } from './synth-helpers.ts';

const child = (name: string): string => `
${name}:
  type: Workflow
  jobs:
    only:
      stages:
        - name: say
          echo: ${name}
`;

const CONF = `
parent:
  type: Workflow
  params: {target: {type: choice, options: [child-a, child-b]}}
  jobs: {go: {stages: [{name: kick, trigger: "\${{ params.target }}"}]}}
${child('child-a')}${child('child-b')}${child('other')}`;

let stack: Stack;
let workflows: WorkflowApp;
let template: Template;
let outdir: string;

beforeAll(() => {
  const conf = mkdtempSync(join(tmpdir(), 'wf-ttrigger-cdk-'));
  writeFileSync(join(conf, 'wf.yml'), CONF);
  outdir = mkdtempSync(join(tmpdir(), 'wf-ttrigger-out-'));
  const app = new App({ outdir });
  stack = new Stack(app, 'T');
  workflows = new WorkflowApp(stack, 'Workflows', { conf });
  template = Template.fromStack(stack);
  app.synth();
});

const arnOf = (name: string): string => JSON.stringify(stack.resolve(workflows.stateMachines.get(name)!.stateMachine.stateMachineArn));

describe('a templated trigger target, synthesized', () => {
  it('lets the parent start exactly the choice param\'s machines and follow only their executions', () => {
    const statements = definitionStatements(template, stateMachine(template, 'T-parent').props);
    expect(statements.find((s) => s.actions.join() === 'states:StartExecution')!.resources).toEqual([arnOf('child-a'), arnOf('child-b')].sort());
    const follow = statements.find((s) => s.actions.join() === 'states:DescribeExecution,states:StopExecution')!.resources;
    expect(follow).toHaveLength(2);
    expect(follow.some((r) => r.includes(':execution:T-child-a:*'))).toBe(true);
    expect(follow.some((r) => r.includes(':execution:T-child-b:*'))).toBe(true);
    expect(JSON.stringify(statements)).not.toContain('T-other');
  });

  it('substitutes each start Task\'s placeholder with its own child\'s ARN', () => {
    const subs = stateMachine(template, 'T-parent').props.DefinitionSubstitutions as Record<string, unknown>;
    expect(JSON.stringify(subs.StateMachine_child_0a)).toBe(arnOf('child-a'));
    expect(JSON.stringify(subs.StateMachine_child_0b)).toBe(arnOf('child-b'));
    expect(Object.keys(subs).filter((k) => k.startsWith('StateMachine_')).sort()).toEqual(['StateMachine_child_0a', 'StateMachine_child_0b']);
  });

  it('passes AWS\'s rules', async () => {
    const findings: string[] = [];
    let machines = 0;
    for (const f of readdirSync(outdir).filter((n) => n.endsWith('.template.json'))) {
      const t = JSON.parse(readFileSync(join(outdir, f), 'utf8')) as { Resources?: Record<string, { Type: string }> };
      machines += Object.values(t.Resources ?? {}).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine').length;
      findings.push(...(await scanTemplate(t as never)));
    }
    expect(machines).toBe(4);
    expect(findings).toEqual([]);
  });

  it('stops the synth of a free-text target with WF5008 and its fix, not a stack trace', () => {
    const conf = mkdtempSync(join(tmpdir(), 'wf-ttrigger-free-'));
    writeFileSync(join(conf, 'wf.yml'), CONF.replace('{type: choice, options: [child-a, child-b]}', 'str'));
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'wf-ttrigger-out-')) });
    let thrown: unknown;
    try {
      new WorkflowApp(new Stack(app, 'F'), 'Workflows', { conf });
    } catch (e) {
      thrown = e;
    }
    expect((thrown as Error).name).toBe('WorkflowSynthError');
    expect((thrown as Error).message).toMatch(/wf\.yml:\d+:\d+: error WF5008: stage "kick" triggers "\$\{\{ params\.target \}\}", whose workflows are not known when compiling/);
    expect((thrown as Error).message).toContain('declare a choice param');
  });
});
