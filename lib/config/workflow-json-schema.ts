import { z } from 'zod';
import { workflowSchema } from './dialect-schemas.ts';

/**
 * JSON Schema (draft 2020-12) of a config file: a map of workflow name to workflow, generated from
 * the same zod schemas the loader validates with. Editors can use it for completion; the loader
 * stays the authority (it also checks what a schema cannot say: kinds, ids, graphs, expressions).
 */
export function workflowJsonSchema(): Record<string, unknown> {
  const file = z
    .record(z.string(), workflowSchema)
    .meta({ title: 'sfn-workflow config file', description: 'workflow name → workflow (keys without type: Workflow are ignored by the loader)' });
  return z.toJSONSchema(file, { unrepresentable: 'any' }) as Record<string, unknown>;
}
