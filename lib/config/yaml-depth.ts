/**
 * How deeply a workflow file may nest maps and lists, checked without recursion. The YAML parser and
 * everything after it (alias checks, the model readers, toJS) recurse once per level, so a file
 * nested thousands of levels deep would exhaust the stack somewhere different each time; these
 * checks stop it first, at a position that does not depend on the stack.
 */
import { isMap, isPair, isSeq, Lexer, type Node } from 'yaml';
import { VALUE_DEPTH_MAX } from './value-depth.ts';

/** The deepest nesting of maps and lists a workflow file may have (param values have their own, lower limit). */
export const YAML_DEPTH_MAX = 256;

/** The message for a file nested past {@link YAML_DEPTH_MAX}. */
export const YAML_TOO_DEEP = `YAML nests maps and lists more than ${YAML_DEPTH_MAX} levels deep here`;
/** How to fix a file nested too deeply. */
export const YAML_NESTING_NOTE = `a workflow file may nest maps and lists at most ${YAML_DEPTH_MAX} levels deep (param values ${VALUE_DEPTH_MAX}); flatten the value`;

/** The first map or list nested deeper than YAML_DEPTH_MAX, found without recursion (aliases are not followed). */
export function firstTooDeep(root: unknown): Node | undefined {
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (isMap(node) || isSeq(node)) {
      if (depth + 1 > YAML_DEPTH_MAX) return node;
      for (let i = node.items.length - 1; i >= 0; i--) stack.push([node.items[i], depth + 1]);
    } else if (isPair(node)) {
      stack.push([node.value, depth], [node.key, depth]);
    }
  }
  return undefined;
}

/**
 * The offset of the first `{` or `[` nested deeper than YAML_DEPTH_MAX in flow style, read from the
 * lexer's tokens (a state machine, so any depth costs no stack): where the parser stops is a
 * matter of stack size, this is not.
 */
export function flowTooDeep(text: string): number | undefined {
  let offset = 0;
  let level = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '{' || token === '[') {
      if (++level > YAML_DEPTH_MAX) return offset;
    } else if (token === '}' || token === ']') level--;
    if (!ZERO_WIDTH.has(token)) offset += token.length;
  }
  return undefined;
}

/** The lexer's marker tokens, which stand for no text. */
const ZERO_WIDTH = new Set(['\x02', '\x18', '\x1f']);
