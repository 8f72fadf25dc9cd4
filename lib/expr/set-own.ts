/**
 * Maps built from user keys (job, branch, param, axis, output and stage ids) must hold any key as
 * an own property: a plain assignment `o["__proto__"] = v` would set the object's prototype
 * instead, and the key would vanish from the map, from `Object.keys` and from JSON.
 */

/** Sets `key` on `obj` as an own, enumerable property, whatever the key (`__proto__` too); returns `obj`. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): Record<string, T> {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
  return obj;
}
