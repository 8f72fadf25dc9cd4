/**
 * State names: readable (built from job and stage names), unique per machine, at most 80
 * characters, and deterministic (the same workflow always gets the same names). A name that would
 * collide or overflow gets a short stable suffix.
 */
import { createHash } from 'node:crypto';

const MAX = 80;

/** Allocates unique state names within one state machine. */
export class StateNames {
  private readonly used = new Set<string>();

  /** A unique name from readable parts, e.g. `["build", "Run tests", "retry"]` → `build.Run tests.retry`. */
  allocate(...parts: string[]): string {
    const base = clean(parts.filter((p) => p !== '').join('.'));
    let name = fit(base, '');
    for (let n = 2; this.used.has(name); n++) name = fit(base, `_${n}`);
    this.used.add(name);
    return name;
  }

  /** True when the name is already taken. */
  has(name: string): boolean {
    return this.used.has(name);
  }
}

function clean(text: string): string {
  // A stage name may hold templates (`Deploy ${{ matrix.env }}`): keep the expression's words only.
  text = text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, e: string) => e.replace(/[^A-Za-z0-9_-]+/g, '-'));
  // Keep names to characters every Step Functions tool displays and accepts.
  const s = text.replace(/[\u0000-\u001f\u007f<>{}\[\]?*"#%\\^|~`$&,;:\/]+/g, ' ').replace(/\s+/g, ' ').trim();
  return s === '' ? 'state' : s;
}

function fit(base: string, suffix: string): string {
  if (base.length + suffix.length <= MAX) return base + suffix;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 6);
  const keep = MAX - suffix.length - hash.length - 2;
  return `${base.slice(0, keep)}__${hash}${suffix}`;
}
