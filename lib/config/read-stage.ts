/**
 * Reads stages. A stage's kind is decided by its one kind-field (see stage-kinds.ts); its keys are
 * then checked against that kind's schema, so "did you mean" only offers keys valid for it. Nested
 * lists (group, foreach, until, parallel branches, case matches, try/catch/finally) are read
 * recursively, each as its own id scope, with the names their children may use in templates.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { closest, quoteList, type Location } from '../diagnostics/index.ts';
import { checkValue } from './check-value.ts';
import { collectSites } from './collect-sites.ts';
import { caseElseSchema, caseMatchSchema, ID_PATTERN, stageKinds } from './dialect-schemas.ts';
import { deriveStageId } from './derive-stage-id.ts';
import { describeValue } from './describe-value.ts';
import { mapEntries } from './map-entries.ts';
import { splitUses } from './split-uses.ts';
import type { CaseMatch, RetryPolicy, S3ItemSource, Stage, StageBase, StageKind } from './model.ts';
import { report, type ReadContext } from './read-context.ts';
import { readObject, reportUnknownKey, type Fields } from './read-object.ts';
import { ALL_STAGE_KEYS, KIND_FIELD_LIST, KIND_FIELDS, kindFieldsOf, otherKindHints } from './stage-kinds.ts';
import { setOwn } from '../expr/index.ts';
import { reportUnsafeId, UNSAFE_PATH_IDS } from './report-unsafe-id.ts';

/** Where a list of stages sits and what its stages may refer to. */
export interface StageScope {
  /** The job the stages belong to. */
  job: string;
  /** Root names templates in these stages may use. */
  roots: readonly string[];
  /** The list in messages: `job "build"`, `branch "east" of stage "Fan out"`. */
  where: string;
}

/** Keys whose values are stage lists (read here, not by the schema). */
const NESTED_KEYS = ['stages', 'parallel', 'match', 'try', 'catch', 'finally'];
/** Keys whose text is often mistaken for a number by YAML (`3.10` reads as 3.1). */
const QUOTED_KEYS = ['version', 'tag'];
/** Keys that hold no template: ids, descriptions, and the conditions (checked as conditions). */
const NO_TEMPLATE_KEYS = new Set(['id', 'desc', 'if', 'until', ...NESTED_KEYS]);

const STAGE_HINTS: Record<string, string> = {
  condition: 'a stage\'s condition is written "if"',
  max_workers: 'written "max-workers" here',
  max_loop: 'written "max-loop" here',
  use_index_as_key: 'written "use-index-as-key" here',
  skip_not_match: 'written "skip-not-match" here',
  continue_on_error: 'written "continue-on-error" here',
};

/** Options of {@link readStageList}. */
export interface StageListOptions {
  /** The list in messages, e.g. `"stages"`. */
  label: string;
  /** Fewest stages allowed. */
  min: number;
}

/** Reads a list of stages (one id scope); invalid stages are reported and left out. */
export function readStageList(
  ctx: ReadContext,
  node: Node | null,
  anchor: Location,
  scope: StageScope,
  opts: StageListOptions,
): Stage[] {
  if (node === null || (isScalar(node) && node.value === null)) {
    if (opts.min > 0) report(ctx, 'WF2004', `${opts.label} in ${scope.where} must have at least ${opts.min} stage`, anchor);
    return [];
  }
  if (!isSeq(node)) {
    report(ctx, 'WF2003', `${opts.label} in ${scope.where} must be a list of stages, got ${describeValue(ctx.source.toJS(node))}`, ctx.source.locate(node));
    return [];
  }
  if (node.items.length < opts.min) {
    report(ctx, 'WF2004', `${opts.label} in ${scope.where} must have at least ${opts.min} stage`, ctx.source.locate(node));
  }
  const stages: Stage[] = [];
  node.items.forEach((item, i) => {
    const stage = readStage(ctx, item as Node, scope, i);
    if (stage) stages.push(stage);
  });
  checkIds(ctx, stages, scope);
  return stages;
}

