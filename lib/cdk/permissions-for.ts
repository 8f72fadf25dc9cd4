/**
 * Least privilege from the definition itself: every Task state names the resource it acts on
 * through a `${Placeholder}` (a function, the audit table, a child machine, a task definition), so
 * walking the definition — Parallel branches and Map item processors included — gives exactly what
 * the state machine's role must allow, and nothing it does not use. A Task integration this file
 * does not know is a bug (the compiler learned something new) and throws rather than deploying a
 * machine whose role is silently missing a permission.
 *
 * The statements follow the Step Functions documentation for each integration:
 * `lambda:invoke` (request-response, and `.waitForTaskToken` for wait stages), `dynamodb:putItem`,
 * `dynamodb:updateItem` (concurrency slots), `states:startExecution.sync:2`
 * (the child, its executions, and the managed EventBridge rule Step Functions uses to learn that a
 * child ended), `ecs:runTask.sync` (the task definition, its roles, the tasks, and the managed rule).
 * This file does not import aws-cdk-lib: resources are plain strings (CDK tokens work as strings).
 */
import type { Machine, State } from '../compiler/index.ts';

/** A child state machine a definition may start. */
export interface ChildMachineResource {
  /** The state machine's ARN. */
  arn: string;
  /** The ARN pattern of its executions (`arn:…:execution:<name>:*`). */
  executions: string;
}

/** An ECS task definition a definition may run. */
export interface TaskDefinitionResource {
  /** What `ecs:RunTask` is allowed on: every revision of the task definition's family (`task-definition/<family>:*`). */
  arn: string;
  /** The roles the task runs with (task role, execution role), which Step Functions passes to ECS. */
  roles: string[];
}

/** What each placeholder of a definition stands for, for {@link permissionsFor}. */
export interface DefinitionResources {
  /**
   * What `lambda:InvokeFunction` is allowed on, by placeholder name (`StageRunnerFunctionArn`,
   * `PyRunnerFunctionArn`): every published version of the function (`function:<name>:*`).
   */
  functions: Readonly<Record<string, string>>;
  /** DynamoDB table ARNs by placeholder name (`AuditTableName`). */
  tables: Readonly<Record<string, string>>;
  /** Child state machines by placeholder name (`StateMachine_<workflow>`). */
  stateMachines: Readonly<Record<string, ChildMachineResource>>;
  /** ECS task definitions by placeholder name (`TaskDefinition_<…>`). */
  taskDefinitions: Readonly<Record<string, TaskDefinitionResource>>;
  /** The ARN pattern of the ECS tasks a machine may describe and stop (`arn:…:task/<cluster>/*`). */
  ecsTasks?: string;
  /** The ARN of an EventBridge rule that Step Functions manages in the deployment's account and region. */
  managedRule(name: string): string;
}

/** One IAM statement (always `Allow`): sorted actions on sorted resources. */
export interface PermissionStatement {
  actions: string[];
  resources: string[];
  /** IAM conditions (`{StringLike: {'s3:prefix': [...]}}`), when the grant is narrower than its resources. */
  conditions?: Record<string, Record<string, string[]>>;
}

/** The managed rule Step Functions uses to wait for child executions (`.sync`). */
export const EXECUTION_EVENTS_RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';
/** The managed rule Step Functions uses to wait for ECS tasks (`.sync`). */
export const ECS_EVENTS_RULE = 'StepFunctionsGetEventsForECSTaskRule';

const RULE_ACTIONS = ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'];
const PLACEHOLDER = /^\$\{([A-Za-z0-9_]+)\}$/;

/** Every Task state of a machine, nested branches and item processors included, in reading order. */
export function taskStates(machine: Machine): State[] {
  const out: State[] = [];
  const walk = (m: Machine): void => {
    for (const st of Object.values(m.States)) {
      if (st.Type === 'Task') out.push(st);
      for (const b of st.Branches ?? []) walk(b);
      if (st.ItemProcessor) walk(st.ItemProcessor);
      const legacy = (st as { Iterator?: Machine }).Iterator;
      if (legacy) walk(legacy);
    }
  };
  walk(machine);
  return out;
}

/**
 * The IAM statements a state machine with this definition needs: one per kind of access, each
 * listing exactly the resources the definition's Task states name. Deterministic (sorted).
 * Throws on a Task integration or a placeholder that `resources` does not cover.
 */
