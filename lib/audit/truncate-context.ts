/**
 * Shrinks a result document to a byte budget, deterministically, so an audit item stays under
 * DynamoDB's 400 KB limit. What goes first is what matters least: the largest pieces inside stage
 * outputs (long strings keep their head; big arrays and objects become markers), then whole
 * `outputs` values, then long strings elsewhere (error messages keep their first kilobyte). If
 * that is still not enough, the document is cut down to its skeleton: run status, run, params,
 * release, errors, and every job's, strategy's and stage's status and errors. Nothing is dropped
 * without a marker in its place: `{"__truncated__": "<N> bytes"}` or `…[truncated N bytes]`.
 */

/** The key of the marker object that replaces a removed array or object. */
export const TRUNCATED_KEY = '__truncated__';

/** What {@link truncateContext} returns. */
export interface TruncateResult {
  /** The document, unchanged (the same value) when it fits, else a truncated copy. */
  doc: unknown;
  /** True when anything was replaced by a marker. */
  truncated: boolean;
  /** The byte length of `JSON.stringify(doc)` (UTF-8). */
  bytes: number;
}

/** Strings and containers up to this size are not worth a marker of their own. */
const SMALL_BYTES = 1024;
/** Characters kept at the head of a long string inside outputs. */
const OUTPUT_HEAD_CHARS = 256;
/** Characters kept at the head of a long string elsewhere (error messages, params). */
const OTHER_HEAD_CHARS = 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };

interface Slot {
  parent: Container;
  key: string | number;
  path: string;
  /** The byte size of the value in the slot when it was measured. */
  size: number;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function jsonBytes(value: Json): number {
  return byteLength(JSON.stringify(value));
}

function isContainer(value: Json): value is Container {
  return typeof value === 'object' && value !== null;
}

function entriesOf(node: Container): Array<[string | number, Json]> {
  return Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
}

function getSlot(slot: Slot): Json {
  return (slot.parent as Record<string | number, Json>)[slot.key]!;
}

function setSlot(slot: Slot, value: Json): void {
  (slot.parent as Record<string | number, Json>)[slot.key] = value;
}

function isMarker(value: Json): boolean {
  return isContainer(value) && !Array.isArray(value) && Object.keys(value).length === 1 && typeof value[TRUNCATED_KEY] === 'string';
}

function marker(bytes: number): Json {
  return { [TRUNCATED_KEY]: `${bytes} bytes` };
}

/** The string's first `chars` characters (never splitting a surrogate pair) and a marker with what was removed. */
function shortened(text: string, chars: number): string {
  let head = text.slice(0, chars);
  const last = head.charCodeAt(head.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) head = head.slice(0, -1);
  return `${head}…[truncated ${byteLength(text) - byteLength(head)} bytes]`;
}

function bySizeThenPath(a: Slot, b: Slot): number {
  return b.size - a.size || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/**
 * Measures every node under `node` (its JSON byte size, computed once, bottom up) and collects
 * the slots inside stage outputs worth a marker: long strings, and big containers made only of
 * small parts. Also collects the `outputs` slots themselves.
 */
function measure(node: Json, path: string, inOutputs: boolean, pieces: Slot[], outputs: Slot[], slot?: Omit<Slot, 'size'>): number {
  let size: number;
  let allSmall = true;
  if (!isContainer(node)) {
    size = jsonBytes(node);
  } else {
    const entries = entriesOf(node);
    size = 2 + Math.max(0, entries.length - 1);
    for (const [key, child] of entries) {
      const childPath = `${path}/${key}`;
      const childInOutputs = inOutputs || (key === 'outputs' && path.startsWith('/jobs/'));
      const childSlot = { parent: node, key, path: childPath };
      const childSize = measure(child, childPath, childInOutputs, pieces, outputs, childSlot);
      if (!inOutputs && childInOutputs) outputs.push({ ...childSlot, size: childSize });
      if (typeof key === 'string') size += jsonBytes(key) + 1;
      size += childSize;
      if (childSize > SMALL_BYTES) allSmall = false;
    }
  }
  if (slot && inOutputs && size > SMALL_BYTES && (typeof node === 'string' || (isContainer(node) && allSmall))) {
    pieces.push({ ...slot, size });
  }
  return size;
}

/** Replaces the value in `slot` by its truncated form; returns the bytes saved. */
function cut(slot: Slot, headChars: number): number {
  const value = getSlot(slot);
  if (isMarker(value)) return 0;
  const before = jsonBytes(value);
  const replacement = typeof value === 'string' ? shortened(value, headChars) : marker(before);
  const saved = before - jsonBytes(replacement);
  if (saved <= 0) return 0;
  setSlot(slot, replacement);
  return saved;
}

function longStrings(node: Json, path: string, out: Slot[]): void {
  if (!isContainer(node)) return;
  for (const [key, child] of entriesOf(node)) {
    const childPath = `${path}/${key}`;
    if (typeof child === 'string') {
      const size = jsonBytes(child);
      if (size > 2 * OTHER_HEAD_CHARS) out.push({ parent: node, key, path: childPath, size });
    } else {
      longStrings(child, childPath, out);
    }
  }
}

function record(value: Json | undefined): Record<string, Json> | undefined {
  return isContainer(value ?? null) && !Array.isArray(value) ? (value as Record<string, Json>) : undefined;
}

function pick(from: Record<string, Json>, keys: readonly string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key]!;
  return out;
}

function mapValues(value: Json | undefined, f: (v: Record<string, Json>) => Json): Record<string, Json> | undefined {
  const rec = record(value);
  if (!rec) return undefined;
  return Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, record(v) ? f(record(v)!) : v]));
}

