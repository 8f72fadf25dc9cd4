/**
 * A role's statements end up in the policies CDK generates for it: its `DefaultPolicy`, and, once
 * the statements pass IAM's size limit for inline policies, managed policies (`OverflowPolicy1`, …)
 * that CDK splits off in an aspect at synth time. A suppression written on the DefaultPolicy alone
 * misses the statements that moved. So the suppressions are added by an aspect of the same
 * priority, registered after CDK's own: it runs once the split is done, on the role, before any
 * check visits the policies below it.
 */
import { AspectPriority, Aspects, FeatureFlags } from 'aws-cdk-lib';
import { ASPECT_PRIORITIES_MUTATING } from 'aws-cdk-lib/cx-api';
import * as iam from 'aws-cdk-lib/aws-iam';
import { suppressNag, type NagSuppression } from './suppress-nag.ts';

/** Adds `suppressions` to every policy CDK generates for `role` (default and overflow). */
export function suppressRoleNag(role: iam.Role, suppressions: readonly NagSuppression[]): void {
  const priority = FeatureFlags.of(role).isEnabled(ASPECT_PRIORITIES_MUTATING) ? AspectPriority.MUTATING : AspectPriority.DEFAULT;
  Aspects.of(role).add(
    {
      visit: (node) => {
        if (node !== role) return;
        for (const child of role.node.children) {
          if (child instanceof iam.Policy || child instanceof iam.ManagedPolicy) suppressNag(child, suppressions);
        }
      },
    },
    { priority },
  );
}
