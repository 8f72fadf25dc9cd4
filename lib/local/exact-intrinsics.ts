/**
 * Gives the embedded engine exact intrinsic functions. In a state whose Parameters use an
 * intrinsic the engine gets wrong (any that can return text: States.Format, States.JsonToString,
 * States.ArrayGetItem, States.Base64*, States.Hash, or a literal with an escape), each intrinsic
 * field becomes a mark the engine passes through, with the state's input and context beside it;
 * the engine resolves the plain paths, and a local handler evaluates the marks as Step Functions
 * does (evaluate-intrinsic.ts). A Pass state becomes, for the engine only, a Task with the same
 * InputPath, ResultPath and OutputPath whose handler does just that; a Task's own handler gets its
 * Parameters with the marks evaluated. Events of a converted Pass keep its type, so histories and
 * history counts stay those of AWS.
 */
import { parseIntrinsic, type IntrinsicArg, type IntrinsicCall, type Machine, type State } from '../compiler/index.ts';
import { evaluateIntrinsic, intrinsicRuntimeError } from './evaluate-intrinsic.ts';
import { setOwn } from '../expr/index.ts';

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

/** The key of the state's input and context in a converted state's Parameters, and of an intrinsic's mark. */
const INPUT = '\u2063input';
const CONTEXT = '\u2063context';
const MARK = '\u2063intrinsic';

/**
 * The Parameters the engine resolves for a converted state: every intrinsic field replaced by a
 * mark holding its parsed call (the engine resolves the plain paths as it does everywhere), plus
 * the state's input and context, for the marks.
 */
function markIntrinsics(template: unknown): unknown {
  if (Array.isArray(template)) return template.map(markIntrinsics);
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(template)) {
    if (k.endsWith('.$') && typeof v === 'string' && v.startsWith('States.')) {
      const parsed = parseIntrinsic(v);
      if (!parsed.call) throw intrinsicRuntimeError(`invalid intrinsic function ${v}: ${parsed.error}`);
      out[k.slice(0, -2)] = { [MARK]: parsed.call };
    } else setOwn(out, k, markIntrinsics(v));
  }
  return out;
}

/** The resolved Parameters with each mark replaced by its call's value, as Step Functions evaluates it. */
function evaluateMarks(value: unknown, input: unknown, context: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluateMarks(v, input, context));
  if (value === null || typeof value !== 'object') return value;
  if (MARK in value) return evaluateIntrinsic((value as Record<string, IntrinsicCall>)[MARK]!, input, context);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== INPUT && k !== CONTEXT) setOwn(out, k, evaluateMarks(v, input, context));
  return out;
}

/** What a converted state's Parameters resolve to, once its marks are evaluated. */
export function resolveMarked(resolved: unknown): unknown {
  const { [INPUT]: input, [CONTEXT]: context } = resolved as Record<string, unknown>;
  return evaluateMarks(resolved, input, context);
}

/** A Parameters template evaluated against a state's effective input and the context object (paths of plain steps). */
export function evaluateParameters(template: unknown, input: unknown, context: unknown): unknown {
  return evaluateMarks(markIntrinsics(template), input, context);
}

/** A machine for the engine, the handlers of its converted states, and their names. */
export interface ExactIntrinsics {
  definition: Machine;
  /** The Task handlers for the engine: the given ones, with the converted states' own. */
  wrap(taskHandlers: Record<string, TaskHandler>): Record<string, TaskHandler>;
  passStates: ReadonlySet<string>;
}

type TaskHandler = (input: unknown) => Promise<unknown>;

const RESOURCE = 'arn:aws:states:::local:intrinsics';

/** The machine with its inexact Pass states converted (see the file comment). */
export function exactIntrinsics(m: Machine): ExactIntrinsics {
  const handlers: Record<string, TaskHandler> = {};
  const passStates = new Set<string>();
  const wrapped = new Set<string>();
  const convert = (machine: Machine): Machine => {
    const states: Record<string, State> = {};
    for (const [name, st] of Object.entries(machine.States)) {
      let out: State = st;
      if ((st.Type === 'Pass' || st.Type === 'Task') && st.Parameters && needsExact(st.Parameters)) {
        const parameters = { ...(markIntrinsics(st.Parameters) as Record<string, unknown>), [`${INPUT}.$`]: '$', [`${CONTEXT}.$`]: '$$' };
        if (st.Type === 'Pass') {
          const { Type: _, ...rest } = st;
          out = { ...rest, Type: 'Task', Resource: RESOURCE, Parameters: parameters };
          handlers[name] = async (p) => resolveMarked(p);
          passStates.add(name);
        } else {
          out = { ...st, Parameters: parameters };
          wrapped.add(name);
        }
      }
      if (st.Branches) out = { ...out, Branches: st.Branches.map(convert) };
      if (st.ItemProcessor) out = { ...out, ItemProcessor: { ...st.ItemProcessor, ...convert(st.ItemProcessor) } };
      states[name] = out;
    }
    return { ...machine, States: states };
  };
  const definition = convert(m);
  const wrap: ExactIntrinsics['wrap'] = (taskHandlers) => {
    const out = { ...taskHandlers, ...handlers };
    for (const name of wrapped) {
      const handler = taskHandlers[name];
      if (handler) out[name] = async (p) => handler(resolveMarked(p));
    }
    return out;
  };
  return { definition, wrap, passStates };
}

/** The engine's events with the converted states' own type restored. */
export async function* withOwnTypes<T>(events: AsyncIterable<T>, passStates: ReadonlySet<string>): AsyncGenerator<T> {
  for await (const ev of events) {
    const state = (ev as { state?: { name: string; type: string } }).state;
    if (state && passStates.has(state.name)) state.type = 'Pass';
    yield ev;
  }
}
