import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** The default policy of a role (where added statements go), once a statement was added to it. */
export function defaultPolicyOf(role: iam.IRole): IConstruct | undefined {
  return role.node.tryFindChild('DefaultPolicy');
}
