/**
 * Concurrency groups (`concurrency:` on a workflow or a job): a semaphore in the audit table,
 * taken and given back with native DynamoDB Task states.
 *
 * The group is one item (`concurrency#<group>` / `holders`) whose `holders` map has one entry per
 * holder (a run, or one job of a run) with the execution that holds it. Taking a slot is one
 * conditional write, `SET holders.<me> = {execution, run, workflow, since}` if `<me>` already holds
 * one (a retried job, a redriven execution) or `size(holders) < limit`; the write that loses
 * (`ConditionalCheckFailedException`) waits with backoff and tries again. The first time the group
 * is seen full it is also created (a conditional put of an empty map), which tells "full" from
 * "missing". Every few waits the stage runner's `concurrency-reclaim` action frees the slots of
 * holders whose execution is no longer running (stopped, timed out, died): a run that ends
 * abnormally never blocks the group for good. Giving the slot back is `REMOVE holders.<me>`, on
 * every path by which the run or job ends (success, failure, skip after start); `cancel-in-progress`
 * first asks the runner (`concurrency-cancel`) to stop the other holders and free their slots.
 */
import type { Concurrency, Job } from '../config/index.ts';
import { CoordinationKeys, Placeholders } from '../protocol/index.ts';
import { parseTemplate } from '../expr/index.ts';
import type { ChoiceRule, Retrier } from './asl/types.ts';
import { escapeIntrinsicText, isIntrinsicPath } from './asl/intrinsic.ts';
import type { CompileContext, StageScope } from './compile-context.ts';
import { nativePath, rootsOfValue, type PathScope } from './compile-expression.ts';
import { wireContext } from './wire-context.ts';

/** Waits between attempts, in seconds, by attempt (the last one repeats). */
export const ACQUIRE_WAITS = [1, 1, 2, 3, 5, 8, 10];
/** The runner looks for dead holders after this many waits, and again after as many more. */
export const RECLAIM_EVERY = 3;

const DYNAMO_RETRY: Retrier = {
  ErrorEquals: ['DynamoDB.ProvisionedThroughputExceededException', 'DynamoDB.InternalServerErrorException', 'DynamoDB.ThrottlingException', 'DynamoDB.RequestLimitExceeded'],
  IntervalSeconds: 1,
  MaxAttempts: 5,
  BackoffRate: 2,
};
const CONDITION_FAILED = 'DynamoDB.ConditionalCheckFailedException';

/** The two ends of a held group: states that take a slot before `body`, and give it back before `next`. */
export interface ConcurrencyStates {
  /**
   * The states that take a slot, then go to `body`; a DynamoDB or expression error goes to `fail`
   * with the failure normalised in `$.__caught.r`.
   */
  acquire(body: string, fail: string): string;
  /** The state that gives the slot back, then goes to `next` whatever happens (one per `next`). */
  release(next: string): string;
}

/** What is needed to render the group's name. */
interface GroupSource {
  /** The compile-time scope of the text. */
  scope: PathScope;
  /** The `ctx` Parameters for the expression engine when the name is not native. */
  ctx(roots: ReadonlySet<string>): Record<string, unknown>;
}

/** Text of a template as `States.Format` arguments, when every part is plain text or a plain path. */
function nativeFormat(text: string, scope: PathScope): { format: string; args: string[] } | undefined {
  const { parts, problems } = parseTemplate(text);
  if (problems.length) return undefined;
  let format = '';
  const args: string[] = [];
  for (const p of parts) {
    if (p.kind === 'text') {
      format += escapeIntrinsicText(p.text);
      continue;
    }
    const path = p.ast ? nativePath(p.ast, scope, true) : undefined;
    if (!path || !isIntrinsicPath(path)) return undefined;
    format += '{}';
    args.push(path);
  }
  return { format, args };
}

/**
 * The states of one holder of a group. `owner` is `run` for a workflow's group (the holder key is
 * the run id) or the job; `fail` is reached with a DynamoDB or expression error normalised in
 * `$.__caught.r`.
 */
