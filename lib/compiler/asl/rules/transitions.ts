import type { Machine, State } from '../types.ts';
import type { AslRule } from './asl-rule.ts';

/** Every state name a state can go to: its Next, a Choice's Default and rules, its Catch targets. */
export function targetsOf(st: State): string[] {
  return [st.Next, st.Default, ...(st.Choices ?? []).map((c) => (c as { Next?: string }).Next), ...(st.Catch ?? []).map((c) => c.Next)].filter((t): t is string => typeof t === 'string' && t !== '');
}

function walk(m: Machine, where: string, problems: string[]): void {
  const seen = new Set([m.StartAt]);
  if (!m.States[m.StartAt]) problems.push(`${where}: StartAt "${m.StartAt}" does not exist`);
  for (const [n, st] of Object.entries(m.States)) {
    for (const t of targetsOf(st)) {
      if (!m.States[t]) problems.push(`${where}/${n}: Next "${t}" does not exist`);
      seen.add(t);
    }
    if (!st.Next && !st.End && !['Choice', 'Succeed', 'Fail'].includes(st.Type)) problems.push(`${where}/${n}: no Next or End`);
    for (const b of st.Branches ?? []) walk(b, `${where}/${n}`, problems);
    if (st.ItemProcessor) walk(st.ItemProcessor, `${where}/${n}`, problems);
  }
  for (const n of Object.keys(m.States)) if (!seen.has(n)) problems.push(`${where}/${n}: unreachable`);
}

/** AWS: transitions stay within their machine, every state is reachable and every path ends. */
export const transitions: AslRule = {
  id: 'transitions',
  aws: 'StartAt and every Next, Default and Catch target name a state of the same machine or branch; every state is reachable; a non-terminal state has Next or End',
  check: (m) => {
    const problems: string[] = [];
    walk(m, 'machine', problems);
    return problems;
  },
};
