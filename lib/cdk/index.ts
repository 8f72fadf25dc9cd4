/**
 * `sfn-workflow/cdk`: the AWS CDK constructs that deploy workflows. `WorkflowApp` deploys every
 * workflow of a config directory with what it runs on; the other constructs and functions are its
 * parts, for apps that assemble their own. This is the only module (with bin/app.ts) that imports
 * aws-cdk-lib, so registry modules and the CLI never load it.
 */
export { WorkflowApp, type WorkflowAppProps } from './workflow-app.ts';
export { WorkflowStack, type WorkflowStackProps } from './workflow-stack.ts';
export { WorkflowStateMachine, type WorkflowStateMachineProps, type WorkflowLogLevel } from './workflow-state-machine.ts';
export { WorkflowSchedules, SCHEDULE_INPUT, SCHEDULE_RETRY, type WorkflowSchedulesProps } from './workflow-schedules.ts';
export { WorkflowAuditTable, type WorkflowAuditTableProps } from './workflow-audit-table.ts';
export { RunnerFunctions, type RunnerFunctionsProps, type RunnerOptions } from './runner-functions.ts';
export { DockerTasks, type DockerTasksProps, type DockerTaskSpec } from './docker-tasks.ts';
export {
  permissionsFor,
  runnerPermissionsFor,
  secretPermissionsFor,
  secretsPrefixOf,
  taskStates,
  EXECUTION_EVENTS_RULE,
  ECS_EVENTS_RULE,
  type DefinitionResources,
  type RunnerResources,
  type SecretPermissions,
  type PermissionStatement,
  type ChildMachineResource,
  type TaskDefinitionResource,
} from './permissions-for.ts';
export { WorkflowSynthError } from './workflow-synth-error.ts';
export { compileForDeploy, type CompiledForDeploy, type DeployableWorkflow, type DeploySource } from './compile-for-deploy.ts';
export { stateMachineName, stateMachineNamePattern, boundedName, alphanumericName, MAX_STATE_MACHINE_NAME, MAX_TASK_FAMILY_NAME } from './state-machine-name.ts';
export { suppressNag, type NagSuppression } from './suppress-nag.ts';
export { suppressRoleNag } from './suppress-role-nag.ts';
export {
  placeWorkflows,
  jumpHash,
  CLOUDFORMATION_LIMITS,
  STACK_BUDGET,
  type NestedStacksOption,
  type Placement,
  type MachineToPlace,
  type StackFootprint,
} from './place-workflows.ts';
export { checkStackLimits, type StackLimitsReport, type TemplateMeasure } from './check-stack-limits.ts';
