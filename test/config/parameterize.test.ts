import { describe, expect, it } from 'vitest';
import {
  coerceParam,
  ParamError,
  parameterize,
  parseParamAssignments,
  redactParams,
  type Param,
  type ParamType,
} from '../../lib/config/index.ts';

const loc = { file: 'conf/wf.yml', line: 1, col: 1, offset: 0, length: 1 };

function param(name: string, type: ParamType, extra: Partial<Param> = {}): Param {
  const hasDefault = 'default' in extra;
  return { name, type, hasDefault, required: !hasDefault, secret: false, loc, ...extra };
}

function workflow(...params: Param[]) {
  return { params: Object.fromEntries(params.map((p) => [p.name, p])) };
}

function coerce(type: ParamType, value: unknown, extra: Partial<Param> = {}) {
  return coerceParam(param('p', type, extra), value);
}

describe('coerceParam accepts and converts values of each type', () => {
  const ok: [ParamType, unknown, unknown][] = [
    ['str', 'hello', 'hello'],
    ['str', '', ''],
    ['str', 42, '42'],
    ['str', 1.5, '1.5'],
    ['int', 3, 3],
    ['int', '3', 3],
    ['int', ' -12 ', -12],
    ['int', '+7', 7],
    ['int', '3.0', 3],
    ['int', '1e3', 1000],
    ['int', '-0', 0],
    ['float', 1.25, 1.25],
    ['float', '1.25', 1.25],
    ['float', '.5', 0.5],
    ['float', '-2e-3', -0.002],
    ['float', 7, 7],
    ['decimal', '10.50', 10.5],
    ['decimal', 0.1, 0.1],
    ['decimal', '123456789012.345', 123456789012.345],
    ['bool', true, true],
    ['bool', false, false],
    ['bool', 'true', true],
    ['bool', 'FALSE', false],
    ['bool', 'Yes', true],
    ['bool', 'no', false],
    ['bool', '1', true],
    ['bool', '0', false],
    ['bool', 1, true],
    ['bool', 0, false],
    ['datetime', '2024-01-01T09:00:00Z', '2024-01-01T09:00:00Z'],
    ['datetime', '2024-01-01T09:00:00+07:00', '2024-01-01T02:00:00Z'],
    ['datetime', '2024-01-01T02:30:00-05:30', '2024-01-01T08:00:00Z'],
    ['datetime', '2024-01-01T01:00:00+0200', '2023-12-31T23:00:00Z'],
    ['datetime', '2024-01-01T01:00:00+02', '2023-12-31T23:00:00Z'],
    ['datetime', '2024-01-01T09:00:00', '2024-01-01T09:00:00Z'],
    ['datetime', '2024-01-01 09:00', '2024-01-01T09:00:00Z'],
    ['datetime', '2024-01-01', '2024-01-01T00:00:00Z'],
    ['datetime', '2024-01-01T09:00:00.250Z', '2024-01-01T09:00:00.250Z'],
    ['datetime', '2024-01-01T09:00:00.000Z', '2024-01-01T09:00:00Z'],
    ['datetime', '2024-01-01T09:00:00.1234567Z', '2024-01-01T09:00:00.123Z'],
    ['datetime', '2024-02-29T23:59:59z', '2024-02-29T23:59:59Z'],
    ['datetime', new Date('2024-05-06T07:08:09.010Z'), '2024-05-06T07:08:09.010Z'],
    ['date', '2024-01-31', '2024-01-31'],
    ['date', '2024-01-01T02:00:00+07:00', '2023-12-31'],
    ['date', '2024-01-01T22:00:00-05:00', '2024-01-02'],
    ['date', new Date('2024-03-04T23:59:00Z'), '2024-03-04'],
    ['map', { a: 1 }, { a: 1 }],
    ['map', '{"a": [1, 2]}', { a: [1, 2] }],
    ['map', {}, {}],
    ['array', [1, 'two'], [1, 'two']],
    ['array', '["a", "b"]', ['a', 'b']],
    ['array', [], []],
  ];
  it.each(ok)('%s %j → %j', (type, input, expected) => {
    expect(coerce(type, input)).toEqual({ ok: true, value: expected });
  });
});

