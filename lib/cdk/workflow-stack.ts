import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { WorkflowApp, type WorkflowAppProps } from './workflow-app.ts';

/** Props of {@link WorkflowStack}: the app's, and the stack's description. */
export interface WorkflowStackProps extends WorkflowAppProps {
  /** The stack's description. @default a sentence saying what the stack holds */
  description?: string;
}

/**
 * The stack `bin/app.ts` deploys: a {@link WorkflowApp} (construct id `Workflows`) in an
 * environment-agnostic stack, so that synth needs no AWS credentials, no account lookups and no
 * Docker. Apps that add their own resources build a `Stack` and a `WorkflowApp` themselves.
 */
export class WorkflowStack extends Stack {
  /** The workflows and what they run on. */
  readonly workflows: WorkflowApp;

  constructor(scope: Construct, id: string, props: WorkflowStackProps = {}) {
    const { description, ...app } = props;
    super(scope, id, { description: description ?? 'sfn-workflow: workflows as Step Functions state machines, their runner functions, audit table and schedules' });
    this.workflows = new WorkflowApp(this, 'Workflows', app);
  }
}