function checkIds(ctx: ReadContext, stages: Stage[], scope: StageScope): void {
  const first = new Map<string, Location>();
  for (const s of stages) {
    if (s.id === undefined) continue;
    const loc = s.fieldLocs.id ?? s.loc;
    if (reportUnsafeId(ctx, 'stage id', s.id, loc)) continue;
    const prev = first.get(s.id);
    if (prev) {
      report(
        ctx,
        'WF5001',
        `stage id "${s.id}" is used twice in ${scope.where}`,
        loc,
        `first used at line ${prev.line}, column ${prev.col}; ids must be unique within one list of stages`,
      );
    } else first.set(s.id, loc);
  }
  if (!ctx.settings.stageDefaultId) return;
  for (const s of stages) {
    if (s.id !== undefined) continue;
    const base = deriveStageId(s.name);
    if (base === undefined || UNSAFE_PATH_IDS.includes(base)) continue;
    let id = base;
    for (let n = 2; first.has(id); n++) id = `${base}-${n}`;
    s.id = id;
    first.set(id, s.loc);
  }
}

function stageLabel(name: unknown, index: number, scope: StageScope): string {
  return typeof name === 'string' ? `stage "${name}"` : `stage ${index + 1} in ${scope.where}`;
}

/** Reads one stage; undefined when its kind cannot be decided or it is not a map. */
export function readStage(ctx: ReadContext, node: Node, scope: StageScope, index: number): Stage | undefined {
  const at = ctx.source.locate(node);
  if (!isMap(node)) {
    report(ctx, 'WF2003', `stage ${index + 1} in ${scope.where} must be a map with "name" and a kind-field, got ${describeValue(ctx.source.toJS(node))}`, at);
    return undefined;
  }
  const entries = mapEntries(ctx.source.doc, node);
  const nameEntry = entries.find((e) => e.key === 'name');
  const what = stageLabel(nameEntry ? ctx.source.toJS(nameEntry.value) : undefined, index, scope);
  const kinds = kindFieldsOf(entries.map((e) => e.key));
  const distinct = [...new Set(kinds.map((k) => k.kind))];
  // No kind-field: an empty stage (the reference engine runs one), when every key fits one.
  if (distinct.length === 0) {
    const foreign = entries.filter((e) => ALL_STAGE_KEYS.includes(e.key) && !Object.hasOwn(stageKinds.empty.shape, e.key));
    if (foreign.length === 0 && entries.every((e) => ALL_STAGE_KEYS.includes(e.key))) distinct.push('empty');
    else if (foreign.length > 0 && entries.every((e) => ALL_STAGE_KEYS.includes(e.key))) {
      const key = foreign[0]!.key;
      const owner = otherKindHints('empty')[key]!.replace(/; this stage is .*$/, '');
      report(ctx, 'WF2005', `${what} has no kind`, ctx.source.locate(foreign[0]!.keyNode), `${owner}: add the kind-field of one of them, or remove "${key}" to make it an empty stage`);
      return undefined;
    }
  }

  if (distinct.length !== 1) {
    let suggestedKind = false;
    for (const e of entries) {
      if (ALL_STAGE_KEYS.includes(e.key)) continue;
      const near = closest(e.key, ALL_STAGE_KEYS);
      if (near !== undefined && Object.hasOwn(KIND_FIELDS, near)) suggestedKind = true;
      reportUnknownKey(ctx, e.key, ctx.source.locate(e.keyNode), what, ALL_STAGE_KEYS, STAGE_HINTS);
    }
    if (distinct.length === 0 && !suggestedKind) {
      report(ctx, 'WF2005', `${what} has no kind`, at, `add one kind-field: ${quoteList(KIND_FIELD_LIST)}`);
    } else if (distinct.length > 1) {
      const [a, b] = [kinds[0]!, kinds.find((k) => k.kind !== kinds[0]!.kind)!];
      const second = entries.find((e) => e.key === b.field)!;
      report(
        ctx,
        'WF2006',
        `${what} has two kinds: "${a.field}" makes it ${a.kind} and "${b.field}" makes it ${b.kind}`,
        ctx.source.locate(second.keyNode),
        'a stage has exactly one kind-field; split it into two stages',
      );
    }
    return undefined;
  }

  const kind = distinct[0]!;
  const schema = stageKinds[kind];
  const fields = readObject(ctx, node, schema, {
    what,
    anchor: at,
    nested: [...NESTED_KEYS, ...QUOTED_KEYS].filter((k) => k in schema.shape),
    hints: { ...otherKindHints(kind), ...STAGE_HINTS },
  });
  if (!fields) return undefined;
  collectStageSites(ctx, fields, scope);
  const base = readBase(fields, at);
  return readKind(ctx, kind, base, fields, scope, what);
}

