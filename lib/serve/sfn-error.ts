/**
 * An error the local endpoint answers with, in the Step Functions JSON protocol's shape: HTTP 400
 * (or the given status) and `{"__type": "<name>", "message": "..."}`. The AWS SDK reads `__type`
 * to name the exception it throws (`err.name === 'ExecutionDoesNotExist'`).
 */
export class SfnError extends Error {
  constructor(
    /** The AWS error name, e.g. `ExecutionAlreadyExists`. */
    readonly type: string,
    message: string,
    /** The HTTP status. @default 400 */
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }

  /** The response body. */
  body(): { __type: string; message: string } {
    return { __type: this.type, message: this.message };
  }
}
