/**
 * The config layer's pipeline: discover files → parse YAML → find workflows (top-level keys with
 * `type: Workflow`) → read each into the model with its checks → cross-workflow checks (duplicate
 * names, triggers) → select what was asked for. Every problem is collected; nothing throws on bad
 * input.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, type Node } from 'yaml';
import { closest, DiagnosticError, didYouMean, quoteList, type Diagnostic } from '../diagnostics/index.ts';
import { checkTriggers } from './check-triggers.ts';
import { triggerTargets } from './trigger-targets.ts';
import { checkScheduledParams } from './check-scheduled-params.ts';
import { DiagnosticLog, type LoggedDiagnostic } from './diagnostic-log.ts';
import { discoverFiles } from './discover-files.ts';
import { findInvalidUtf8 } from './find-invalid-utf8.ts';
import { describeValue } from './describe-value.ts';
import { mapEntries, resolveNode, type MapEntry } from './map-entries.ts';
import type { Workflow } from './model.ts';
import { parseSource } from './parse-source.ts';
import type { ReadContext } from './read-context.ts';
import { readWorkflow } from './read-workflow.ts';
import { checkPythonSyntax } from './check-expressions.ts';
import { confDirectory } from './project-settings.ts';
import { settingsFromEnv } from './settings.ts';
import type { SourceFile } from './source-file.ts';

/** Options of {@link loadWorkflows}. */
export interface LoadOptions {
  /** The config directory (or one file). @default WORKFLOW_CORE_CONF_PATH, else "conf" */
  conf?: string;
  /** Only these workflows (and those they trigger): diagnostics and results are limited to them. @default all */
  names?: readonly string[];
  /** Environment for WORKFLOW_CORE_* settings. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Have python3 check the syntax of every `run:` block, when it is on PATH (WF3005). @default false */
  checkPythonSyntax?: boolean;
}

/** Options of {@link loadWorkflowsFromText}. */
export interface LoadTextOptions {
  /** Only these workflows (and those they trigger). @default all */
  names?: readonly string[];
  /** Environment for WORKFLOW_CORE_* settings. @default {} (the process environment is not read) */
  env?: NodeJS.ProcessEnv;
  /** Have python3 check the syntax of every `run:` block, when it is on PATH (WF3005). @default false */
  checkPythonSyntax?: boolean;
}

/** What loading returns. */
export interface LoadResult {
  /** The selected workflows that loaded without errors, by name, in discovery order. */
  workflows: Map<string, Workflow>;
  /** Every problem found (for the selection), errors and warnings, sorted by file and position. */
  diagnostics: Diagnostic[];
  /** The text of every file read, by the path used in diagnostics (for snippets). */
  sources: Map<string, string>;
}

interface Candidate {
  name: string;
  source: SourceFile;
  syntaxOk: boolean;
  keyNode: Node;
  value: Node;
  /** Span of the whole top-level entry, to attribute file-level problems. */
  span: [number, number];
  /** The file is one workflow at its top level, named by its `name:` key. */
  topLevel: boolean;
}

/** Loads the workflows of a config directory. */
export function loadWorkflows(options: LoadOptions = {}): LoadResult {
  const env = options.env ?? process.env;
  const log = new DiagnosticLog();
  let conf: string;
  try {
    conf = confDirectory(options.conf, env);
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    return { workflows: new Map(), diagnostics: e.diagnostics, sources: new Map() };
  }
  let paths: string[];
  try {
    paths = discoverFiles(conf);
  } catch (e) {
    log.add('error', 'WF1003', `cannot read the config directory "${conf}": ${errorText(e)}`, undefined, 'pass --conf DIR or set WORKFLOW_CORE_CONF_PATH');
    return { workflows: new Map(), diagnostics: log.entries.map((e) => e.diagnostic), sources: new Map() };
  }
  const files: SourceText[] = [];
  for (const path of paths) {
    try {
      const bytes = readFileSync(path);
      const text = bytes.toString('utf8');
      const bad = findInvalidUtf8(bytes);
      files.push(bad < 0 ? { path, text } : { path, text, invalidUtf8At: { offset: bytes.subarray(0, bad).toString('utf8').length, byte: bytes[bad]! } });
    } catch (e) {
      log.add('error', 'WF1003', `cannot read "${path}": ${errorText(e)}`, undefined);
    }
  }
  return load(files, log, { ...options, env }, `in "${conf}"`);
}

