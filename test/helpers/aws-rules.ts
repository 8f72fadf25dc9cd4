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
