/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`): one stack with every workflow of the config
 * directory (its state machines in nested stacks when they do not fit in one). Context: `conf`
 * (default `conf`), `registry` (comma-separated registry modules, default
 * WORKFLOW_CORE_REGISTRY_CALLER), `stack` (the stack's name, default `Workflows`), `nestedStacks`
 * (`auto`, `off` or a number, default `auto`). The stack is environment-agnostic: synth needs no
 * AWS credentials, no account lookups and no Docker. After synth, every template is checked
 * against CloudFormation's limits; a template past them fails the synth.
 */
import { App } from 'aws-cdk-lib';
import { checkStackLimits, WorkflowStack, WorkflowSynthError, type NestedStacksOption } from '../lib/cdk/index.ts';
import { formatDiagnostics } from '../lib/diagnostics/index.ts';

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};
const split = (text: string | undefined): string[] => (text ?? '').split(',').map((p) => p.trim()).filter(Boolean);
const nested = (text: string | undefined): NestedStacksOption | undefined => {
  if (text === undefined || text === 'auto' || text === 'off') return text;
  if (/^[1-9][0-9]*$/.test(text)) return Number(text);
  process.stderr.write(`context nestedStacks is "${text}": expected auto, off or a whole number of nested stacks\n`);
  process.exit(1);
};

try {
  const nestedStacks = nested(context('nestedStacks'));
  new WorkflowStack(app, context('stack') ?? 'Workflows', {
    conf: context('conf') ?? process.env.WORKFLOW_CORE_CONF_PATH ?? 'conf',
    registry: split(context('registry') ?? process.env.WORKFLOW_CORE_REGISTRY_CALLER),
    ...(nestedStacks !== undefined ? { nestedStacks } : {}),
  });
} catch (err) {
  // A user error in the workflows: print the diagnostics as `wf validate` does, without a stack trace.
  if (!(err instanceof WorkflowSynthError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
// A template past CloudFormation's limits (WF6011), printed as the diagnostics above are.
const { diagnostics } = checkStackLimits(app.synth().directory);
if (diagnostics.length) {
  process.stderr.write(`${formatDiagnostics(diagnostics)}\n`);
  process.exit(1);
}