/** Loads workflows from in-memory files (path → YAML text), as if they were a config directory. */
export function loadWorkflowsFromText(files: Record<string, string>, options: LoadTextOptions = {}): LoadResult {
  const list = Object.keys(files)
    .sort()
    .map((path) => ({ path, text: files[path]! }));
  return load(list, new DiagnosticLog(), { ...options, env: options.env ?? {} }, 'in the given files');
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'no such file or directory';
  if (err?.code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(e);
}

/** A file's text and, when it is not all UTF-8, where its first bad byte is. */
interface SourceText {
  path: string;
  text: string;
  invalidUtf8At?: { offset: number; byte: number };
}

function load(
  files: SourceText[],
  log: DiagnosticLog,
  options: LoadTextOptions & { env: NodeJS.ProcessEnv },
  where: string,
): LoadResult {
  const settings = { ...settingsFromEnv(options.env, log), ...(options.checkPythonSyntax ? { checkPythonSyntax: true } : {}) };
  const sources = new Map<string, string>();
  const candidates: Candidate[] = [];
  const byName = new Map<string, Candidate>();
  const fileOrder = new Map<string, number>();

  for (const file of files) {
    fileOrder.set(file.path, fileOrder.size);
    sources.set(file.path, file.text);
    const { source, syntaxOk } = parseSource(file.path, file.text, log, file.invalidUtf8At);
    for (const c of findCandidates(source, syntaxOk, log)) {
      const first = byName.get(c.name);
      if (first) {
        const at = first.source.at(first.keyNode.range?.[0] ?? 0, 0);
        log.add(
          'error',
          'WF1004',
          `workflow "${c.name}" is defined twice: in ${first.source.path} and in ${c.source.path}`,
          source.locate(c.keyNode),
          `first defined at ${first.source.path}:${at.line}:${at.col}; rename one of them`,
          [c.name],
        );
        candidates.push(c);
        continue;
      }
      byName.set(c.name, c);
      candidates.push(c);
    }
  }

  const read = new Map<string, Workflow>();
  const contexts: ReadContext[] = [];
  for (const c of byName.values()) {
    if (!c.syntaxOk) continue;
    const ctx: ReadContext = { source: c.source, log, owner: c.name, settings, sites: [] };
    read.set(c.name, readWorkflow(ctx, c.name, c.value, c.source.locate(c.keyNode), c.topLevel));
    contexts.push(ctx);
  }
  if (settings.checkPythonSyntax) checkPythonSyntax(contexts);
  checkTriggers(log, read, new Set(byName.keys()));
  checkScheduledParams(log, read);
  attributeFileProblems(log, candidates);

  const known = [...byName.keys()];
  const requested = options.names ? [...new Set(options.names)] : undefined;
  const missing = requested?.filter((n) => !byName.has(n)) ?? [];
  for (const name of missing) {
    const hint = didYouMean(name, known);
    log.add(
      'error',
      'WF1005',
      `no workflow named "${name}" ${where}`,
      undefined,
      known.length ? [`workflows are ${quoteList(known)}`, hint].filter(Boolean).join('; ') : 'no workflows were found',
    );
  }
  if (!requested && byName.size === 0 && log.errorCount() === 0) {
    log.add('error', 'WF1005', `no workflow found ${where}`, undefined, 'a workflow is a top-level key whose value has "type: Workflow", or a file with "type: Workflow" and "name" at its top level');
  }

  const selected = requested ? closure(requested.filter((n) => byName.has(n)), read, byName) : new Set(known);
  const selectedFiles = new Set([...selected].map((n) => byName.get(n)!.source.path));
  const keep = (e: LoggedDiagnostic): boolean => {
    if (!requested) return true;
    if (e.owners.length > 0) return e.owners.some((o) => selected.has(o));
    const file = e.diagnostic.location?.file;
    return file === undefined || missing.length > 0 || selectedFiles.has(file);
  };
  const kept = log.entries.filter(keep);
  const failed = new Set(kept.filter((e) => e.diagnostic.severity === 'error').flatMap((e) => e.owners));
  const workflows = new Map<string, Workflow>();
  for (const [name, wf] of read) if (selected.has(name) && !failed.has(name)) workflows.set(name, wf);

  const diagnostics = kept
    .map((e, i) => ({ d: e.diagnostic, i }))
    .sort((a, b) => compareLocations(a.d, b.d, fileOrder) || a.i - b.i)
    .map((x) => x.d);
  return { workflows, diagnostics, sources };
}

function compareLocations(a: Diagnostic, b: Diagnostic, fileOrder: Map<string, number>): number {
  if (!a.location || !b.location) return (a.location ? 1 : 0) - (b.location ? 1 : 0);
  const fa = fileOrder.get(a.location.file) ?? -1;
  const fb = fileOrder.get(b.location.file) ?? -1;
  return fa - fb || a.location.offset - b.location.offset;
}

/** The top-level keys of a file whose value is a map with `type: Workflow`. */
function findCandidates(source: SourceFile, syntaxOk: boolean, log: DiagnosticLog): Candidate[] {
  const out: Candidate[] = [];
  const top = resolveNode(source.doc, source.doc.contents);
  if (!isMap(top)) return out;
  const topEntries = mapEntries(source.doc, top);
  const topType = topEntries.find((x) => x.key === 'type');
  if (isScalar(topType?.value) && topType.value.value === 'Workflow') return topLevelCandidate(source, syntaxOk, log, top, topEntries, topType.keyNode);
  for (const e of topEntries) {
    const value = e.value;
    if (!isMap(value)) continue;
    const typeEntry = mapEntries(source.doc, value).find((x) => x.key === 'type');
    const type = isScalar(typeEntry?.value) ? typeEntry.value.value : undefined;
    if (type !== 'Workflow') {
      if (typeof type === 'string' && closest(type, ['Workflow']) !== undefined) {
        log.add(
          'warning',
          'WF2008',
          `"${e.key}" is ignored: its type is "${type}", not "Workflow"`,
          source.locate(typeEntry!.value),
          'did you mean "Workflow"? Only keys with type: Workflow are workflows',
        );
      }
      continue;
    }
    const start = e.keyNode.range?.[0] ?? 0;
    const end = value.range?.[2] ?? start;
    out.push({ name: e.key, source, syntaxOk, keyNode: e.keyNode, value, span: [start, end], topLevel: false });
  }
  return out;
}

/** A file that is one workflow at its top level (`type: Workflow` beside `name: <workflow>`). */
function topLevelCandidate(source: SourceFile, syntaxOk: boolean, log: DiagnosticLog, top: Node, entries: MapEntry[], typeKey: Node): Candidate[] {
  const nameEntry = entries.find((x) => x.key === 'name');
  const name = isScalar(nameEntry?.value) ? nameEntry.value.value : undefined;
  if (typeof name !== 'string' || name === '') {
    log.add(
      'error',
      'WF2002',
      nameEntry ? `the workflow's "name" must be text, got ${describeValue(source.toJS(nameEntry.value))}` : 'this file is one workflow (its top level has "type: Workflow") but has no "name"',
      source.locate(nameEntry?.value ?? nameEntry?.keyNode ?? typeKey),
      'name it with a top-level "name: my-workflow" (letters, digits, "_" and "-"), or nest it under a key: "my-workflow: {type: Workflow, ...}"',
    );
    return [];
  }
  const span: [number, number] = [top.range?.[0] ?? 0, top.range?.[2] ?? 0];
  return [{ name, source, syntaxOk, keyNode: nameEntry!.value!, value: top, span, topLevel: true }];
}

/** Gives file-level problems (YAML errors) the workflow whose text they fall in. */
function attributeFileProblems(log: DiagnosticLog, candidates: Candidate[]): void {
  for (const entry of log.entries) {
    const loc = entry.diagnostic.location;
    if (entry.owners.length > 0 || !loc) continue;
    const owner = candidates.find((c) => c.source.path === loc.file && loc.offset >= c.span[0] && loc.offset < c.span[1]);
    if (owner) entry.owners = [owner.name];
  }
}

/** The named workflows and every workflow they trigger, transitively. */
function closure(names: readonly string[], read: ReadonlyMap<string, Workflow>, known: ReadonlyMap<string, unknown>): Set<string> {
  const out = new Set<string>();
  const queue = [...names];
  while (queue.length) {
    const name = queue.shift()!;
    if (out.has(name) || !known.has(name)) continue;
    out.add(name);
    const wf = read.get(name);
    if (wf) for (const site of triggerTargets(wf)) for (const t of site.targets ?? []) if (!out.has(t)) queue.push(t);
  }
  return out;
}

