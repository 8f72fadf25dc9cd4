/**
 * AWS Lambda runs a function for at most 900 s (Lambda quotas: "Function timeout: 900 seconds
 * (15 minutes)"). A stage that runs in a runner Lambda with a longer timeout of its own is an error
 * `wf validate` reports with the fix; every Lambda stage's Task and runner timeout stay within it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { loadConf, walkStates } from '../helpers/compiled-machines.ts';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;

function conf(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'wf-lambda-timeout-'));
  writeFileSync(join(dir, 'wf.yml'), yaml);
  return dir;
}

describe("stages in Lambda and Lambda's 900 s", () => {
  it('wf validate refuses a bash stage with timeout 3600, at the timeout, with the fix', () => {
    const dir = conf('long:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: Load\n          timeout: 3600\n          bash: ./load.sh\n');
    const r = spawnSync(process.execPath, [wf, 'validate', '--conf', dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'wf.yml')}:7:20: error WF6010: bash stage "Load" has timeout 3600 s, but it runs in a Lambda function, which stops after 900 s`);
    expect(r.stderr).toMatch(/note: lower the timeout to 880 or less, or run the work as a docker stage/);
  });

  it.each(['bash: ./x.sh', 'py: print(1)', 'uses: tasks/x@v1'])('a stage (%s) without a timeout of its own gets at most 880 s, its Task 885 s', (body) => {
    const dir = conf(`long:\n  type: Workflow\n  jobs:\n    j:\n      timeout: 7200\n      stages:\n        - name: Work\n          ${body.replace('py: print(1)', 'run: print(1)')}\n`);
    const { workflows } = loadConf(dir);
    const compiled = compileWorkflow(workflows.get('long')!, { workflows });
    expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const tasks = walkStates(compiled.definition).filter((s) => s.state.Resource === 'arn:aws:states:::lambda:invoke' && ['stage', 'py'].includes((s.state.Parameters as { Payload: { action?: string } }).Payload.action ?? ''));
    expect(tasks).toHaveLength(1);
    for (const t of tasks) {
      expect(t.state.TimeoutSeconds).toBe(885);
      const payload = (t.state.Parameters as { Payload: { timeout?: number; stage?: { timeout?: number } } }).Payload;
      expect(payload.timeout ?? payload.stage?.timeout).toBe(880);
    }
  });
});
