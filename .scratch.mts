import { loadWorkflowsFromText } from './lib/config/index.ts';
import { formatDiagnostics } from './lib/diagnostics/index.ts';
import { readFileSync, readdirSync, statSync } from 'node:fs';
const dir = 'test/config/golden';
for (const f of readdirSync(dir).filter(f => f.endsWith('.yaml') || statSync(`${dir}/${f}`).isDirectory()).filter(f => !process.argv[2] || f.startsWith(process.argv[2]))) {
  const p = `${dir}/${f}`;
  const files: Record<string,string> = {};
  if (statSync(p).isDirectory()) for (const x of readdirSync(p)) files[`${p}/${x}`] = readFileSync(`${p}/${x}`, 'utf8');
  else files[p] = readFileSync(p, 'utf8');
  const first = Object.values(files)[0]!;
  const names = /^# names: (.*)$/m.exec(first)?.[1]?.split(' ');
  const r = loadWorkflowsFromText(files, { names });
  console.log('=====', f, [...r.workflows.keys()]);
  console.log(formatDiagnostics(r.diagnostics, { sources: r.sources }));
}
