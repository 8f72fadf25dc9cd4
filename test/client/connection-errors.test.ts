/** Errors that come from the network rather than from Step Functions, with the real SDK. */
import { describe, expect, it } from 'vitest';
import { WorkflowClient, WorkflowClientError } from '../../lib/client/index.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

describe('connection errors', () => {
  it('nothing listening at a local endpoint says so, and how to start it', async () => {
    const exec = 'arn:aws:states:local:000000000000:execution:hello:x';
    const err = await new WorkflowClient({ endpoint: 'http://127.0.0.1:1' }).stop(exec).then(
      () => undefined,
      (e: unknown) => e as WorkflowClientError,
    );
    expect(err).toBeInstanceOf(WorkflowClientError);
    expect([err!.code, err!.message]).toEqual(['ECONNREFUSED', `stopping ${exec}: nothing answers at http://127.0.0.1:1 (ECONNREFUSED); start the local endpoint with \`wf serve\`, or check --endpoint`]);
  });
});
