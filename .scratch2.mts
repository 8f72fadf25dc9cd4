import { loadWorkflows } from './lib/config/index.ts';
import { formatDiagnostics } from './lib/diagnostics/index.ts';
for (const conf of ['test/config/seeds', 'test/config/seeds/invalid']) {
const r = loadWorkflows({ conf, env: {} });
console.log(conf, [...r.workflows.keys()].length, [...r.workflows.keys()].join(' '));
console.log(formatDiagnostics(r.diagnostics, { sources: r.sources }));
}
