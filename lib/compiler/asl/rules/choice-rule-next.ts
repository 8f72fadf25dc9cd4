import type { ChoiceRule } from '../types.ts';
import { visitStates, type AslRule } from './asl-rule.ts';

function nestedNexts(rule: ChoiceRule, path: string, out: string[]): void {
  const children = [...(rule.And ?? []), ...(rule.Or ?? []), ...(rule.Not ? [rule.Not] : [])];
  children.forEach((c, i) => {
    if (c.Next !== undefined) out.push(`${path}: a nested rule (${i + 1}) has Next "${c.Next}"`);
    nestedNexts(c, path, out);
  });
}

/** AWS: only a Choice's top-level rules have Next; rules inside And, Or and Not must not. */
export const choiceRuleNext: AslRule = {
  id: 'choice-rule-next',
  aws: 'Each top-level Choice rule must have Next; rules nested in And, Or or Not must not have Next',
  check: (m) => {
    const out: string[] = [];
    for (const { where, name, state } of visitStates(m)) {
      (state.Choices ?? []).forEach((rule, i) => {
        const at = `${where}/${name} rule ${i + 1}`;
        if (typeof rule.Next !== 'string') out.push(`${at}: no Next`);
        nestedNexts(rule, at, out);
      });
    }
    return out;
  },
};
