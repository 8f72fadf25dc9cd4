/** Renders a machine with every state's fields in one fixed order, so output is byte-stable. */
import type { Machine, State } from './types.ts';

const ORDER: Array<keyof State> = [
  'Type', 'Comment', 'InputPath', 'Resource', 'ItemsPath', 'MaxConcurrency', 'ItemSelector', 'ItemProcessor', 'Branches',
  'Parameters', 'Result', 'ResultSelector', 'ResultPath', 'OutputPath', 'Seconds', 'SecondsPath', 'TimeoutSeconds',
  'TimeoutSecondsPath', 'Choices', 'Default', 'Retry', 'Catch', 'Error', 'ErrorPath', 'Cause', 'CausePath', 'Next', 'End',
];

function renderState(st: State): State {
  const out: Record<string, unknown> = {};
  for (const k of ORDER) {
    const v = st[k];
    if (v === undefined) continue;
    if (k === 'Branches') out[k] = (v as Machine[]).map(renderMachine);
    else if (k === 'ItemProcessor') {
      const ip = v as NonNullable<State['ItemProcessor']>;
      out[k] = { ...(ip.ProcessorConfig ? { ProcessorConfig: ip.ProcessorConfig } : {}), ...renderMachine(ip) };
    } else out[k] = v;
  }
  return out as unknown as State;
}

/** A copy of the machine with states in a stable order (the start state first, then as emitted). */
export function renderMachine(m: Machine): Machine {
  const states: Record<string, State> = {};
  const names = Object.keys(m.States);
  const ordered = [m.StartAt, ...names.filter((n) => n !== m.StartAt)];
  for (const n of ordered) if (m.States[n]) states[n] = renderState(m.States[n]!);
  const out: Machine = { ...(m.Comment ? { Comment: m.Comment } : {}), StartAt: m.StartAt, ...(m.TimeoutSeconds ? { TimeoutSeconds: m.TimeoutSeconds } : {}), States: states };
  return out;
}
