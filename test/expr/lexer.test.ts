import { describe, expect, it } from 'vitest';
import { tokenize } from '../../lib/expr/lexer.ts';

const TOKEN_CASES: { src: string; tokens: string[] }[] = [
  { src: 'a.b', tokens: ['ident:a@0', 'punct:.@1', 'ident:b@2'] },
  { src: 'needs.main-process', tokens: ['ident:needs@0', 'punct:.@5', 'ident:main-process@6'] },
  { src: 'a - b', tokens: ['ident:a@0', 'punct:-@2', 'ident:b@4'] },
  { src: 'a-', tokens: ['ident:a@0', 'punct:-@1'] },
  { src: 'a--b', tokens: ['ident:a@0', 'punct:-@1', 'punct:-@2', 'ident:b@3'] },
  { src: '_x1-y_2', tokens: ['ident:_x1-y_2@0'] },
  { src: '1.5e3', tokens: ['number:1.5e3@0'] },
  { src: '1.x', tokens: ['number:1@0', 'punct:.@1', 'ident:x@2'] },
  { src: "'a''b'", tokens: ["string:a'b@0"] },
  { src: '"a\\"b"', tokens: ['string:a"b@0'] },
  { src: '<= >= == != && || < > !', tokens: ['punct:<=@0', 'punct:>=@3', 'punct:==@6', 'punct:!=@9', 'punct:&&@12', 'punct:||@15', 'punct:<@18', 'punct:>@20', 'punct:!@22'] },
  { src: 'x|y?', tokens: ['ident:x@0', 'punct:|@1', 'ident:y@2', 'punct:?@3'] },
  { src: ' \t\n', tokens: [] },
];

describe('tokenize', () => {
  it.each(TOKEN_CASES)('splits $src', ({ src, tokens }) => {
    const out = tokenize(src);
    expect(out.problems).toEqual([]);
    expect(out.tokens.at(-1)).toMatchObject({ kind: 'eof', offset: src.length });
    expect(out.tokens.slice(0, -1).map((t) => `${t.kind}:${t.value}@${t.offset}`)).toEqual(tokens);
  });

  it('shifts every offset by the base', () => {
    expect(tokenize('a == 1', 10).tokens.map((t) => t.offset)).toEqual([10, 12, 15, 16]);
  });

  it('collects every lexical problem in one pass', () => {
    expect(tokenize('a # b @ c').problems.map((p) => `${p.code}@${p.offset}`)).toEqual(['WF3004@2', 'WF3004@6']);
  });
});
