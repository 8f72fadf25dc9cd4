import { resolve } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { callFunction, checkCallArgs, clearRegistry, listFunctions, loadRegistryModules, lookupFunction, parseUses, tag } from '../../lib/runtime/index.ts';

const here = import.meta.dirname;

async function callError(uses: string, args: Record<string, unknown> = {}): Promise<Error> {
  try {
    await callFunction(uses, args);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${uses} did not fail`);
}

beforeEach(() => clearRegistry());

describe('parseUses', () => {
  it('splits registry, function and tag, the tag defaulting to latest', () => {
    expect(parseUses('tasks/greet@v1')).toEqual({ registry: 'tasks', alias: 'greet', tag: 'v1' });
    expect(parseUses('tasks/greet')).toEqual({ registry: 'tasks', alias: 'greet', tag: 'latest' });
    expect(parseUses('greet@v1')).toBeUndefined();
    expect(parseUses('a/b/c@v1')).toBeUndefined();
  });
});

describe('tag and callFunction', () => {
  it('registers a function under registry/alias@tag (default tag latest) and calls it', async () => {
    const fn = tag('math', { alias: 'add' }, (args: Record<string, unknown>) => ({ sum: Number(args.a) + Number(args.b) }));
    expect(typeof fn).toBe('function');
    expect(listFunctions()).toEqual(['math/add@latest']);
    expect(await callFunction('math/add@latest', { a: 1, b: 2 })).toEqual({ sum: 3 });
    expect(await callFunction('math/add', { a: 1, b: 2 })).toEqual({ sum: 3 });
  });

  it('awaits async functions and makes outputs JSON', async () => {
    tag('t', { alias: 'later' }, async () => ({ at: new Date('2024-01-01T00:00:00Z'), n: 1, skip: undefined }));
    expect(await callFunction('t/later@latest', {})).toEqual({ at: '2024-01-01T00:00:00.000Z', n: 1 });
  });

  it('keeps tags apart, the last registration of a tag winning', async () => {
    tag('t', { alias: 'f', tag: 'v1' }, () => ({ v: 1 }));
    tag('t', { alias: 'f', tag: 'v2' }, () => ({ v: 2 }));
    tag('t', { alias: 'f', tag: 'v2' }, () => ({ v: 'two' }));
    expect(await callFunction('t/f@v1', {})).toEqual({ v: 1 });
    expect(await callFunction('t/f@v2', {})).toEqual({ v: 'two' });
  });

  it('refuses names with / or @', () => {
    expect(() => tag('a/b', { alias: 'f' }, () => ({}))).toThrow(/registry "a\/b" must be a non-empty name/);
    expect(() => tag('a', { alias: 'f@x' }, () => ({}))).toThrow(/alias "f@x"/);
  });

  it('passes arguments parsed by the schema (defaults applied)', async () => {
    tag('t', { alias: 'greet', schema: z.object({ who: z.string(), times: z.number().default(2) }) }, ({ who, times }) => ({
      text: `${who}x${times}`,
    }));
    expect(await callFunction('t/greet@latest', { who: 'ann' })).toEqual({ text: 'annx2' });
  });

  it('a function returning nothing has no outputs', async () => {
    tag('t', { alias: 'void' }, () => undefined);
    expect(await callFunction('t/void@latest', {})).toEqual({});
  });
});

describe('lookup errors', () => {
  beforeEach(() => {
    tag('tasks', { alias: 'process_csv' }, () => ({}));
    tag('tasks', { alias: 'send_mail', tag: 'v1' }, () => ({}));
    tag('tasks', { alias: 'send_mail', tag: 'v2' }, () => ({}));
    tag('notify', { alias: 'slack' }, () => ({}));
  });

  it('an unknown registry lists the registries, with a did-you-mean', () => {
    expect(lookupFunction('taks/process_csv@latest')).toEqual({
      ok: false,
      message: 'unknown registry "taks" in uses "taks/process_csv@latest"',
      note: 'registered registries are "notify", "tasks"; did you mean "tasks"?',
    });
  });

  it('an unknown function lists the registry\'s functions, with a did-you-mean', () => {
    expect(lookupFunction('tasks/proces_csv@latest')).toEqual({
      ok: false,
      message: 'registry "tasks" has no function "proces_csv" (uses "tasks/proces_csv@latest")',
      note: 'its functions are "process_csv", "send_mail"; did you mean "process_csv"?',
    });
  });

  it('an unknown tag lists the tags', () => {
    expect(lookupFunction('tasks/send_mail@v3')).toEqual({
      ok: false,
      message: 'function "tasks/send_mail" has no tag "v3" (uses "tasks/send_mail@v3")',
      note: 'its tags are "v1", "v2"; did you mean "v1"?',
    });
    expect(lookupFunction('tasks/send_mail')).toMatchObject({ ok: false, note: 'its tags are "v1", "v2"' });
  });

  it('a malformed uses says the expected form', () => {
    expect(lookupFunction('just-a-name')).toMatchObject({ ok: false, message: 'uses "just-a-name" is not of the form <registry>/<function>@<tag>' });
  });

  it('with nothing registered, says how to load a registry module', () => {
    clearRegistry();
    expect(lookupFunction('tasks/x@latest')).toMatchObject({ ok: false, note: expect.stringContaining('--registry PATH') });
  });

  it('callFunction throws a RegistryError with the message and the note', async () => {
    const err = await callError('tasks/proces_csv@latest');
    expect(err.name).toBe('RegistryError');
    expect(err.message).toBe(
      'registry "tasks" has no function "proces_csv" (uses "tasks/proces_csv@latest"); its functions are "process_csv", "send_mail"; did you mean "process_csv"?',
    );
  });

  it('finds a registered function', () => {
    const found = lookupFunction('notify/slack@latest');
    expect(found.ok && `${found.entry.registry}/${found.entry.alias}@${found.entry.tag}`).toBe('notify/slack@latest');
  });
});

describe('argument validation', () => {
  const schema = z.object({
    path: z.string(),
    limit: z.number().int(),
    mode: z.enum(['fast', 'safe']),
    meta: z.object({ owner: z.string() }),
  });

  beforeEach(() => {
    tag('io', { alias: 'copy', schema }, () => ({ copied: true }));
  });

  it('lists each bad argument with its path, what was expected and what was received', async () => {
    const err = await callError('io/copy@latest', { limit: 'ten', mode: 'slow', meta: { owner: 5 }, extra: 1 });
    expect(err.name).toBe('ArgumentError');
    expect(err.message).toBe(
      [
        'arguments do not match io/copy@latest:',
        '  - extra: expected no such argument (the function takes "path", "limit", "mode", "meta"), received 1 (number)',
        '  - path: expected string, received nothing (missing)',
        '  - limit: expected number, received "ten" (string)',
        '  - mode: expected one of "fast", "safe", received "slow" (string)',
        '  - meta.owner: expected string, received 5 (number)',
      ].join('\n'),
    );
  });

  it('does not call the function when arguments are bad', async () => {
    let called = false;
    tag('io', { alias: 'spy', schema: z.object({ n: z.number() }) }, () => {
      called = true;
      return {};
    });
    await callError('io/spy@latest', { n: 'x' });
    expect(called).toBe(false);
  });

  it('a loose object schema accepts undeclared arguments', () => {
    expect(checkCallArgs(z.looseObject({ a: z.number() }), { a: 1, b: 2 })).toEqual({ ok: true, args: { a: 1, b: 2 } });
  });

  it('no schema: arguments pass as they are', () => {
    expect(checkCallArgs(undefined, { anything: [1] })).toEqual({ ok: true, args: { anything: [1] } });
  });
});

describe('what a function returns or throws', () => {
  it('a non-object return is an OutputError', async () => {
    tag('t', { alias: 'str' }, () => 'done');
    tag('t', { alias: 'list' }, () => [1, 2]);
    tag('t', { alias: 'nul' }, () => null);
    tag('t', { alias: 'map' }, () => new Map());
    for (const [alias, kind] of [['str', 'a string'], ['list', 'a list'], ['nul', 'null'], ['map', 'an instance of Map']]) {
      const err = await callError(`t/${alias}@latest`);
      expect(err.name).toBe('OutputError');
      expect(err.message).toBe(`t/${alias}@latest must return an object (a dict of outputs), but returned ${kind}`);
    }
  });

  it('outputs JSON cannot hold are an OutputError', async () => {
    tag('t', { alias: 'big' }, () => ({ n: 10n }));
    const err = await callError('t/big@latest');
    expect(err.name).toBe('OutputError');
    expect(err.message).toMatch(/^t\/big@latest returned outputs that are not JSON: .*BigInt/);
  });

  it('a thrown Error keeps its name and message', async () => {
    tag('t', { alias: 'type' }, () => {
      throw new TypeError('bad input');
    });
    const err = await callError('t/type@latest');
    expect([err.name, err.message]).toEqual(['TypeError', 't/type@latest failed: bad input']);
  });

  it('a thrown string, number or object is reported with its text', async () => {
    tag('t', { alias: 's' }, () => {
      throw 'plain string';
    });
    tag('t', { alias: 'n' }, async () => {
      throw 42;
    });
    tag('t', { alias: 'o' }, () => {
      throw { code: 'E_FAIL', detail: 'x' };
    });
    expect((await callError('t/s@latest')).message).toBe('t/s@latest failed: threw "plain string"');
    expect((await callError('t/n@latest')).message).toBe('t/n@latest failed: threw 42');
    expect((await callError('t/o@latest')).message).toBe('t/o@latest failed: threw {"code":"E_FAIL","detail":"x"}');
  });
});

describe('loadRegistryModules', () => {
  it('imports TypeScript modules (comma-separated, relative to cwd) whose tag() calls register functions', async () => {
    const loaded = await loadRegistryModules(['fixtures/registry-tasks.ts, fixtures/registry-more.ts', ''], { cwd: here });
    expect(loaded).toEqual([resolve(here, 'fixtures/registry-tasks.ts'), resolve(here, 'fixtures/registry-more.ts')]);
    expect(listFunctions()).toEqual(['more/twice@latest', 'tasks/greet@latest', 'tasks/greet@v2']);
    expect(await callFunction('tasks/greet@latest', { who: 'ann', times: 2 })).toEqual({ message: 'hello ann hello ann' });
    expect(await callFunction('tasks/greet@v2', { who: 'bo' })).toEqual({ message: 'hi bo' });
    expect(await callFunction('more/twice@latest', { n: 4 })).toEqual({ value: 8 });
  });

  it('registers into one process-global registry, shared by copies of the module', async () => {
    // Modules are cached after the first import, so register again explicitly for this test.
    const second = new URL('../../lib/runtime/tag.ts?copy=test', import.meta.url).href;
    const copy = (await import(/* @vite-ignore */ second)) as typeof import('../../lib/runtime/tag.ts');
    expect(copy.tag).not.toBe(tag);
    copy.tag('copies', { alias: 'echo' }, (args: Record<string, unknown>) => ({ ...args }));
    expect(await callFunction('copies/echo@latest', { a: 1 })).toEqual({ a: 1 });
  });

  it('a missing file is a clear RegistryError', async () => {
    await expect(loadRegistryModules(['nope/missing.ts'], { cwd: here })).rejects.toMatchObject({
      name: 'RegistryError',
      message: `registry module "nope/missing.ts" not found (looked for ${resolve(here, 'nope/missing.ts')})`,
    });
  });

  it('a module that throws while loading names the module and the error', async () => {
    await expect(loadRegistryModules(['fixtures/registry-broken.ts'], { cwd: here })).rejects.toMatchObject({
      name: 'RegistryError',
      message: 'registry module "fixtures/registry-broken.ts" failed to load: cannot connect to the database at import time',
    });
  });
});