function collectStageSites(ctx: ReadContext, fields: Fields, scope: StageScope): void {
  for (const [key, f] of fields.byKey) {
    if (NO_TEMPLATE_KEYS.has(key)) continue;
    collectSites(ctx, f.node, scope.roots, scope.job, key === 'bash' ? 'shell' : key === 'run' ? 'python' : 'template');
  }
  const cond = fields.get('if');
  if (cond && typeof fields.value('if') === 'string') collectSites(ctx, cond.node, scope.roots, scope.job, 'condition');
}

/** The number of retries of `retry:` (its `max` in the policy form). */
function retryCountOf(raw: number | string | Record<string, unknown> | undefined): number | string {
  if (raw === undefined) return 0;
  if (typeof raw === 'object') return typeof raw.max === 'number' ? raw.max : 0;
  return raw;
}

/** The policy of `retry: {max, delay, backoff, max-delay, jitter}`, defaults filled; undefined for the other forms. */
function retryPolicyOf(raw: unknown): RetryPolicy | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const r = raw as { delay?: number; backoff?: number; 'max-delay'?: number; jitter?: boolean };
  return { delay: r.delay ?? 1, backoff: r.backoff ?? 1.2, ...(r['max-delay'] !== undefined ? { maxDelay: r['max-delay'] } : {}), jitter: r.jitter ?? false };
}

function readBase(fields: Fields, at: Location): StageBase {
  const base: StageBase = {
    name: fields.value<string>('name') ?? '',
    retry: retryCountOf(fields.value<number | string | Record<string, unknown>>('retry')),
    continueOnError: fields.value<boolean>('continue-on-error') ?? false,
    extras: fields.value<Record<string, unknown>>('extras') ?? {},
    loc: at,
    fieldLocs: fields.locs(),
  };
  const policy = retryPolicyOf(fields.value('retry'));
  if (policy) base.retryPolicy = policy;
  const id = fields.value<string>('id');
  if (id !== undefined) base.id = id;
  const desc = fields.value<string>('desc');
  if (desc !== undefined) base.desc = desc;
  const cond = fields.value<boolean | string>('if');
  if (cond !== undefined) base.if = cond;
  const timeout = fields.value<number>('timeout');
  if (timeout !== undefined) base.timeout = timeout;
  return base;
}

