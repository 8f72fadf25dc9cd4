import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { suppressNag } from './suppress-nag.ts';

/** Props of {@link WorkflowResultsBucket}. */
export interface WorkflowResultsBucketProps {
  /** Days results are kept before S3 expires them. */
  retentionDays: number;
}

/**
 * The bucket S3 foreach stages (Distributed Maps) write their results to: each run's per-item
 * records under `wf-foreach/<workflow>/<run id>/<stage>/`. Encrypted (S3-managed keys), private,
 * TLS only, and expired after `retentionDays` (unfinished uploads after a day): records of what
 * ran, not data to keep. Retained when it leaves the stack, as the audit table is.
 */
export class WorkflowResultsBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: WorkflowResultsBucketProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(props.retentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    suppressNag(this.bucket, [
      { id: 'AwsSolutions-S1', reason: 'The results bucket holds records the state machines write and the stage runner reads, kept a few days; the executions themselves are logged and audited, so server access logs would only repeat them at a cost.' },
    ]);
  }
}
