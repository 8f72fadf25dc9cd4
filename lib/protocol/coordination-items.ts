/**
 * The coordination items of the audit table, as every side reads and writes them: the compiled
 * machine (concurrency slots), the stage runner (signal tokens, slot recovery), the local engine and
 * `wf signal`. Plain DynamoDB attribute values, so that this file needs no SDK.
 */

/**
 * Item keys of the coordination items in the audit table (beside run records and release locks):
 * partition key `workflow`, sort key `release`.
 *
 * | item | `workflow` | `release` | attributes |
 * |---|---|---|---|
 * | concurrency group | `concurrency#<group>` | `holders` | `holders`: map of holder key → `{execution, run, workflow, since}` |
 * | signal | `signal#<run id>` | `signal#<name>` | `status` (WAIT, SUCCESS, REJECTED), `data` (JSON), `reason`, `tokens` (string set), times |
 * | local stop request | `stop#<execution id>` | `stop` | `cause` |
 * | job of a graph done | `jobs#<execution id>` | `done#<job>` | `record` (JSON), `expires` |
 * | job of a graph waiting | `jobs#<execution id>` | `wait#<job>` | `token`, `needs` and `ancestors` (lists), `expires` |
 */
export const CoordinationKeys = {
  concurrencyPrefix: 'concurrency#',
  holdersKey: 'holders',
  holdersAttribute: 'holders',
  signalPrefix: 'signal#',
  stopPrefix: 'stop#',
  jobsPrefix: 'jobs#',
  donePrefix: 'done#',
  waitPrefix: 'wait#',
} as const;

/** Error names of the coordination patterns, as the machine's Catch sees them. */
export const SignalErrors = {
  /** The signal was sent with `--reject` (SendTaskFailure). */
  rejected: 'SignalRejected',
  /** The stage's timeout passed without a signal. */
  timeout: 'SignalTimeout',
} as const;

/** A DynamoDB attribute value, in the low-level shape. */
export type AttributeValue = { S: string } | { N: string } | { BOOL: boolean } | { SS: string[] } | { M: Record<string, AttributeValue> } | { NULL: true } | { L: AttributeValue[] };

/** A DynamoDB item in the low-level shape. */
export type CoordinationItem = Record<string, AttributeValue>;

/** The key of a concurrency group's item. */
export function groupItemKey(key: string): CoordinationItem {
  return { workflow: { S: key }, release: { S: CoordinationKeys.holdersKey } };
}

/** One holder of a concurrency group. */
export interface SlotHolder {
  /** The holder key (`<run id>` for a workflow's group, `<run id>/<job>` for a job's). */
  key: string;
  /** The execution that holds the slot (`$$.Execution.Id`). */
  execution: string;
  run: string;
  workflow: string;
  /** When the holding execution started (ISO). */
  since: string;
}

/** The holders recorded in a group item (none for a missing item). */
export function decodeHolders(item: Record<string, unknown> | undefined): SlotHolder[] {
  const map = (item?.[CoordinationKeys.holdersAttribute] as { M?: Record<string, { M?: Record<string, { S?: string }> }> } | undefined)?.M ?? {};
  return Object.entries(map).map(([key, v]) => ({
    key,
    execution: v.M?.execution?.S ?? '',
    run: v.M?.run?.S ?? '',
    workflow: v.M?.workflow?.S ?? '',
    since: v.M?.since?.S ?? '',
  }));
}

/** The status of a signal: waited for (`WAIT`), sent (`SUCCESS`), or sent as a rejection. */
export type SignalStatus = 'WAIT' | 'SUCCESS' | 'REJECTED';

/** A signal item, decoded. */
export interface SignalState {
  run: string;
  signal: string;
  status: SignalStatus;
  /** The data sent with the signal (the wait stage's outputs). */
  data?: Record<string, unknown>;
  /** Why it was rejected. */
  reason?: string;
  /** Who sent it (free text, e.g. the user name). */
  by?: string;
  /** Task tokens of the executions waiting for it (AWS). */
  tokens: string[];
  /** When a stage started waiting for it, and when it was sent (ISO). */
  waitingSince?: string;
  answeredAt?: string;
}

/** The key of a run's signal item. */
export function signalItemKey(run: string, signal: string): CoordinationItem {
  return { workflow: { S: `${CoordinationKeys.signalPrefix}${run}` }, release: { S: `${CoordinationKeys.signalPrefix}${signal}` } };
}