describe('coerceParam rejects values that do not fit, naming param, value and type', () => {
  const bad: [ParamType, unknown, string][] = [
    ['str', true, 'param "p": expected str, got true'],
    ['str', { a: 1 }, 'param "p": expected str, got {"a":1}'],
    ['str', ['x'], 'param "p": expected str, got ["x"]'],
    ['int', 'lots', 'param "p": expected int, got "lots"'],
    ['int', '3.5', 'param "p": expected int, got "3.5"'],
    ['int', 3.5, 'param "p": expected int, got 3.5'],
    ['int', '', 'param "p": expected int, got ""'],
    ['int', '0x10', 'param "p": expected int, got "0x10"'],
    ['int', true, 'param "p": expected int, got true'],
    ['int', 2 ** 60, `param "p": expected int, got ${2 ** 60}`],
    ['float', 'abc', 'param "p": expected float, got "abc"'],
    ['float', 'Infinity', 'param "p": expected float, got "Infinity"'],
    ['float', Number.NaN, 'param "p": expected float, got NaN'],
    ['float', '1,5', 'param "p": expected float, got "1,5"'],
    ['decimal', '1.2345678901234567', 'param "p": expected decimal, got "1.2345678901234567"'],
    ['decimal', 'ten', 'param "p": expected decimal, got "ten"'],
    ['bool', 'maybe', 'param "p": expected bool, got "maybe"'],
    ['bool', 2, 'param "p": expected bool, got 2'],
    ['bool', 'on', 'param "p": expected bool, got "on"'],
    ['datetime', 'tomorrow', 'param "p": expected datetime, got "tomorrow"'],
    ['datetime', '2024-02-30T00:00:00Z', 'param "p": expected datetime, got "2024-02-30T00:00:00Z"'],
    ['datetime', '2023-02-29', 'param "p": expected datetime, got "2023-02-29"'],
    ['datetime', '2024-01-01T24:00:00Z', 'param "p": expected datetime, got "2024-01-01T24:00:00Z"'],
    ['datetime', '2024-01-01T09:00:00+25:00', 'param "p": expected datetime, got "2024-01-01T09:00:00+25:00"'],
    ['datetime', 1704067200, 'param "p": expected datetime, got 1704067200'],
    ['datetime', new Date('nope'), 'param "p": expected datetime, got an invalid Date'],
    ['date', '2024-13-01', 'param "p": expected date, got "2024-13-01"'],
    ['date', '01/02/2024', 'param "p": expected date, got "01/02/2024"'],
    ['map', '[1]', 'param "p": expected map, got "[1]"'],
    ['map', [1], 'param "p": expected map, got [1]'],
    ['map', 'not json', 'param "p": expected map, got "not json"'],
    ['map', new Date('2024-01-01T00:00:00Z'), 'param "p": expected map, got Date 2024-01-01T00:00:00.000Z'],
    ['array', '{"a":1}', 'param "p": expected array, got "{\\"a\\":1}"'],
    ['array', 'a,b', 'param "p": expected array, got "a,b"'],
    ['array', { length: 1 }, 'param "p": expected array, got {"length":1}'],
  ];
  it.each(bad)('%s %j', (type, input, message) => {
    const r = coerce(type, input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(ParamError);
    expect(r.error).toBeInstanceOf(Error);
    expect(r.error.message).toBe(message);
    expect(r.error.code).toBe('WF7001');
    expect(r.error.param).toBe('p');
    expect(r.error.expected).toBe(type);
    expect(r.error.value).toBe(input);
  });

  it('explains how to write the value in the note', () => {
    const notes = (type: ParamType, v: unknown) => {
      const r = coerce(type, v);
      return r.ok ? undefined : r.error.note;
    };
    expect(notes('int', '3.5')).toBe('int params take whole numbers');
    expect(notes('bool', 'maybe')).toBe('use true/false, yes/no or 1/0');
    expect(notes('datetime', 'x')).toBe('use ISO 8601, e.g. 2024-01-01T09:00:00Z or 2024-01-01T16:00:00+07:00');
    expect(notes('date', 'x')).toBe('use YYYY-MM-DD, e.g. 2024-01-31');
    expect(notes('map', 'x')).toBe('pass an object, or its JSON text: {"key": "value"}');
    expect(notes('array', 'x')).toBe('pass a list, or its JSON text: ["a", "b"]');
    expect(notes('str', false)).toBe('quote it to pass text: "false"');
  });

  it('shortens a long value in the message', () => {
    const r = coerce('int', 'x'.repeat(200));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toBe(`param "p": expected int, got "${'x'.repeat(56)}...`);
  });
});

describe('choice params', () => {
  const env = { options: ['development', 'staging', 'production'] };

  it('accepts exactly one of the options', () => {
    expect(coerce('choice', 'staging', env)).toEqual({ ok: true, value: 'staging' });
  });

  it('is strict: case and spacing must match', () => {
    for (const v of ['Staging', ' staging', 'STAGING']) expect(coerce('choice', v, env).ok).toBe(false);
  });

  it('lists the options and suggests the closest one', () => {
    const r = coerce('choice', 'prodution', env);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toBe('param "p": expected one of "development", "staging", "production", got "prodution"');
    expect(r.error.expected).toBe('one of "development", "staging", "production"');
    expect(r.error.note).toBe('options are "development", "staging", "production"; did you mean "production"?');
  });

  it('lists the options without a suggestion when nothing is close', () => {
    const r = coerce('choice', 'qa', env);
    expect(r.ok ? undefined : r.error.note).toBe('options are "development", "staging", "production"');
  });

  it('matches number and boolean options by value, and by their text (as -p gives it)', () => {
    const nums = { options: [1, 2, true] };
    expect(coerce('choice', 2, nums)).toEqual({ ok: true, value: 2 });
    expect(coerce('choice', '2', nums)).toEqual({ ok: true, value: 2 });
    expect(coerce('choice', 'true', nums)).toEqual({ ok: true, value: true });
    expect(coerce('choice', 3, nums).ok).toBe(false);
    expect(coerce('choice', '1.0', nums).ok).toBe(false);
  });

  it('does not turn a number into a string option', () => {
    expect(coerce('choice', 1, { options: ['1', '2'] }).ok).toBe(false);
  });
});

describe('parameterize', () => {
  it('applies defaults for omitted params and keeps given values, in declaration order', () => {
    const wf = workflow(
      param('batch_size', 'int', { default: 1000 }),
      param('name', 'str'),
      param('debug', 'bool', { default: false }),
    );
    const r = parameterize(wf, { name: 'x', batch_size: '50' });
    expect(r.errors).toEqual([]);
    expect(r.params).toEqual({ batch_size: 50, name: 'x', debug: false });
    expect(Object.keys(r.params)).toEqual(['batch_size', 'name', 'debug']);
  });

  it('coerces declared defaults like given values', () => {
    const wf = workflow(
      param('when', 'datetime', { default: '2024-01-01T09:00:00+07:00' }),
      param('n', 'int', { default: '5' }),
    );
    expect(parameterize(wf, {})).toEqual({ params: { when: '2024-01-01T02:00:00Z', n: 5 }, errors: [] });
  });

  it('keeps a null default as null', () => {
    const wf = workflow(param('limit', 'int', { default: null }));
    expect(parameterize(wf, {})).toEqual({ params: { limit: null }, errors: [] });
  });

  it('reports a default that does not fit its type', () => {
    const wf = workflow(param('n', 'int', { default: 'many' }));
    const r = parameterize(wf, {});
    expect(r.params).toEqual({});
    expect(r.errors.map((e) => e.message)).toEqual([
      'param "n": the declared default does not fit: expected int, got "many"',
    ]);
  });

  it('treats undefined and null input as omitted', () => {
    const wf = workflow(param('n', 'int', { default: 3 }), param('s', 'str', { required: false }));
    expect(parameterize(wf, { n: null, s: undefined }).params).toEqual({ n: 3, s: null });
  });

  it('requires a param without default (WF7003)', () => {
    const r = parameterize(workflow(param('run_date', 'date')), {});
    expect(r.params).toEqual({});
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0]!;
    expect(e.code).toBe('WF7003');
    expect(e.param).toBe('run_date');
    expect(e.value).toBeUndefined();
    expect(e.message).toBe('param "run_date": expected date, got nothing (the param is required: it has no default)');
    expect(e.note).toBe('give it a value (wf run: -p run_date=VALUE), or declare a default');
  });

  it('gives null for an omitted optional param without default', () => {
    const r = parameterize(workflow(param('tag', 'str', { required: false })), {});
    expect(r).toEqual({ params: { tag: null }, errors: [] });
  });

  it('rejects unknown keys (WF7002) with a did-you-mean', () => {
    const wf = workflow(param('batch_size', 'int', { default: 1 }), param('mode', 'str', { default: 'a' }));
    const r = parameterize(wf, { batch_sise: 5 });
    expect(r.params).toEqual({ batch_size: 1, mode: 'a' });
    expect(r.errors).toHaveLength(1);
    const e = r.errors[0]!;
    expect(e.code).toBe('WF7002');
    expect(e.param).toBe('batch_sise');
    expect(e.value).toBe(5);
    expect(e.message).toBe('param "batch_sise": not declared by the workflow');
    expect(e.note).toBe('declared params are "batch_size", "mode"; did you mean "batch_size"?');
  });

  it('says when the workflow declares no params at all', () => {
    const r = parameterize(workflow(), { x: 1 });
    expect(r.errors[0]!.note).toBe('the workflow declares no params');
    expect(r.errors[0]!.expected).toBe('no params');
  });

  it('reports every problem at once, unknown keys first', () => {
    const wf = workflow(
      param('batch_size', 'int'),
      param('when', 'datetime'),
      param('env', 'choice', { options: ['dev', 'prod'] }),
      param('ok', 'str', { default: 'fine' }),
    );
    const r = parameterize(wf, { batch_size: 'lots', env: 'qa', extra: true, other: 1 });
    expect(r.params).toEqual({ ok: 'fine' });
    expect(r.errors.map((e) => [e.code, e.param])).toEqual([
      ['WF7002', 'extra'],
      ['WF7002', 'other'],
      ['WF7001', 'batch_size'],
      ['WF7003', 'when'],
      ['WF7001', 'env'],
    ]);
  });

  it('conformance bad-param: "lots" for an int names the param and the type', () => {
    const wf = workflow(param('batch_size', 'int', { default: 1000 }));
    const r = parameterize(wf, { batch_size: 'lots' });
    expect(r.errors.map((e) => e.message)).toEqual(['param "batch_size": expected int, got "lots"']);
  });

  it('turns -p text into typed values (the CLI path)', () => {
    const wf = workflow(
      param('n', 'int'),
      param('f', 'float'),
      param('b', 'bool'),
      param('when', 'datetime'),
      param('day', 'date'),
      param('m', 'map'),
      param('a', 'array'),
    );
    const input = parseParamAssignments([
      'n=3',
      'f=2.5',
      'b=yes',
      'when=2024-06-01T12:00:00+02:00',
      'day=2024-06-01',
      'm={"k":"v"}',
      'a=[1,2]',
    ]);
    expect(parameterize(wf, input)).toEqual({
      params: { n: 3, f: 2.5, b: true, when: '2024-06-01T10:00:00Z', day: '2024-06-01', m: { k: 'v' }, a: [1, 2] },
      errors: [],
    });
  });

  it('never shows a secret value in errors', () => {
    const wf = workflow(param('pin', 'int', { secret: true }));
    const r = parameterize(wf, { pin: 'hunter2' });
    expect(r.errors[0]!.message).toBe('param "pin": expected int, got "***"');
    expect(r.errors[0]!.value).toBe('***');
    expect(JSON.stringify(r.errors[0]!.toDiagnostic())).not.toContain('hunter2');
  });

  it('hides the value of an unknown key that looks like a secret param', () => {
    const wf = workflow(param('token', 'str', { secret: true }));
    const r = parameterize(wf, { tokne: 's3cret' });
    expect(r.errors[0]!.value).toBe('***');
    expect(r.errors[0]!.message).not.toContain('s3cret');
  });

  it('does not take keys from the prototype chain', () => {
    const wf = workflow(param('toString', 'str', { required: false }));
    expect(parameterize(wf, {}).params).toEqual({ toString: null });
  });
});

