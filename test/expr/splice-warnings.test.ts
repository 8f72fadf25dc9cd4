import { describe, expect, it } from 'vitest';
import { spliceWarnings } from '../../lib/expr/index.ts';

const SPLICE_CASES: { text: string; warnings: string[] }[] = [
  { text: 'echo ${{ params.who }}', warnings: ['5+17 WHO'] },
  { text: 'echo "${{ item }}"', warnings: ['6+11 ITEM'] },
  { text: 'echo ${{ matrix.os }}-${{ matrix.arch }}', warnings: [] },
  { text: 'echo ${{ needs.build.outputs.tag }}', warnings: ['5+30 TAG'] },
  { text: "echo ${{ format('{0}', params.name) }}", warnings: ['5+33 NAME'] },
  { text: "echo ${{ params['my-key'] }}", warnings: ['5+23 MY_KEY'] },
  { text: "echo ${{ params.name || 'x' }}", warnings: ['5+25 NAME'] },
  { text: 'echo ${{ params.n | int }}', warnings: [] },
  { text: 'echo ${{ run.id }}', warnings: [] },
  { text: 'echo ${{ needs.build.result }}', warnings: [] },
  { text: 'echo ${{ length(params.list) }}', warnings: [] },
  { text: "echo ${{ params.a == 'x' }}", warnings: [] },
  { text: 'echo ${{ loop }} $WHO', warnings: [] },
  { text: 'echo plain', warnings: [] },
];

describe('spliceWarnings', () => {
  it.each(SPLICE_CASES)('$text', ({ text, warnings }) => {
    const found = spliceWarnings(text);
    expect(found.every((w) => w.code === 'WF4008')).toBe(true);
    expect(found.map((w) => `${w.offset}+${w.length} ${/env: (\w+):/.exec(w.note ?? '')?.[1]}`)).toEqual(warnings);
  });

  it('suggests the env rewrite in the note', () => {
    const [w] = spliceWarnings('echo "hello ${{ params.who }}"');
    expect(w!.message).toBe('${{ params.who }} splices params.who into shell code');
    expect(w!.note).toContain('env: WHO: ${{ params.who }} and use "$WHO" in the script');
  });
});
