import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { AUDIT_TABLE, auditTableDefinition } from '../audit/audit-table.ts';

/** Props of {@link WorkflowAuditTable}. */
export interface WorkflowAuditTableProps {
  /** Refuse `DeleteTable` until this is turned off. @default true */
  deletionProtection?: boolean;
  /** What happens to the table when it leaves the stack. @default RemovalPolicy.RETAIN */
  removalPolicy?: RemovalPolicy;
}

/**
 * The DynamoDB audit table, with the layout of `auditTableDefinition` (lib/audit): partition key
 * `workflow`, sort key `release`, index `by-run` on `run_id`; on-demand billing and point-in-time
 * recovery. It outlives the stack by default: audit history is not thrown away by `cdk destroy`.
 */
export class WorkflowAuditTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: WorkflowAuditTableProps = {}) {
    super(scope, id);
    const layout = auditTableDefinition('layout');
    const type = (name: string): dynamodb.AttributeType => {
      const attr = layout.AttributeDefinitions?.find((a) => a.AttributeName === name);
      if (attr?.AttributeType !== 'S') throw new Error(`audit table layout: attribute "${name}" is not a string key`);
      return dynamodb.AttributeType.STRING;
    };
    const index = layout.GlobalSecondaryIndexes?.find((i) => i.IndexName === AUDIT_TABLE.runIndex);
    if (layout.BillingMode !== 'PAY_PER_REQUEST' || index?.Projection?.ProjectionType !== 'ALL') {
      throw new Error('audit table layout changed: update lib/cdk/workflow-audit-table.ts');
    }
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: AUDIT_TABLE.partitionKey, type: type(AUDIT_TABLE.partitionKey) },
      sortKey: { name: AUDIT_TABLE.sortKey, type: type(AUDIT_TABLE.sortKey) },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Only the graph-run coordination items carry `expires` (run records never do).
      timeToLiveAttribute: 'expires',
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: AUDIT_TABLE.runIndex,
      partitionKey: { name: AUDIT_TABLE.runIndexKey, type: type(AUDIT_TABLE.runIndexKey) },
      projectionType: dynamodb.ProjectionType.ALL,
    });
  }
}
