/**
 * The errors of {@link WorkflowClient}: every failed AWS call becomes one message that says what
 * was being done, what Step Functions (or the network) answered, and what to do about it.
 */

/** A failure of a client call; `code` is the AWS error name (or a client code such as `NoStateMachine`). */
export class WorkflowClientError extends Error {
  constructor(
    message: string,
    /** The AWS error name (`ExecutionDoesNotExist`, ...) or the client's own code. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WorkflowClientError';
  }
}

function errorCode(e: unknown): string | undefined {
  const err = e as { name?: unknown; code?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof err?.code === 'string' && /^E[A-Z]+$/.test(err.code)) return err.code;
  if (typeof err?.cause?.code === 'string') return err.cause.code;
  return typeof err?.name === 'string' ? err.name : undefined;
}

/**
 * An AWS SDK error as a {@link WorkflowClientError}: `doing` says what was being done
 * (`starting "nightly"`), `endpoint` names a custom endpoint for connection errors.
 */
export function toClientError(e: unknown, doing: string, endpoint?: string): WorkflowClientError {
  if (e instanceof WorkflowClientError) return e;
  const code = errorCode(e) ?? 'Error';
  const said = e instanceof Error ? e.message : String(e);
  const text = ((): string => {
    switch (code) {
      case 'ExecutionDoesNotExist':
        return `${doing}: no such execution (${said})`;
      case 'ExecutionAlreadyExists':
        return `${doing}: an execution with this name exists already (${said}); give another name`;
      case 'ExecutionNotRedrivable':
        return `${doing}: Step Functions cannot redrive this execution: ${said}`;
      case 'ExecutionLimitExceeded':
        return `${doing}: the account's limit of open executions is reached (ExecutionLimitExceeded); wait for runs to end, or raise the quota`;
      case 'StateMachineDoesNotExist':
        return `${doing}: the state machine does not exist (${said}); check the stack is deployed in this region, or that \`wf serve\` serves this workflow`;
      case 'InvalidArn':
      case 'InvalidName':
      case 'InvalidExecutionInput':
      case 'InvalidToken':
      case 'ValidationException':
        return `${doing}: ${code}: ${said}`;
      case 'AccessDeniedException':
      case 'AccessDenied':
        return `${doing}: access denied (${said}); the credentials in use lack the Step Functions permission for this`;
      case 'CredentialsProviderError':
        return `${doing}: no AWS credentials found (${said}); configure a profile or AWS_* variables`;
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'ECONNRESET':
        return `${doing}: nothing answers at ${endpoint ?? 'the Step Functions endpoint'} (${code})${endpoint ? '; start the local endpoint with `wf serve`, or check --endpoint' : ''}`;
      default:
        return `${doing}: ${code}: ${said}`;
    }
  })();
  return new WorkflowClientError(text, code, { cause: e });
}
