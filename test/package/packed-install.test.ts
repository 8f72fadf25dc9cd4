/**
 * The package as npm ships it: `npm pack` (which builds dist/), then installed into fresh projects
 * the way users start, with nothing else. A project made by `npm init` (CommonJS, no TypeScript
 * tooling) runs a workflow with a bash stage, a py stage and a `call` function from a TypeScript
 * registry module; `wf init` then scaffolds the same project (merging its package.json) and the
 * example test it writes passes. One install serves both, to keep the test short. The tarball holds the
 * build, the Python runner and the docs, and no tests or TypeScript sources.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const temp = mkdtempSync(join(tmpdir(), 'wf-packed-'));
let tarball = '';
let files: string[] = [];
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const env: NodeJS.ProcessEnv = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', NO_COLOR: '1' };
delete env.WORKFLOW_CORE_CONF_PATH;
delete env.WORKFLOW_CORE_REGISTRY_CALLER;

function npm(cwd: string, args: string[]): string {
  const r = spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  // The build as `prepare` runs it, then the pack itself (whose --json output the build would interleave).
  npm(root, ['run', 'build']);
  const packed = JSON.parse(npm(root, ['pack', '--json', '--ignore-scripts', '--pack-destination', temp])) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(temp, packed[0]!.filename);
  files = packed[0]!.files.map((f) => f.path);
}, 300_000);

describe('the packed tarball', () => {
  it('holds the build and what it needs at run time, and no tests or TypeScript sources', () => {
    expect(files).toContain('dist/bin/wf.js');
    expect(files).toContain('dist/lib/index.js');
    expect(files).toContain('dist/lib/index.d.ts');
    expect(files).toContain('functions/py-runner/handler.py');
    expect(files).toContain('schema/workflow.schema.json');
    expect(files.filter((f) => f.startsWith('test/') || /\.test\.[cm]?[jt]s$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain('sfn-workflow');
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
  });

  it('runs a workflow in a project made by npm init, with a TypeScript registry module in a CommonJS package', () => {
    const project = join(temp, 'plain');
    mkdirSync(join(project, 'conf'), { recursive: true });
    npm(project, ['init', '-y']);
    // zod: what the registry module `wf init` writes imports (the next test).
    npm(project, ['install', '--prefer-offline', tarball, 'zod@4']);
    writeFileSync(join(project, 'helpers.ts'), 'export const double = (n: number): number => n * 2;\n');
    writeFileSync(
      join(project, 'tasks.ts'),
      `import { tag } from 'sfn-workflow';\nimport { double } from './helpers';\ntag('mine', { alias: 'double' }, (a: { n: number }) => ({ twice: double(a.n) }));\n`,
    );
    writeFileSync(
      join(project, 'conf', 'flow.yml'),
      `flow:
  type: Workflow
  params:
    n: { type: int, default: 21 }
  jobs:
    main:
      stages:
        - name: Double
          id: double
          uses: mine/double@latest
          with:
            n: \${{ params.n }}
        - name: Shell
          id: sh
          bash: echo "twice is \${{ stages.double.outputs.twice }}"
        - name: Python
          id: py
          vars:
            t: \${{ stages.double.outputs.twice }}
          run: |
            half = t // 2
`,
    );
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.type ?? 'commonjs').toBe('commonjs');
    // The settings name the registry module: `wf run flow` needs no flags.
    writeFileSync(join(project, 'package.json'), JSON.stringify({ ...pkg, 'sfn-workflow': { conf: 'conf', registry: ['tasks.ts'] } }, null, 2));
    const out = execFileSync('npx', ['wf', 'run', 'flow', '--json', '--no-audit', '-p', 'n=5'], { cwd: project, env, encoding: 'utf8' });
    const result = JSON.parse(out) as { status: string; jobs: { main: { stages: Record<string, { outputs: Record<string, unknown> }> } } };
    expect(result.status).toBe('SUCCESS');
    expect(result.jobs.main.stages.double!.outputs).toEqual({ twice: 10 });
    expect(result.jobs.main.stages.sh!.outputs.stdout).toBe('twice is 10');
    expect(result.jobs.main.stages.py!.outputs.half).toBe(5);
    // Nothing of the package runs TypeScript through tsx.
    expect(spawnSync('node', ['-e', "require.resolve('tsx')"], { cwd: project }).status).not.toBe(0);
  }, 300_000);

  it('scaffolds that project with wf init: package.json merged, existing files kept, the example test passes', () => {
    const project = join(temp, 'plain');
    const before = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
    writeFileSync(join(project, 'README.md'), 'mine\n');
    const init = spawnSync('npx', ['wf', 'init'], { cwd: project, env, encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    expect(init.stderr).toMatch(/created +conf\/hello\.yml/);
    expect(init.stderr).toMatch(/created +cdk\.json/);
    expect(init.stderr).toMatch(/kept +README\.md/);
    expect(init.stderr).toMatch(/merged +package\.json/);
    expect(readFileSync(join(project, 'README.md'), 'utf8')).toBe('mine\n');
    const after = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };
    expect(after.name).toBe(before.name);
    expect(after.dependencies['sfn-workflow']).toBe(before.dependencies['sfn-workflow']);
    expect(after.devDependencies['aws-cdk-lib']).toBeDefined();
    expect(after.scripts.test).toBe('node --test test/');
    const test = spawnSync('node', ['--test', 'test/'], { cwd: project, env, encoding: 'utf8', timeout: 120_000 });
    expect(test.status, `${test.stdout}\n${test.stderr}`).toBe(0);
    expect(test.stdout).toMatch(/# pass 1/);
  }, 300_000);
});
