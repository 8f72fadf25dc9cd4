import { isPlaceholder } from '../placeholders.ts';
import type { AslRule } from './asl-rule.ts';

/**
 * CloudFormation: DefinitionSubstitutions replaces `${Key}` anywhere in the definition's text, so
 * the text holds `${` only in the placeholders the compiler writes (a whole string each); a `${`
 * in a user's text is written `\u0024{` (see `escapeSubstitutions`).
 */
export const definitionSubstitutions: AslRule = {
  id: 'definition-substitutions',
  aws: 'CloudFormation DefinitionSubstitutions replaces every ${Key} in the definition text; only deployment placeholders may use ${',
  check: (_m, json) => {
    const out: string[] = [];
    for (const hit of json.matchAll(/\$\{/g)) {
      const whole = /^"\$\{([A-Za-z0-9_]+)\}"/.exec(json.slice(hit.index - 1));
      if (json[hit.index - 1] === '"' && whole && isPlaceholder(whole[1]!)) continue;
      out.push(`definition text: "\${" at offset ${hit.index} is not a deployment placeholder: ${JSON.stringify(json.slice(Math.max(0, hit.index - 20), hit.index + 30))}`);
    }
    return out;
  },
};
