/**
 * A rule Step Functions enforces (at CreateStateMachine or when a run reaches the state) that the
 * schema checks of `asl-validator` do not: each rule names the AWS rule it follows and reports
 * where a machine breaks it.
 */
import type { Machine, State } from '../types.ts';

/** One state of a machine, with the path of machines that holds it. */
export interface VisitedState {
  /** `machine`, then the Parallel/Map states enclosing it, joined with `/`. */
  where: string;
  name: string;
  state: State;
}

/** A rule of AWS's, as the compiler checks it. */
export interface AslRule {
  /** A short kebab-case id (the file name). */
  id: string;
  /** The rule as AWS states it. */
  aws: string;
  /** The problems of `machine` (its rendered JSON text in `json`); empty when it follows the rule. */
  check(machine: Machine, json: string): string[];
}

/** Every state of a machine, Parallel branches and Map item processors included. */
export function visitStates(m: Machine, where = 'machine', into: VisitedState[] = []): VisitedState[] {
  for (const [name, state] of Object.entries(m.States)) {
    into.push({ where, name, state });
    for (const b of state.Branches ?? []) visitStates(b, `${where}/${name}`, into);
    if (state.ItemProcessor) visitStates(state.ItemProcessor, `${where}/${name}`, into);
  }
  return into;
}
