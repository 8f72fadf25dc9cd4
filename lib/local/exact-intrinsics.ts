/**
 * Gives the embedded engine exact intrinsic functions. A Pass state whose Parameters use an
 * intrinsic the engine gets wrong (any that can return text: States.Format, States.JsonToString,
 * States.ArrayGetItem, States.Base64*, States.Hash, or a literal with an escape) becomes, for the
 * engine only, a Task with the same InputPath, ResultPath and OutputPath whose local handler
 * evaluates the Parameters as Step Functions does (evaluate-intrinsic.ts). Events of such a state
 * are reported with its own type (Pass), so histories and history counts stay those of AWS.
 */
import { parseIntrinsic, type IntrinsicArg, type Machine, type State } from '../compiler/index.ts';
import { evaluateIntrinsic, intrinsicRuntimeError } from './evaluate-intrinsic.ts';

const TEXT_RESULTS = new Set(['States.Format', 'States.JsonToString', 'States.ArrayGetItem', 'States.Base64Encode', 'States.Base64Decode', 'States.Hash']);

function inexact(arg: IntrinsicArg, source: string): boolean {
  if (arg.kind === 'string') return /\\/.test(source);
  if (arg.kind !== 'call') return false;
  return TEXT_RESULTS.has(arg.name) || arg.args.some((a) => inexact(a, source));
}

function needsExact(template: unknown): boolean {
  if (Array.isArray(template)) return template.some(needsExact);
  if (template === null || typeof template !== 'object') return false;
  return Object.entries(template).some(([k, v]) => {
    if (k.endsWith('.$') && typeof v === 'string' && v.startsWith('States.')) {
      const parsed = parseIntrinsic(v);
      return parsed.call ? inexact(parsed.call, v) : true;
    }
    return needsExact(v);
  });
}

/** A Parameters template evaluated against a state's effective input and the context object. */
export function evaluateParameters(template: unknown, input: unknown, context: unknown): unknown {
  if (Array.isArray(template)) return template.map((t) => evaluateParameters(t, input, context));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(template)) {
    if (!k.endsWith('.$') || typeof v !== 'string') {
      out[k] = evaluateParameters(v, input, context);
      continue;
    }
    if (v.startsWith('States.')) {
      const parsed = parseIntrinsic(v);
      if (!parsed.call) throw intrinsicRuntimeError(`invalid intrinsic function ${v}: ${parsed.error}`);
      out[k.slice(0, -2)] = evaluateIntrinsic(parsed.call, input, context);
    } else out[k.slice(0, -2)] = evaluateIntrinsic({ kind: 'path', path: v }, input, context);
  }
  return out;
}

/** A machine for the engine, the handlers of its converted states, and their names. */
export interface ExactIntrinsics {
  definition: Machine;
  handlers: Record<string, (input: unknown) => Promise<unknown>>;
  passStates: ReadonlySet<string>;
}

const RESOURCE = 'arn:aws:states:::local:intrinsics';

/** The machine with its inexact Pass states converted (see the file comment). */
export function exactIntrinsics(m: Machine): ExactIntrinsics {
  const handlers: ExactIntrinsics['handlers'] = {};
  const passStates = new Set<string>();
  const convert = (machine: Machine): Machine => {
    const states: Record<string, State> = {};
    for (const [name, st] of Object.entries(machine.States)) {
      let out: State = st;
      if (st.Type === 'Pass' && st.Parameters && needsExact(st.Parameters)) {
        const template = st.Parameters;
        const { Parameters: _, Type: __, ...rest } = st;
        out = { ...rest, Type: 'Task', Resource: RESOURCE, Parameters: { 'input.$': '$', 'context.$': '$$' } };
        handlers[name] = async (p) => {
          const { input, context } = p as { input: unknown; context: unknown };
          return evaluateParameters(template, input, context);
        };
        passStates.add(name);
      }
      if (st.Branches) out = { ...out, Branches: st.Branches.map(convert) };
      if (st.ItemProcessor) out = { ...out, ItemProcessor: { ...st.ItemProcessor, ...convert(st.ItemProcessor) } };
      states[name] = out;
    }
    return { ...machine, States: states };
  };
  return { definition: convert(m), handlers, passStates };
}

/** The engine's events with the converted states' own type restored. */
export async function* withOwnTypes<T>(events: AsyncIterable<T>, passStates: ReadonlySet<string>): AsyncGenerator<T> {
  for await (const ev of events) {
    const state = (ev as { state?: { name: string; type: string } }).state;
    if (state && passStates.has(state.name)) state.type = 'Pass';
    yield ev;
  }
}
