import { loadWorkflows } from '/work/main/lib/config/index.ts';
import { compileWorkflow } from '/work/main/lib/compiler/index.ts';
const [conf, name] = process.argv.slice(2);
const r = loadWorkflows({ conf, env: {} });
const w = r.workflows.get(name!)!;
const c = compileWorkflow(w, { workflows: r.workflows });
function show(m: any, ind: string) {
  console.log(`${ind}StartAt: ${m.StartAt}`);
  for (const [n, s] of Object.entries<any>(m.States)) {
    const tg = [s.Next && `-> ${s.Next}`, s.End && 'END', s.Default && `default-> ${s.Default}`, ...(s.Choices ?? []).map((c: any) => `?-> ${c.Next}`), ...(s.Catch ?? []).map((c: any) => `catch[${c.ErrorEquals.join('|')}]-> ${c.Next}`)].filter(Boolean).join('  ');
    console.log(`${ind}[${s.Type}] ${n}   ${tg}`);
    for (const b of s.Branches ?? []) { console.log(`${ind}  branch:`); show(b, ind + '    '); }
    if (s.ItemProcessor) { console.log(`${ind}  items:`); show(s.ItemProcessor, ind + '    '); }
  }
}
show(c.definition, '');
