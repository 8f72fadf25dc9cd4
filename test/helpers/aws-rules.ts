/**
 * The findings of AWS's rules on one definition: AWS's ASL language service (the validator behind
 * the AWS Toolkit) and the compiler's own checks of the rules that service does not know.
 */
import { structuralProblems, type Machine } from '../../lib/compiler/index.ts';
import { aslServiceFindings } from './aws-asl-service.ts';

/** Every finding on the definition text `json`; empty when AWS would accept and run it as written. */
export async function scanMachine(json: string): Promise<string[]> {
  return [...(await aslServiceFindings(json)).map((f) => `ASL service: ${f}`), ...structuralProblems(JSON.parse(json) as Machine, json)];
}

type TemplateResources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** A stand-in for what a substitution resolves to at deploy time (a token in the template). */
function standIn(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (/TableName$/.test(key)) return 'stand-in-table';
  if (key === 'ResultsBucket') return 'stand-in-results-bucket';
  if (/Subnet|SecurityGroup/.test(key)) return `${key.toLowerCase()}-0123`;
  if (key === 'EcsAssignPublicIp') return 'DISABLED';
  return `arn:aws:states:us-east-1:123456789012:stateMachine:stand-in-${key}`;
}

/**
 * The findings of AWS's rules on every state machine of a synthesized CloudFormation template, as
 * CloudFormation would create it: the definition text is checked as written (our rules, AWS's
 * language service), then CloudFormation's DefinitionSubstitutions are applied the way it applies
 * them (every `${Key}` of the map, anywhere in the text) and the result must still be the same
 * definition but for the placeholders, and clean under AWS's language service.
 */
export async function scanTemplate(template: { Resources?: TemplateResources }): Promise<string[]> {
  const out: string[] = [];
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const text = r.Properties?.DefinitionString;
    if (typeof text !== 'string') {
      out.push(`${id}: DefinitionString is not plain text: ${JSON.stringify(text).slice(0, 200)}`);
      continue;
    }
    out.push(...(await scanMachine(text)).map((f) => `${id}: ${f}`));
    const subs = (r.Properties?.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
    const substituted = text.replace(/\$\{([^}]*)\}/g, (whole, key: string) => (key in subs ? standIn(key, subs[key]) : whole));
    for (const m of substituted.matchAll(/\$\{([^}]*)\}/g)) out.push(`${id}: \${${m[1]}} has no substitution and reaches Step Functions as written`);
    const before = JSON.parse(text) as unknown;
    const after = JSON.parse(substituted) as unknown;
    const compare = (a: unknown, b: unknown, at: string): void => {
      if (typeof a === 'string' && typeof b === 'string') {
        if (a !== b && !/^\$\{[A-Za-z0-9_]+\}$/.test(a)) out.push(`${id}: substitution changed user text at ${at}: ${JSON.stringify(a).slice(0, 120)}`);
        return;
      }
      if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
        const ka = Object.keys(a);
        if (ka.join('\u0000') !== Object.keys(b).join('\u0000')) out.push(`${id}: substitution changed keys at ${at}`);
        for (const k of ka) compare((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      }
    };
    compare(before, after, '$');
    out.push(...(await aslServiceFindings(substituted)).map((f) => `${id} (substituted): ASL service: ${f}`));
  }
  return out;
}
