/**
 * Deployment values reach a definition only as `${Placeholder}`s that CDK `definitionSubstitutions`
 * and the local engine know how to fill: the runner Lambdas, child state machines, the ECS
 * cluster, subnet and task definitions, and the audit table. The compiler writes a placeholder
 * as a whole string value, never spliced into text; `${...}` inside text is the user's (a shell
 * expansion in a bash script).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { Placeholders } from '../../lib/protocol/index.ts';
import { conformanceCases, loadConf, TEST_DIR, walkStates } from '../helpers/compiled-machines.ts';

/** `${Name}` occurrences in a text; `${{ expr }}` templates are not placeholders. */
function placeholdersIn(text: string): string[] {
  return [...text.matchAll(/\$\{(?!\{)([^}]*)\}/g)].map((m) => m[1]!);
}

/** Every string value in a JSON value, with its key path. */
function strings(value: unknown, path = '$', into: Array<[string, string]> = []): Array<[string, string]> {
  if (typeof value === 'string') into.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, into));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, `${path}.${k}`, into);
  return into;
}

function sanitized(workflow: string): string {
  return workflow.replace(/[^A-Za-z0-9]/g, '_');
}

/** Whether a placeholder is one the deployment fills, given the workflows of the config. */
function isDocumented(name: string, workflows: readonly string[]): boolean {
  if ([Placeholders.stageRunner, Placeholders.pyRunner, Placeholders.cluster, Placeholders.subnets, Placeholders.auditTable].includes(name as never)) return true;
  if (name.startsWith(Placeholders.stateMachinePrefix)) return workflows.some((w) => name === `${Placeholders.stateMachinePrefix}${sanitized(w)}`);
  if (name.startsWith(Placeholders.taskDefinitionPrefix)) return /^TaskDefinition_[A-Za-z0-9_]+$/.test(name);
  return false;
}

const cases = conformanceCases().filter((c) => loadConf(c.conf).workflows.size > 0);

describe('placeholders in compiled definitions', () => {
  it('names the documented placeholders as the protocol spells them', () => {
    expect(Placeholders).toMatchObject({
      stageRunner: 'StageRunnerFunctionArn',
      pyRunner: 'PyRunnerFunctionArn',
      cluster: 'EcsClusterArn',
      subnets: 'EcsSubnet',
      stateMachinePrefix: 'StateMachine_',
      taskDefinitionPrefix: 'TaskDefinition_',
    });
  });

  it.each(cases.map((c) => [c.name, c.conf] as const))('conformance/%s uses only documented placeholders, as whole values', (_name, conf) => {
    const { workflows } = loadConf(conf);
    const names = [...workflows.keys()];
    for (const w of workflows.values()) {
      const compiled = compileWorkflow(w, { workflows });
      const values = strings(compiled.definition);
      const whole = values.map(([, text]) => /^\$\{([A-Za-z0-9_]+)\}$/.exec(text)?.[1]).filter((n): n is string => n !== undefined);
      expect(whole.length).toBeGreaterThan(0);
      expect(whole.filter((p) => !isDocumented(p, names))).toEqual([]);
      // `placeholders` lists exactly what the compiler wrote (CDK is given that list).
      expect(compiled.placeholders).toEqual([...new Set(whole)].sort());
      // `${...}` inside longer text is the user's own (a shell expansion in a bash script), never the compiler's.
      for (const [path, text] of values) {
        if (placeholdersIn(text).length && !/^\$\{[A-Za-z0-9_]+\}$/.test(text)) expect(path).toMatch(/\.Payload\.stage\.fields\.(bash|cmd|env\.[A-Za-z0-9_]+)$/);
      }
      // The runner Lambdas appear only as the FunctionName of a lambda:invoke Task.
      for (const { name, state } of walkStates(compiled.definition)) {
        const fn = (state.Parameters as { FunctionName?: string } | undefined)?.FunctionName;
        if (fn !== undefined) {
          expect(state.Resource, name).toBe('arn:aws:states:::lambda:invoke');
          expect([`\${${Placeholders.stageRunner}}`, `\${${Placeholders.pyRunner}}`], name).toContain(fn);
        }
      }
    }
  });

  it('covers the runner, Python runner and child machine placeholders across the cases', () => {
    const seen = new Set(cases.flatMap((c) => {
      const { workflows } = loadConf(c.conf);
      return [...workflows.values()].flatMap((w) => compileWorkflow(w, { workflows }).placeholders);
    }));
    expect(seen).toContain('StageRunnerFunctionArn');
    expect(seen).toContain('PyRunnerFunctionArn');
    expect(seen).toContain('StateMachine_child');
  });

  it('gives each docker stage its ECS placeholders and a trigger its child machine', () => {
    const dir = join(TEST_DIR, 'compiler', 'golden');
    const docker = loadConf(join(dir, 'docker'));
    expect(compileWorkflow(docker.workflows.get('docker')!).placeholders).toEqual(expect.arrayContaining([
      'EcsClusterArn',
      'EcsSubnet',
      'TaskDefinition_docker_containers_Static_container',
      'TaskDefinition_docker_containers_Templated_env',
    ]));
    const trigger = loadConf(join(dir, 'trigger'));
    expect(compileWorkflow(trigger.workflows.get('trigger')!, { workflows: trigger.workflows }).placeholders).toContain('StateMachine_trigger_0child');
  });

  it('recognises placeholders but not templates', () => {
    expect(placeholdersIn('${StageRunnerFunctionArn} and ${{ params.x }} and ${StateMachine_a_b}')).toEqual(['StageRunnerFunctionArn', 'StateMachine_a_b']);
    expect(isDocumented('StateMachine_a_b', ['a-b'])).toBe(true);
    expect(isDocumented('StateMachine_other', ['a-b'])).toBe(false);
    expect(isDocumented('DatabaseUrl', [])).toBe(false);
  });
});
