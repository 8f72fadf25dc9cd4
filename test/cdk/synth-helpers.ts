/** Reading a synthesized template: state machines by workflow, the statements their roles hold. */
import type { Template } from 'aws-cdk-lib/assertions';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

/** An IAM statement reduced to what tests compare: sorted actions, sorted resources (as JSON). */
export interface NormalStatement {
  actions: string[];
  resources: string[];
}

/** The template's resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The logical id and properties of the state machine named `name`. */
export function stateMachine(template: Template, name: string): { id: string; props: Record<string, unknown> } {
  const found = Object.entries(resourcesOf(template, 'AWS::StepFunctions::StateMachine')).filter(([, r]) => r.Properties.StateMachineName === name);
  if (found.length !== 1) throw new Error(`expected one state machine named ${name}, found ${found.length}`);
  return { id: found[0]![0], props: found[0]![1].Properties };
}

/** Statements in a comparable form (order of statements, actions and resources ignored). */
export function normalise(statements: ReadonlyArray<{ Action?: unknown; Resource?: unknown; actions?: unknown; resources?: unknown; Effect?: string }>): NormalStatement[] {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  return statements
    .map((s) => {
      if (s.Effect !== undefined && s.Effect !== 'Allow') throw new Error(`unexpected ${s.Effect} statement`);
      return {
        actions: list(s.Action ?? s.actions).map(String).sort(),
        resources: list(s.Resource ?? s.resources).map((r) => JSON.stringify(r)).sort(),
      };
    })
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

/** Every statement of the policies attached to a role (by the role's logical id). */
export function roleStatements(template: Template, roleId: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const roles = policy.Properties.Roles as unknown[];
    if (!roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }))) continue;
    out.push(...((policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement));
  }
  return out;
}

/** The statements Step Functions adds for log delivery and X-Ray (resource "*"), which no definition decides. */
export function isServiceStatement(s: Record<string, unknown>): boolean {
  const actions = Array.isArray(s.Action) ? (s.Action as string[]) : [s.Action as string];
  return s.Resource === '*' && actions.every((a) => a.startsWith('logs:') || a.startsWith('xray:'));
}

/** The role statements of a state machine that come from its definition (not log delivery or X-Ray). */
export function definitionStatements(template: Template, machineProps: Record<string, unknown>): NormalStatement[] {
  const roleId = (machineProps.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return normalise(roleStatements(template, roleId).filter((s) => !isServiceStatement(s)) as never);
}
