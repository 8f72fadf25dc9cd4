/**
 * 100 workflows of the example gallery's size (conf/: copies of its workflows under distinct
 * names, each trigger pointing at its own copy) synthesized as `bin/app.ts` does, through a
 * `WorkflowStack`, with the cdk-nag AwsSolutions pack applied. One stack cannot hold them; every
 * template of the cloud assembly, the app's stack and its nested stacks, must stay within
 * CloudFormation's limits, measured here on the files synth writes.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, type CfnResource } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { isMap, isScalar, parseDocument, visit } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStackLimits, WorkflowStack } from '../../lib/cdk/index.ts';

const WORKFLOWS = 100;
const GALLERY = 'conf';

interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string }>;
  Outputs?: Record<string, { Value: unknown }>;
  Parameters?: Record<string, unknown>;
  Mappings?: Record<string, unknown>;
}

let dir: string;
let outdir: string;
let stack: WorkflowStack;
/** Every template file of the assembly, by file name. */
const templates = new Map<string, { bytes: number; template: CfnTemplate }>();

/** Writes `count` workflows into `into`: the gallery's workflows again and again, each copy's names suffixed `-<copy>`. */
function writeGalleryCopies(into: string, count: number): string[] {
  const files = readdirSync(GALLERY).filter((f) => f.endsWith('.yml')).sort();
  const texts = files.map((f) => readFileSync(join(GALLERY, f), 'utf8'));
  const galleryNames = new Set(texts.flatMap((t) => (parseDocument(t).contents as { items: Array<{ key: { value: string } }> }).items.map((p) => p.key.value)));
  const names: string[] = [];
  for (let copy = 1; names.length < count; copy++) {
    for (const [i, text] of texts.entries()) {
      const doc = parseDocument(text);
      const renamed = (name: string) => `${name}-${String(copy).padStart(3, '0')}`;
      if (!isMap(doc.contents)) throw new Error(`${files[i]}: not a map of workflows`);
      const keep = doc.contents.items.slice(0, count - names.length);
      doc.contents.items = keep;
      for (const pair of keep) {
        if (!isScalar(pair.key)) throw new Error(`${files[i]}: a workflow name is not a plain key`);
        pair.key.value = renamed(String(pair.key.value));
        names.push(String(pair.key.value));
      }
      visit(doc, {
        Pair(_, pair) {
          if (isScalar(pair.key) && pair.key.value === 'trigger' && isScalar(pair.value) && galleryNames.has(String(pair.value.value))) {
            pair.value.value = renamed(String(pair.value.value));
          }
        },
      });
      if (keep.length) writeFileSync(join(into, `${String(copy).padStart(3, '0')}-${files[i]}`), doc.toString());
      if (names.length === count) break;
    }
  }
  return names;
}

function readTemplates(at: string): void {
  for (const entry of readdirSync(at)) {
    const path = join(at, entry);
    if (statSync(path).isDirectory()) {
      if (!entry.startsWith('asset.')) readTemplates(path);
    } else if (entry.endsWith('.template.json')) {
      const text = readFileSync(path, 'utf8');
      templates.set(entry, { bytes: Buffer.byteLength(text, 'utf8'), template: JSON.parse(text) as CfnTemplate });
    }
  }
}

let names: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wf-gallery-'));
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  names = writeGalleryCopies(conf, WORKFLOWS);
  outdir = join(dir, 'cdk.out');
  const app = new App({ outdir });
  Aspects.of(app).add(new AwsSolutionsChecks({ reports: false }));
  stack = new WorkflowStack(app, 'Workflows', { conf, registry: [join(GALLERY, 'registry', 'tasks.ts')] });
  app.synth();
  readTemplates(outdir);
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const all = () => [...templates.values()].map((t) => t.template);
const resources = (t: CfnTemplate, type: string) => Object.entries(t.Resources ?? {}).filter(([, r]) => r.Type === type);

