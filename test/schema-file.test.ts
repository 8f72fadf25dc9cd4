import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { workflowJsonSchema } from '../lib/config/index.ts';

describe('schema/workflow.schema.json', () => {
  it('is the schema `wf schema` prints (regenerate: npx wf schema > schema/workflow.schema.json)', () => {
    const committed = JSON.parse(readFileSync(new URL('../schema/workflow.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(workflowJsonSchema());
  });
});
