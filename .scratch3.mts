import { workflowJsonSchema } from './lib/config/index.ts';
const s = workflowJsonSchema();
console.log(JSON.stringify(s, null, 1).length);
console.log(JSON.stringify(s, null, 1).slice(0, 3000));
console.log(Object.keys((s as any).$defs));
