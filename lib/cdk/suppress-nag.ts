/**
 * cdk-nag suppressions written as the CloudFormation metadata cdk-nag documents
 * (`Metadata.cdk_nag.rules_to_suppress`), so that the constructs carry their reasons to every
 * user who runs cdk-nag without this package depending on cdk-nag at run time.
 */
import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** One cdk-nag rule suppressed, and why. */
export interface NagSuppression {
  /** The rule id, e.g. `AwsSolutions-IAM5`. */
  id: string;
  /** Why the finding is acceptable here (cdk-nag requires at least 10 characters). */
  reason: string;
  /** Only these findings of the rule (`Resource::*`), or findings matching `{regex: '/…/'}`. @default all findings */
  appliesTo?: Array<string | { regex: string }>;
}

/**
 * Adds suppressions to the CloudFormation resources of `construct` (its default child) and, with
 * `children`, to every resource below it. Existing suppressions are kept; duplicates are dropped.
 */
export function suppressNag(construct: IConstruct, suppressions: readonly NagSuppression[], children = false): void {
  for (const s of suppressions) {
    if (s.reason.length < 10) throw new Error(`suppressNag: the reason for ${s.id} must say why (10 characters or more)`);
  }
  const targets = children ? construct.node.findAll() : [construct];
  for (const target of targets) {
    const resource = target.node.defaultChild ?? target;
    if (!(resource instanceof CfnResource)) continue;
    const existing = (resource.getMetadata('cdk_nag') as { rules_to_suppress?: unknown[] } | undefined)?.rules_to_suppress ?? [];
    const added = suppressions.map((s) => ({ reason: s.reason, id: s.id, ...(s.appliesTo ? { applies_to: s.appliesTo } : {}) }));
    const unique = [...new Set([...existing, ...added].map((r) => JSON.stringify(r)))].map((r) => JSON.parse(r) as unknown);
    resource.addMetadata('cdk_nag', { rules_to_suppress: unique });
  }
}
