/**
 * The parts of a call stage's `uses: <registry>/<function>@<tag>`, where any part may hold
 * templates (`tasks/load-${{ matrix.system }}@v1`): the `/`, `@` and spaces inside a template are
 * its own, not separators.
 */
import { parseTemplate } from '../expr/index.ts';

/** The parts of a `uses` reference, templates left in place. */
export interface UsesParts {
  registry: string;
  func: string;
  tag: string;
}

const SHAPE = /^([^/\s@]+)\/([^/\s@]+)@(\S+)$/d;

/** Splits `uses` into its parts; `undefined` when it does not have the shape `<registry>/<function>@<tag>`. */
export function splitUses(uses: string): UsesParts | undefined {
  const { parts, problems } = parseTemplate(uses);
  // Each template is masked by as many plain characters, so separators are found outside them only.
  const masked = problems.length ? uses : parts.map((p) => (p.kind === 'text' ? p.text : 'x'.repeat(p.length))).join('');
  const m = SHAPE.exec(masked);
  if (!m?.indices) return undefined;
  const part = (i: number): string => uses.slice(m.indices![i]![0], m.indices![i]![1]);
  return { registry: part(1), func: part(2), tag: part(3) };
}
