/** Which command modules a command line loads: the one it names, none for the version, all for help. */
import { describe, expect, it } from 'vitest';
import { commandLoaders, commandsFor } from '../../lib/cli/index.ts';

describe('commandsFor', () => {
  it('loads only the command the arguments name', async () => {
    expect((await commandsFor(['validate', '--conf', 'x'])).map((c) => c.name)).toEqual(['validate']);
    expect((await commandsFor(['run', 'hello'])).map((c) => c.name)).toEqual(['run']);
  });

  it('loads none for the version, and every one for help or an unknown name', async () => {
    expect(await commandsFor(['--version'])).toEqual([]);
    const all = ['init', 'validate', 'compile', 'graph', 'run', 'release', 'schedule', 'rerun', 'audit', 'logs', 'start', 'status', 'stop', 'signal', 'redrive', 'list', 'serve', 'schema', 's3'];
    expect((await commandsFor([])).map((c) => c.name)).toEqual(all);
    expect((await commandsFor(['--help'])).map((c) => c.name)).toEqual(all);
    expect((await commandsFor(['valdate'])).map((c) => c.name)).toEqual(all);
  });

  it('names each loader after its command', async () => {
    for (const [name, load] of commandLoaders) expect((await load()).name).toBe(name);
  });
});
