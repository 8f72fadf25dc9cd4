/**
 * The check after synth: every template of a cloud assembly (stacks and nested stacks) measured
 * against CloudFormation's limits, as written to disk (the body that is uploaded). Placement keeps
 * the estimates under the limits with a margin (see place-workflows.ts); this check makes sure of
 * the result, so that an app that would not deploy fails at synth with WF6011, naming the state
 * machines in the template that is too large and their definitions' sizes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../diagnostics/index.ts';
import { CLOUDFORMATION_LIMITS, stackLimitsDiagnostic } from './place-workflows.ts';

/** One template measured. */
export interface TemplateMeasure {
  /** The template file, relative to the assembly directory. */
  file: string;
  /** Size of the file in bytes. */
  bytes: number;
  resources: number;
  outputs: number;
  parameters: number;
  mappings: number;
  /** The state machines it holds, by name, with the size in bytes of their definitions as embedded. */
  stateMachines: Array<{ name: string; bytes: number }>;
}

/** What {@link checkStackLimits} returns. */
export interface StackLimitsReport {
  /** Every template, in file order. */
  templates: TemplateMeasure[];
  /** One WF6011 error per template past a limit (none when every template is within them). */
  diagnostics: Diagnostic[];
  /** The same errors, each formatted as `wf validate` prints a diagnostic. */
  problems: string[];
}

type Template = Record<'Resources' | 'Outputs' | 'Parameters' | 'Mappings', Record<string, { Type?: string; Properties?: Record<string, unknown> }> | undefined>;

/** Measures every `*.template.json` under the cloud assembly directory `dir` against CloudFormation's limits. */
export function checkStackLimits(dir: string): StackLimitsReport {
  const templates = templateFiles(dir).map((file) => measure(dir, file));
  const diagnostics: Diagnostic[] = [];
  for (const t of templates) {
    const over = [
      t.bytes > CLOUDFORMATION_LIMITS.templateBytes ? `${n(t.bytes)} bytes (limit ${n(CLOUDFORMATION_LIMITS.templateBytes)})` : '',
      t.resources > CLOUDFORMATION_LIMITS.resources ? `${n(t.resources)} resources (limit ${CLOUDFORMATION_LIMITS.resources})` : '',
      t.outputs > CLOUDFORMATION_LIMITS.outputs ? `${n(t.outputs)} outputs (limit ${CLOUDFORMATION_LIMITS.outputs})` : '',
      t.parameters > CLOUDFORMATION_LIMITS.parameters ? `${n(t.parameters)} parameters (limit ${CLOUDFORMATION_LIMITS.parameters})` : '',
      t.mappings > CLOUDFORMATION_LIMITS.mappings ? `${n(t.mappings)} mappings (limit ${CLOUDFORMATION_LIMITS.mappings})` : '',
    ].filter(Boolean);
    if (!over.length) continue;
    const machines = [...t.stateMachines].sort((a, b) => b.bytes - a.bytes).map((m) => `${m.name}: definition of ${n(m.bytes)} bytes`);
    diagnostics.push(
      stackLimitsDiagnostic(
        `template ${t.file} passes CloudFormation's limits: ${over.join(', ')}`,
        'state machines in it',
        machines,
        "leave nestedStacks at 'auto' (the default) or raise it; deploy a workflow too large for a stack of its own as one machine per job (split: 'jobs'); or deploy the workflows as several stacks",
      ),
    );
  }
  return { templates, diagnostics, problems: diagnostics.map((d) => formatDiagnostic(d)) };
}

function templateFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (!entry.startsWith('asset.')) out.push(...templateFiles(path));
    } else if (entry.endsWith('.template.json')) out.push(path);
  }
  return out;
}

function measure(dir: string, path: string): TemplateMeasure {
  const text = readFileSync(path, 'utf8');
  const template = JSON.parse(text) as Template;
  const count = (section: keyof Template): number => Object.keys(template[section] ?? {}).length;
  const stateMachines = Object.values(template.Resources ?? {})
    .filter((r) => r.Type === 'AWS::StepFunctions::StateMachine')
    .map((r) => ({ name: String(r.Properties?.StateMachineName ?? '?'), bytes: Buffer.byteLength(JSON.stringify(r.Properties?.DefinitionString ?? ''), 'utf8') }));
  return {
    file: relative(dir, path),
    bytes: Buffer.byteLength(text, 'utf8'),
    resources: count('Resources'),
    outputs: count('Outputs'),
    parameters: count('Parameters'),
    mappings: count('Mappings'),
    stateMachines,
  };
}

const n = (value: number): string => value.toLocaleString('en-US');
