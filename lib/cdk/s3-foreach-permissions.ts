/**
 * What a state machine's role needs for its foreach stages over S3 (Distributed Maps), from the
 * workflow itself: starting its own child executions (the Map's batches run as executions of the
 * same machine) and describing and stopping them; listing each bucket only under the declared
 * prefix (`s3:ListBucket` with an `s3:prefix` condition) or reading the declared manifest; writing
 * the results under the workflow's own folder of the results bucket. A templated bucket is granted
 * only as the workflow bounds it: a `choice` param's options; a template in a prefix or key keeps
 * the grant to the text before it. Anything else is refused at synth, naming the stage.
 * This file does not import aws-cdk-lib: ARNs are plain strings (CDK tokens work as strings).
 */
import type { Stage, Workflow } from '../config/index.ts';
import { childLists } from '../config/index.ts';
import type { PermissionStatement } from './permissions-for.ts';
import { SPILL_PREFIX } from '../protocol/index.ts';

/** Where the permissions point, for {@link s3ForeachPermissions}. */
export interface S3ForeachResources {
  /** The state machine's own ARN (built from its name: the role cannot reference the machine). */
  stateMachine: string;
  /** The ARN pattern of its child executions (`execution:<name>/*`). */
  childExecutions: string;
  /** A bucket's ARN (`arn:aws:s3:::<name>`). */
  bucketArn(name: string): string;
  /** The results bucket's ARN. */
  resultsBucket: string;
  /** Whether the definition has foreach stages whose spilled list a Distributed Map reads back (`wf-spill/`). */
  spilled?: boolean;
}

/** The S3 foreach stages of a workflow, nested ones included. */
export function s3ForeachStages(workflow: Workflow): Stage[] {
  const out: Stage[] = [];
  const walk = (stages: readonly Stage[]): void => {
    for (const s of stages) {
      if (s.kind === 'foreach' && s.s3) out.push(s);
      for (const list of childLists(s)) walk(list);
    }
  };
  for (const job of Object.values(workflow.jobs)) walk(job.stages);
  return out;
}

/** The text of a field before its first template (all of it when it has none). */
function literalStart(text: string): { text: string; templated: boolean } {
  const at = text.indexOf('${{');
  return at < 0 ? { text, templated: false } : { text: text.slice(0, at), templated: true };
}

/** The buckets a stage's `bucket` may name: itself, or the options of the choice param it is. */
function bucketsOf(workflow: Workflow, stage: Stage, bucket: string): string[] {
  if (!literalStart(bucket).templated) return [bucket];
  const m = /^\$\{\{\s*params\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(bucket);
  const param = m ? workflow.params[m[1]!] : undefined;
  if (param?.type === 'choice' && param.options?.length) return param.options.map(String);
  throw new Error(
    `workflow "${workflow.name}", foreach stage "${stage.name}": its bucket ${JSON.stringify(bucket)} is a template the workflow does not bound, so no permission can be granted for it; make it a choice param (bucket: \${{ params.<name> }}) whose options are the buckets the stage may read`,
  );
}

/**
 * The IAM statements of a workflow's Distributed Maps: its S3 foreach stages, and the routes of
 * foreach stages whose list was spilled (reading `wf-spill/` of the results bucket). None without
 * either. Deterministic.
 */
export function s3ForeachPermissions(workflow: Workflow, resources: S3ForeachResources): PermissionStatement[] {
  const stages = s3ForeachStages(workflow);
  if (!stages.length && !resources.spilled) return [];
  const out: PermissionStatement[] = [
    { actions: ['states:StartExecution'], resources: [resources.stateMachine] },
    { actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [resources.childExecutions] },
    { actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:PutObject'], resources: [`${resources.resultsBucket}/wf-foreach/${workflow.name}/*`] },
    ...(resources.spilled ? [{ actions: ['s3:GetObject'], resources: [`${resources.resultsBucket}/${SPILL_PREFIX}*`] }] : []),
  ];
  const listings = new Map<string, Set<string>>();
  const objects = new Set<string>();
  for (const stage of stages) {
    if (stage.kind !== 'foreach' || !stage.s3) continue;
    for (const bucket of bucketsOf(workflow, stage, stage.s3.bucket)) {
      if (stage.s3.prefix !== undefined) {
        const p = literalStart(stage.s3.prefix);
        const set = listings.get(bucket) ?? new Set<string>();
        set.add(`${p.text}*`);
        listings.set(bucket, set);
      } else {
        const k = literalStart(stage.s3.key!);
        objects.add(`${resources.bucketArn(bucket)}/${k.text}${k.templated ? '*' : ''}`);
      }
    }
  }
  for (const bucket of [...listings.keys()].sort()) {
    out.push({ actions: ['s3:ListBucket'], resources: [resources.bucketArn(bucket)], conditions: { StringLike: { 's3:prefix': [...listings.get(bucket)!].sort() } } });
  }
  if (objects.size) out.push({ actions: ['s3:GetObject'], resources: [...objects].sort() });
  return out;
}