/** Reads a text field that YAML would turn into a number when unquoted, with a fix for that case. */
function quotedText(ctx: ReadContext, fields: Fields, key: string, schema: z.ZodType<string | undefined>): string | undefined {
  const f = fields.get(key);
  if (!f) return undefined;
  const value = ctx.source.toJS(f.node);
  if (typeof value === 'number') {
    const raw = ctx.source.raw(f.node!);
    report(ctx, 'WF2003', `"${key}" must be quoted text: ${raw} reads as the number ${value}`, f.loc, `quote it: ${key}: "${raw}"`);
    return undefined;
  }
  const checked = checkValue(ctx, schema, f.node, key);
  return checked.ok ? checked.value : undefined;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function record<T = unknown>(fields: Fields, key: string): Record<string, T> {
  return fields.value<Record<string, T>>(key) ?? {};
}

function aliasOf(ctx: ReadContext, fields: Fields, main: string, alias: string): unknown {
  const a = fields.get(main);
  const b = fields.get(alias);
  if (a && b) {
    report(ctx, 'WF2008', `"${main}" and "${alias}" are the same field; write only "${main}"`, b.loc);
  }
  return a ? fields.value(main) : fields.value(alias);
}

function readKind(
  ctx: ReadContext,
  kind: StageKind,
  base: StageBase,
  fields: Fields,
  scope: StageScope,
  what: string,
): Stage | undefined {
  const nested = (key: string, roots: readonly string[], where: string, min: number): Stage[] => {
    const f = fields.get(key);
    if (!f) return [];
    return readStageList(ctx, f.node, f.loc, { job: scope.job, roots, where }, { label: `"${key}"`, min });
  };
  switch (kind) {
    case 'empty': {
      const s: Stage = { ...base, kind };
      const echo = fields.value('echo');
      if (echo !== undefined && echo !== null) s.echo = text(echo);
      const sleep = fields.value<number | string>('sleep');
      if (sleep !== undefined) s.sleep = sleep;
      return s;
    }
    case 'bash':
      return { ...base, kind, bash: fields.value<string>('bash') ?? '', env: record(fields, 'env') };
    case 'py':
      return { ...base, kind, run: fields.value<string>('run') ?? '', vars: record(fields, 'vars') };
    case 'virtual-py':
      return {
        ...base,
        kind,
        run: fields.value<string>('run') ?? '',
        vars: record(fields, 'vars'),
        deps: fields.value<string[]>('deps') ?? [],
        version: quotedText(ctx, fields, 'version', stageKinds['virtual-py'].shape.version) ?? '3.12',
      };
    case 'call': {
      const uses = fields.value<string>('uses') ?? '';
      const m = splitUses(uses);
      if (fields.get('uses')?.ok && !m) {
        report(ctx, 'WF2008', `"uses" must name a function as "<registry>/<function>@<tag>" (templates allowed in each part), got ${describeValue(uses)}`, fields.get('uses')!.loc, 'for example uses: "tasks/process_csv@latest"');
      }
      return {
        ...base,
        kind,
        uses,
        registry: m?.registry ?? '',
        func: m?.func ?? '',
        tag: m?.tag ?? '',
        with: (aliasOf(ctx, fields, 'with', 'args') as Record<string, unknown> | undefined) ?? {},
      };
    }
    case 'trigger': {
      const params = fields.get('params');
      if (params && isMap(params.node)) {
        for (const e of mapEntries(ctx.source.doc, params.node)) base.fieldLocs[`params.${e.key}`] = ctx.source.locate(e.keyNode);
      }
      return { ...base, kind, trigger: fields.value<string>('trigger') ?? '', params: record(fields, 'params') };
    }
    case 'parallel':
      return {
        ...base,
        kind,
        branches: readBranches(ctx, fields, scope, what),
        maxWorkers: fields.value<number>('max-workers') ?? 2,
      };
    case 'foreach': {
      const loopRoots = [...scope.roots, 'item', 'loop'];
      const source = fields.value<unknown[] | string | { s3: S3ItemSource }>('foreach');
      const s3 = source !== null && typeof source === 'object' && !Array.isArray(source) ? readS3Source(ctx, fields, source.s3, what) : undefined;
      const tolerated = fields.value<number | string>('tolerated-failure');
      const concurrent = fields.value<number>('concurrent') ?? 1;
      if (!s3 && concurrent > 10) report(ctx, 'WF2004', `"concurrent" must be at most 10, got ${concurrent}`, fields.get('concurrent')!.loc, 'a foreach over a list runs at most 10 items at once; only a foreach over S3 (foreach: {s3: ...}) takes up to 10000');
      if (!s3 && tolerated !== undefined) report(ctx, 'WF2008', `"tolerated-failure" of ${what} needs a foreach over S3`, fields.get('tolerated-failure')!.loc, 'a foreach over a list is fail-fast: use continue-on-error, or try/catch, inside its stages');
      return {
        ...base,
        kind,
        foreach: s3 || source === undefined || source === null ? [] : (source as unknown[] | string),
        stages: nested('stages', loopRoots, `foreach ${what}`, 1),
        concurrent,
        useIndexAsKey: fields.value<boolean>('use-index-as-key') ?? false,
        ...(fields.value('batch') !== undefined ? { batch: fields.value<number | 'auto'>('batch') } : {}),
        ...(s3 ? { s3 } : {}),
        ...(s3 && tolerated !== undefined ? { toleratedFailure: typeof tolerated === 'number' ? { count: tolerated } : { percent: Number(tolerated.slice(0, -1)) } } : {}),
      };
    }
    case 'case':
      return {
        ...base,
        kind,
        case: text(fields.value('case')),
        match: readMatches(ctx, fields, scope, what),
        skipNotMatch: fields.value<boolean>('skip-not-match') ?? false,
      };
    case 'until': {
      const loopRoots = [...scope.roots, 'item', 'loop'];
      const until = fields.get('until');
      if (until && typeof fields.value('until') === 'string') collectSites(ctx, until.node, loopRoots, scope.job, 'condition');
      return {
        ...base,
        kind,
        item: fields.has('item') ? (fields.value('item') ?? null) : 0,
        until: fields.value<boolean | string>('until') ?? false,
        stages: nested('stages', loopRoots, `until ${what}`, 1),
        maxLoop: fields.value<number>('max-loop') ?? 10,
      };
    }
    case 'raise': {
      if (!fields.has('raise') && !fields.has('message')) return undefined;
      return { ...base, kind, raise: text(aliasOf(ctx, fields, 'raise', 'message')) };
    }
    case 'docker': {
      const s: Stage = {
        ...base,
        kind,
        image: fields.value<string>('image') ?? '',
        tag: quotedText(ctx, fields, 'tag', stageKinds.docker.shape.tag) ?? 'latest',
        env: record(fields, 'env'),
        volume: record<string>(fields, 'volume'),
        auth: record<string>(fields, 'auth'),
      };
      const cmd = fields.value<string | string[]>('cmd');
      if (cmd !== undefined) s.cmd = cmd;
      return s;
    }
    case 'try':
      return {
        ...base,
        kind,
        try: nested('try', scope.roots, `"try" of ${what}`, 1),
        catch: nested('catch', [...scope.roots, 'error'], `"catch" of ${what}`, 0),
        finally: nested('finally', scope.roots, `"finally" of ${what}`, 0),
      };
    case 'group':
      return { ...base, kind, stages: nested('stages', scope.roots, `group ${what}`, 1) };
    case 'wait': {
      const wait = fields.value<string | { signal: string; timeout?: number }>('wait');
      if (wait === undefined) return undefined;
      const spec = typeof wait === 'string' ? { signal: wait } : wait;
      const s: Stage = { ...base, kind, signal: spec.signal };
      if (spec.timeout !== undefined) {
        if (base.timeout !== undefined) {
          report(ctx, 'WF2008', `${what} has two timeouts: "timeout" and "wait.timeout"`, fields.get('wait')!.loc, 'write the timeout once');
        }
        s.waitTimeout = spec.timeout;
      }
      return s;
    }
  }
}

function readBranches(ctx: ReadContext, fields: Fields, scope: StageScope, what: string): Record<string, Stage[]> {
  const f = fields.get('parallel')!;
  const out: Record<string, Stage[]> = {};
  if (!isMap(f.node)) {
    report(ctx, 'WF2003', `"parallel" of ${what} must be a map of branch name to stages, got ${describeValue(ctx.source.toJS(f.node))}`, f.loc);
    return out;
  }
  const entries = mapEntries(ctx.source.doc, f.node);
  if (entries.length === 0) report(ctx, 'WF2004', `"parallel" of ${what} must have at least 1 branch`, f.loc);
  for (const e of entries) {
    const keyLoc = ctx.source.locate(e.keyNode);
    if (e.complexKey) continue; // reported by parseSource (WF1007)
    if (!ID_PATTERN.test(e.key)) {
      report(ctx, 'WF2007', `"${e.key}" is not a valid branch name`, keyLoc, 'branch names use only letters, digits, "_" and "-"');
      continue;
    }
    setOwn(out, e.key, readStageList(
      ctx,
      e.value,
      keyLoc,
      { job: scope.job, roots: [...scope.roots, 'branch'], where: `branch "${e.key}" of ${what}` },
      { label: 'the branch', min: 1 },
    ));
  }
  return out;
}

function readMatches(ctx: ReadContext, fields: Fields, scope: StageScope, what: string): CaseMatch[] {
  const f = fields.get('match');
  const out: CaseMatch[] = [];
  if (!f) return out;
  if (!isSeq(f.node)) {
    report(ctx, 'WF2003', `"match" of ${what} must be a list of {case, stages}, got ${describeValue(ctx.source.toJS(f.node))}`, f.loc);
    return out;
  }
  if (f.node.items.length === 0) report(ctx, 'WF2004', `"match" of ${what} must have at least 1 entry`, f.loc);
  let defaultSeen: Location | undefined;
  f.node.items.forEach((item, i) => {
    const node = item as Node;
    const at = ctx.source.locate(node);
    const elseForm = isMap(node) && mapEntries(ctx.source.doc, node).some((e) => e.key === 'else');
    const label = `"match" entry ${i + 1} of ${what}`;
    const entry = elseForm
      ? readObject(ctx, node, caseElseSchema, { what: label, anchor: at, nested: ['else'], hints: { case: '"else" holds the default case\'s stages; a case with a value is a separate entry {case, stages}' } })
      : readObject(ctx, node, caseMatchSchema, { what: label, anchor: at, nested: ['stages'] });
    if (!entry) return;
    const caseField = entry.get(elseForm ? 'else' : 'case');
    if (!elseForm) collectSites(ctx, caseField?.node ?? null, scope.roots, scope.job);
    const value = elseForm ? '_' : text(entry.value('case'));
    const isDefault = value === '_' || value === 'else';
    if (isDefault && defaultSeen) {
      report(ctx, 'WF2008', `${what} has two default cases`, caseField?.loc ?? at, `the first is at line ${defaultSeen.line}, column ${defaultSeen.col}`);
    } else if (isDefault) defaultSeen = caseField?.loc ?? at;
    const stagesField = entry.get(elseForm ? 'else' : 'stages');
    const stages = stagesField
      ? readStageList(
          ctx,
          stagesField.node,
          stagesField.loc,
          { job: scope.job, roots: [...scope.roots, 'case'], where: `case ${describeValue(value)} of ${what}` },
          { label: '"stages"', min: 0 },
        )
      : [];
    out.push({ case: value, isDefault, stages, loc: at });
  });
  return out;
}

/** Manifest formats by file extension. */
const MANIFEST_EXTENSIONS: Record<string, S3ItemSource['format']> = { '.json': 'json', '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.csv': 'csv' };

/**
 * A foreach's `{s3: ...}` (its fields already checked by the schema): exactly one of `prefix` and
 * `key`; a manifest's format from `format`, else from the key's extension.
 */
function readS3Source(ctx: ReadContext, fields: Fields, s3: S3ItemSource, what: string): S3ItemSource | undefined {
  const at = fields.get('foreach')!.loc;
  if ((s3.prefix === undefined) === (s3.key === undefined)) {
    report(ctx, s3.prefix === undefined ? 'WF2002' : 'WF2008', `"foreach: {s3: ...}" of ${what} needs exactly one of "prefix" (loop over the objects under it) and "key" (loop over a manifest's records)`, at);
    return undefined;
  }
  if (s3.prefix !== undefined) {
    if (s3.format !== undefined) report(ctx, 'WF2008', `"format" of ${what}'s S3 foreach applies to a manifest ("key"), not to a listing ("prefix")`, at);
    return { bucket: s3.bucket, prefix: s3.prefix };
  }
  const ext = /\.[A-Za-z]+$/.exec(s3.key!)?.[0]?.toLowerCase() ?? '';
  const format = s3.format ?? MANIFEST_EXTENSIONS[ext];
  if (!format) {
    report(ctx, 'WF2008', `the manifest "${s3.key}" of ${what} has no known format`, at, 'name it .json (a JSON array), .jsonl or .csv (a header row first), or add format: json | jsonl | csv');
    return undefined;
  }
  return { bucket: s3.bucket, key: s3.key!, format };
}
