/**
 * A role whose statements pass IAM's inline size limit is split by CDK into managed policies
 * (`OverflowPolicy1`, …) at synth time; the suppressions must reach them as they reach the
 * DefaultPolicy, whatever the aspect feature flags say.
 */
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { suppressRoleNag } from '../../lib/cdk/index.ts';

function synth(flags: Record<string, boolean>, suppress: boolean): { template: Template; errors: string[] } {
  const app = new App({ context: flags });
  const stack = new Stack(app, 'Roles');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
  // 120 wildcard statements of ~120 characters: well past the 10,240 characters of inline policies.
  for (let i = 0; i < 120; i++) {
    role.addToPolicy(new iam.PolicyStatement({ actions: [`states:DescribeExecution`], resources: [`arn:aws:states:us-east-1:123456789012:execution:machine-with-a-long-name-${i}:*`] }));
  }
  if (suppress) suppressRoleNag(role, [{ id: 'AwsSolutions-IAM5', reason: 'Executions are named when they start, so each machine is allowed all of them.', appliesTo: [{ regex: '/^Resource::arn:aws:states:us-east-1:123456789012:execution:[a-z0-9-]+:\\*$/' }] }]);
  Aspects.of(app).add(new AwsSolutionsChecks({ reports: false }));
  const template = Template.fromStack(stack);
  const errors = Annotations.fromStack(stack)
    .findError('*', Match.stringLikeRegexp('AwsSolutions-IAM5'))
    .map((e) => e.id);
  return { template, errors };
}

describe('suppressRoleNag', () => {
  const flagSets: Array<Record<string, boolean>> = [{}, { '@aws-cdk/core:aspectStabilization': true, '@aws-cdk/core:aspectPrioritiesMutating': true }];
  for (const flags of flagSets) {
    it(`reaches the overflow policies CDK splits off, as well as the DefaultPolicy (flags ${JSON.stringify(flags)})`, () => {
      const unsuppressed = synth(flags, false);
      expect(Object.keys(unsuppressed.template.findResources('AWS::IAM::ManagedPolicy')).some((id) => id.includes('OverflowPolicy1'))).toBe(true);
      expect(unsuppressed.errors.some((id) => id.includes('OverflowPolicy1'))).toBe(true);
      expect(unsuppressed.errors.some((id) => id.includes('DefaultPolicy'))).toBe(true);
      expect(synth(flags, true).errors).toEqual([]);
    });
  }
});
