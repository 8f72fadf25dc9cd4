import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../lib/expr/bounded-cache.ts';
import { cachedExpression, cachedTemplate } from '../../lib/expr/cached-parse.ts';

describe('parse-once caches', () => {
  it('returns the same frozen parse for the same text', () => {
    const a = cachedTemplate('x ${{ params.a }} y');
    expect(cachedTemplate('x ${{ params.a }} y')).toBe(a);
    expect(Object.isFrozen(a.parts[1])).toBe(true);
    expect(cachedExpression('a + 1')).toBe(cachedExpression('a + 1'));
  });

  it('marks a whole template with its expression', () => {
    expect(cachedTemplate(' ${{ a }} ').whole).toMatchObject({ type: 'name', name: 'a' });
    expect(cachedTemplate('${{ a }}!').whole).toBeUndefined();
  });

  it('evicts the least recently used entry beyond its capacity', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
    let calls = 0;
    expect(cache.getOrCompute('d', () => ++calls)).toBe(1);
    expect(cache.getOrCompute('d', () => ++calls)).toBe(1);
    expect(calls).toBe(1);
  });
});
