/**
 * Python literal (repr) of a JSON-like value: `None`, `True`, `False`, `3`, `0.5`, `'it\'s'`
 * quoted the way Python quotes it, `[1, 2]`, `{'a': 1}`. Used for `py` stages and the `rstr` filter.
 */
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

/** `ch` as Python writes it in a string literal's repr: an unprintable character as its escape, anything else as is. */
export function escapeUnprintable(ch: string): string {
  if (ch === ' ' || !NON_PRINTABLE.test(ch)) return ch;
  const c = ch.codePointAt(0)!;
  if (c < 0x100) return `\\x${c.toString(16).padStart(2, '0')}`;
  if (c < 0x10000) return `\\u${c.toString(16).padStart(4, '0')}`;
  return `\\U${c.toString(16).padStart(8, '0')}`;
}

function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += escapeUnprintable(ch);
  }
  return out + quote;
}

function reprNumber(n: number): string {
  if (Number.isNaN(n)) return "float('nan')";
  if (n === Infinity) return "float('inf')";
  if (n === -Infinity) return "float('-inf')";
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** The Python literal for `value` (strings quoted, as Python's `repr` writes them). */
export function toPythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return reprNumber(value);
  if (typeof value === 'string') return reprString(value);
  if (Array.isArray(value)) return `[${value.map(toPythonLiteral).join(', ')}]`;
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${reprString(k)}: ${toPythonLiteral(v)}`);
    return `{${items.join(', ')}}`;
  }
  return reprString(String(value));
}
