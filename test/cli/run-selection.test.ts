/**
 * A command on one workflow needs only that workflow and what it triggers to be valid, as `wf
 * validate NAME` says; an error elsewhere in the config directory is a warning that says it does
 * not block the command. Errors that stop compile, graph and run before anything happens exit 2
 * on all three (README's command table).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Project } from '../reliability/wf-process.ts';

const stage = (text: string) => `      stages:\n        - name: Say\n          id: say\n          echo: ${text}\n`;
const files = {
  'good.yml': `good:\n  type: Workflow\n  jobs:\n    j:\n${stage('hi')}`,
  'parent.yml': `parent:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: Child\n          trigger: child\n`,
  'child.yml': `child:\n  type: Workflow\n  jobs:\n    j:\n      stages:\n        - name: Two kinds\n          bash: echo\n          run: x = 1\n`,
  'other.yml': `other:\n  type: Workflow\n  jobs:\n    j:\n      needs: nowhere\n${stage('x')}`,
};
const p = new Project('wf-run-selection-', files);
afterAll(() => p.cleanup());

describe('errors outside the chosen workflow', () => {
  it('validate NAME passes while the directory has errors', () => {
    expect(p.wf(['validate', '--conf', 'conf', 'good'])).toMatchObject({ code: 0, stdout: '1 workflow valid\n' });
    expect(p.wf(['validate', '--conf', 'conf']).code).toBe(1);
  });

  it('run NAME runs and prints the other errors as warnings that do not block it', () => {
    const r = p.wf(['run', 'good', '--conf', 'conf', '--json', '--no-audit']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe('SUCCESS');
    expect(r.stderr).toContain('child.yml:8:11: warning WF2006: stage "Two kinds" has two kinds');
    expect(r.stderr).toContain('other.yml:5:14: warning WF5002');
    expect(r.stderr).toContain('(an error, but not in "good" nor in a workflow it triggers: it does not block this command)');
    expect(r.stderr).not.toMatch(/: error WF/);
  });

  it('compile and graph NAME go on too', () => {
    const c = p.wf(['compile', 'good', '--conf', 'conf']);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout).StartAt).toBeTypeOf('string');
    expect(c.stderr).toContain('warning WF2006');
    const g = p.wf(['graph', 'good', '--conf', 'conf']);
    expect(g.code).toBe(0);
    expect(g.stdout).toContain('flowchart');
  });

  it('an error in a workflow NAME triggers blocks it, as an error, with exit 2 on run, compile and graph', () => {
    for (const cmd of ['run', 'compile', 'graph']) {
      const r = p.wf([cmd, 'parent', '--conf', 'conf', ...(cmd === 'run' ? ['--no-audit'] : [])]);
      expect(r.code, cmd).toBe(2);
      expect(r.stdout, cmd).toBe('');
      expect(r.stderr, cmd).toContain('child.yml:8:11: error WF2006');
      expect(r.stderr, cmd).toContain('other.yml:5:14: warning WF5002');
    }
    expect(p.wf(['validate', '--conf', 'conf', 'parent']).code).toBe(1);
  });

  it('an error in NAME itself exits 2 on run, compile and graph, and 1 on validate', () => {
    for (const cmd of ['run', 'compile', 'graph']) expect(p.wf([cmd, 'other', '--conf', 'conf']).code, cmd).toBe(2);
    expect(p.wf(['validate', 'other', '--conf', 'conf']).code).toBe(1);
  });
});
