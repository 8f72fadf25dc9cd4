/**
 * Templates in py code, held to Python itself:
 *
 * - Where a template sits (code, a string, an f-string's text, a raw or bytes literal, an f-string
 *   field) is what python3's own `tokenize` and `ast` say of the same code with a marker in the
 *   template's place, over generated code of every quoting style.
 * - A hostile value (quotes of every kind, backslashes, newlines, braces, unicode, `__import__`)
 *   written at each allowed place by the real Python runner's `join_code` compiles, runs no code,
 *   and reads back as the value (in code) or as the value's text (in a string).
 */
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pythonCodeProblems, pythonSites, type PythonSite } from '../../lib/expr/index.ts';

const MARK = 'QQMARKQQ';

/** python3 run over a JSON request on stdin; gives the JSON it prints. */
function python(script: string, input: unknown): unknown {
  const r = spawnSync('python3', ['-c', script], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/** Python's reading of where MARK sits in each code: code | string | fstring | raw | bytes | field (a replacement field or its format spec). */
const WHERE = String.raw`
import ast, io, json, sys, tokenize
MARK = "QQMARKQQ"
def where(code):
    tree = ast.parse(code)
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if MARK not in tok.string:
            continue
        if tok.type == tokenize.COMMENT or tok.type == tokenize.NAME:
            return "code"
        if tok.type == tokenize.STRING:
            prefix = tok.string[: len(tok.string) - len(tok.string.lstrip("rRbBuUfF"))].lower()
            if "r" in prefix: return "raw"
            if "b" in prefix: return "bytes"
            if "f" not in prefix: return "string"
            # An f-string: its text, a field's code, or a field's format spec, as ast reads it.
            for node in ast.walk(tree):
                if isinstance(node, ast.JoinedStr):
                    for v in node.values:
                        if isinstance(v, ast.Constant) and MARK in v.value: return "fstring"
                        if isinstance(v, ast.FormattedValue):
                            if MARK in ast.unparse(v): return "field"
    return "none"
print(json.dumps([where(c) for c in json.load(sys.stdin)]))
`;

function ours(site: PythonSite): string {
  if (site.kind !== 'refused') return site.kind;
  if (site.why.includes('raw')) return 'raw';
  if (site.why.includes('bytes')) return 'bytes';
  return 'field';
}

/** Code with one MARK placed in every quoting style Python has. */
const codes = fc.oneof(
  fc.constantFrom(['x = ', ''], ['print(', ')'], ['y = [1, ', ']'], ['z = {"k": ', '}'], ['if a == ', ': pass'], ['# note ', ''], ['n = len(', ')']).map(([p, s]) => `${p}${MARK}${s}`),
  fc.tuple(fc.constantFrom('', 'u', 'U', 'r', 'R', 'b', 'B', 'rb', 'Br', 'f', 'F', 'fr', 'Rf'), fc.constantFrom("'", '"', "'''", '"""'), fc.constantFrom('', 'a ', "it\\'s ", 'q\\" ', '\\\\ ', '# ')).map(([p, q, pre]) => {
    const body = pre.includes(q[0]!) && !pre.includes(`\\${q[0]}`) ? '' : pre;
    return `x = ${p}${q}${body}${MARK} tail${q}`;
  }),
  fc.constantFrom(
    `x = f"{a} ${MARK} {b!r:>10}"`,
    `x = f"{{ ${MARK} }}"`,
    `x = f"{ ${MARK} }"`,
    `x = f"{a:{${MARK}}}"`,
    `x = f"{a:>{w}} ${MARK}"`,
    `x = f'{"}"} ${MARK}'`,
    `x = f"{d['k']} ${MARK}"`,
    `x = '#' + ${MARK}`,
    `x = "a\\\\" + ${MARK}`,
    `x = """a\n"b"\n""" + ${MARK}`,
    `x = 1  # "${MARK}`,
    `x = "#"  # ${MARK}`,
  ),
);

describe('where a template sits in py code, as python3 reads it', () => {
  it('agrees with tokenize and ast over generated code of every quoting style', () => {
    const samples = fc.sample(fc.array(codes, { minLength: 1, maxLength: 3 }).map((lines) => {
      const mark = lines.findIndex((l) => l.includes(MARK));
      return lines.map((l, i) => (i === mark ? l : l.replaceAll(MARK, 'v'))).join('\n');
    }), { numRuns: 400, seed: 7 });
    const expected = python(WHERE, samples) as string[];
    samples.forEach((code, i) => {
      const [before, after] = [code.slice(0, code.indexOf(MARK)), code.slice(code.indexOf(MARK) + MARK.length)];
      expect({ code, site: ours(pythonSites([before, after])[0]!) }).toEqual({ code, site: expected[i] });
    });
  });

  it('validate refuses raw, bytes and f-string fields with the rewrite (WF4009)', () => {
    const problems = pythonCodeProblems('a = r"${{ params.p }}"\nb = f"{ ${{ params.p }} }"\nc = "${{ params.p }}"');
    expect(problems.map((p) => p.code)).toEqual(['WF4009', 'WF4009']);
    expect(problems[0]!.note).toContain('value = ${{ params.p }}');
  });
});

/** Writes each case's value with the runner's own join_code, runs the code, and reports `x`. */
const RUN = String.raw`
import json, sys
sys.path.insert(0, "functions/py-runner")
from handler import join_code
out = []
for case in json.load(sys.stdin):
    ns = {"ran": []}
    code = join_code(case["parts"])
    try:
        exec(compile(code, "<stage>", "exec"), ns)
        out.append({"x": ns.get("x"), "ran": ns["ran"]})
    except SyntaxError as e:
        out.append({"error": repr(e), "code": code})
print(json.dumps(out))
`;

const hostileText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.array(fc.constantFrom("'", '"', '\\', '\n', '\r', '{', '}', '"""', "'''", '#', ';', ')', '__import__("os")', 'ran.append(1)', '\u2028', '\x00', 'é', '😀', '\t'), { maxLength: 12 }).map((a) => a.join('')),
);
const hostileValue = fc.oneof(hostileText, fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(hostileText, { maxLength: 3 }), fc.dictionary(hostileText, hostileText, { maxKeys: 2 }));

describe('a hostile value at each place runs no code (the Python runner writes it)', () => {
  const places = [
    { before: 'x = ', after: '', in: undefined },
    { before: 'x = 10 if False else ', after: '', in: undefined },
    { before: 'x = "a ', after: ' b"', in: 'string' },
    { before: "x = '", after: "'", in: 'string' },
    { before: 'x = """', after: '"""', in: 'string' },
    { before: "x = '''", after: "'''", in: 'string' },
    { before: 'x = u"', after: '"', in: 'string' },
    { before: 'x = f"{len(ran)} ', after: ' {{}}"', in: 'fstring' },
    { before: "x = f'''", after: "'''", in: 'fstring' },
    { before: 'x = 1  # ', after: '\nran.append("comment")', in: undefined },
  ] as const;

  it('over generated values and every quoting style', () => {
    const values = fc.sample(hostileValue, { numRuns: 300, seed: 11 });
    const cases = values.flatMap((value) => places.map((p) => {
      const site = pythonSites([p.before, p.after])[0]!;
      expect(site.kind).toBe(p.in ?? 'code');
      return { value, place: p, parts: [p.before, p.in ? { value, in: p.in } : { value }, p.after] };
    }));
    const results = python(RUN, cases.map((c) => ({ parts: c.parts }))) as Array<{ x?: unknown; ran?: unknown[]; error?: string; code?: string }>;
    results.forEach((r, i) => {
      const { value, place } = cases[i]!;
      expect(r.error, r.code).toBeUndefined();
      expect(r.ran).toEqual(place.after.includes('comment') ? ['comment'] : []);
      if (place.in === undefined && !place.after) expect(r.x).toEqual(value);
      if (place.in === 'string') {
        const text = (r.x as string).slice(place.before.includes('"a ') ? 2 : 0, place.after === ' b"' ? -2 : undefined);
        if (typeof value === 'string') expect(text).toBe(value);
        else expect(text.length).toBeGreaterThan(0);
      }
      if (place.in === 'fstring' && typeof value === 'string') expect(r.x).toBe(place.before.includes('len') ? `0 ${value} {}` : value);
    });
  });
});
