import { describe, expect, it } from 'vitest';
import { permissionsFor, taskStates, type DefinitionResources } from '../../lib/cdk/permissions-for.ts';
import type { Machine, State } from '../../lib/compiler/index.ts';

const resources: DefinitionResources = {
  functions: { StageRunnerFunctionArn: 'arn:fn:stage', PyRunnerFunctionArn: 'arn:fn:py' },
  tables: { AuditTableName: 'arn:table:audit' },
  stateMachines: { StateMachine_child: { arn: 'arn:sm:child', executions: 'arn:exec:child:*' } },
  taskDefinitions: { TaskDefinition_a: { arn: 'arn:task-definition/a:*', roles: ['arn:role:task-a', 'arn:role:exec-a'] } },
  ecsTasks: 'arn:ecs:task/cluster/*',
  managedRule: (name) => `arn:rule/${name}`,
};

const lambdaTask = (fn: string): State => ({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: `\${${fn}}`, Payload: {} }, End: true });
const claim: State = { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: '${AuditTableName}' }, Next: 'next' };
const trigger: State = { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: '${StateMachine_child}' }, End: true };
const docker: State = { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', Parameters: { Cluster: '${EcsClusterArn}', TaskDefinition: '${TaskDefinition_a}' }, End: true };
const machine = (states: Record<string, State>): Machine => ({ StartAt: Object.keys(states)[0]!, States: states });

describe('permissionsFor', () => {
  it('allows only the audit table write when the machine only claims its release', () => {
    expect(permissionsFor(machine({ claim }), resources)).toEqual([{ actions: ['dynamodb:PutItem'], resources: ['arn:table:audit'] }]);
  });

  it('allows invoking only the runner functions the definition names', () => {
    expect(permissionsFor(machine({ a: lambdaTask('StageRunnerFunctionArn'), b: lambdaTask('StageRunnerFunctionArn') }), resources)).toEqual([
      { actions: ['lambda:InvokeFunction'], resources: ['arn:fn:stage'] },
    ]);
    expect(permissionsFor(machine({ a: lambdaTask('PyRunnerFunctionArn') }), resources)).toEqual([{ actions: ['lambda:InvokeFunction'], resources: ['arn:fn:py'] }]);
  });

  it('finds Task states inside Parallel branches and Map item processors, however deep', () => {
    const nested = machine({
      par: {
        Type: 'Parallel',
        Branches: [machine({ inner: lambdaTask('StageRunnerFunctionArn') }), machine({ map: { Type: 'Map', ItemProcessor: machine({ py: lambdaTask('PyRunnerFunctionArn') }), End: true } })],
        Next: 'claim',
      },
      claim,
    });
    expect(taskStates(nested)).toHaveLength(3);
    expect(permissionsFor(nested, resources)).toEqual([
      { actions: ['dynamodb:PutItem'], resources: ['arn:table:audit'] },
      { actions: ['lambda:InvokeFunction'], resources: ['arn:fn:py', 'arn:fn:stage'] },
    ]);
  });

  it('allows starting and following a child machine, with the managed rule .sync:2 needs', () => {
    expect(permissionsFor(machine({ trigger }), resources)).toEqual([
      { actions: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'], resources: ['arn:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule'] },
      { actions: ['states:DescribeExecution', 'states:StopExecution'], resources: ['arn:exec:child:*'] },
      { actions: ['states:StartExecution'], resources: ['arn:sm:child'] },
    ]);
  });

  it('allows running the task definition, passing its roles, and following its tasks', () => {
    expect(permissionsFor(machine({ docker }), resources)).toEqual([
      { actions: ['ecs:DescribeTasks', 'ecs:StopTask'], resources: ['arn:ecs:task/cluster/*'] },
      { actions: ['ecs:RunTask'], resources: ['arn:task-definition/a:*'] },
      { actions: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'], resources: ['arn:rule/StepFunctionsGetEventsForECSTaskRule'] },
      { actions: ['iam:PassRole'], resources: ['arn:role:exec-a', 'arn:role:task-a'] },
    ]);
  });

  it('throws on a Task integration it has no rule for, rather than deploying a role that lacks it', () => {
    const sns: State = { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: 'x' }, End: true };
    expect(() => permissionsFor(machine({ sns }), resources)).toThrow('no permission rule for the Task resource "arn:aws:states:::sns:publish"');
    const waitToken: State = { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', Parameters: { QueueUrl: 'x' }, End: true };
    expect(() => permissionsFor(machine({ waitToken }), resources)).toThrow('no permission rule');
  });

  it('throws on a resource named without a placeholder, or a placeholder it was not given', () => {
    const literal: State = { ...lambdaTask('x'), Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:1:function:f' } };
    expect(() => permissionsFor(machine({ literal }), resources)).toThrow('expected a ${Placeholder} naming the Lambda function');
    expect(() => permissionsFor(machine({ a: lambdaTask('OtherFunctionArn') }), resources)).toThrow('no Lambda function given for placeholder ${OtherFunctionArn}');
    expect(() => permissionsFor(machine({ docker }), { ...resources, taskDefinitions: {} })).toThrow('no ECS task definition given for placeholder ${TaskDefinition_a}');
  });
});
