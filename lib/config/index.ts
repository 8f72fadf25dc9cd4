/**
 * The config layer: YAML workflow files → the typed workflow model, with every problem reported
 * as a positioned diagnostic. This file is the module's only entry point.
 */
export type * from './model.ts';
export { loadWorkflows, loadWorkflowsFromText, type LoadOptions, type LoadResult, type LoadTextOptions } from './load-workflows.ts';
export { workflowJsonSchema } from './workflow-json-schema.ts';
export { deriveStageId } from './derive-stage-id.ts';
export { childLists } from './child-lists.ts';
export { DEFAULT_TIMEOUT, type Settings } from './settings.ts';
export { confDirectory, projectSettings, registryModules, type ProjectSettings } from './project-settings.ts';
export { PARAM_TYPES, TRIGGER_RULES, ID_PATTERN } from './dialect-schemas.ts';
export { parameterize, coerceParam, parseParamAssignments, redactParams, REDACTED, type ParameterizeResult, type CoerceResult } from './parameterize.ts';
export { ParamError, type ParamErrorCode } from './param-error.ts';
export { namedSecret, SSM_NAME } from './named-secret.ts';
export { validateCron, scheduleExpression, isTimeZone, matchesCron, nextRuns, type CronCheck, type AwsCronFields } from './cron.ts';
export { matrixCombinations, checkMatrixKeys, type MatrixCombination } from './matrix-combinations.ts';
export { valueDepth, VALUE_DEPTH_MAX } from './value-depth.ts';
export { triggerTargets, type TriggerSite } from './trigger-targets.ts';
export { staticValues, STATIC_VALUES_MAX, type StaticScope } from './static-values.ts';
export { staticScopes } from './static-scopes.ts';
export { checkUses, hasCallStages } from './check-uses.ts';
export { splitUses, type UsesParts } from './split-uses.ts';
