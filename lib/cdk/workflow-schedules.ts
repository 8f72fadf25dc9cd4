/**
 * A workflow's `on` schedules as EventBridge Scheduler schedules: one per entry, in the entry's own
 * time zone (daylight-saving changes follow the zone), starting the state machine with the
 * scheduled time as the release. The input asks for the release lock (`lock: true`), so a minute
 * delivered twice runs once; params come from their declared defaults, applied by the machine's
 * `prepare` step. Failed starts are retried, then sent to the dead-letter queue.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { scheduleExpression, type Schedule } from '../config/index.ts';

/** The input every scheduled start sends (`<aws.scheduler.scheduled-time>` is filled by EventBridge Scheduler). */
export const SCHEDULE_INPUT = JSON.stringify({ release: { logical_date: '<aws.scheduler.scheduled-time>', type: 'normal' }, lock: true });

/** Attempts after a failed start, and how long a start may keep being retried. */
export const SCHEDULE_RETRY = { attempts: 3, maxEventAge: Duration.hours(1) } as const;

/** Props of {@link WorkflowSchedules}. */
export interface WorkflowSchedulesProps {
  /** The workflow's name (for descriptions). */
  workflow: string;
  /** The workflow's schedules. */
  schedules: readonly Schedule[];
  /** The state machine to start. */
  stateMachineArn: string;
  /** Where starts that still fail after the retries go. */
  deadLetterQueue: sqs.IQueue;
}

/** The EventBridge Scheduler schedules of one workflow, with the role they start it with. */
export class WorkflowSchedules extends Construct {
  /** The role schedules assume: it may start this workflow's state machine and send to the dead-letter queue. */
  readonly role: iam.Role;
  /** One schedule per `on` entry, in order. */
  readonly schedules: scheduler.CfnSchedule[];

  constructor(scope: Construct, id: string, props: WorkflowSchedulesProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: `Starts the ${props.workflow} state machine on its schedules`,
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [props.stateMachineArn] }));
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }));

    this.schedules = props.schedules.map(
      (schedule, i) =>
        new scheduler.CfnSchedule(this, `Schedule${i + 1}`, {
          description: `${props.workflow}: "${schedule.cron}" in ${schedule.timezone}`.slice(0, 512),
          scheduleExpression: scheduleExpression(schedule),
          scheduleExpressionTimezone: schedule.timezone,
          flexibleTimeWindow: { mode: 'OFF' },
          state: 'ENABLED',
          target: {
            arn: props.stateMachineArn,
            roleArn: this.role.roleArn,
            input: SCHEDULE_INPUT,
            retryPolicy: { maximumRetryAttempts: SCHEDULE_RETRY.attempts, maximumEventAgeInSeconds: SCHEDULE_RETRY.maxEventAge.toSeconds() },
            deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
          },
        }),
    );
  }
}
