/**
 * The stage-runner Lambda stops a busy call function at its timeout: the runner is bundled as the
 * CDK bundles it (esbuild, ESM, `sfn-workflow` aliased to the registry tag module, the registry
 * imported by the entry) and its handler is invoked in a separate Node process, as Lambda does.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, expect, it } from 'vitest';
import { REGISTRY_TAG_MODULE } from '../../lib/cdk/stage-runner-entry.ts';

const RUNNER = new URL('../../functions/stage-runner/index.ts', import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wf-call-bundle-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(
    join(dir, 'registry.ts'),
    `import { tag } from 'sfn-workflow';
tag('t', { alias: 'ok' }, (a: { n: number }) => ({ twice: a.n * 2 }));
tag('t', { alias: 'spin' }, () => { const end = Date.now() + 120_000; while (Date.now() < end) { /* busy */ } return { finished: true }; });
`,
  );
  writeFileSync(join(dir, 'entry.ts'), `import './registry.ts';\nexport { handler } from ${JSON.stringify(RUNNER)};\n`);
  await build({
    entryPoints: [join(dir, 'entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(dir, 'out', 'index.mjs'),
    alias: { 'sfn-workflow': REGISTRY_TAG_MODULE },
    banner: { js: "import { createRequire as __wfCreateRequire } from 'node:module'; const require = __wfCreateRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  writeFileSync(
    join(dir, 'invoke.mjs'),
    `const { handler } = await import('./out/index.mjs');
const request = (uses, args, timeout) => ({ action: 'stage', key: 'f1', stage: { kind: 'call', name: 'C', id: 'c', fields: { uses, with: args }, timeout }, ctx: {} });
const out = [];
for (const [uses, args] of [['t/ok@latest', { n: 2 }], ['t/spin@latest', {}], ['t/ok@latest', { n: 5 }]]) {
  const t0 = Date.now();
  const answer = await handler(request(uses, args, 2)).then((r) => ({ ok: r }), (e) => ({ error: e.name, message: e.message }));
  out.push({ ...answer, ms: Date.now() - t0 });
}
console.log(JSON.stringify(out));
process.exit(0);
`,
  );
}, 60_000);

it('a busy-looping call is FAILED with StageTimeout at its timeout, and the next call still runs', () => {
  const r = spawnSync(process.execPath, ['invoke.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const [first, spin, after] = JSON.parse(r.stdout) as Array<{ ok?: { status: string; outputs: unknown }; error?: string; message?: string; ms: number }>;
  expect(first!.ok).toEqual({ status: 'SUCCESS', outputs: { twice: 4 } });
  expect(spin!.error).toBe('StageFailed');
  const record = JSON.parse(spin!.message!) as { status: string; errors: { name: string; message: string } };
  expect(record.status).toBe('FAILED');
  expect(record.errors.name).toBe('StageTimeout');
  expect(record.errors.message).toContain('timed out after 2 s');
  expect(spin!.ms).toBeLessThan(20_000);
  expect(after!.ok).toEqual({ status: 'SUCCESS', outputs: { twice: 10 } });
}, 90_000);
