/** Renders a machine with every state's fields in one fixed order, so output is byte-stable. */
import type { Machine, State } from './types.ts';

const ORDER: Array<keyof State> = [
  'Type', 'Comment', 'InputPath', 'Resource', 'ItemReader', 'ItemsPath', 'MaxConcurrency', 'ToleratedFailurePercentage',
  'ToleratedFailureCount', 'ItemSelector', 'ItemBatcher', 'ItemProcessor', 'ResultWriter', 'Branches',
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

/** State names in the order a reader follows them: depth-first from the start, the main path first. */
function flowOrder(m: Machine): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (start: string): void => {
    const stack = [start];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n) || !m.States[n]) continue;
      seen.add(n);
      order.push(n);
      const st = m.States[n]!;
      const targets = [st.Next, ...(st.Choices ?? []).map((c) => c.Next), st.Default, ...(st.Catch ?? []).map((c) => c.Next)].filter((t): t is string => !!t);
      for (let i = targets.length - 1; i >= 0; i--) stack.push(targets[i]!);
    }
  };
  visit(m.StartAt);
  for (const n of Object.keys(m.States)) if (!seen.has(n)) order.push(n);
  return order;
}

/** A copy of the machine with states in a stable, readable order. */
export function renderMachine(m: Machine): Machine {
  const states: Record<string, State> = {};
  const ordered = flowOrder(m);
  for (const n of ordered) if (m.States[n]) states[n] = renderState(m.States[n]!);
  const out: Machine = { ...(m.Comment ? { Comment: m.Comment } : {}), StartAt: m.StartAt, ...(m.TimeoutSeconds ? { TimeoutSeconds: m.TimeoutSeconds } : {}), States: states };
  return out;
}
