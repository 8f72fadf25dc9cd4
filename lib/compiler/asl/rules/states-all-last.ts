import { visitStates, type AslRule } from './asl-rule.ts';

/** AWS: `States.ALL` stands alone in its ErrorEquals and comes last among the retriers or catchers. */
export const statesAllLast: AslRule = {
  id: 'states-all-last',
  aws: 'States.ALL must appear alone in its ErrorEquals array and in the last retrier or catcher',
  check: (m) => {
    const out: string[] = [];
    for (const { where, name, state } of visitStates(m)) {
      for (const [field, list] of [['Retry', state.Retry ?? []], ['Catch', state.Catch ?? []]] as const) {
        list.forEach((entry, i) => {
          if (!entry.ErrorEquals.includes('States.ALL')) return;
          if (entry.ErrorEquals.length > 1) out.push(`${where}/${name}: ${field} ${i + 1} has States.ALL beside other errors`);
          if (i !== list.length - 1) out.push(`${where}/${name}: ${field} ${i + 1} has States.ALL but is not last`);
        });
      }
    }
    return out;
  },
};
