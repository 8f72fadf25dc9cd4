/**
 * Parses one YAML file, keeping positions, and records its YAML-level problems: syntax errors
 * (WF1001), aliases that name no anchor (WF1001) and duplicate keys (WF1002, with a note pointing
 * at the first occurrence).
 */
import { isScalar, LineCounter, parseDocument, visit, type Node } from 'yaml';
import type { DiagnosticLog } from './diagnostic-log.ts';
import { SourceFile } from './source-file.ts';

/** A parsed file and whether its syntax was sound enough to check its contents. */
export interface ParsedSource {
  source: SourceFile;
  /** False when the file has a YAML syntax error; its workflows are then not checked further. */
  syntaxOk: boolean;
}

/** Parses `text` (the file at `path`) and logs its YAML-level problems. */
export function parseSource(path: string, text: string, log: DiagnosticLog): ParsedSource {
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
  for (const err of doc.errors) {
    syntaxOk = false;
    const [start, end] = err.pos;
    const message = err.code === 'MULTIPLE_DOCS' ? 'a workflow file holds one YAML document; this one starts another with "---"' : firstLine(err.message);
    log.add('error', 'WF1001', `YAML syntax error: ${message}`, source.at(start, end - start));
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
    Map(_, map) {
      const seen = new Map<string, number>();
      for (const pair of map.items) {
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

function contains(outer: Node, inner: Node): boolean {
  const o = outer.range;
  const i = inner.range;
  return !!o && !!i && o[0] <= i[0] && i[1] <= o[2];
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