/** A signal item decoded (undefined for a missing item). */
export function decodeSignal(item: Record<string, unknown> | undefined): SignalState | undefined {
  if (!item) return undefined;
  const s = (k: string): string | undefined => (item[k] as { S?: string } | undefined)?.S;
  const run = (s('workflow') ?? '').slice(CoordinationKeys.signalPrefix.length);
  const signal = (s('release') ?? '').slice(CoordinationKeys.signalPrefix.length);
  const status = (s('status') ?? 'WAIT') as SignalStatus;
  const out: SignalState = { run, signal, status, tokens: (item.tokens as { SS?: string[] } | undefined)?.SS ?? [] };
  const data = s('data');
  if (data !== undefined) {
    try {
      const parsed = JSON.parse(data) as unknown;
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) out.data = parsed as Record<string, unknown>;
    } catch {
      // a data attribute that is not JSON is left out
    }
  }
  for (const [attr, field] of [['reason', 'reason'], ['by', 'by'], ['waiting_since', 'waitingSince'], ['answered_at', 'answeredAt']] as const) {
    const v = s(attr);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

/** The answer to a signal, as `wf signal` gives it. */
export interface SignalAnswer {
  /** Data for the stage's outputs (a map). @default {} */
  data?: Record<string, unknown>;
  /** Send it as a rejection: the waiting stage fails. @default false */
  reject?: boolean;
  /** Why (with `reject`). */
  reason?: string;
  /** Who sends it. */
  by?: string;
}

/**
 * The UpdateItem input that records an answer, once: a second answer to the same signal fails
 * its condition (`ConditionalCheckFailedException`). `ReturnValues: ALL_NEW` gives back the tokens
 * of the executions already waiting, which the sender then answers.
 */
export function answerSignalUpdate(table: string, run: string, signal: string, answer: SignalAnswer, now: string): Record<string, unknown> {
  const values: Record<string, AttributeValue> = {
    ':status': { S: answer.reject ? 'REJECTED' : 'SUCCESS' },
    ':data': { S: JSON.stringify(answer.data ?? {}) },
    ':at': { S: now },
    ':wait': { S: 'WAIT' },
  };
  const sets = ['#st = :status', '#data = :data', '#at = :at'];
  const names: Record<string, string> = { '#st': 'status', '#data': 'data', '#at': 'answered_at' };
  if (answer.reason !== undefined) {
    sets.push('#reason = :reason');
    names['#reason'] = 'reason';
    values[':reason'] = { S: answer.reason };
  }
  if (answer.by !== undefined) {
    sets.push('#by = :by');
    names['#by'] = 'by';
    values[':by'] = { S: answer.by };
  }
  return {
    TableName: table,
    Key: signalItemKey(run, signal),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: 'attribute_not_exists(#st) OR #st = :wait',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  };
}

/**
 * The UpdateItem input that marks a signal as waited for (keeping an answer that came first), and
 * adds a task token when there is one (AWS). `ReturnValues: ALL_NEW` says whether it was answered.
 */
export function waitSignalUpdate(table: string, run: string, signal: string, waiter: { workflow: string; execution: string; token?: string }, now: string): Record<string, unknown> {
  const names: Record<string, string> = { '#st': 'status', '#wf': 'run_workflow', '#since': 'waiting_since', '#ex': 'execution' };
  const values: Record<string, AttributeValue> = { ':wait': { S: 'WAIT' }, ':wf': { S: waiter.workflow }, ':now': { S: now }, ':ex': { S: waiter.execution } };
  let expression = 'SET #st = if_not_exists(#st, :wait), #wf = :wf, #since = if_not_exists(#since, :now), #ex = :ex';
  if (waiter.token !== undefined) {
    expression += ' ADD #tokens :token';
    names['#tokens'] = 'tokens';
    values[':token'] = { SS: [waiter.token] };
  }
  return {
    TableName: table,
    Key: signalItemKey(run, signal),
    UpdateExpression: expression,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  };
}

/** What a waiting Task ends with once a signal is answered: its output, or its error and cause. */
export function signalOutcome(state: SignalState): { output: { outputs: Record<string, unknown> } } | { error: string; cause: string } {
  if (state.status === 'REJECTED') {
    return { error: SignalErrors.rejected, cause: `signal "${state.signal}" was rejected${state.by ? ` by ${state.by}` : ''}${state.reason ? `: ${state.reason}` : ''}` };
  }
  return { output: { outputs: state.data ?? {} } };
}
