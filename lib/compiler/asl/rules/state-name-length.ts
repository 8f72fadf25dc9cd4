import { visitStates, type AslRule } from './asl-rule.ts';

/** AWS: a state's name is at most 80 Unicode characters. */
export const stateNameLength: AslRule = {
  id: 'state-name-length',
  aws: 'State names must be 80 Unicode characters or fewer',
  check: (m) => visitStates(m).filter((s) => [...s.name].length > 80).map((s) => `${s.where}/${s.name}: state name is ${[...s.name].length} characters, over 80`),
};
