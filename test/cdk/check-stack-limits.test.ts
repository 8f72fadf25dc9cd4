import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkStackLimits } from '../../lib/cdk/index.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const machine = (name: string, definitionBytes: number) => ({
  Type: 'AWS::StepFunctions::StateMachine',
  Properties: { StateMachineName: name, DefinitionString: 'x'.repeat(definitionBytes - 2) },
});

/** A cloud assembly directory holding these templates (and an asset folder that must be skipped). */
function assembly(templates: Record<string, object>): string {
  dir = mkdtempSync(join(tmpdir(), 'wf-limits-'));
  for (const [file, template] of Object.entries(templates)) writeFileSync(join(dir, file), JSON.stringify(template, undefined, 1));
  mkdirSync(join(dir, 'asset.abc'));
  writeFileSync(join(dir, 'asset.abc', 'Huge.template.json'), 'not a template');
  return dir;
}

describe('checkStackLimits', () => {
  it('measures every template and reports nothing while they are within the limits', () => {
    const out = assembly({ 'App.template.json': { Resources: { A: machine('App-a', 1_000) }, Outputs: { X: { Value: 1 } } }, 'AppGroup1.nested.template.json': { Resources: {}, Parameters: { P: {} } } });
    const report = checkStackLimits(out);
    expect(report.diagnostics).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.templates.map((t) => ({ file: t.file, resources: t.resources, outputs: t.outputs, parameters: t.parameters, machines: t.stateMachines }))).toEqual([
      { file: 'App.template.json', resources: 1, outputs: 1, parameters: 0, machines: [{ name: 'App-a', bytes: 1_000 }] },
      { file: 'AppGroup1.nested.template.json', resources: 0, outputs: 0, parameters: 1, machines: [] },
    ]);
  });

  it("reports error WF6011 for a template past the limits: by how much, the state machines in it largest first, and the fix", () => {
    const resources: Record<string, object> = { Big: machine('App-big', 700_000), Small: machine('App-small', 400_000) };
    for (let i = 0; i < 499; i++) resources[`Queue${i}`] = { Type: 'AWS::SQS::Queue' };
    const out = assembly({ 'App.template.json': { Resources: resources } });
    const report = checkStackLimits(out);
    expect(report.diagnostics.map((d) => [d.code, d.severity])).toEqual([['WF6011', 'error']]);
    expect(report.diagnostics[0]!.note).toBe(
      "leave nestedStacks at 'auto' (the default) or raise it; deploy a workflow too large for a stack of its own as one machine per job (split: 'jobs'); or deploy the workflows as several stacks",
    );
    expect(report.problems).toHaveLength(1);
    const lines = report.problems[0]!.split('\n');
    expect(lines[0]).toMatch(/^error WF6011: template App\.template\.json passes CloudFormation's limits: 1,1\d\d,\d\d\d bytes \(limit 1,000,000\), 501 resources \(limit 500\)$/);
    expect(lines.slice(1, 4)).toEqual(['  state machines in it:', '    App-big: definition of 700,000 bytes', '    App-small: definition of 400,000 bytes']);
    expect(lines.slice(4)).toEqual([`  note: ${report.diagnostics[0]!.note}`]);
  });
});
