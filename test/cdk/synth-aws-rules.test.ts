/**
 * What `cdk deploy` would create passes AWS's rules: every state machine of the synthesized
 * templates (nested stacks included) is checked as CloudFormation would create it (see
 * `scanTemplate`): the example conf, the CDK fixture conf (every construct, docker included) and
 * generated hostile workflows (odd ids, quotes, braces, backslashes, `${Key}` text in scripts,
 * hyphenated params in concurrency groups and conditions).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { WorkflowApp } from '../../lib/cdk/index.ts';
import { hostileWorkflowYaml } from '../fuzz/hostile-workflows.ts';
import { scanTemplate } from '../helpers/aws-rules.ts';

/** Every template of the app's cloud assembly, by file name. */
function synthTemplates(conf: string, registry: string[] = []): Map<string, { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> }> {
  const outdir = mkdtempSync(join(tmpdir(), 'wf-synth-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'Scan');
  new WorkflowApp(stack, 'Workflows', { conf, registry });
  const assembly = app.synth();
  const out = new Map<string, never>();
  for (const f of readdirSync(assembly.directory).filter((n) => n.endsWith('.template.json'))) out.set(f, JSON.parse(readFileSync(join(assembly.directory, f), 'utf8')) as never);
  return out;
}

async function findings(conf: string, registry: string[] = []): Promise<{ machines: number; findings: string[] }> {
  const templates = synthTemplates(conf, registry);
  let machines = 0;
  const all: string[] = [];
  for (const [file, t] of templates) {
    machines += Object.values(t.Resources ?? {}).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine').length;
    all.push(...(await scanTemplate(t)).map((f) => `${file}: ${f}`));
  }
  return { machines, findings: all };
}

describe('synthesized state machines pass AWS rules', () => {
  it('the example conf', async () => {
    const r = await findings('conf');
    expect(r.machines).toBeGreaterThan(0);
    expect(r.findings).toEqual([]);
  });

  it('the CDK fixture conf (every construct, docker and triggers included)', async () => {
    const r = await findings('test/cdk/fixtures/conf', ['test/cdk/fixtures/registry/count.ts']);
    expect(r.machines).toBeGreaterThanOrEqual(4);
    expect(r.findings).toEqual([]);
  });

  it('generated hostile workflows, deployed together', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-hostile-'));
    const samples = fc.sample(hostileWorkflowYaml, { numRuns: 12, seed: 2026 });
    samples.forEach((text, i) => writeFileSync(join(dir, `h${i}.yml`), text.replace(/^hostile:/m, `hostile-${i}:`)));
    const r = await findings(dir, ['test/cdk/fixtures/registry/count.ts']);
    expect(r.machines).toBeGreaterThanOrEqual(samples.length);
    expect(r.findings).toEqual([]);
  });
});