export function permissionsFor(definition: Machine, resources: DefinitionResources): PermissionStatement[] {
  const grants = new Map<string, Set<string>>();
  const allow = (actions: readonly string[], ...arns: string[]): void => {
    const key = [...actions].sort().join(' ');
    let set = grants.get(key);
    if (!set) grants.set(key, (set = new Set()));
    for (const arn of arns) set.add(arn);
  };
  const lookup = <T>(table: Readonly<Record<string, T>>, state: State, field: string, what: string): T => {
    const value = state.Parameters?.[field];
    const m = typeof value === 'string' ? PLACEHOLDER.exec(value) : null;
    if (!m) {
      throw new Error(`permissionsFor: Task "${state.Resource}" has ${field} ${JSON.stringify(value)}; expected a \${Placeholder} naming the ${what}`);
    }
    const found = Object.hasOwn(table, m[1]!) ? table[m[1]!] : undefined;
    if (found === undefined) throw new Error(`permissionsFor: no ${what} given for placeholder \${${m[1]}}`);
    return found;
  };

  for (const state of taskStates(definition)) {
    const resource = state.Resource ?? '';
    const integration = /^arn:aws:states:::([a-z]+):([A-Za-z]+)(\.sync(:2)?|\.waitForTaskToken)?$/.exec(resource);
    const service = integration?.[1];
    const api = integration?.[2];
    if (service === 'lambda' && api === 'invoke' && (integration?.[3] === undefined || integration[3] === '.waitForTaskToken')) {
      // A wait stage's Task invokes the stage runner with a task token; the answer comes back
      // through SendTaskSuccess, which the sender (wf signal, the runner) is allowed to call.
      allow(['lambda:InvokeFunction'], lookup(resources.functions, state, 'FunctionName', 'Lambda function'));
    } else if (service === 'dynamodb' && integration?.[3] === undefined && api) {
      allow([`dynamodb:${api[0]!.toUpperCase()}${api.slice(1)}`], lookup(resources.tables, state, 'TableName', 'DynamoDB table'));
    } else if (service === 'states' && api === 'startExecution' && integration?.[3] === '.sync:2') {
      const child = lookup(resources.stateMachines, state, 'StateMachineArn', 'state machine');
      allow(['states:StartExecution'], child.arn);
      allow(['states:DescribeExecution', 'states:StopExecution'], child.executions);
      allow(RULE_ACTIONS, resources.managedRule(EXECUTION_EVENTS_RULE));
    } else if (service === 'ecs' && api === 'runTask' && integration?.[3] === '.sync') {
      const task = lookup(resources.taskDefinitions, state, 'TaskDefinition', 'ECS task definition');
      if (resources.ecsTasks === undefined) throw new Error('permissionsFor: the definition runs ECS tasks but no ecsTasks ARN pattern was given');
      allow(['ecs:RunTask'], task.arn);
      allow(['iam:PassRole'], ...task.roles);
      allow(['ecs:DescribeTasks', 'ecs:StopTask'], resources.ecsTasks);
      allow(RULE_ACTIONS, resources.managedRule(ECS_EVENTS_RULE));
    } else {
      throw new Error(`permissionsFor: no permission rule for the Task resource "${resource}"; add one to lib/cdk/permissions-for.ts`);
    }
  }
  return [...grants]
    .map(([actions, arns]) => ({ actions: actions.split(' '), resources: [...arns].sort() }))
    .sort((a, b) => (a.actions.join(' ') < b.actions.join(' ') ? -1 : 1));
}

/** What the stage runner's coordination actions act on, for {@link runnerPermissionsFor}. */
export interface RunnerResources {
  /** The audit table's ARN. */
  table: string;
  /** ARN patterns of the executions of every state machine of the deployment (`arn:…:execution:<name>:*`). */
  executions: readonly string[];
}

/**
 * The IAM statements the stage runner needs for the coordination actions the definitions ask of it
 * (see lib/runtime/coordination.ts): `signal-wait` stores task tokens in the audit table and answers
 * a signal that came first (SendTaskSuccess / SendTaskFailure take no resource for tokens of
 * service integrations, hence `*`); `concurrency-reclaim` reads a group and asks whether its
 * holders still run (any machine of the deployment may share a group); `concurrency-cancel` also
 * stops them; `needs-wait` and `job-done` (jobs of a graph) keep items in the table and answer
 * waiting jobs; `child-outcome` reads a failed child run's history. Empty when no definition uses them. Deterministic (sorted).
 */
