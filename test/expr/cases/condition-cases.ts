/** Condition tables: forms, results, and failures with exact codes and spans. */
import type { ConditionForm, StatusFacts } from '../../../lib/expr/index.ts';

const FAILED: StatusFacts = { success: false, failure: true, cancelled: false };
const CANCELLED: StatusFacts = { success: false, failure: false, cancelled: true };

/** `parseCondition(cond).form`, with its problems as `CODE@offset+length`. */
export const FORM_CASES: { cond: boolean | string; form: ConditionForm; problems?: string[] }[] = [
  { cond: true, form: 'literal' },
  { cond: false, form: 'literal' },
  { cond: '${{ params.flag }}', form: 'template' },
  { cond: ' ${{ a == 1 }} ', form: 'template' },
  { cond: 'params.x == 1', form: 'bare' },
  { cond: 'always()', form: 'bare' },
  { cond: '"${{ params.name }}" == "foo"', form: 'mixed' },
  { cond: '${{ a }} == ${{ b }}', form: 'mixed' },
  { cond: "'${{ a }}' == 'x' && ${{ b }}", form: 'mixed' },
  { cond: '${{ a == }}', form: 'template', problems: ['WF3001@9+0'] },
  { cond: 'a ==', form: 'bare', problems: ['WF3001@4+0'] },
  { cond: '"${{ params.name }}" = "x"', form: 'mixed', problems: ['WF3004@21+1'] },
  { cond: '"${{ params.name }}" "x"', form: 'mixed', problems: ['WF3001@21+3'] },
  { cond: '"${{ params.name }}" == "x', form: 'mixed', problems: ['WF3003@24+2'] },
  { cond: '${{ a }} == ${{ b', form: 'mixed', problems: ['WF3002@12+5'] },
];

/** `evaluateCondition(cond, CTX with status)`. */
export const CONDITION_CASES: { cond: boolean | string; result: boolean; status?: StatusFacts }[] = [
  { cond: true, result: true },
  { cond: false, result: false },
  { cond: '${{ params.flag }}', result: true },
  { cond: '${{ params.off }}', result: false },
  { cond: '${{ params.count == 3 }}', result: true },
  { cond: "${{ needs.main-process.result == 'failure' }}", result: true },
  { cond: 'params.count > 5', result: false },
  { cond: "params.name == 'bob' && params.flag", result: true },
  { cond: 'True', result: true },
  { cond: 'always()', result: true, status: FAILED },
  { cond: '${{ failure() }}', result: true, status: FAILED },
  { cond: 'success()', result: false, status: FAILED },
  { cond: 'success()', result: true },
  { cond: 'cancelled()', result: true, status: CANCELLED },
  { cond: '"${{ params.name }}" == "bob"', result: true },
  { cond: "'${{ params.name }}' == 'alice'", result: false },
  { cond: '${{ params.flag }} == True', result: true },
  { cond: '${{ params.off }} == False', result: true },
  { cond: '${{ params.nothing }} == None', result: true },
  { cond: '${{ params.count }} > 2', result: true },
  { cond: '${{ params.neg }} < 0', result: true },
  { cond: '${{ params.count }}-1 == 2', result: true },
  { cond: '"${{ params.flag }}" == "True"', result: true },
  { cond: '"${{ params.count }}" == "3"', result: true },
  { cond: "${{ params.name }} == 'bob'", result: true },
  { cond: '"${{ params.evil }}" == "safe"', result: false },
  { cond: '${{ params.evil }} == "safe"', result: false },
  { cond: "'${{ params.quote }}' == \"it's\"", result: true },
  { cond: '"${{ params.quote }}" == "it\'s"', result: true },
  { cond: '"${{ matrix.os }}-${{ loop }}" == "linux-2"', result: true },
  { cond: '"${{ params.name }}" == params.name', result: true },
];

/** `evaluateCondition` failures: code and span, relative to the condition text. */
export const CONDITION_ERRORS: { cond: string; code: string; offset: number; length: number; message?: string; note?: string }[] = [
  { cond: '${{ params.name }}', code: 'WF4007', offset: 4, length: 11, message: 'gave the string "bob", not true or false' },
  { cond: 'params.count', code: 'WF4007', offset: 0, length: 12, message: 'gave the number 3' },
  { cond: "${{ 'true' }}", code: 'WF4007', offset: 4, length: 6, note: "== 'true'" },
  { cond: '${{ params.nothing }}', code: 'WF4007', offset: 4, length: 14, message: 'gave null' },
  { cond: '${{ params.list }} == 1', code: 'WF4006', offset: 4, length: 11, message: 'cannot stand in a condition outside quotes' },
  { cond: '${{ params.name }} < 3', code: 'WF4006', offset: 0, length: 22, message: 'cannot compare the string "bob" < the number 3' },
  { cond: '${{ params.nme }} == 1', code: 'WF4001', offset: 4, length: 10 },
  { cond: 'params.x ==', code: 'WF3001', offset: 11, length: 0 },
  { cond: '"${{ params.name }}" = "x"', code: 'WF3004', offset: 21, length: 1 },
  { cond: '', code: 'WF3001', offset: 0, length: 0 },
  { cond: '"${{ params.name"', code: 'WF3002', offset: 1, length: 16 },
  { cond: '"${{ params.name }}"', code: 'WF4007', offset: 0, length: 20, message: 'gave the string "bob"' },
];
