import { parseIntrinsic } from '../intrinsic.ts';
import { visitStates, type AslRule } from './asl-rule.ts';

/** Every `"key.$": value` of a payload template, with where it sits. */
function dynamicFields(template: unknown, at: string, into: Array<[string, unknown]>): Array<[string, unknown]> {
  if (Array.isArray(template)) template.forEach((t, i) => dynamicFields(t, `${at}[${i}]`, into));
  else if (template !== null && typeof template === 'object') {
    for (const [k, v] of Object.entries(template)) {
      if (k.endsWith('.$')) into.push([`${at}.${k}`, v]);
      else dynamicFields(v, `${at}.${k}`, into);
    }
  }
  return into;
}

/**
 * AWS: a payload template's `.$` field holds a path or an intrinsic function call, and a call
 * follows the intrinsic grammar (reserved characters escaped, known functions, argument counts).
 */
export const intrinsicSyntax: AslRule = {
  id: 'intrinsic-syntax',
  aws: "A field ending in .$ holds a path or an intrinsic function; in an intrinsic string literal the characters ' { } \\ are escaped with \\; States.Format has one argument per {}",
  check: (m) => {
    const out: string[] = [];
    for (const { where, name, state } of visitStates(m)) {
      const fields = [
        ...dynamicFields(state.Parameters, 'Parameters', []),
        ...dynamicFields(state.ResultSelector, 'ResultSelector', []),
        ...dynamicFields(state.ItemSelector, 'ItemSelector', []),
      ];
      for (const [at, v] of fields) {
        if (typeof v !== 'string') out.push(`${where}/${name} ${at}: a .$ field must hold a string, got ${JSON.stringify(v)}`);
        else if (v.startsWith('States.')) {
          const parsed = parseIntrinsic(v);
          if (parsed.error !== undefined) out.push(`${where}/${name} ${at}: ${parsed.error} at ${parsed.at} in ${v}`);
        } else if (!v.startsWith('$')) out.push(`${where}/${name} ${at}: ${JSON.stringify(v)} is neither a path nor an intrinsic function`);
      }
    }
    return out;
  },
};
