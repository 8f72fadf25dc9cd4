import { loadWorkflows } from '/work/main/lib/config/index.ts';
import { compileWorkflow } from '/work/main/lib/compiler/index.ts';
const [conf, name] = process.argv.slice(2);
const r = loadWorkflows({ conf });
for (const d of r.diagnostics) console.error(d.severity, d.code, d.message);
const w = r.workflows.get(name!)!;
const c = compileWorkflow(w, { workflows: r.workflows });
for (const d of c.diagnostics) console.error(d.severity, d.code, d.message);
process.stdout.write(c.json);