function concurrencyStates(cx: CompileContext, spec: Concurrency, label: string[], owner: { job?: Job }, source: GroupSource): ConcurrencyStates {
  const n = cx.nextId();
  const p = `$.__cc${n}`;
  const keyPath = `${p}.key`;
  const holderPath = `${p}.holder`;
  const holder = owner.job ? `States.Format('{}${escapeIntrinsicText(`/${owner.job.id}`)}', $.run.id)` : '$.run.id';
  const key = { workflow: { 'S.$': keyPath }, release: { S: CoordinationKeys.holdersKey } };
  const names = { '#hs': CoordinationKeys.holdersAttribute, '#me.$': holderPath };
  const table = `\${${Placeholders.auditTable}}`;

  const releases = new Map<string, string>();
  const release = (next: string): string => {
    const known = releases.get(next);
    if (known) return known;
    const name = cx.add([...label, 'release'], {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: {
        TableName: table,
        Key: key,
        UpdateExpression: 'REMOVE #hs.#me',
        ConditionExpression: 'attribute_exists(#hs)',
        ExpressionAttributeNames: names,
      },
      ResultPath: null,
      Retry: [DYNAMO_RETRY],
      // A slot that could not be given back belongs to an execution that ends now: the next
      // holder's reclaim frees it.
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: next }],
      Next: next,
    });
    releases.set(next, name);
    return name;
  };

  const acquire = (body: string, fail: string): string => {
    const attempt = cx.reserve([...label, 'acquire']);
    const failed = cx.genericFailure([...label, 'acquire'], fail);
    // Full: count the wait, look for dead holders every few waits, else wait and try again.
    const again = cx.reserve([...label, 'full']);
    const waitShort = cx.add([...label, 'wait'], { Type: 'Wait', SecondsPath: `${p}.wait`, Next: attempt });
    const reclaimed = cx.add([...label, 'reclaimed'], {
      Type: 'Pass',
      Parameters: { 'key.$': keyPath, 'holder.$': holderPath, 'exists.$': `${p}.exists`, 'polls.$': `${p}.polls`, since: 0, 'wait.$': `${p}.wait` },
      ResultPath: p,
      Next: attempt,
    });
    const reclaim = cx.add([...label, 'reclaim'], {
      ...cx.lambdaTask({ action: 'concurrency-reclaim', 'key.$': keyPath, table }),
      ResultPath: null,
      Retry: [cx.transientRetry()],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: waitShort }],
      Next: reclaimed,
    });
    const last = ACQUIRE_WAITS.length - 1;
    const step = cx.add([...label, 'time to reclaim'], {
      Type: 'Choice',
      Choices: [{ Variable: `${p}.since`, NumericGreaterThanEquals: RECLAIM_EVERY, Next: reclaim }],
      Default: waitShort,
    });
    const count = (capped: boolean): string =>
      cx.add([...label, capped ? 'count (longest wait)' : 'count'], {
        Type: 'Pass',
        Parameters: {
          'key.$': keyPath,
          'holder.$': holderPath,
          exists: true,
          'polls.$': `States.MathAdd(${p}.polls, 1)`,
          'since.$': `States.MathAdd(${p}.since, 1)`,
          ...(capped ? { wait: ACQUIRE_WAITS[last] } : { 'wait.$': `States.ArrayGetItem(States.Array(${ACQUIRE_WAITS.join(', ')}), ${p}.polls)` }),
        },
        ResultPath: p,
        Next: step,
      });
    const pickWait: ChoiceRule = { Variable: `${p}.polls`, NumericGreaterThanEquals: last, Next: count(true) };
    cx.put(again, { Type: 'Choice', Choices: [pickWait], Default: count(false) });
    // The group item is created the first time it is seen full (the condition cannot tell "full" from "missing").
    const ensure = cx.add([...label, 'create group'], {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: {
        TableName: table,
        Item: { ...key, [CoordinationKeys.holdersAttribute]: { M: {} } },
        ConditionExpression: 'attribute_not_exists(#r)',
        ExpressionAttributeNames: { '#r': 'release' },
      },
      ResultPath: null,
      Retry: [DYNAMO_RETRY],
      Catch: [
        { ErrorEquals: [CONDITION_FAILED], ResultPath: null, Next: again },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: failed },
      ],
      Next: attempt,
    });
    const seen = cx.add([...label, 'group exists?'], {
      Type: 'Choice',
      Choices: [{ Variable: `${p}.exists`, BooleanEquals: true, Next: again }],
      Default: ensure,
    });
    cx.put(attempt, {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: {
        TableName: table,
        Key: key,
        UpdateExpression: 'SET #hs.#me = :h',
        ConditionExpression: 'attribute_exists(#hs.#me) OR size(#hs) < :limit',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':h': { M: { execution: { 'S.$': '$$.Execution.Id' }, run: { 'S.$': '$.run.id' }, workflow: { 'S.$': '$.run.workflow' }, since: { 'S.$': '$$.Execution.StartTime' } } },
          ':limit': { N: String(spec.limit) },
        },
      },
      ResultPath: null,
      Retry: [DYNAMO_RETRY],
      Catch: [
        { ErrorEquals: [CONDITION_FAILED], ResultPath: null, Next: seen },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: failed },
      ],
      Next: body,
    }, { ...(owner.job ? { job: owner.job.id } : {}), role: 'internal' });
    let first = attempt;
    if (spec.cancelInProgress) {
      first = cx.add([...label, 'cancel in progress'], {
        ...cx.lambdaTask({
          action: 'concurrency-cancel',
          'key.$': keyPath,
          'holder.$': holderPath,
          'cause.$': `States.Format('stopped by run {} of workflow {}: {} cancels runs in progress', $.run.id, $.run.workflow, ${keyPath})`,
          table,
        }),
        ResultPath: null,
        Retry: [cx.transientRetry()],
        // Holders that could not be stopped keep their slots: the run then waits for them.
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: attempt }],
        Next: attempt,
      });
    }
    const init = (group: { static: string } | { format: string; args: string[] }): string =>
      cx.add([...label, 'group'], {
        Type: 'Pass',
        Parameters: {
          ...('static' in group
            ? { key: `${CoordinationKeys.concurrencyPrefix}${group.static}` }
            : { 'key.$': `States.Format('${CoordinationKeys.concurrencyPrefix}${group.format}', ${group.args.join(', ')})` }),
          'holder.$': holder,
          exists: false,
          polls: 0,
          since: 0,
          wait: ACQUIRE_WAITS[0],
        },
        ResultPath: p,
        Next: first,
      });
    if (!spec.group.includes('${{')) return init({ static: spec.group });
    const native = nativeFormat(spec.group, source.scope);
    if (native) return init(native);
    const rendered = init({ format: '{}', args: [`$.__cg${n}.group`] });
    return cx.evalTask([...label, 'group'], { group: { kind: 'value', raw: spec.group, mode: 'text' } }, source.ctx(rootsOfValue(spec.group)), `$.__cg${n}`, rendered, fail);
  };
  return { acquire, release };
}

