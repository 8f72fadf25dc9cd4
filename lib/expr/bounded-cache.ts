/**
 * A map that keeps at most `capacity` entries, evicting the least recently used. Parsed templates
 * and conditions are cached here so that text evaluated many times at run time is parsed once,
 * while a stream of distinct texts cannot grow memory without bound.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  /** @param capacity most entries kept. */
  constructor(readonly capacity: number) {}

  /** The cached value, refreshed as most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  /** Stores a value, evicting the least recently used entry when full. */
  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  /** The cached value, or the computed one after storing it. */
  getOrCompute(key: K, compute: (key: K) => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const v = compute(key);
    this.set(key, v);
    return v;
  }

  /** Number of entries. */
  get size(): number {
    return this.map.size;
  }
}