describe('ParamError', () => {
  it('becomes a diagnostic without a location', () => {
    const e = new ParamError({ param: 'n', value: 'x', expected: 'int', code: 'WF7001', note: 'a note' });
    expect(e.name).toBe('ParamError');
    expect(e.toDiagnostic()).toEqual({
      code: 'WF7001',
      severity: 'error',
      message: 'param "n": expected int, got "x"',
      note: 'a note',
    });
  });
});

describe('parseParamAssignments', () => {
  it('splits at the first "=" and keeps the rest verbatim', () => {
    expect(parseParamAssignments(['a=1', 'b=x=y', 'c=', 'd= spaced '])).toEqual({ a: '1', b: 'x=y', c: '', d: ' spaced ' });
  });

  it('lets a later entry replace an earlier one', () => {
    expect(parseParamAssignments(['a=1', 'a=2'])).toEqual({ a: '2' });
  });

  it('keeps "__proto__" as an ordinary key', () => {
    const r = parseParamAssignments(['__proto__=x']);
    expect(Object.getPrototypeOf(r)).toBe(Object.prototype);
    expect(Object.keys(r)).toEqual(['__proto__']);
  });

  it('rejects an entry without "=" or without a name (WF7004)', () => {
    expect(() => parseParamAssignments(['novalue'])).toThrow('param "novalue": expected KEY=VALUE, got "novalue"');
    try {
      parseParamAssignments(['=1']);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ParamError);
      expect((e as ParamError).code).toBe('WF7004');
      expect((e as ParamError).note).toBe('the name before "=" is missing');
    }
  });
});

describe('redactParams', () => {
  it('replaces secret values with "***" and leaves the rest', () => {
    const wf = workflow(param('token', 'str', { secret: true }), param('user', 'str'), param('pin', 'int', { secret: true }));
    const params = { token: 'abc', user: 'me', pin: null, extra: 1 };
    expect(redactParams(wf, params)).toEqual({ token: '***', user: 'me', pin: null, extra: 1 });
    expect(params.token).toBe('abc');
  });
});
