#!/usr/bin/env node
/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`): one stack with every workflow of the config
 * directory (its state machines in nested stacks when they do not fit in one). Context: `conf`
 * and `registry` (registry modules, a list or comma-separated), read as `wf run` reads them (see
 * lib/config/project-settings.ts: `-c` flags, then WORKFLOW_CORE_CONF_PATH and
 * WORKFLOW_CORE_REGISTRY_CALLER, then cdk.json's context or package.json's "sfn-workflow" key),
 * `stack` (the stack's name, default `Workflows`), `nestedStacks` (`auto`, `off` or a number,
 * default `auto`). The stack is environment-agnostic: synth needs no
 * AWS credentials, no account lookups and no Docker. After synth, every template is checked
 * against CloudFormation's limits; a template past them fails the synth.
 */
import { App } from 'aws-cdk-lib';
import { checkStackLimits, WorkflowStack, WorkflowSynthError, type NestedStacksOption } from '../lib/cdk/index.ts';
import { confDirectory, registryModules } from '../lib/config/index.ts';
import { DiagnosticError, formatDiagnostics } from '../lib/diagnostics/index.ts';

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};
const list = (key: string): string[] | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (Array.isArray(value)) return value.map(String);
  return typeof value === 'string' ? value.split(',') : undefined;
};
const nested = (text: string | undefined): NestedStacksOption | undefined => {
  if (text === undefined || text === 'auto' || text === 'off') return text;
  if (/^[1-9][0-9]*$/.test(text)) return Number(text);
  process.stderr.write(`context nestedStacks is "${text}": expected auto, off or a whole number of nested stacks\n`);
  process.exit(1);
};

try {
  const nestedStacks = nested(context('nestedStacks'));
  new WorkflowStack(app, context('stack') ?? 'Workflows', {
    conf: confDirectory(context('conf')),
    registry: registryModules(list('registry')).paths,
    ...(nestedStacks !== undefined ? { nestedStacks } : {}),
  });
} catch (err) {
  // A user error in the workflows or the settings: printed as `wf validate` does, without a stack trace.
  if (err instanceof DiagnosticError) process.stderr.write(`${formatDiagnostics(err.diagnostics)}\n`);
  else if (err instanceof WorkflowSynthError) process.stderr.write(`${err.message}\n`);
  else throw err;
  process.exit(1);
}
// A template past CloudFormation's limits (WF6011), printed as the diagnostics above are.
const { diagnostics } = checkStackLimits(app.synth().directory);
if (diagnostics.length) {
  process.stderr.write(`${formatDiagnostics(diagnostics)}\n`);
  process.exit(1);
}
