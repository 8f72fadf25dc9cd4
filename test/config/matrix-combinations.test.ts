import { describe, expect, it } from 'vitest';
import { checkMatrixKeys, matrixCombinations } from '../../lib/config/matrix-combinations.ts';

type Row = {
  name: string;
  matrix: Record<string, unknown[]>;
  include?: Record<string, unknown>[];
  exclude?: Record<string, unknown>[];
  expected: Array<{ key: string; matrix: Record<string, unknown> }>;
};

const rows: Row[] = [
  {
    name: 'product order: the first declared axis varies slowest (GitHub docs version/os example)',
    matrix: { version: [10, 12, 14], os: ['ubuntu-latest', 'windows-latest'] },
    expected: [
      { key: 'version-10_os-ubuntu-latest', matrix: { version: 10, os: 'ubuntu-latest' } },
      { key: 'version-10_os-windows-latest', matrix: { version: 10, os: 'windows-latest' } },
      { key: 'version-12_os-ubuntu-latest', matrix: { version: 12, os: 'ubuntu-latest' } },
      { key: 'version-12_os-windows-latest', matrix: { version: 12, os: 'windows-latest' } },
      { key: 'version-14_os-ubuntu-latest', matrix: { version: 14, os: 'ubuntu-latest' } },
      { key: 'version-14_os-windows-latest', matrix: { version: 14, os: 'windows-latest' } },
    ],
  },
  {
    name: 'GitHub docs fruit/animal include example, in order and with key order',
    matrix: { fruit: ['apple', 'pear'], animal: ['cat', 'dog'] },
    include: [
      { color: 'green' },
      { color: 'pink', animal: 'cat' },
      { fruit: 'apple', shape: 'circle' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ],
    expected: [
      { key: 'fruit-apple_animal-cat_color-pink_shape-circle', matrix: { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' } },
      { key: 'fruit-apple_animal-dog_color-green_shape-circle', matrix: { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' } },
      { key: 'fruit-pear_animal-cat_color-pink', matrix: { fruit: 'pear', animal: 'cat', color: 'pink' } },
      { key: 'fruit-pear_animal-dog_color-green', matrix: { fruit: 'pear', animal: 'dog', color: 'green' } },
      { key: 'fruit-banana', matrix: { fruit: 'banana' } },
      { key: 'fruit-banana_animal-cat', matrix: { fruit: 'banana', animal: 'cat' } },
    ],
  },
  {
    name: 'GitHub docs exclude example: partial matches remove 3 of 12',
    matrix: { os: ['macos-latest', 'windows-latest'], version: [12, 14, 16], environment: ['staging', 'production'] },
    exclude: [
      { os: 'macos-latest', version: 12, environment: 'production' },
      { os: 'windows-latest', version: 16 },
    ],
    expected: [
      { key: 'os-macos-latest_version-12_environment-staging', matrix: { os: 'macos-latest', version: 12, environment: 'staging' } },
      { key: 'os-macos-latest_version-14_environment-staging', matrix: { os: 'macos-latest', version: 14, environment: 'staging' } },
      { key: 'os-macos-latest_version-14_environment-production', matrix: { os: 'macos-latest', version: 14, environment: 'production' } },
      { key: 'os-macos-latest_version-16_environment-staging', matrix: { os: 'macos-latest', version: 16, environment: 'staging' } },
      { key: 'os-macos-latest_version-16_environment-production', matrix: { os: 'macos-latest', version: 16, environment: 'production' } },
      { key: 'os-windows-latest_version-12_environment-staging', matrix: { os: 'windows-latest', version: 12, environment: 'staging' } },
      { key: 'os-windows-latest_version-12_environment-production', matrix: { os: 'windows-latest', version: 12, environment: 'production' } },
      { key: 'os-windows-latest_version-14_environment-staging', matrix: { os: 'windows-latest', version: 14, environment: 'staging' } },
      { key: 'os-windows-latest_version-14_environment-production', matrix: { os: 'windows-latest', version: 14, environment: 'production' } },
    ],
  },
  {
    name: 'GitHub docs os/node example: include adds npm to the one matching combination',
    matrix: { os: ['windows-latest', 'ubuntu-latest'], node: [14, 16] },
    include: [{ os: 'windows-latest', node: 16, npm: 6 }],
    expected: [
      { key: 'os-windows-latest_node-14', matrix: { os: 'windows-latest', node: 14 } },
      { key: 'os-windows-latest_node-16_npm-6', matrix: { os: 'windows-latest', node: 16, npm: 6 } },
      { key: 'os-ubuntu-latest_node-14', matrix: { os: 'ubuntu-latest', node: 14 } },
      { key: 'os-ubuntu-latest_node-16', matrix: { os: 'ubuntu-latest', node: 16 } },
    ],
  },
  {
    name: 'GitHub docs: an include with an axis value outside the product adds a combination',
    matrix: { os: ['windows-latest', 'ubuntu-latest'], version: [10, 12] },
    include: [{ os: 'windows-latest', version: 17 }],
    expected: [
      { key: 'os-windows-latest_version-10', matrix: { os: 'windows-latest', version: 10 } },
      { key: 'os-windows-latest_version-12', matrix: { os: 'windows-latest', version: 12 } },
      { key: 'os-ubuntu-latest_version-10', matrix: { os: 'ubuntu-latest', version: 10 } },
      { key: 'os-ubuntu-latest_version-12', matrix: { os: 'ubuntu-latest', version: 12 } },
      { key: 'os-windows-latest_version-17', matrix: { os: 'windows-latest', version: 17 } },
    ],
  },
  {
    name: 'excludes apply before includes, so an include can add an excluded combination back',
    matrix: { os: ['linux', 'windows'], node: [18, 20] },
    exclude: [{ os: 'windows' }],
    include: [{ os: 'windows', node: 20, experimental: true }],
    expected: [
      { key: 'os-linux_node-18', matrix: { os: 'linux', node: 18 } },
      { key: 'os-linux_node-20', matrix: { os: 'linux', node: 20 } },
      { key: 'os-windows_node-20_experimental-true', matrix: { os: 'windows', node: 20, experimental: true } },
    ],
  },
  {
    name: 'GitHub docs include-only example: one combination per entry',
    matrix: {},
    include: [
      { site: 'production', datacenter: 'site-a' },
      { site: 'staging', datacenter: 'site-b' },
    ],
    expected: [
      { key: 'site-production_datacenter-site-a', matrix: { site: 'production', datacenter: 'site-a' } },
      { key: 'site-staging_datacenter-site-b', matrix: { site: 'staging', datacenter: 'site-b' } },
    ],
  },
  {
    name: 'object values: excluded and included by deep comparison, keyed by compact JSON',
    matrix: { target: [{ arch: 'x64', os: 'linux' }, { arch: 'arm64', os: 'linux' }], mode: ['fast'] },
    exclude: [{ target: { os: 'linux', arch: 'arm64' } }],
    include: [
      { target: { os: 'linux', arch: 'x64' }, flags: ['-O2', '-g'] },
      { target: { arch: 'arm64', os: 'linux' }, mode: 'fast' },
    ],
    expected: [
      {
        key: 'target---arch---x64---os---linux--_mode-fast_flags----O2----g--',
        matrix: { target: { arch: 'x64', os: 'linux' }, mode: 'fast', flags: ['-O2', '-g'] },
      },
      { key: 'target---arch---arm64---os---linux--_mode-fast', matrix: { target: { arch: 'arm64', os: 'linux' }, mode: 'fast' } },
    ],
  },
  {
    name: 'an include-created combination lists axes in declared order, then its own keys',
    matrix: { a: [1], b: [2] },
    include: [{ extra: 'x', b: 3, a: 1 }],
    expected: [
      { key: 'a-1_b-2', matrix: { a: 1, b: 2 } },
      { key: 'a-1_b-3_extra-x', matrix: { a: 1, b: 3, extra: 'x' } },
    ],
  },
  {
    name: 'values that render alike get -2, -3 suffixes; null, booleans and odd characters render safely',
    matrix: { v: ['a b', 'a/b', 'a-b', null, true, 'null'] },
    expected: [
      { key: 'v-a-b', matrix: { v: 'a b' } },
      { key: 'v-a-b-2', matrix: { v: 'a/b' } },
      { key: 'v-a-b-3', matrix: { v: 'a-b' } },
      { key: 'v-null', matrix: { v: null } },
      { key: 'v-true', matrix: { v: true } },
      { key: 'v-null-2', matrix: { v: 'null' } },
    ],
  },
  {
    name: 'numbers and numeric strings are different values',
    matrix: { v: [18, '18'] },
    include: [{ v: '18', label: 'string' }],
    expected: [
      { key: 'v-18', matrix: { v: 18 } },
      { key: 'v-18_label-string', matrix: { v: '18', label: 'string' } },
    ],
  },
  {
    name: 'an exclude naming a key that is not an axis matches nothing',
    matrix: { v: [1, 2] },
    exclude: [{ w: 1 }],
    expected: [
      { key: 'v-1', matrix: { v: 1 } },
      { key: 'v-2', matrix: { v: 2 } },
    ],
  },
  {
    name: 'an empty axis leaves only include-created combinations',
    matrix: { v: [] },
    include: [{ v: 1 }, {}],
    expected: [
      { key: 'v-1', matrix: { v: 1 } },
      { key: 'default', matrix: {} },
    ],
  },
  {
    name: 'no axes and no include: no combination',
    matrix: {},
    expected: [],
  },
];

describe('matrixCombinations', () => {
  it.each(rows)('$name', ({ matrix, include = [], exclude = [], expected }) => {
    const result = matrixCombinations(matrix, include, exclude);
    expect(result).toEqual(expected);
    expect(result.map((c) => Object.keys(c.matrix))).toEqual(expected.map((c) => Object.keys(c.matrix)));
  });

  it('does not modify its inputs', () => {
    const matrix = { fruit: ['apple', 'pear'], animal: ['cat', 'dog'] };
    const include = [{ color: 'green' }, { fruit: 'banana' }];
    const exclude = [{ fruit: 'pear', animal: 'dog' }];
    const before = JSON.stringify({ matrix, include, exclude });
    matrixCombinations(matrix, include, exclude);
    expect(JSON.stringify({ matrix, include, exclude })).toBe(before);
  });

  it('keeps a __proto__ key as an ordinary entry', () => {
    const include = [JSON.parse('{"__proto__": "x", "a": 1}') as Record<string, unknown>];
    const [only] = matrixCombinations({}, include, []);
    expect(Object.keys(only!.matrix)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(only!.matrix)).toBe(Object.prototype);
  });
});

describe('checkMatrixKeys', () => {
  it('accepts exclude keys that are axes and include keys that are new', () => {
    expect(
      checkMatrixKeys({ os: ['a', 'b'], node: [1] }, [{ os: 'c', npm: 6 }], [{ os: 'a' }, { os: 'b', node: 1 }]),
    ).toEqual([]);
  });

  it('keys values of any text by the documented rule: letters of any script kept, the rest as -, at most 100 characters, -N on a collision', () => {
    const long = 'x'.repeat(150);
    const keys = matrixCombinations({ v: ['3.11', '日本語', 'a b', 'a-b', long, `${long}y`, '$[*]'] }).map((c) => c.key);
    expect(keys).toEqual(['v-3.11', 'v-日本語', 'v-a-b', 'v-a-b-2', `v-${'x'.repeat(98)}`, `v-${'x'.repeat(98)}-2`, 'v-----']);
  });

  it('reports each exclude key that is not an axis, naming the axes', () => {
    expect(checkMatrixKeys({ os: ['a'], node: [1] }, [], [{ os: 'a', plaform: 'x' }, { nod: 1 }])).toEqual([
      'exclude entry 1 has key "plaform", which is not a matrix axis; exclude keys must be axes (the axes are "os", "node")',
      'exclude entry 2 has key "nod", which is not a matrix axis; exclude keys must be axes (the axes are "os", "node")',
    ]);
  });

  it('reports empty axes, empty exclude entries and a matrix with nothing in it', () => {
    expect(checkMatrixKeys({ os: [] }, [], [{}])).toEqual([
      'matrix axis "os" has no values; give it at least one value or remove it',
      'exclude entry 1 is empty, so it would remove every combination; name the axis values to exclude',
    ]);
    expect(checkMatrixKeys({}, [], [{ os: 'a' }])).toEqual([
      'exclude entry 1 has key "os", which is not a matrix axis; exclude keys must be axes (the matrix has no axes)',
      'the matrix has no axes and no include entries, so it yields no combination; add an axis or an include entry',
    ]);
  });
});
