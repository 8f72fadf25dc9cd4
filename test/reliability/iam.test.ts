/**
 * Least privilege for every conformance workflow and every example of conf/: all of them deployed
 * by one WorkflowApp, and each state machine's role checked two ways. It holds exactly the
 * statements `permissionsFor` derives from the deployed definition; and, independently of
 * `permissionsFor`, the resources its statements name are exactly the resources the definition's
 * Task states use (the substitutions of the placeholders they name), with no wildcard beyond what
 * Step Functions' own .sync integrations require and what keeps a running execution allowed after
 * a later deploy: every version of a runner function whose version the definition invokes, every
 * revision of a task definition family whose revision it runs.
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

/** An ARN of the deployment's partition, region and account: `arn:…:<service>:…:<rest>`, as CDK joins it. */
function arnJoin(service: string, ...rest: unknown[]): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ...rest]] };
}

/** Every published version of the function with this logical id (`function:<name>:*`), as JSON. */
const everyVersion = (functionId: string): string => JSON.stringify(arnJoin('lambda', ':function:', { Ref: functionId }, ':*'));

/** Every revision of a task definition family (`task-definition/<family>:*`), as JSON. */
const everyRevision = (family: string): string => JSON.stringify(arnJoin('ecs', `:task-definition/${family}:*`));

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
    const all = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
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
      // A definition invokes a runner version and runs a task definition revision; the role names
      // every version of that function and every revision of that family, and the task's roles.
      const patterns = new Set<string>();
      for (const id of [...used]) {
        const res = all[id]!;
        if (res.Type === 'AWS::Lambda::Version') {
          const fn = (res.Properties.FunctionName as { Ref: string }).Ref;
          used.delete(id);
          used.add(fn);
          patterns.add(everyVersion(fn));
        } else if (res.Type === 'AWS::ECS::TaskDefinition') {
          used.delete(id);
          patterns.add(everyRevision(res.Properties.Family as string));
          for (const role of logicalIds([res.Properties.TaskRoleArn, res.Properties.ExecutionRoleArn])) used.add(role);
        }
      }
      // What the role allows, less the log delivery and X-Ray statements no definition decides.
      const roleId = (props.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = roleStatements(template, roleId).filter((s) => !isServiceStatement(s));
      const named = new Set<string>();
      const namedPatterns = new Set<string>();
      for (const s of statements) {
        for (const r of Array.isArray(s.Resource) ? s.Resource : [s.Resource]) {
          if (r === '*') throw new Error(`${name}: a statement allows every resource: ${JSON.stringify(s)}`);
          const ids = logicalIds(r);
          for (const id of ids) named.add(id);
          // A function is named only as all its versions, a task definition only as all its family's revisions.
          if ([...ids].some((id) => all[id]?.Type === 'AWS::Lambda::Function') || JSON.stringify(r).includes(':task-definition/')) namedPatterns.add(JSON.stringify(r));
        }
      }
      expect([...named].sort(), name).toEqual([...used].sort());
      expect([...namedPatterns].sort(), name).toEqual([...patterns].sort());
    }
  });

  it('a machine that runs no stage of a runner cannot invoke it; one that triggers nothing cannot start executions', () => {
    const sm = (n: string) => resourcesOf(template, 'AWS::StepFunctions::StateMachine')[stack.getLogicalId(app.stateMachines.get(n)!.stateMachine.node.defaultChild as never)]!.Properties;
    const py = everyVersion(stack.getLogicalId(app.pyRunner.node.defaultChild as never));
    const invoke = (n: string) => definitionStatements(template, sm(n)).find((s) => s.actions.includes('lambda:InvokeFunction'))?.resources ?? [];
    expect(invoke('py-vars')).toContain(py);
    expect(invoke('echo-bash')).not.toContain(py);
    const starts = (n: string) => definitionStatements(template, sm(n)).some((s) => s.actions.includes('states:StartExecution'));
    expect(starts('parent')).toBe(true);
    for (const n of [...workflows.keys()].filter((n) => n !== 'parent' && n !== 'jobs')) expect(starts(n), n).toBe(false);
  });
});
