/**
 * The project's settings, in one place for `wf run`, `wf validate`, `wf serve` and `cdk synth`:
 * where the workflows are (`conf`) and which registry modules hold the `call` functions
 * (`registry`). They are read from the nearest folder at or above the working directory that has
 * a cdk.json or a package.json: cdk.json's `context` first, then package.json's `"sfn-workflow"`
 * key. Paths are relative to that folder. A flag (`--conf`, `--registry`) or an environment
 * variable (`WORKFLOW_CORE_CONF_PATH`, `WORKFLOW_CORE_REGISTRY_CALLER`) wins over both.
 *
 *     cdk.json      { "app": "...", "context": { "conf": "conf", "registry": ["conf/registry/tasks.ts"] } }
 *     package.json  { "sfn-workflow": { "conf": "conf", "registry": "conf/registry/tasks.ts" } }
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DiagnosticError } from '../diagnostics/index.ts';

/** What a project's settings say, with paths made absolute. */
export interface ProjectSettings {
  /** The folder the settings were found in (the working directory when none were). */
  root: string;
  /** The config directory, when a settings file names one. */
  conf?: string;
  /** The registry modules the settings name (none when they name none). */
  registry: string[];
  /** The file each setting came from, for messages. */
  from?: string;
}

const cache = new Map<string, ProjectSettings>();

function settingsError(file: string, message: string, fix: string): DiagnosticError {
  return new DiagnosticError([{ severity: 'error', code: 'WF1008', message: `${file}: ${message}`, note: fix }]);
}

function readJson(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw settingsError(file, `not valid JSON: ${e instanceof Error ? e.message : String(e)}`, 'fix the JSON, or run from another folder');
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function pathsOf(value: unknown, file: string, key: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? value.split(',') : Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
  if (!list) throw settingsError(file, `"${key}" is ${JSON.stringify(value)}`, `expected a path or a list of paths, e.g. "${key}": ["conf/registry/tasks.ts"]`);
  return list.map((p) => p.trim()).filter(Boolean);
}

function confOf(value: unknown, file: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !value.trim()) throw settingsError(file, `"conf" is ${JSON.stringify(value)}`, 'expected the config directory as a path, e.g. "conf": "conf"');
  return value.trim();
}

/** The settings of the project `cwd` is in; a malformed settings file is a WF1008 DiagnosticError. */
export function projectSettings(cwd: string = process.cwd()): ProjectSettings {
  const start = resolve(cwd);
  const known = cache.get(start);
  if (known) return known;
  let root = start;
  while (!existsSync(join(root, 'cdk.json')) && !existsSync(join(root, 'package.json'))) {
    if (dirname(root) === root) {
      root = start;
      break;
    }
    root = dirname(root);
  }
  const cdkFile = join(root, 'cdk.json');
  const pkgFile = join(root, 'package.json');
  const context = readJson(cdkFile)?.context;
  const fromCdk = typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {};
  const own = readJson(pkgFile)?.['sfn-workflow'];
  if (own !== undefined && (typeof own !== 'object' || own === null || Array.isArray(own))) {
    throw settingsError(pkgFile, `"sfn-workflow" is ${JSON.stringify(own)}`, 'expected an object: "sfn-workflow": { "conf": "conf", "registry": ["conf/registry/tasks.ts"] }');
  }
  const fromPkg = (own ?? {}) as Record<string, unknown>;
  const conf = confOf(fromCdk.conf, cdkFile) ?? confOf(fromPkg.conf, pkgFile);
  const registry = pathsOf(fromCdk.registry, cdkFile, 'registry') ?? pathsOf(fromPkg.registry, pkgFile, 'registry') ?? [];
  const from = fromCdk.conf !== undefined || fromCdk.registry !== undefined ? cdkFile : own !== undefined ? pkgFile : undefined;
  const settings: ProjectSettings = {
    root,
    ...(conf !== undefined ? { conf: resolve(root, conf) } : {}),
    registry: registry.map((p) => resolve(root, p)),
    ...(from ? { from } : {}),
  };
  cache.set(start, settings);
  return settings;
}

/** The config directory to read: the one given, else `WORKFLOW_CORE_CONF_PATH`, else the settings', else `conf`. */
export function confDirectory(given: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd?: string): string {
  return given ?? (env.WORKFLOW_CORE_CONF_PATH || undefined) ?? projectSettings(cwd).conf ?? 'conf';
}

/**
 * The registry modules to load: those given (flags) and `WORKFLOW_CORE_REGISTRY_CALLER`
 * (comma-separated), else the settings'. `fromSettings` says which, so a command may load the
 * settings' modules only when a workflow needs them.
 */
export function registryModules(given: readonly string[] | undefined, env: NodeJS.ProcessEnv = process.env, cwd?: string): { paths: string[]; fromSettings: boolean } {
  const explicit = [...(given ?? []), ...(env.WORKFLOW_CORE_REGISTRY_CALLER ?? '').split(',')].map((p) => p.trim()).filter(Boolean);
  if (explicit.length) return { paths: explicit, fromSettings: false };
  return { paths: projectSettings(cwd).registry, fromSettings: true };
}
