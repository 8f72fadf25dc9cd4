/** Static-check tables: templates and conditions against a scope, problems as `CODE@offset+length`. */

/** A scope written as lists (turned into sets by the test). */
export interface ScopeSpec {
  roots: string[];
  needs?: string[];
  jobs?: string[];
  stageIds?: string[];
  params?: string[];
}

const WORKFLOW: ScopeSpec = { roots: ['params', 'release', 'run', 'env'], params: ['name', 'count'] };
const JOB: ScopeSpec = { roots: ['params', 'release', 'run', 'env', 'needs', 'jobs', 'stages'], needs: ['build'], jobs: ['build', 'deploy'], stageIds: ['compile'] };

/** One check case: `kind` says which checker runs (`template` by default). */
export interface CheckCase {
  text: string;
  kind?: 'template' | 'condition';
  scope: ScopeSpec;
  problems: string[];
  /** A substring of the first problem's note. */
  note?: string;
  /** A substring of the first problem's message. */
  message?: string;
}

export const CHECK_CASES: CheckCase[] = [
  { text: '${{ params.name }}', scope: WORKFLOW, problems: [] },
  { text: 'no templates', scope: WORKFLOW, problems: [] },
  { text: '${{ params.nme }}', scope: WORKFLOW, problems: ['WF4001@4+10'], note: 'did you mean "name"?' },
  { text: "${{ params['nme'] }}", scope: WORKFLOW, problems: ['WF4001@4+13'] },
  { text: '${{ params.nme? }}', scope: WORKFLOW, problems: [] },
  { text: '${{ params.anything }}', scope: { roots: ['params'] }, problems: [] },
  { text: '${{ params }}', scope: WORKFLOW, problems: [] },
  { text: '${{ matrix.os }}', scope: WORKFLOW, problems: ['WF4005@4+6'], note: 'strategy.matrix' },
  { text: '${{ item }}', scope: WORKFLOW, problems: ['WF4005@4+4'], note: 'foreach or until' },
  { text: '${{ loop }}', scope: WORKFLOW, problems: ['WF4005@4+4'], note: 'foreach or until' },
  { text: '${{ branch }}', scope: WORKFLOW, problems: ['WF4005@4+6'], note: 'parallel' },
  { text: '${{ case }}', scope: WORKFLOW, problems: ['WF4005@4+4'], note: 'case stage' },
  { text: '${{ retry }}', scope: WORKFLOW, problems: ['WF4005@4+5'] },
  { text: '${{ needs.build.result }}', scope: WORKFLOW, problems: ['WF4005@4+5'], note: 'needs' },
  { text: '${{ parms.x }}', scope: WORKFLOW, problems: ['WF4001@4+5'], note: 'did you mean "params"?' },
  { text: '${{ foo }}', scope: WORKFLOW, problems: ['WF4001@4+3'], note: 'names available here are "env", "params", "release", "run"' },
  { text: '${{ run-1 }}', scope: WORKFLOW, problems: ['WF4001@4+5'], note: 'run - 1' },
  { text: '${{ needs.build.result }}', scope: JOB, problems: [] },
  { text: '${{ needs.deploy.result }}', scope: JOB, problems: ['WF4005@4+12'], message: 'job "deploy" is not in this job\'s needs' },
  { text: "${{ needs['deploy'].result }}", scope: JOB, problems: ['WF4005@4+15'] },
  { text: '${{ needs.biuld.outputs.x }}', scope: JOB, problems: ['WF4005@4+11'], note: 'did you mean "build"?' },
  { text: '${{ jobs.deploy.status }}', scope: JOB, problems: [] },
  { text: '${{ jobs.x.status }}', scope: JOB, problems: ['WF4001@4+6'] },
  { text: '${{ stages.compile.outputs.stdout }}', scope: JOB, problems: [] },
  { text: '${{ stages.compil.outputs }}', scope: JOB, problems: ['WF4001@4+13'], note: 'did you mean "compile"?' },
  { text: '${{ contains(params.name) }}', scope: WORKFLOW, problems: ['WF4004@4+21'] },
  { text: '${{ toJSON(params) }}', scope: WORKFLOW, problems: [] },
  { text: '${{ tojsn(params) }}', scope: WORKFLOW, problems: ['WF4002@4+5'], note: 'did you mean "toJson"?' },
  { text: '${{ str(params.name) }}', scope: WORKFLOW, problems: ['WF4002@4+3'], note: 'is a filter' },
  { text: '${{ params.name | uper }}', scope: WORKFLOW, problems: ['WF4003@18+4'], note: 'did you mean "upper"?' },
  { text: '${{ params.name | length }}', scope: WORKFLOW, problems: ['WF4003@18+6'], note: 'is a function' },
  { text: '${{ params.name | getitem() }}', scope: WORKFLOW, problems: ['WF4004@18+9'] },
  { text: '${{ params.name | fmt(1, 2) }}', scope: WORKFLOW, problems: ['WF4004@18+9'] },
  { text: '${{ parms }} ${{ nope() }}', scope: WORKFLOW, problems: ['WF4001@4+5', 'WF4002@17+4'] },
  { text: '${{ nope(parms) }}', scope: WORKFLOW, problems: ['WF4002@4+4', 'WF4001@9+5'] },
  { text: '${{ a + }}', scope: WORKFLOW, problems: ['WF3001@8+0'] },
  { text: 'x ${{ params.name', scope: WORKFLOW, problems: ['WF3002@2+15'] },
  { text: 'params.nme == 1', kind: 'condition', scope: WORKFLOW, problems: ['WF4001@0+10'] },
  { text: "\"${{ params.nme }}\" == 'a'", kind: 'condition', scope: WORKFLOW, problems: ['WF4001@5+10'] },
  { text: '${{ matrix.x }}', kind: 'condition', scope: WORKFLOW, problems: ['WF4005@4+6'] },
  { text: 'item >= 3', kind: 'condition', scope: { roots: ['item'] }, problems: [] },
  { text: '"${{ params.name }}" = "x"', kind: 'condition', scope: WORKFLOW, problems: ['WF3004@21+1'] },
  { text: 'success() && params.count > 1', kind: 'condition', scope: WORKFLOW, problems: [] },
];
