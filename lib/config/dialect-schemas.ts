/**
 * The dialect as zod schemas: one strict object per node kind (workflow, param, job, strategy,
 * each stage kind). They serve twice: the loader validates field values with them (reading the
 * YAML node by node so every issue keeps its position), and `workflowJsonSchema` renders them as
 * JSON Schema. Descriptions double as the "expected ..." part of messages.
 */
import { z } from 'zod';

/** Workflow, job, stage and branch ids. */
export const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
/** A string that holds at least one `${{ }}` template. */
export const TEMPLATE_PATTERN = /\$\{\{/;

/** Param types of the dialect, in documentation order. */
export const PARAM_TYPES = ['str', 'int', 'float', 'decimal', 'bool', 'datetime', 'date', 'choice', 'map', 'array'] as const;

/** Job trigger rules (reference-engine spelling). */
export const TRIGGER_RULES = [
  'all_success',
  'all_failed',
  'all_done',
  'one_success',
  'one_failed',
  'none_failed',
  'none_skipped',
] as const;

const id = z.string().regex(ID_PATTERN).describe('an id: letters, digits, "_" and "-"');
const text = z.string();
const template = z.string().regex(TEMPLATE_PATTERN).describe('a "${{ ... }}" template');
const condition = z
  .union([z.boolean(), z.string()])
  .describe('a condition: true, false, "${{ expr }}" or a bare expression');
const freeMap = z.record(z.string(), z.unknown()).describe('a map');
const positiveInt = z.number().int().min(1).describe('a whole number of at least 1');
/** `foreach: {s3: ...}`: the objects under a prefix, or a manifest's records. */
const s3Source = z
  .strictObject({
    bucket: z.string().min(1).describe('a bucket name or a template'),
    prefix: z.string().optional().describe('the items are the objects under this prefix'),
    key: z.string().min(1).optional().describe('the items are the records of this manifest (JSON array, JSONL or CSV)'),
    format: z.enum(['json', 'jsonl', 'csv']).optional().describe('the manifest\'s format (default: from the key\'s extension)'),
  })
  .describe('{bucket, prefix} (objects) or {bucket, key} (a manifest)');

const wholeNumber = (min: number, max: number) =>
  z.number().int().min(min).max(max).describe(`a whole number from ${min} to ${max}`);
const retryCount = wholeNumber(0, 19);
/** `retry: {max, delay, backoff, max-delay, jitter}`: Step Functions' Retry fields by name. */
const retryPolicy = z
  .strictObject({
    max: retryCount.describe('attempts after the first, 0-19'),
    delay: wholeNumber(1, 99999999).optional().describe('seconds before the first retry (IntervalSeconds), default 1'),
    backoff: z.number().min(1).max(100).optional().describe('multiplier of the wait after each retry (BackoffRate), 1-100, default 1.2'),
    'max-delay': wholeNumber(1, 31622400).optional().describe('the longest wait in seconds (MaxDelaySeconds), 1-31622400'),
    jitter: z.boolean().optional().describe('random waits up to the computed one (JitterStrategy FULL), default false'),
  })
  .describe('{max, delay, backoff, max-delay, jitter}');
const scalarText = z.union([z.string(), z.number(), z.boolean()]).describe('text');

const paramType = z.enum(PARAM_TYPES).describe('a param type');

/** Full form of a param. */
export const paramSchema = z.strictObject({
  type: paramType,
  default: z.unknown().optional().describe('value used when the caller omits the param'),
  description: text.optional(),
  desc: text.optional().describe('text (alias of "description", the reference engine\'s spelling)'),
  required: z.boolean().optional().describe('true or false (false: may be omitted even without a default)'),
  options: z.array(z.unknown()).min(1).optional().describe('a list of the allowed values (choice params)'),
  secret: z.boolean().optional().describe('true or false (true: never logged, audited or put in execution names)'),
});

const timezone = z.string().describe('an IANA time zone such as "Europe/Paris"; default UTC');

/** One item of the list form of `on`. */
export const onItemSchema = z.strictObject({
  cron: z.string().optional().describe('a 5-field Unix cron expression'),
  cronjob: z.string().optional().describe('a 5-field Unix cron expression (alias of "cron", as the reference engine writes it)'),
  timezone: timezone.optional(),
  manual: z.boolean().optional(),
});

/** One schedule of the map form of `on`. */
export const scheduleItemSchema = z.strictObject({
  cronjob: z.string().describe('a 5-field Unix cron expression'),
  timezone: timezone.optional(),
});

/** The map form of `on` (reference engine). */
export const onMapSchema = z.strictObject({
  schedule: z.array(scheduleItemSchema).optional(),
  manual: z.boolean().optional(),
});

const combination = z.record(z.string(), z.unknown()).describe('a map of axis to value');

/** A job's `strategy`. */
export const strategySchema = z.strictObject({
  matrix: z
    .record(z.string(), z.union([z.array(z.unknown()).min(1), template]).describe('a list of values or a template'))
    .optional()
    .describe('a map of axis to a list of values (or a template yielding a list)'),
  include: z.array(combination).optional(),
  exclude: z.array(combination).optional(),
  'max-parallel': positiveInt.optional(),
  'fail-fast': z.boolean().optional(),
});

const runner = z.enum(['lambda', 'local']);

/** `concurrency:` of a workflow or a job: a group name (short form), or the full form. */
export const concurrencySchema = z
  .union([
    z.string().min(1).describe('a group name (may hold templates)'),
    z.strictObject({
      group: z.string().min(1).describe('a group name (may hold templates)'),
      limit: positiveInt.optional().describe('slots of the group, a whole number of at least 1 (default 1)'),
      'cancel-in-progress': z.boolean().optional().describe('true: a new run stops the runs holding the group'),
    }),
  ])
  .describe('a group name, or {group, limit, cancel-in-progress}');

/** `trigger-rule: {min-success: N}`: an N-of-M join. */
export const minSuccessSchema = z.strictObject({ 'min-success': positiveInt.describe('how many needed jobs must succeed, at least 1') });

/** A job's `trigger-rule`: a named rule, or `{min-success: N}`. */
export const triggerRuleSchema = z
  .union([z.enum(TRIGGER_RULES), minSuccessSchema])
  .describe(`one of ${TRIGGER_RULES.map((r) => `"${r}"`).join(', ')}, or {min-success: N}`);

/** Fields every stage kind shares. */
function baseShape() {
  return {
    name: z.string().describe('text (the name shown in logs; may hold templates)'),
    id: id.optional(),
    desc: text.optional(),
    if: condition.optional(),
    retry: z.union([retryCount, template, retryPolicy]).optional().describe('a whole number from 0 to 19, a template, or {max, delay, backoff, max-delay, jitter}'),
    timeout: positiveInt.optional().describe('a whole number of seconds, at least 1'),
    'continue-on-error': z.boolean().optional(),
    extras: freeMap.optional(),
  };
}

/** The schemas of every stage kind, nesting `stage` for child stages. */
export function stageKindSchemas(stage: z.ZodType) {
  const stages = z.array(stage).min(1).describe('a list of stages');
  const maybeEmptyStages = z.array(stage).describe('a list of stages');
  const base = baseShape();
  return {
    empty: z.strictObject({
      ...base,
      echo: scalarText.nullable().optional(),
      sleep: z.union([z.number().min(0).max(1800), template]).optional().describe('seconds from 0 to 1800, or a template'),
    }),
    bash: z.strictObject({ ...base, bash: z.string(), env: freeMap.optional() }),
    py: z.strictObject({ ...base, run: z.string(), vars: freeMap.optional() }),
    'virtual-py': z.strictObject({
      ...base,
      run: z.string(),
      vars: freeMap.optional(),
      deps: z.array(z.string()).describe('a list of package requirements'),
      version: z.string().optional().describe('a quoted Python version such as "3.12" (the default)'),
    }),
    call: z.strictObject({
      ...base,
      uses: z.string().describe('"<registry>/<function>@<tag>"'),
      with: freeMap.optional(),
      args: freeMap.optional().describe('a map (alias of "with")'),
    }),
    trigger: z.strictObject({ ...base, trigger: z.string().describe('a workflow name'), params: freeMap.optional() }),
    parallel: z.strictObject({
      ...base,
      parallel: z.record(id, stages).describe('a map of branch name to stages'),
      'max-workers': wholeNumber(1, 20).optional(),
    }),
    foreach: z.strictObject({
      ...base,
      foreach: z
        .union([z.array(z.unknown()), template, z.strictObject({ s3: s3Source })])
        .describe('a list, a template yielding a list, or {s3: {bucket, prefix}} / {s3: {bucket, key}}'),
      stages,
      concurrent: wholeNumber(1, 10000).optional().describe('items at once: 1 to 10 (1 to 10000 for an S3 foreach)'),
      'tolerated-failure': z
        .union([wholeNumber(0, 100_000_000), z.string().regex(/^(100|\d{1,2})(\.\d+)?%$/)])
        .optional()
        .describe('for an S3 foreach: failed items tolerated, a count (N) or a percentage ("N%")'),
      'use-index-as-key': z.boolean().optional(),
      batch: z
        .union([wholeNumber(1, 10000), z.literal('auto')])
        .optional()
        .describe('a whole number of items per child execution (1 to 10000), or "auto"'),
    }),
    case: z.strictObject({
      ...base,
      case: scalarText,
      match: z
        .array(
          z.union([
            z.strictObject({ case: scalarText, stages: maybeEmptyStages }),
            z.strictObject({ else: maybeEmptyStages.describe('the default case\'s stages (the reference engine\'s form of case: _)') }),
          ]),
        )
        .min(1)
        .describe('a list of {case, stages} (the default: case: _, or {else: stages})'),
      'skip-not-match': z.boolean().optional(),
    }),
    until: z.strictObject({
      ...base,
      item: z.unknown().optional().describe('initial item, default 0'),
      until: condition,
      stages,
      'max-loop': wholeNumber(1, 100).optional(),
    }),
    raise: z.strictObject({
      ...base,
      raise: scalarText.optional(),
      message: scalarText.optional().describe('text (alias of "raise")'),
    }),
    docker: z.strictObject({
      ...base,
      image: z.string(),
      tag: z.string().optional().describe('a quoted image tag such as "latest" (the default) or "3.12"'),
      env: freeMap.optional(),
      volume: z.record(z.string(), z.string()).optional(),
      auth: z.record(z.string(), z.string()).optional(),
      cmd: z.union([z.string(), z.array(z.string())]).optional().describe('a command line (run through sh -c) or a list of arguments'),
    }),
    try: z.strictObject({ ...base, try: stages, catch: maybeEmptyStages.optional(), finally: maybeEmptyStages.optional() }),
    group: z.strictObject({ ...base, stages }),
    wait: z.strictObject({
      ...base,
      wait: z
        .union([
          id.describe('a signal name (an id)'),
          z.strictObject({
            signal: id.describe('a signal name (an id)'),
            timeout: positiveInt.optional().describe('seconds to wait for the signal, at least 1'),
          }),
        ])
        .describe('a signal name, or {signal, timeout}'),
    }),
  };
}

/** Every stage kind's schema, keyed by kind. */
export type StageKindSchemas = ReturnType<typeof stageKindSchemas>;

/** A stage of any kind (recursive). */
export const stageSchema: z.ZodType = z
  .lazy(() => z.union(Object.values(stageKindSchemas(stageSchema))))
  .meta({ id: 'Stage', description: 'one stage; its kind is decided by its kind-field' });

/** The stage kind schemas, with `stageSchema` for children. */
export const stageKinds: StageKindSchemas = stageKindSchemas(stageSchema);

/** One entry of a case stage's `match` list. */
export const caseMatchSchema = stageKinds.case.shape.match.element.options[0];
/** A case stage's default entry written the reference engine's way: `{else: [stages]}`. */
export const caseElseSchema = stageKinds.case.shape.match.element.options[1];

/** A job. */
export const jobSchema = z.strictObject({
  id: id.optional().describe('the job\'s own key, repeated (the reference engine writes it); any other id is an error'),
  desc: text.optional(),
  needs: z.union([id, z.array(id)]).optional().describe('a job id or a list of job ids'),
  if: condition.optional(),
  'trigger-rule': triggerRuleSchema.optional(),
  concurrency: concurrencySchema.optional(),
  strategy: strategySchema.optional(),
  stages: z.array(stageSchema).min(1).describe('a list of stages'),
  retry: retryCount.optional(),
  timeout: positiveInt.optional().describe('a whole number of seconds, at least 1'),
  'runs-on': z.union([runner, z.strictObject({ type: runner })]).optional().describe('"lambda", "local" or {type: local}'),
  outputs: z.record(z.string(), z.string()).optional().describe('a map of output name to template'),
});

/** A workflow. */
export const workflowSchema = z
  .strictObject({
    type: z.literal('Workflow'),
    desc: text.optional(),
    params: z.record(z.string(), z.union([paramType, paramSchema])).optional(),
    on: z.union([z.array(onItemSchema), onMapSchema]).optional().describe('a list of schedules, or a map with "schedule"'),
    jobs: z.record(id, jobSchema).describe('a map of job id to job'),
    tags: z.array(z.string()).optional(),
    timeout: positiveInt.optional().describe('a whole number of seconds, at least 1 (default 3600)'),
    'max-job-parallel': positiveInt.optional(),
    concurrency: concurrencySchema.optional(),
    'start-deadline': positiveInt.optional().describe('seconds after the logical date by which a release must start (else it is SKIP)'),
    execution: z.enum(['standard', 'express']).optional(),
    extras: freeMap.optional(),
  })
  .meta({ id: 'Workflow' });
