/**
 * Parses one YAML file, keeping positions, and records its YAML-level problems: syntax errors
 * (WF1001), aliases that name no anchor (WF1001) and duplicate keys (WF1002, with a note pointing
 * at the first occurrence), bytes that are not UTF-8 (WF1006) and maps or lists used as keys (WF1007,
 * with the fix for a template written without its "$").
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import type { DiagnosticLog } from './diagnostic-log.ts';
import { SourceFile } from './source-file.ts';
import { firstTooDeep, flowTooDeep, YAML_NESTING_NOTE, YAML_TOO_DEEP } from './yaml-depth.ts';

/** A parsed file and whether its syntax was sound enough to check its contents. */
export interface ParsedSource {
  source: SourceFile;
  /** False when the file has a YAML syntax error; its workflows are then not checked further. */
  syntaxOk: boolean;
}

/**
 * Parses `text` (the file at `path`) and logs its YAML-level problems. `invalidUtf8At`: where the
 * file's first byte that is not UTF-8 was (as an offset in `text`, which holds U+FFFD there).
 */
export function parseSource(path: string, text: string, log: DiagnosticLog, invalidUtf8At?: { offset: number; byte: number }): ParsedSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    merge: true,
    uniqueKeys: false,
    prettyErrors: false,
    logLevel: 'error',
  });
  const source = new SourceFile(path, text, doc, lines);
  let syntaxOk = true;
  if (invalidUtf8At) {
    const hex = invalidUtf8At.byte.toString(16).toUpperCase().padStart(2, '0');
    log.add(
      'error',
      'WF1006',
      `the file is not valid UTF-8: byte 0x${hex} here starts no UTF-8 character`,
      source.at(invalidUtf8At.offset, 1),
      'save the file as UTF-8 (an editor\'s "encoding" setting; iconv -f latin1 -t utf-8 converts Latin-1 text)',
    );
  }
  // Too deep a file is reported where it passes the limit, not wherever the parser ran out of stack.
  const flowDeep = flowTooDeep(text);
  if (flowDeep !== undefined) {
    syntaxOk = false;
    log.add('error', 'WF1001', YAML_TOO_DEEP, source.at(flowDeep, 1), YAML_NESTING_NOTE);
  }
  let exhausted = flowDeep !== undefined;
  for (const err of doc.errors) {
    syntaxOk = false;
    const [start, end] = err.pos;
    if (err.code === 'RESOURCE_EXHAUSTION') {
      if (!exhausted) log.add('error', 'WF1001', 'YAML nests too deeply here for the parser', source.at(start, 1), YAML_NESTING_NOTE);
      exhausted = true;
      continue;
    }
    const message = err.code === 'MULTIPLE_DOCS' ? 'a workflow file holds one YAML document; this one starts another with "---"' : firstLine(err.message);
    log.add('error', 'WF1001', `YAML syntax error: ${message}`, source.at(start, end - start));
  }
  const deep = syntaxOk ? firstTooDeep(doc.contents) : undefined;
  if (deep) {
    log.add('error', 'WF1001', YAML_TOO_DEEP, source.locate(deep), YAML_NESTING_NOTE);
    return { source, syntaxOk: false };
  }
  visit(doc, {
    Alias(_, alias) {
      const target = alias.resolve(doc);
      if (target && contains(target, alias)) {
        syntaxOk = false;
        log.add('error', 'WF1001', `alias "*${alias.source}" refers to a node that contains it`, source.locate(alias), 'an alias inside its own anchor makes an endless structure');
        return visit.SKIP;
      }
      if (target === undefined) {
        syntaxOk = false;
        log.add(
          'error',
          'WF1001',
          `alias "*${alias.source}" names no anchor`,
          source.locate(alias),
          `define "&${alias.source}" on an earlier node`,
        );
      }
    },
    Map(_, map, path) {
      const seen = new Map<string, number>();
      for (const pair of map.items) {
        if (isMap(pair.key) || isSeq(pair.key)) reportComplexKey(source, log, map, pair.key, path[path.length - 1]);
        if (!isScalar(pair.key) || typeof pair.key.value === 'symbol') continue;
        const key = String(pair.key.value);
        const first = seen.get(key);
        if (first === undefined) {
          seen.set(key, pair.key.range?.[0] ?? 0);
          continue;
        }
        const at = source.at(first, 0);
        log.add(
          'error',
          'WF1002',
          `duplicate key "${key}"`,
          source.locate(pair.key),
          `"${key}" is first defined at line ${at.line}, column ${at.col}; a key may appear once per map`,
        );
      }
    },
  });
  if (syntaxOk) {
    try {
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      syntaxOk = false;
      log.add('error', 'WF1001', `YAML error: ${(e as Error).message}`, source.at(0, 0), 'aliases may expand to at most 1000 nodes; merge keys (<<) take a map or a list of maps');
    }
  }
  return { source, syntaxOk };
}

/** How many nodes aliases may expand to, as in SourceFile.toJS (a guard against alias bombs). */
export const MAX_ALIAS_COUNT = 1000;

/**
 * A map or list used as a key. The usual cause is a template without its "$": YAML reads
 * `x: {{ params.d }}` as a map whose one key is the map `{params.d}`.
 */
function reportComplexKey(source: SourceFile, log: DiagnosticLog, map: Node, key: Node, parent: unknown): void {
  const start = map.range?.[0] ?? key.range?.[0] ?? 0;
  const written = source.text.slice(start, map.range?.[1] ?? start);
  const template = /^\{\{[^\n]*\}\}$/.test(written.trim());
  const owner = isPair(parent) && isScalar(parent.key) && parent.value === map ? String(parent.key.value) : undefined;
  if (template) {
    log.add(
      'error',
      'WF1007',
      `YAML reads ${written.trim()} as a map whose key is a map, not as a template`,
      source.at(start, written.trim().length),
      `quote it and write a template with "$": ${owner ? `${owner}: ` : ''}"\${{ ${written.trim().slice(2, -2).trim()} }}"`,
    );
    return;
  }
  log.add(
    'error',
    'WF1007',
    `a ${isMap(key) ? 'map' : 'list'} is used as a key; keys in a workflow file are text`,
    source.locate(key),
    'quote the key to make it text, or move the map or list into the value',
  );
}

function contains(outer: Node, inner: Node): boolean {
  const o = outer.range;
  const i = inner.range;
  return !!o && !!i && o[0] <= i[0] && i[1] <= o[2];
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
