import { visitStates, type AslRule } from './asl-rule.ts';

/** AWS: a retrier's BackoffRate is at least 1.0. */
export const backoffRate: AslRule = {
  id: 'backoff-rate',
  aws: 'A Retry BackoffRate must be greater than or equal to 1.0',
  check: (m) =>
    visitStates(m).flatMap(({ where, name, state }) =>
      (state.Retry ?? []).filter((r) => r.BackoffRate !== undefined && !(r.BackoffRate >= 1)).map((r) => `${where}/${name}: BackoffRate ${r.BackoffRate} is below 1`),
    ),
};