describe(`${WORKFLOWS} gallery-sized workflows`, () => {
  it('deploy every workflow once, spread over nested stacks', () => {
    expect(names).toHaveLength(WORKFLOWS);
    expect(new Set(names).size).toBe(WORKFLOWS);
    const machines = all().flatMap((t) => resources(t, 'AWS::StepFunctions::StateMachine').map(([, r]) => r.Properties!.StateMachineName as string));
    expect(machines.sort()).toEqual(names.map((n) => `Workflows-${n}`).sort());
    expect(stack.workflows.nestedStacks.length).toBeGreaterThan(1);
    expect(templates.size).toBe(stack.workflows.nestedStacks.length + 1);
    const parent = templates.get('Workflows.template.json')!.template;
    expect(resources(parent, 'AWS::StepFunctions::StateMachine')).toEqual([]);
    expect(resources(parent, 'AWS::CloudFormation::Stack')).toHaveLength(stack.workflows.nestedStacks.length);
  });

  it("keep every template within CloudFormation's limits: 1,000,000 bytes, 500 resources, 200 outputs, 200 parameters, 200 mappings", () => {
    const measured = [...templates].map(([file, { bytes, template }]) => ({
      file,
      bytes,
      resources: Object.keys(template.Resources ?? {}).length,
      outputs: Object.keys(template.Outputs ?? {}).length,
      parameters: Object.keys(template.Parameters ?? {}).length,
      mappings: Object.keys(template.Mappings ?? {}).length,
    }));
    for (const m of measured) {
      expect(m.bytes, m.file).toBeLessThanOrEqual(1_000_000);
      expect(m.resources, m.file).toBeLessThanOrEqual(500);
      expect(m.outputs, m.file).toBeLessThanOrEqual(200);
      expect(m.parameters, m.file).toBeLessThanOrEqual(200);
      expect(m.mappings, m.file).toBeLessThanOrEqual(200);
    }
    // The check bin/app.ts runs after synth measures the same and finds nothing to report.
    const report = checkStackLimits(outdir);
    expect(report.problems).toEqual([]);
    expect(report.templates.map((t) => [t.file.split('/').at(-1), t.bytes, t.resources]).sort()).toEqual(measured.map((m) => [m.file, m.bytes, m.resources]).sort());
  });

  it('pass cdk-nag AwsSolutions with no unsuppressed error or warning, nested stacks included', () => {
    const annotations = Annotations.fromStack(stack);
    const findings = [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).split('\n')[0]}`)).toEqual([]);
    // The checks did visit the nested stacks: their state machines' suppressed findings are recorded.
    const policies = all().flatMap((t) => resources(t, 'AWS::IAM::Policy').concat(resources(t, 'AWS::IAM::ManagedPolicy')));
    expect(policies.length).toBeGreaterThan(WORKFLOWS);
    expect(policies.filter(([id]) => id.includes('OverflowPolicy'))).toEqual([]);
  });

  it('invoke published runner versions from every definition, through the parameters the app passes to its nested stacks', () => {
    const parent = templates.get('Workflows.template.json')!.template;
    const versions = new Set(resources(parent, 'AWS::Lambda::Version').map(([id]) => id));
    expect(versions.size).toBe(2);
    for (const [, version] of resources(parent, 'AWS::Lambda::Version')) expect(version.DeletionPolicy).toBe('Retain');
    // The parameters each nested stack is passed, by its template file.
    const passed = new Map<string, Record<string, unknown>>();
    for (const nested of stack.workflows.nestedStacks) {
      const resource = parent.Resources![stack.getLogicalId(nested.nestedStackResource as CfnResource)]!;
      passed.set(nested.templateFile, resource.Properties!.Parameters as Record<string, unknown>);
    }
    let checked = 0;
    for (const [file, { template }] of templates) {
      for (const [, machine] of resources(template, 'AWS::StepFunctions::StateMachine')) {
        const subs = machine.Properties!.DefinitionSubstitutions as Record<string, { Ref?: string }>;
        for (const p of ['StageRunnerFunctionArn', 'PyRunnerFunctionArn']) {
          if (!subs[p]) continue;
          const ref = subs[p]!.Ref!;
          const value = file === 'Workflows.template.json' ? { Ref: ref } : passed.get(file)![ref];
          expect(versions, `${file} ${p}`).toContain((value as { Ref?: string }).Ref);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(WORKFLOWS);
  });

  it('start child machines in other nested stacks by name: no stack exports a machine to another', () => {
    for (const [file, { template }] of templates) {
      if (file === 'Workflows.template.json') continue;
      // A nested stack outputs its own workflows' ARNs, nothing for other stacks to import.
      for (const [key, output] of Object.entries(template.Outputs ?? {})) {
        expect(key, file).toMatch(/^StateMachine[A-Za-z0-9]+$/);
        expect(JSON.stringify(output.Value)).toMatch(/^\{"Ref":"Workflow/);
      }
    }
    const fileOf = new Map<string, string>();
    for (const [file, { template }] of templates) {
      for (const [, m] of resources(template, 'AWS::StepFunctions::StateMachine')) fileOf.set(m.Properties!.StateMachineName as string, file);
    }
    const starts = { sameStack: 0, otherStack: 0 };
    for (const [file, { template }] of templates) {
      for (const [, m] of resources(template, 'AWS::StepFunctions::StateMachine')) {
        for (const [placeholder, arn] of Object.entries(m.Properties!.DefinitionSubstitutions as Record<string, unknown>)) {
          if (!placeholder.startsWith('StateMachine_')) continue;
          const child = `Workflows-${placeholder.slice('StateMachine_'.length).replace(/_0/g, '-')}`;
          const text = JSON.stringify(arn);
          if (fileOf.get(child) === file) {
            expect(text).toMatch(/^\{"Ref":"Workflow/);
            starts.sameStack++;
          } else {
            expect(fileOf.has(child), child).toBe(true);
            expect(text).toContain(`":states:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":stateMachine:${child}"`);
            starts.otherStack++;
          }
        }
      }
    }
    expect(starts.otherStack).toBeGreaterThan(0);
    expect(starts.sameStack + starts.otherStack).toBe(names.filter((n) => n.startsWith('jobs-')).length);
  });

  it('name every workflow in the app stack\'s WorkflowStateMachines output', () => {
    const value = JSON.stringify(templates.get('Workflows.template.json')!.template.Outputs!.WorkflowStateMachines!.Value);
    for (const name of names) expect(value).toContain(`\\"${name}\\":\\"`);
  });
});
