import { visitStates, type AslRule } from './asl-rule.ts';

/** AWS: timeouts, waits, retry counts and concurrency are whole numbers in their ranges. */
export const wholeNumbers: AslRule = {
  id: 'whole-numbers',
  aws: 'Seconds, MaxConcurrency and MaxAttempts are non-negative integers; TimeoutSeconds, HeartbeatSeconds and IntervalSeconds are positive integers (TimeoutSeconds at most 99999999)',
  check: (m) => {
    const out: string[] = [];
    const whole = (where: string, v: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): void => {
      if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min && (v as number) <= max)) out.push(`${where}: ${what} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got ${String(v)}`);
    };
    if (m.TimeoutSeconds !== undefined) whole('machine', m.TimeoutSeconds, 'TimeoutSeconds', 1, 99_999_999);
    for (const { where, name, state: st } of visitStates(m)) {
      const at = `${where}/${name}`;
      whole(at, st.Seconds, 'Seconds', 0);
      whole(at, st.TimeoutSeconds, 'TimeoutSeconds', 1, 99_999_999);
      whole(at, (st as { HeartbeatSeconds?: unknown }).HeartbeatSeconds, 'HeartbeatSeconds', 1, 99_999_999);
      whole(at, st.MaxConcurrency, 'MaxConcurrency', 0);
      for (const r of st.Retry ?? []) {
        whole(at, r.IntervalSeconds, 'IntervalSeconds', 1, 99_999_999);
        whole(at, r.MaxAttempts, 'MaxAttempts', 0, 99_999_999);
      }
    }
    return out;
  },
};
