/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`): one stack with every workflow of the config
 * directory. Context: `conf` (default `conf`), `registry` (comma-separated registry modules,
 * default WORKFLOW_CORE_REGISTRY_CALLER), `stack` (the stack's name, default `Workflows`).
 * The stack is environment-agnostic: synth needs no AWS credentials, no account lookups and no Docker.
 */
import { App, Stack } from 'aws-cdk-lib';
import { WorkflowApp, WorkflowSynthError } from '../lib/cdk/index.ts';

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};
const split = (text: string | undefined): string[] => (text ?? '').split(',').map((p) => p.trim()).filter(Boolean);

const stack = new Stack(app, context('stack') ?? 'Workflows', {
  description: 'sfn-workflow: workflows as Step Functions state machines, their runner functions, audit table and schedules',
});
try {
  new WorkflowApp(stack, 'Workflows', {
    conf: context('conf') ?? process.env.WORKFLOW_CORE_CONF_PATH ?? 'conf',
    registry: split(context('registry') ?? process.env.WORKFLOW_CORE_REGISTRY_CALLER),
  });
} catch (err) {
  // A user error in the workflows: print the diagnostics as `wf validate` does, without a stack trace.
  if (!(err instanceof WorkflowSynthError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
app.synth();
