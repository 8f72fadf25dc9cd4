import type { Stage } from './model.ts';

/** The lists of child stages a stage holds. */
export function childLists(stage: Stage): Stage[][] {
  switch (stage.kind) {
    case 'parallel':
      return Object.values(stage.branches);
    case 'foreach':
    case 'until':
    case 'group':
      return [stage.stages];
    case 'case':
      return stage.match.map((m) => m.stages);
    case 'try':
      return [stage.try, stage.catch, stage.finally];
    default:
      return [];
  }
}
