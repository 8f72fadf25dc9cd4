import { readdirSync } from 'node:fs';
import { loadWorkflows } from '/work/main/lib/config/index.ts';
import { compileWorkflow, structuralProblems } from '/work/main/lib/compiler/index.ts';
import aslValidator from 'asl-validator';
const dir = '/work/main/test/compiler/golden';
for (const c of readdirSync(dir).sort()) {
  const r = loadWorkflows({ conf: `${dir}/${c}`, env: {} });
  for (const d of r.diagnostics) console.log(c, 'LOAD', d.severity, d.code, d.message);
  const w = r.workflows.get(c);
  if (!w) { console.log(c, 'MISSING'); continue; }
  const out = compileWorkflow(w, { workflows: r.workflows });
  for (const d of out.diagnostics) console.log(c, 'COMPILE', d.severity, d.code, d.message);
  const v = (aslValidator as any)(JSON.parse(out.json));
  if (!v.isValid) console.log(c, 'ASL', v.errorsText());
  const sp = structuralProblems(out.definition);
  if (sp.length) console.log(c, 'STRUCT', sp);
  console.log(c, 'ok', out.json.length, out.placeholders.join(','));
}
