/**
 * How a stage's kind is decided: by the one kind-field it has. `echo`/`sleep` make an empty stage,
 * `run` a py stage (a virtual-py one with `deps`), `stages` alone a group; `foreach` and `until`
 * own their `stages`.
 */
import type { StageKind } from './model.ts';
import { stageKinds } from './dialect-schemas.ts';

/** Kind-field → the kind it selects. */
export const KIND_FIELDS: Readonly<Record<string, StageKind>> = {
  echo: 'empty',
  sleep: 'empty',
  bash: 'bash',
  run: 'py',
  uses: 'call',
  trigger: 'trigger',
  parallel: 'parallel',
  foreach: 'foreach',
  case: 'case',
  until: 'until',
  raise: 'raise',
  message: 'raise',
  image: 'docker',
  try: 'try',
  stages: 'group',
  wait: 'wait',
};

/** Kind-fields as shown to a user who wrote none (one per kind). */
export const KIND_FIELD_LIST: readonly string[] = [
  'echo',
  'bash',
  'run',
  'uses',
  'trigger',
  'parallel',
  'foreach',
  'case',
  'until',
  'raise',
  'image',
  'try',
  'stages',
  'wait',
];

/** Keys valid in some stage kind. */
export const ALL_STAGE_KEYS: readonly string[] = [
  ...new Set(Object.values(stageKinds).flatMap((s) => Object.keys(s.shape))),
];

/** The kind-fields present among `keys`, each with the kind it selects (`stages` only when nothing owns it). */
export function kindFieldsOf(keys: readonly string[]): { field: string; kind: StageKind }[] {
  const present = new Set(keys);
  const out: { field: string; kind: StageKind }[] = [];
  for (const key of keys) {
    if (!Object.hasOwn(KIND_FIELDS, key)) continue;
    let kind = KIND_FIELDS[key]!;
    if (key === 'stages' && (present.has('foreach') || present.has('until'))) continue;
    if (kind === 'py' && (present.has('deps') || present.has('version'))) kind = 'virtual-py';
    out.push({ field: key, kind });
  }
  return out;
}

/** For each kind, a note for keys that belong to other kinds: `"env" belongs to bash and docker stages`. */
export function otherKindHints(kind: StageKind): Record<string, string> {
  const cached = hintCache.get(kind);
  if (cached) return cached;
  const own = new Set(Object.keys(stageKinds[kind].shape));
  const owners = new Map<string, StageKind[]>();
  for (const [k, schema] of Object.entries(stageKinds) as [StageKind, (typeof stageKinds)[StageKind]][]) {
    for (const key of Object.keys(schema.shape)) {
      if (own.has(key)) continue;
      owners.set(key, [...(owners.get(key) ?? []), k]);
    }
  }
  const out: Record<string, string> = {};
  for (const [key, kinds] of owners) {
    out[key] = `"${key}" belongs to ${kinds.join(', ')} stages; this stage is a ${kind} stage`;
  }
  hintCache.set(kind, out);
  return out;
}

const hintCache = new Map<StageKind, Record<string, string>>();