/** The concurrency states of a workflow's group, or undefined when it has none. */
export function runConcurrency(cx: CompileContext): ConcurrencyStates | undefined {
  const spec = cx.workflow.concurrency;
  // A dry run acts on nothing, so it holds nothing either.
  if (!spec || cx.options.dryrun) return undefined;
  const env = cx.workflow.extras?.env;
  const source: GroupSource = {
    scope: { frames: [], roots: {}, needs: new Set(), level: 'job', params: new Set(Object.values(cx.workflow.params).filter((p) => !p.secret).map((p) => p.name)),
    secretParams: new Set(Object.values(cx.workflow.params).filter((p) => p.secret).map((p) => p.name)) },
    ctx: (roots) => {
      const ctx: Record<string, unknown> = {};
      for (const r of ['params', 'release', 'run'] as const) if (roots.has(r)) ctx[`${r}.$`] = `$.${r}`;
      if (roots.has('env')) ctx.env = env && typeof env === 'object' ? env : {};
      return ctx;
    },
  };
  return concurrencyStates(cx, spec, ['run', 'concurrency'], {}, source);
}

/** The concurrency states of a job's group, or undefined when it has none. */
export function jobConcurrency(cx: CompileContext, job: Job, scope: StageScope): ConcurrencyStates | undefined {
  const spec = job.concurrency;
  if (!spec || cx.options.dryrun) return undefined;
  const env = cx.workflow.extras?.env;
  const source: GroupSource = { scope, ctx: (roots) => wireContext(scope, roots, env && typeof env === 'object' ? (env as Record<string, unknown>) : undefined) };
  return concurrencyStates(cx, spec, [job.id, 'concurrency'], { job }, source);
}
