/**
 * Intrinsic functions as AWS parses them (`States.Format('x {}', $.a)`): a parser that follows
 * Step Functions' grammar rather than the local engine's, and the two helpers the compiler writes
 * intrinsic arguments with. In a string literal AWS reserves `'`, `{`, `}` and `\`: each must be
 * escaped with a backslash. A path argument is kept to `$` or `$$` followed by `.name` (letters,
 * digits, `_`) and `[index]` steps, which AWS's intrinsic parser reads the same way everywhere
 * (a key with `-`, a dot or a quote in it is not written into an intrinsic at all).
 */

/** An argument of an intrinsic call. */
export type IntrinsicArg =
  | { kind: 'string'; value: string; /** The text around each unescaped `{}` (States.Format's placeholders). */ pieces: string[] }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'path'; path: string }
  | IntrinsicCall;

/** A call of an intrinsic function. */
export interface IntrinsicCall {
  kind: 'call';
  name: string;
  args: IntrinsicArg[];
}

/** The intrinsic functions of the JSONPath query language, with their argument counts. */
export const INTRINSIC_ARITY: Readonly<Record<string, readonly [number, number]>> = {
  'States.Format': [1, Infinity],
  'States.StringToJson': [1, 1],
  'States.JsonToString': [1, 1],
  'States.Array': [0, Infinity],
  'States.ArrayPartition': [2, 2],
  'States.ArrayContains': [2, 2],
  'States.ArrayRange': [3, 3],
  'States.ArrayGetItem': [2, 2],
  'States.ArrayLength': [1, 1],
  'States.ArrayUnique': [1, 1],
  'States.Base64Encode': [1, 1],
  'States.Base64Decode': [1, 1],
  'States.Hash': [2, 2],
  'States.JsonMerge': [3, 3],
  'States.MathRandom': [2, 3],
  'States.MathAdd': [2, 2],
  'States.StringSplit': [2, 2],
  'States.UUID': [0, 0],
};

const PATH = /^\$\$?((\.[A-Za-z_][A-Za-z0-9_]*)|(\[\d+\]))*/;
const NUMBER = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/;

/** Text that AWS accepts as a path argument of an intrinsic function. */
export function isIntrinsicPath(path: string): boolean {
  const m = PATH.exec(path);
  return m !== null && m[0] === path;
}

/** `text` as part of an intrinsic string literal: `' { } \` escaped with a backslash. */
export function escapeIntrinsicText(text: string): string {
  return text.replace(/['{}\\]/g, (c) => `\\${c}`);
}

/** The result of parsing: the call, or the first problem with its offset in the text. */
export type ParsedIntrinsic = { call: IntrinsicCall; error?: undefined } | { call?: undefined; error: string; at: number };

class Fail extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/** Parses an intrinsic function call the way Step Functions does (see the file comment). */
export function parseIntrinsic(text: string): ParsedIntrinsic {
  let i = 0;
  const ws = (): void => {
    while (text[i] === ' ') i++;
  };
  const call = (): IntrinsicCall => {
    const m = /^States\.[A-Za-z0-9]+/.exec(text.slice(i));
    if (!m) throw new Fail('expected an intrinsic function name (States.<Name>)', i);
    const name = m[0];
    if (!(name in INTRINSIC_ARITY)) throw new Fail(`unknown intrinsic function ${name}`, i);
    i += name.length;
    if (text[i] !== '(') throw new Fail(`expected "(" after ${name}`, i);
    i++;
    ws();
    const args: IntrinsicArg[] = [];
    if (text[i] === ')') i++;
    else {
      for (;;) {
        args.push(arg());
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          continue;
        }
        if (text[i] === ')') {
          i++;
          break;
        }
        throw new Fail('expected "," or ")" after an argument', i);
      }
    }
    const [min, max] = INTRINSIC_ARITY[name]!;
    if (args.length < min || args.length > max) throw new Fail(`${name} takes ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}`, i - 1);
    if (name === 'States.Format') {
      const first = args[0]!;
      if (first.kind !== 'string') throw new Fail('the first argument of States.Format must be a string literal', i - 1);
      const holes = first.pieces.length - 1;
      if (holes !== args.length - 1) throw new Fail(`States.Format has ${holes} {} placeholders and ${args.length - 1} values`, i - 1);
    }
    return { kind: 'call', name, args };
  };
  const literal = (): IntrinsicArg => {
    const start = i;
    i++;
    let value = '';
    const pieces: string[] = [];
    let piece = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Fail('unterminated string literal', start);
      if (c === '\\') {
        const next = text[i + 1];
        if (next === undefined || !"'{}\\".includes(next)) throw new Fail(`"\\" must escape one of ' { } \\ in a string literal`, i);
        value += next;
        piece += next;
        i += 2;
        continue;
      }
      if (c === "'") {
        i++;
        pieces.push(piece);
        return { kind: 'string', value, pieces };
      }
      if (c === '{') {
        // Only `{}` (a States.Format placeholder) may stand unescaped.
        if (text[i + 1] !== '}') throw new Fail('"{" in a string literal must be escaped as "\\{" (or be a "{}" placeholder)', i);
        value += '{}';
        pieces.push(piece);
        piece = '';
        i += 2;
        continue;
      }
      if (c === '}') throw new Fail('"}" in a string literal must be escaped as "\\}"', i);
      value += c;
      piece += c;
      i++;
    }
  };
  const arg = (): IntrinsicArg => {
    const rest = text.slice(i);
    if (rest.startsWith("'")) return literal();
    if (rest.startsWith('States.')) return call();
    if (rest.startsWith('$')) {
      const m = PATH.exec(rest)!;
      const end = /^[^,)\s]*/.exec(rest)![0];
      if (m[0] !== end) throw new Fail(`path "${end}" is not one AWS reads inside an intrinsic function (use .name steps of letters, digits and _, and [n])`, i);
      i += end.length;
      return { kind: 'path', path: end };
    }
    for (const [word, value] of [['true', true], ['false', false]] as const) {
      if (rest.startsWith(word)) {
        i += word.length;
        return { kind: 'boolean', value };
      }
    }
    if (rest.startsWith('null')) {
      i += 4;
      return { kind: 'null' };
    }
    const n = NUMBER.exec(rest);
    if (n) {
      i += n[0].length;
      return { kind: 'number', value: Number(n[0]) };
    }
    throw new Fail('expected a string literal, a number, a path or an intrinsic function', i);
  };
  try {
    const c = call();
    if (i !== text.length) throw new Fail('unexpected text after the intrinsic function', i);
    return { call: c };
  } catch (e) {
    if (e instanceof Fail) return { error: e.message, at: e.at };
    throw e;
  }
}
