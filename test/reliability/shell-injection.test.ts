/**
 * Shell injection: a hostile param value passed through `env` reaches the bash script as data,
 * byte for byte, and no command in it runs (canary files stay absent); the same value spliced into
 * `bash` text is what `wf validate` warns about (WF4008), with the `env` rewrite.
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
        - name: Remove
          bash: rm -f "\${{ params.file }}"
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

describe('values spliced into bash text', () => {
  it('wf validate warns (WF4008) at the template, with the env rewrite, and exits 0', () => {
    const r = project.wf(['validate', 'unsafe']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      [
        `conf/wf.yml:26:24: warning WF4008: \${{ params.file }} splices params.file into shell code`,
        `   26 |           bash: rm -f "\${{ params.file }}"`,
        `      |                        ^^^^^^^^^^^^^^^^^^`,
        `  note: a value with quotes, spaces, ; or $(...) would change the script; pass it through env: FILE: \${{ params.file }} and use "$FILE" in the script`,
        '',
      ].join('\n'),
    );
    expect(r.stdout).toBe('1 workflow valid, 1 warning\n');
  });
});