/** The statuses and errors of every job, strategy and stage, without outputs or anything else. */
function skeleton(root: Record<string, Json>, originalBytes: number): Record<string, Json> {
  const stage = (s: Record<string, Json>): Json => pick(s, ['status', 'errors']);
  const strategy = (s: Record<string, Json>): Json => ({ ...pick(s, ['matrix', 'status', 'errors']), ...withMap('stages', s.stages, stage) });
  const job = (j: Record<string, Json>): Json => ({
    ...pick(j, ['status', 'errors']),
    ...withMap('strategies', j.strategies, strategy),
    ...withMap('stages', j.stages, stage),
  });
  return {
    ...pick(root, ['status', 'run', 'params', 'release']),
    ...withMap('jobs', root.jobs, job),
    ...pick(root, ['errors']),
    [TRUNCATED_KEY]: `${originalBytes} bytes`,
  };
}

function withMap(key: string, value: Json | undefined, f: (v: Record<string, Json>) => Json): Record<string, Json> {
  const mapped = mapValues(value, f);
  return mapped ? { [key]: mapped } : {};
}

/**
 * The document cut to at most `maxBytes` bytes of JSON (see the file comment for what goes
 * first). Deterministic: the same document and budget always give the same result.
 */
export function truncateContext(doc: unknown, maxBytes: number): TruncateResult {
  const json = JSON.stringify(doc);
  if (json === undefined) return { doc, truncated: false, bytes: 0 };
  const originalBytes = byteLength(json);
  if (originalBytes <= maxBytes) return { doc, truncated: false, bytes: originalBytes };

  const root = JSON.parse(json) as Json;
  const pieces: Slot[] = [];
  const outputs: Slot[] = [];
  let total = measure(root, '', false, pieces, outputs);
  const done = (): TruncateResult => ({ doc: root, truncated: true, bytes: total });

  for (const slot of pieces.sort(bySizeThenPath)) {
    total -= cut(slot, OUTPUT_HEAD_CHARS);
    if (total <= maxBytes) return done();
  }
  for (const slot of outputs.map((s) => ({ ...s, size: jsonBytes(getSlot(s)) })).sort(bySizeThenPath)) {
    if (isMarker(getSlot(slot))) continue;
    const replacement = marker(slot.size);
    const saved = slot.size - jsonBytes(replacement);
    if (saved <= 0) continue;
    setSlot(slot, replacement);
    total -= saved;
    if (total <= maxBytes) return done();
  }
  const strings: Slot[] = [];
  longStrings(root, '', strings);
  for (const slot of strings.sort(bySizeThenPath)) {
    total -= cut(slot, OTHER_HEAD_CHARS);
    if (total <= maxBytes) return done();
  }

  const rootRecord = record(root);
  const fallbacks: Json[] = rootRecord
    ? [
        skeleton(rootRecord, originalBytes),
        { ...pick(rootRecord, ['status', 'run', 'release']), params: marker(jsonBytes(rootRecord.params ?? null)), errors: marker(jsonBytes(rootRecord.errors ?? null)), [TRUNCATED_KEY]: `${originalBytes} bytes` },
        { ...pick(rootRecord, ['status']), [TRUNCATED_KEY]: `${originalBytes} bytes` },
      ]
    : [];
  for (const candidate of [...fallbacks, marker(originalBytes)]) {
    const bytes = jsonBytes(candidate);
    if (bytes <= maxBytes) return { doc: candidate, truncated: true, bytes };
  }
  const last = marker(originalBytes);
  return { doc: last, truncated: true, bytes: jsonBytes(last) };
}