export function runnerPermissionsFor(definitions: readonly Machine[], resources: RunnerResources): PermissionStatement[] {
  const actions = new Set<string>();
  for (const definition of definitions) {
    for (const state of taskStates(definition)) {
      const action = (state.Parameters?.Payload as { action?: unknown } | undefined)?.action;
      if (typeof action === 'string') actions.add(action);
    }
  }
  const grants = new Map<string, Set<string>>();
  const allow = (acts: readonly string[], ...arns: readonly string[]): void => {
    for (const act of acts) {
      let set = grants.get(act);
      if (!set) grants.set(act, (set = new Set()));
      for (const arn of arns) set.add(arn);
    }
  };
  if (actions.has('signal-wait')) {
    allow(['dynamodb:UpdateItem'], resources.table);
    allow(['states:SendTaskSuccess', 'states:SendTaskFailure'], '*');
  }
  if (actions.has('concurrency-reclaim') || actions.has('concurrency-cancel')) {
    allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources.table);
    allow(['states:DescribeExecution'], ...resources.executions);
  }
  if (actions.has('concurrency-cancel')) allow(['states:StopExecution'], ...resources.executions);
  // A trigger stage whose child failed reads the child's document from its history (child-outcome.ts).
  if (actions.has('child-outcome')) allow(['states:GetExecutionHistory'], ...resources.executions);
  if (actions.has('needs-wait') || actions.has('job-done')) {
    // Jobs of a graph (see lib/runtime/job-graph.ts): their items, and the answers to waiting jobs.
    allow(['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:DeleteItem'], resources.table);
    allow(['states:SendTaskSuccess'], '*');
  }
  // One statement per set of resources, its actions sorted.
  const byResources = new Map<string, Set<string>>();
  for (const [act, arns] of grants) {
    const key = [...arns].sort().join(' ');
    let set = byResources.get(key);
    if (!set) byResources.set(key, (set = new Set()));
    set.add(act);
  }
  return [...byResources]
    .map(([arns, acts]) => ({ actions: [...acts].sort(), resources: arns.split(' ') }))
    .sort((a, b) => (a.actions.join(' ') < b.actions.join(' ') ? -1 : 1));
}

/** The Parameter Store path of an app's secret params: `/<namePrefix>/secrets` (names below it are `<run id>/<param>`). */
export function secretsPrefixOf(namePrefix: string): string {
  return `/${namePrefix}/secrets`;
}

/** The IAM statements of the two runners for secret params, from {@link secretPermissionsFor}. */
export interface SecretPermissions {
  stageRunner: PermissionStatement[];
  pyRunner: PermissionStatement[];
}

/**
 * What the runners need to keep a run's secret params in Parameter Store (lib/runtime/secret-store.ts),
 * on `parameters`, the ARN pattern of the app's secrets (`arn:…:parameter/<prefix>/secrets/*`): the
 * stage runner stores them (`prepare`: PutParameter), reads them (GetParameter) and deletes a run's
 * at its end (`forget-secrets`: GetParametersByPath on the run's path `<prefix>/secrets/<run id>`,
 * which IAM matches against the path itself, then DeleteParameters); the Python runner only reads
 * them. SecureStrings of the AWS-managed `aws/ssm` key need no KMS statement: that key's policy lets
 * every principal of the account use it through Parameter Store. Empty without secret params.
 */
export function secretPermissionsFor(hasSecrets: boolean, parameters: string, named: readonly string[] = []): SecretPermissions {
  if (!hasSecrets) return { stageRunner: [], pyRunner: [] };
  return {
    stageRunner: [
      { actions: ['ssm:DeleteParameters', 'ssm:GetParameter', 'ssm:GetParametersByPath', 'ssm:PutParameter'], resources: [parameters] },
      // Parameters secret defaults name (`default: {ssm: /prod/db}`): read once when a run starts, exactly those.
      ...(named.length ? [{ actions: ['ssm:GetParameter'], resources: [...new Set(named)].sort() }] : []),
    ],
    pyRunner: [{ actions: ['ssm:GetParameter'], resources: [parameters] }],
  };
}
