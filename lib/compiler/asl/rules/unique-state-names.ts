import { visitStates, type AslRule } from './asl-rule.ts';

/** AWS: state names are unique within the whole machine, nested branches and item processors included. */
export const uniqueStateNames: AslRule = {
  id: 'unique-state-names',
  aws: 'State names must be unique within the state machine, including states in Parallel branches and Map item processors',
  check: (m) => {
    const seen = new Map<string, string>();
    const out: string[] = [];
    for (const s of visitStates(m)) {
      const before = seen.get(s.name);
      if (before !== undefined) out.push(`${s.where}/${s.name}: state name also used in ${before}`);
      else seen.set(s.name, s.where);
    }
    return out;
  },
};
