/**
 * A Mermaid flowchart of a workflow for docs and pull requests: one subgraph per job with its
 * stages in order (nested stages as nested subgraphs), and an edge per `needs`.
 */
import type { Stage, Workflow } from '../config/index.ts';

function esc(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'));
}

function kindLabel(s: Stage): string {
  switch (s.kind) {
    case 'empty':
      return s.sleep !== undefined ? `sleep ${s.sleep}` : 'echo';
    case 'call':
      return `uses ${s.uses}`;
    case 'trigger':
      return `trigger ${s.trigger}`;
    case 'foreach':
      return `foreach${s.concurrent > 1 ? ` ×${s.concurrent}` : ''}`;
    case 'until':
      return `until (max ${s.maxLoop})`;
    default:
      return s.kind;
  }
}

/** Renders the workflow as a Mermaid `flowchart TD`. */
export function renderMermaid(workflow: Workflow): string {
  const lines = ['flowchart TD'];
  let n = 0;
  const id = (): string => `n${++n}`;
  const stages = (list: readonly Stage[], indent: string): { first?: string; last?: string } => {
    let prev: string | undefined;
    let first: string | undefined;
    for (const s of list) {
      const me = id();
      const cond = s.if !== undefined ? `<br/>if ${esc(String(s.if))}` : '';
      const children: Array<[string, readonly Stage[]]> =
        s.kind === 'parallel' ? Object.entries(s.branches)
          : s.kind === 'case' ? s.match.map((m) => [`case ${m.case}`, m.stages])
            : s.kind === 'try' ? [['try', s.try], ['catch', s.catch], ['finally', s.finally]].filter(([, l]) => (l as Stage[]).length) as Array<[string, Stage[]]>
              : s.kind === 'foreach' || s.kind === 'until' || s.kind === 'group' ? [['stages', s.stages]] : [];
      if (children.length) {
        lines.push(`${indent}subgraph ${me}["${esc(s.name)} · ${kindLabel(s)}${cond}"]`);
        for (const [title, list2] of children) {
          const sub = id();
          lines.push(`${indent}  subgraph ${sub}["${esc(title)}"]`);
          stages(list2, `${indent}    `);
          lines.push(`${indent}  end`);
        }
        lines.push(`${indent}end`);
      } else {
        lines.push(`${indent}${me}["${esc(s.name)}<br/><small>${esc(kindLabel(s))}</small>${cond}"]`);
      }
      if (prev) lines.push(`${indent}${prev} --> ${me}`);
      first ??= me;
      prev = me;
    }
    return { first, last: prev };
  };
  const jobNode: Record<string, string> = {};
  for (const job of Object.values(workflow.jobs)) {
    const jid = `job_${job.id.replace(/[^A-Za-z0-9_]/g, '_')}`;
    jobNode[job.id] = jid;
    const extra = job.strategy ? ' · matrix' : '';
    const cond = job.if !== undefined ? `<br/>if ${esc(String(job.if))}` : '';
    lines.push(`  subgraph ${jid}["job ${esc(job.id)}${extra}${cond}"]`);
    stages(job.stages, '    ');
    lines.push('  end');
  }
  for (const job of Object.values(workflow.jobs)) {
    for (const need of job.needs) lines.push(`  ${jobNode[need]} --> ${jobNode[job.id]}`);
  }
  return lines.join('\n') + '\n';
}
