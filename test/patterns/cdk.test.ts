/**
 * The patterns deployed by WorkflowApp: a state machine with a concurrency group may update the
 * audit table, the stage runner gets exactly the statements its coordination actions use (none in
 * an app without them), and cdk-nag has nothing to report.
 */
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { WorkflowApp } from '../../lib/cdk/index.ts';
import { definitionStatements, normalise, roleStatements, stateMachine } from '../cdk/synth-helpers.ts';
import { workflowsOf } from './helpers.ts';

const CONF = `
gated:
  type: Workflow
  concurrency: {group: deploy, cancel-in-progress: true}
  jobs:
    ship:
      stages:
        - {name: Approve, id: approve, wait: go}
        - {name: Ship, echo: shipping}
plain:
  type: Workflow
  jobs:
    a: {stages: [{name: A, echo: a}]}
`;

function synth(names: string[]): { stack: Stack; app: WorkflowApp; template: Template } {
  const all = workflowsOf(CONF);
  const root = new App();
  const stack = new Stack(root, 'Patterns');
  const app = new WorkflowApp(stack, 'Workflows', { workflows: new Map(names.map((n) => [n, all.get(n)!])), namePrefix: 'p' });
  Aspects.of(root).add(new AwsSolutionsChecks({ reports: false }));
  return { stack, app, template: Template.fromStack(stack) };
}

const ref = (s: unknown): string => JSON.stringify(s);
/** The results bucket's `wf-spill/*`, as the template writes it: what every app's runners may read and write. */
const spillObjects = (stack: Stack, app: WorkflowApp): unknown => stack.resolve(app.resultsBucket.arnForObjects('wf-spill/*'));

describe('WorkflowApp with coordination patterns', () => {
  it('gives the machine and the stage runner what the patterns use, and passes cdk-nag', () => {
    const { stack, app, template } = synth(['gated', 'plain']);
    const table = ref({ 'Fn::GetAtt': [stack.getLogicalId(app.auditTable.node.defaultChild as never), 'Arn'] });
    const machine = definitionStatements(template, stateMachine(template, 'p-gated').props);
    expect(machine.find((s) => s.actions.includes('dynamodb:UpdateItem'))?.resources).toEqual([table]);
    const runnerRole = stack.getLogicalId(app.stageRunner.role!.node.defaultChild as never);
    const runner = normalise(roleStatements(template, runnerRole).filter((s) => !String(s.Action).startsWith('logs:')) as never);
    // Every execution of the app's machines, by the one pattern their names share (`<prefix>-*`).
    const executions = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':execution:p-*:*']] };
    expect(runner).toEqual(
      normalise([
        { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], Resource: JSON.parse(table) },
        { Action: ['states:DescribeExecution', 'states:StopExecution'], Resource: executions },
        { Action: ['states:SendTaskFailure', 'states:SendTaskSuccess'], Resource: '*' },
        { Action: ['s3:GetObject', 's3:PutObject'], Resource: spillObjects(stack, app) },
      ]),
    );
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*')).map((e) => e.id)).toEqual([]);
  });

  it('adds nothing to the stage runner when no workflow uses them (it keeps only wf-spill/ of the results bucket)', () => {
    const { stack, app, template } = synth(['plain']);
    const runnerRole = stack.getLogicalId(app.stageRunner.role!.node.defaultChild as never);
    const statements = roleStatements(template, runnerRole).filter((s) => !String(s.Action).startsWith('logs:'));
    expect(statements.map((s) => [s.Action, s.Resource])).toEqual([[['s3:GetObject', 's3:PutObject'], spillObjects(stack, app)]]);
  });
});
