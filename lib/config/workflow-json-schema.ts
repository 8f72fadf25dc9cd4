import { z } from 'zod';
import { ID_PATTERN, workflowSchema } from './dialect-schemas.ts';

/**
 * JSON Schema (draft 2020-12) of a config file: a map of workflow name to workflow, or one workflow
 * named by its top-level `name`, generated from
 * the same zod schemas the loader validates with. Editors can use it for completion; the loader
 * stays the authority (it also checks what a schema cannot say: kinds, ids, graphs, expressions).
 */
export function workflowJsonSchema(): Record<string, unknown> {
  const keyed = z.record(z.string(), workflowSchema).describe('workflow name → workflow (keys without type: Workflow are ignored by the loader)');
  const topLevel = workflowSchema.extend({ name: z.string().regex(ID_PATTERN).describe('the workflow\'s name: letters, digits, "_" and "-"') }).describe('one workflow at the top of the file, named by its "name"');
  const file = z.union([keyed, topLevel]).meta({ title: 'sfn-workflow config file', description: 'workflows by name, or one workflow named by its top-level "name"' });
  return z.toJSONSchema(file, { unrepresentable: 'any' }) as Record<string, unknown>;
}
