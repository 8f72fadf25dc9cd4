/** Functions the example workflows call with `uses: tasks/<name>@<tag>`. */
import { z } from 'zod';
import { tag } from 'sfn-workflow';

export const countRows = tag(
  'tasks',
  { alias: 'count-rows', tag: 'v1', schema: z.object({ files: z.array(z.string()) }) },
  ({ files }) => ({ files: files.length, rows: files.length * 100 }),
);
