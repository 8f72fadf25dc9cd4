/**
 * Least privilege for every conformance workflow and every example of conf/: all of them deployed
 * by one WorkflowApp, and each state machine's role checked two ways. It holds exactly the
 * statements `permissionsFor` derives from the deployed definition; and, independently of
 * `permissionsFor`, the resources its statements name are exactly the resources the definition's
 * Task states use (the substitutions of the placeholders they name), with no wildcard beyond what
 * Step Functions' own .sync integrations require.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { permissionsFor, WorkflowApp } from '../../lib/cdk/index.ts';
import { loadWorkflows, type Workflow } from '../../lib/config/index.ts';
import type { Machine, State } from '../../lib/compiler/index.ts';
import { conformanceCases } from '../helpers/compiled-machines.ts';
import { definitionStatements, normalise, resourcesOf, roleStatements, isServiceStatement } from '../cdk/synth-helpers.ts';

let stack: Stack;
let app: WorkflowApp;
let template: Template;
const workflows = new Map<string, Workflow>();

beforeAll(() => {
  for (const c of conformanceCases()) {
    const loaded = loadWorkflows({ conf: c.conf, env: {} });
    if (loaded.diagnostics.some((d) => d.severity === 'error')) continue;
    for (const [name, w] of loaded.workflows) workflows.set(name, w);
  }
  for (const [name, w] of loadWorkflows({ conf: 'conf', env: {} }).workflows) if (!workflows.has(name)) workflows.set(name, w);
  stack = new Stack(new App(), 'Iam');
  app = new WorkflowApp(stack, 'Workflows', { workflows, registry: ['conf/registry/tasks.ts'] });
  template = Template.fromStack(stack);
}, 120_000);

/** Every Task state of a machine, nested ones included. */
function tasks(m: Machine, into: State[] = []): State[] {
  for (const st of Object.values(m.States)) {
    if (st.Type === 'Task') into.push(st);
    for (const b of st.Branches ?? []) tasks(b, into);
    if (st.ItemProcessor) tasks(st.ItemProcessor, into);
  }
  return into;
}

/** The logical ids a CloudFormation value refers to (Ref, Fn::GetAtt, inside Fn::Join and Fn::Sub). */
function logicalIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) logicalIds(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string' && !v.startsWith('AWS::')) into.add(v);
      else if (k === 'Fn::GetAtt' && Array.isArray(v)) into.add(String(v[0]));
      else logicalIds(v, into);
    }
  }
  return into;
}

const PLACEHOLDER_FIELDS = ['FunctionName', 'TableName', 'StateMachineArn', 'TaskDefinition'];

describe('least privilege, for every conformance workflow and example', () => {
  it('deploys every workflow that loads (the conformance cases and conf/)', () => {
    expect(workflows.size).toBeGreaterThanOrEqual(17);
    expect(Object.keys(resourcesOf(template, 'AWS::StepFunctions::StateMachine'))).toHaveLength(workflows.size);
  });

  it("each machine's role holds exactly the statements permissionsFor derives from its deployed definition", () => {
    for (const [name, construct] of app.stateMachines) {
      const props = (resourcesOf(template, 'AWS::StepFunctions::StateMachine')[stack.getLogicalId(construct.stateMachine.node.defaultChild as never)]!).Properties;
      const definition = JSON.parse(props.DefinitionString as string) as Machine;
      expect(definitionStatements(template, props), name).toEqual(normalise(stack.resolve(permissionsFor(definition, construct.resources))));
    }
  });

  it("each role names exactly the resources its definition's Task states use, and no wildcard of its own", () => {
    const machines = resourcesOf(template, 'AWS::StepFunctions::StateMachine');
    for (const [name, construct] of app.stateMachines) {
      const props = machines[stack.getLogicalId(construct.stateMachine.node.defaultChild as never)]!.Properties;
      const definition = JSON.parse(props.DefinitionString as string) as Machine;
      const substitutions = props.DefinitionSubstitutions as Record<string, unknown>;
      // What the definition uses: the resources behind the placeholders its Task states name.
      const used = new Set<string>();
      for (const st of tasks(definition)) {
        for (const field of PLACEHOLDER_FIELDS) {
          const m = /^\$\{(\w+)\}$/.exec(String(st.Parameters?.[field] ?? ''));
          if (m) for (const id of logicalIds(substitutions[m[1]!])) used.add(id);
        }
        // An ECS task runs on the cluster the state names, with the roles of its task definition.
        const cluster = /^\$\{(\w+)\}$/.exec(String(st.Parameters?.Cluster ?? ''));
        if (cluster) for (const id of logicalIds(substitutions[cluster[1]!])) used.add(id);
      }
      for (const id of [...used]) {
        const res = template.toJSON().Resources[id] as { Type: string; Properties: Record<string, unknown> };
        if (res.Type === 'AWS::ECS::TaskDefinition') for (const role of logicalIds([res.Properties.TaskRoleArn, res.Properties.ExecutionRoleArn])) used.add(role);
      }
      // What the role allows, less the log delivery and X-Ray statements no definition decides.
      const roleId = (props.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = roleStatements(template, roleId).filter((s) => !isServiceStatement(s));
      const named = new Set<string>();
      for (const s of statements) {
        for (const r of Array.isArray(s.Resource) ? s.Resource : [s.Resource]) {
          if (r === '*') throw new Error(`${name}: a statement allows every resource: ${JSON.stringify(s)}`);
          for (const id of logicalIds(r)) named.add(id);
        }
      }
      expect([...named].sort(), name).toEqual([...used].sort());
    }
  });

  it('a machine that runs no stage of a runner cannot invoke it; one that triggers nothing cannot start executions', () => {
    const sm = (n: string) => resourcesOf(template, 'AWS::StepFunctions::StateMachine')[stack.getLogicalId(app.stateMachines.get(n)!.stateMachine.node.defaultChild as never)]!.Properties;
    const py = JSON.stringify(stack.resolve(app.pyRunner.functionArn));
    const invoke = (n: string) => definitionStatements(template, sm(n)).find((s) => s.actions.includes('lambda:InvokeFunction'))?.resources ?? [];
    expect(invoke('py-vars')).toContain(py);
    expect(invoke('echo-bash')).not.toContain(py);
    const starts = (n: string) => definitionStatements(template, sm(n)).some((s) => s.actions.includes('states:StartExecution'));
    expect(starts('parent')).toBe(true);
    for (const n of [...workflows.keys()].filter((n) => n !== 'parent' && n !== 'jobs')) expect(starts(n), n).toBe(false);
  });
});
