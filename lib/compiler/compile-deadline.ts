/**
 * Start deadlines (`start-deadline: <seconds>` on a workflow): a release of a scheduled minute that
 * starts later than its logical date plus the deadline is SKIP (`StartDeadlineMissed`) instead of
 * running late, and does not claim its minute. ASL has no date arithmetic, so the deadline itself
 * is computed by the stage runner (`start-deadline` action), unless the input already carries it
 * (`deadline`: an ISO timestamp); the comparison with the execution's start time is a native Choice
 * (`TimestampGreaterThanPath`).
 */
import type { CompileContext } from './compile-context.ts';

/**
 * The states that check the workflow's start deadline before `claim` (the release's claim of its
 * minute); a missed deadline goes to the state `skip` makes, with `$.__skip = {name, message}`. Returns `claim`
 * itself when the workflow has no deadline.
 */
export function withStartDeadline(cx: CompileContext, claim: string, skip: () => string): string {
  const seconds = cx.workflow.startDeadline;
  if (seconds === undefined) return claim;
  const label = ['release', 'start deadline'];
  const p = '$.__deadline';
  const missed = cx.add([...label, 'missed'], {
    Type: 'Pass',
    Parameters: {
      name: 'StartDeadlineMissed',
      'message.$': `States.Format('the release of {} started at {}, after its start deadline {} (${seconds} s after the logical date)', $.release.logical_date, ${p}.now, ${p}.at)`,
    },
    ResultPath: '$.__skip',
    Next: skip(),
  });
  const check = cx.add([...label, 'check'], {
    Type: 'Choice',
    Choices: [{ Variable: `${p}.now`, TimestampGreaterThanPath: `${p}.at`, Next: missed }],
    Default: claim,
  });
  const given = cx.add([...label, 'given'], {
    Type: 'Pass',
    Parameters: { 'at.$': '$.deadline', 'now.$': '$$.Execution.StartTime' },
    ResultPath: p,
    Next: check,
  });
  const now = cx.add([...label, 'now'], {
    Type: 'Pass',
    Parameters: { 'at.$': `${p}.at`, 'now.$': '$$.Execution.StartTime' },
    ResultPath: p,
    Next: check,
  });
  const compute = cx.add([...label, 'compute'], {
    ...cx.lambdaTask({ action: 'start-deadline', 'logicalDate.$': '$.release.logical_date', seconds }),
    ResultSelector: { 'at.$': '$.Payload.deadline' },
    ResultPath: p,
    Retry: [cx.transientRetry()],
    // A deadline that cannot be computed (a logical date that is not a date) does not stop the run.
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: claim }],
    Next: now,
  });
  return cx.add(label, {
    Type: 'Choice',
    Choices: [{ And: [{ Variable: '$.deadline', IsPresent: true }, { Variable: '$.deadline', IsTimestamp: true }], Next: given }],
    Default: compute,
  });
}
