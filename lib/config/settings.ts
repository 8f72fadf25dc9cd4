/**
 * Environment settings the loader honours: `WORKFLOW_CORE_STAGE_DEFAULT_ID`,
 * `WORKFLOW_CORE_TIMEOUT` and `WORKFLOW_CORE_MAX_JOB_PARALLEL`.
 */
import type { DiagnosticLog } from './diagnostic-log.ts';

/** Loader settings read from the environment. */
export interface Settings {
  /** Derive missing stage ids from stage names. @default false */
  stageDefaultId: boolean;
  /** Default workflow timeout in seconds. @default 3600 */
  timeout: number;
  /** Cap on jobs at once for workflows that set none. @default undefined (no cap) */
  maxJobParallel?: number;
  /** Have python3 check py code (`wf validate`). @default false */
  checkPythonSyntax?: boolean;
}

/** The default workflow timeout in seconds. */
export const DEFAULT_TIMEOUT = 3600;

/** Reads settings from `env`, logging a WF2008 error for a value that is not usable. */
export function settingsFromEnv(env: NodeJS.ProcessEnv, log: DiagnosticLog): Settings {
  const settings: Settings = { stageDefaultId: false, timeout: DEFAULT_TIMEOUT };
  const flag = env.WORKFLOW_CORE_STAGE_DEFAULT_ID?.trim().toLowerCase();
  if (flag !== undefined && flag !== '') {
    if (['true', '1', 'yes', 'on'].includes(flag)) settings.stageDefaultId = true;
    else if (!['false', '0', 'no', 'off'].includes(flag)) {
      log.add('error', 'WF2008', `WORKFLOW_CORE_STAGE_DEFAULT_ID must be true or false, got "${env.WORKFLOW_CORE_STAGE_DEFAULT_ID}"`, undefined);
    }
  }
  const timeout = positiveInt(env, 'WORKFLOW_CORE_TIMEOUT', log);
  if (timeout !== undefined) settings.timeout = timeout;
  const cap = positiveInt(env, 'WORKFLOW_CORE_MAX_JOB_PARALLEL', log);
  if (cap !== undefined) settings.maxJobParallel = cap;
  return settings;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, log: DiagnosticLog): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1) return n;
  log.add('error', 'WF2008', `${name} must be a whole number of at least 1, got "${env[name]}"`, undefined);
  return undefined;
}
