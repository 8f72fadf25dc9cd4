/**
 * Shell injection: a hostile param value passed through `env` reaches the bash script as data,
 * byte for byte, and no command in it runs (canary files stay absent). The same value written as a
 * template in the `bash` text is safe too: it becomes a reference to a variable holding it (SPEC 4),
 * so it arrives byte for byte and runs nothing, and `wf validate` has nothing to say.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project } from './wf-process.ts';

const HOSTILE = [
  '"; touch @DIR@/canary-1; echo "',
  "'; touch @DIR@/canary-2; echo '",
  '$(touch @DIR@/canary-3)',
  '`touch @DIR@/canary-4`',
  'x\ntouch @DIR@/canary-5',
  '${IFS}; touch @DIR@/canary-6 #',
  '; rm -rf ~; echo ',
];

const CONF = `
safe:
  type: Workflow
  params:
    values: array
  jobs:
    only:
      stages:
        - name: Each value
          id: each
          foreach: "\${{ params.values }}"
          use-index-as-key: true
          stages:
            - name: Write the value as data
              id: write
              env: { VALUE: "\${{ item }}", N: "\${{ loop }}" }
              bash: printf '%s' "$VALUE" > "@DIR@/seen-$N"; echo "\${#VALUE}"
unsafe:
  type: Workflow
  params:
    file: str
  jobs:
    clean:
      stages:
        - name: Write unquoted
          bash: printf '%s' \${{ params.file }} > "@DIR@/unquoted"
        - name: Write in double quotes
          bash: printf '%s' "[\${{ params.file }}]" > "@DIR@/double"
        - name: Write in single quotes
          bash: printf '%s' '[\${{ params.file }}]' > "@DIR@/single"
`;

let project: Project;

beforeAll(() => {
  project = new Project('wf-shell-', { 'wf.yml': CONF });
});

afterAll(() => project.cleanup());

describe('values passed through env', () => {
  it(`${HOSTILE.length} hostile values reach the script byte for byte, and nothing in them runs`, () => {
    const values = HOSTILE.map((v) => v.replaceAll('@DIR@', project.dir));
    const r = project.wf(['run', 'safe', '--json', '--no-audit', '--params', JSON.stringify({ values })]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { jobs: { only: { stages: { each: { outputs: { foreach: Record<string, { stages: { write: { outputs: { stdout: string } } } }> } } } } } };
    values.forEach((value, i) => {
      expect(readFileSync(join(project.dir, `seen-${i}`), 'utf8')).toBe(value);
      expect(doc.jobs.only.stages.each.outputs.foreach[String(i)]!.stages.write.outputs.stdout).toBe(String(value.length));
    });
    for (let k = 1; k <= HOSTILE.length; k++) expect(existsSync(join(project.dir, `canary-${k}`)), `canary-${k}`).toBe(false);
  });
});

describe('values written as templates in bash text', () => {
  it(`${HOSTILE.length} hostile values arrive byte for byte at every quoting, nothing in them runs, and validate is silent`, () => {
    const v = project.wf(['validate', 'unsafe']);
    expect(v.code).toBe(0);
    expect(v.stderr).toBe('');
    for (const raw of HOSTILE) {
      const value = raw.replaceAll('@DIR@', project.dir);
      const r = project.wf(['run', 'unsafe', '--json', '--no-audit', '--params', JSON.stringify({ file: value })]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(project.dir, 'unquoted'), 'utf8')).toBe(value);
      expect(readFileSync(join(project.dir, 'double'), 'utf8')).toBe(`[${value}]`);
      expect(readFileSync(join(project.dir, 'single'), 'utf8')).toBe(`[${value}]`);
    }
    for (let k = 1; k <= HOSTILE.length; k++) expect(existsSync(join(project.dir, `canary-${k}`)), `canary-${k}`).toBe(false);
  });
});
