/** Template tables: splitting, whole-template detection, rendering in each mode. */
import type { RenderMode } from '../../../lib/expr/index.ts';

/** Parts as `text:"…"@offset` and `expr:"src"@offset+length`, problems as `CODE@offset+length`. */
export const SPLIT_CASES: { text: string; parts: string[]; problems?: string[] }[] = [
  { text: 'hello', parts: ['text:"hello"@0'] },
  { text: '', parts: [] },
  { text: '${{ a }}', parts: ['expr:" a "@0+8'] },
  { text: 'x ${{ a }} y', parts: ['text:"x "@0', 'expr:" a "@2+8', 'text:" y"@10'] },
  { text: '${{a}}${{b}}', parts: ['expr:"a"@0+6', 'expr:"b"@6+6'] },
  { text: "${{ '}}' }}", parts: ['expr:" \'}}\' "@0+11'] },
  { text: "${{ format('{0}}}', x) }}!", parts: ['expr:" format(\'{0}}}\', x) "@0+25', 'text:"!"@25'] },
  { text: 'echo ${{ a }}\necho ${{ b }}', parts: ['text:"echo "@0', 'expr:" a "@5+8', 'text:"\\necho "@13', 'expr:" b "@19+8'] },
  { text: '$ {{ not }} ${ { x } }', parts: ['text:"$ {{ not }} ${ { x } }"@0'] },
  { text: 'a ${{ b', parts: ['text:"a "@0', 'text:"${{ b"@2'], problems: ['WF3002@2+5'] },
  { text: '${{ }}', parts: ['expr:" "@0+6'], problems: ['WF3001@3+1'] },
  { text: '${{ a + }}', parts: ['expr:" a + "@0+10'], problems: ['WF3001@8+0'] },
  { text: "pre ${{ 'abc }}", parts: ['text:"pre "@0', 'expr:" \'abc "@4+11'], problems: ['WF3003@8+5'] },
  { text: '${{ a = 1 }} ${{ b. }}', parts: ['expr:" a = 1 "@0+12', 'text:" "@12', 'expr:" b. "@13+9'], problems: ['WF3004@6+1', 'WF3001@20+0'] },
];

/** `isTemplate` and `isWholeTemplate` of each text. */
export const WHOLE_CASES: { text: string; template: boolean; whole: boolean }[] = [
  { text: 'plain', template: false, whole: false },
  { text: '${{ a }}', template: true, whole: true },
  { text: '  ${{ a }}\n', template: true, whole: true },
  { text: 'x${{ a }}', template: true, whole: false },
  { text: '${{ a }}.', template: true, whole: false },
  { text: '${{ a }}${{ b }}', template: true, whole: false },
  { text: '${{ a }} ${{ b }}', template: true, whole: false },
  { text: '${{ a', template: true, whole: false },
  { text: "${{ '}}' }}", template: true, whole: true },
  { text: '${{ a }} }}', template: true, whole: false },
  { text: '${{ a +  }}', template: true, whole: true },
];

/** `renderTemplate(text, CTX, mode)`. */
export const RENDER_CASES: { text: string; mode?: RenderMode; result: unknown }[] = [
  { text: '${{ params.count }}', result: 3 },
  { text: ' ${{ params.list }} ', result: [1, 2, 3] },
  { text: '${{ params.map }}', result: { a: 1, b: 'two' } },
  { text: '${{ params.flag }}', result: true },
  { text: '${{ params.nothing }}', result: null },
  { text: '${{ params.name }}', result: 'bob' },
  { text: '${{ params.list }}', mode: 'python', result: [1, 2, 3] },
  { text: '${{ params.count }}', mode: 'bash', result: 3 },
  { text: 'no templates', result: 'no templates' },
  { text: 'n=${{ params.count }}', result: 'n=3' },
  { text: 'r=${{ params.ratio }}', result: 'r=0.5' },
  { text: 'l=${{ params.list }}', result: 'l=[1,2,3]' },
  { text: 'm=${{ params.map }}', result: 'm={"a":1,"b":"two"}' },
  { text: 'b=${{ params.flag }}', result: 'b=true' },
  { text: 'z=${{ params.nothing }}.', result: 'z=.' },
  { text: '${{ params.name }}-${{ params.count }}', result: 'bob-3' },
  { text: '${{ matrix.os }}/${{ loop }}', result: 'linux/2' },
  { text: 'Process ${{ item }}', result: 'Process x' },
  { text: 'flag = ${{ params.flag }}', mode: 'python', result: 'flag = True' },
  { text: 'x = ${{ params.nothing }}', mode: 'python', result: 'x = None' },
  { text: 'l = ${{ params.words }}', mode: 'python', result: "l = ['a', 'b']" },
  { text: 'm = ${{ params.map }}', mode: 'python', result: "m = {'a': 1, 'b': 'two'}" },
  { text: "s = '${{ params.name }}'", mode: 'python', result: "s = 'bob'" },
  { text: 'n = ${{ params.ratio }} + ${{ params.count }}', mode: 'python', result: 'n = 0.5 + 3' },
  { text: 'item = ${{ loop }} + 1', mode: 'python', result: 'item = 2 + 1' },
  { text: 'echo ${{ params.list }}', mode: 'bash', result: 'echo [1,2,3]' },
  { text: 'echo "${{ params.nothing }}"', mode: 'bash', result: 'echo ""' },
  { text: 'echo ${{ params.off }}', mode: 'bash', result: 'echo false' },
  { text: 'echo ${{ params.map }}', mode: 'bash', result: 'echo {"a":1,"b":"two"}' },
];

/** `toText(value, 'text')`, `toText(value, 'python')` and `toPythonLiteral(value)`. */
export const TEXT_CASES: { value: unknown; text: string; python: string; literal: string }[] = [
  { value: 'abc', text: 'abc', python: 'abc', literal: "'abc'" },
  { value: null, text: '', python: 'None', literal: 'None' },
  { value: true, text: 'true', python: 'True', literal: 'True' },
  { value: false, text: 'false', python: 'False', literal: 'False' },
  { value: 3, text: '3', python: '3', literal: '3' },
  { value: -0.25, text: '-0.25', python: '-0.25', literal: '-0.25' },
  { value: 1e-7, text: '1e-7', python: '1e-07', literal: '1e-07' },
  { value: [1, 'a', null], text: '[1,"a",null]', python: "[1, 'a', None]", literal: "[1, 'a', None]" },
  { value: { a: { b: [true] } }, text: '{"a":{"b":[true]}}', python: "{'a': {'b': [True]}}", literal: "{'a': {'b': [True]}}" },
  { value: [], text: '[]', python: '[]', literal: '[]' },
  { value: {}, text: '{}', python: '{}', literal: '{}' },
  { value: "it's", text: "it's", python: "it's", literal: '"it\'s"' },
  { value: 'say "hi" it\'s', text: 'say "hi" it\'s', python: 'say "hi" it\'s', literal: "'say \"hi\" it\\'s'" },
  { value: 'a\nb\\', text: 'a\nb\\', python: 'a\nb\\', literal: "'a\\nb\\\\'" },
  { value: '\u0001', text: '\u0001', python: '\u0001', literal: "'\\x01'" },
  { value: 'é €', text: 'é €', python: 'é €', literal: "'é €'" },
  { value: ['x', ["it's"]], text: '["x",["it\'s"]]', python: "['x', [\"it's\"]]", literal: "['x', [\"it's\"]]" },
];
