/**
 * Deployment placeholders (`${StageRunnerFunctionArn}`): the compiler writes them as whole strings
 * in a few Task parameters, and CDK's DefinitionSubstitutions (or the local engine) fills them.
 * CloudFormation substitutes `${Key}` wherever it appears in the definition's text, so every other
 * `${` (a bash script's `${HOME}`, a name, a message) is written `\u0024{` in the text: the same
 * string once parsed, but out of CloudFormation's reach.
 */
import type { Machine, State } from './types.ts';
import { setOwn } from '../../expr/index.ts';

const PLACEHOLDER = /^(StageRunnerFunctionArn|PyRunnerFunctionArn|AuditTableName|ResultsBucket|EcsClusterArn|EcsSubnet|EcsSecurityGroup|EcsAssignPublicIp|StateMachine_\w+|TaskDefinition_\w+)$/;

/** Whether `name` is one of the placeholders the compiler writes. */
export function isPlaceholder(name: string): boolean {
  return PLACEHOLDER.test(name);
}

/** Task parameters that hold a deployment value; everything else in Parameters is the workflow's. */
const DEPLOYMENT_FIELDS = new Set(['FunctionName', 'StateMachineArn', 'TableName', 'Cluster', 'TaskDefinition', 'NetworkConfiguration']);

/** The placeholder names used by a definition's text. */
export function placeholdersOf(json: string): string[] {
  return [...new Set([...json.matchAll(/"\$\{([A-Za-z0-9_]+)\}"/g)].map((m) => m[1]!))].filter(isPlaceholder).sort();
}

/** A mark that `text` does not contain, to stand for an escaped `${` until the text is written. */
function markFor(text: string): string {
  for (let n = 0; ; n++) {
    const mark = `\u2063${n}\u2063`;
    if (!text.includes(mark)) return mark;
  }
}

function markUserText(v: unknown, mark: string): unknown {
  if (typeof v === 'string') return v.includes('${') ? v.replaceAll('${', `${mark}{`) : v;
  if (Array.isArray(v)) return v.map((x) => markUserText(x, mark));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) setOwn(out, k.includes('${') ? k.replaceAll('${', `${mark}{`) : k, markUserText(x, mark));
    return out;
  }
  return v;
}

function markMachine(m: Machine, mark: string): Machine {
  const states: Record<string, State> = {};
  for (const [name, st] of Object.entries(m.States)) {
    const copy = markUserText(st, mark) as State;
    if (st.Type === 'Task' && st.Parameters) {
      for (const k of DEPLOYMENT_FIELDS) if (k in st.Parameters) copy.Parameters![k] = st.Parameters[k];
    }
    if (st.ResultWriter?.Parameters && 'Bucket' in st.ResultWriter.Parameters) copy.ResultWriter!.Parameters!.Bucket = st.ResultWriter.Parameters.Bucket;
    if (st.Branches) copy.Branches = st.Branches.map((b) => markMachine(b, mark));
    if (st.ItemProcessor) copy.ItemProcessor = { ...(copy.ItemProcessor as object), ...markMachine(st.ItemProcessor, mark) } as State['ItemProcessor'];
    states[name.includes('${') ? name.replaceAll('${', `${mark}{`) : name] = copy;
  }
  return { ...(markUserText(m, mark) as Machine), States: states };
}

/**
 * The JSON text of a definition (indented by `indent`, compact without), with every `${` outside
 * the deployment placeholders written `\u0024{` (see the file comment).
 */
export function definitionText(m: Machine, indent?: number): string {
  const plain = JSON.stringify(m, null, indent);
  if (!plain.includes('${')) return plain;
  const mark = markFor(plain);
  const text = JSON.stringify(markMachine(m, mark), null, indent);
  return text.replaceAll(`${mark}{`, '\\u0024{');
}
