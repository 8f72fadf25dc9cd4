/**
 * `strftime` for the `fmt` filter. Dates and datetimes travel as ISO-8601 strings (context is
 * JSON), so the value is parsed from `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.ffffff]][Z|±HH:MM]` (a
 * space may replace `T`). Fields are formatted as written: no time-zone conversion happens.
 * Directives: %Y %m %d %H %I %M %S %f %y %b %B %a %A %j %p %z %Z %%.
 */
import { EvalFailure } from './eval-failure.ts';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DIRECTIVES = 'YmdHIMSfybBaAjpzZ%';

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micro: number;
  /** Undefined for a naive value; minutes east of UTC otherwise, with `utc` marking `Z`. */
  offset?: number;
  utc: boolean;
}

/** Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  return daysFromCivil(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - daysFromCivil(y, m, 1);
}

function parseIso(value: string): Fields | undefined {
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s));
  const f: Fields = {
    year: num(m[1]),
    month: num(m[2]),
    day: num(m[3]),
    hour: num(m[4]),
    minute: num(m[5]),
    second: num(m[6]),
    micro: m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0').slice(0, 6)),
    utc: false,
  };
  const tz = m[8];
  if (tz === 'Z' || tz === 'z') {
    f.offset = 0;
    f.utc = true;
  } else if (tz !== undefined) {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    f.offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  const valid =
    f.month >= 1 && f.month <= 12 && f.day >= 1 && f.day <= daysInMonth(f.year, f.month) &&
    f.hour <= 23 && f.minute <= 59 && f.second <= 59 && (f.offset === undefined || Math.abs(f.offset) < 24 * 60);
  return valid ? f : undefined;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? '-' : '+';
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60), 2)}${colon ? ':' : ''}${pad(a % 60, 2)}`;
}

function directive(c: string, f: Fields): string {
  switch (c) {
    case 'Y':
      return pad(f.year, 4);
    case 'm':
      return pad(f.month, 2);
    case 'd':
      return pad(f.day, 2);
    case 'H':
      return pad(f.hour, 2);
    case 'I':
      return pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2);
    case 'p':
      return f.hour < 12 ? 'AM' : 'PM';
    case 'M':
      return pad(f.minute, 2);
    case 'S':
      return pad(f.second, 2);
    case 'f':
      return pad(f.micro, 6);
    case 'y':
      return pad(f.year % 100, 2);
    case 'b':
      return MONTHS[f.month - 1]!.slice(0, 3);
    case 'B':
      return MONTHS[f.month - 1]!;
    case 'a':
      return DAYS[weekday(f)]!.slice(0, 3);
    case 'A':
      return DAYS[weekday(f)]!;
    case 'j':
      return pad(daysFromCivil(f.year, f.month, f.day) - daysFromCivil(f.year, 1, 1) + 1, 3);
    case 'z':
      return f.offset === undefined ? '' : offsetText(f.offset, false);
    case 'Z':
      if (f.offset === undefined) return '';
      return f.offset === 0 ? 'UTC' : `UTC${offsetText(f.offset, true)}`;
    default:
      return '%';
  }
}

function weekday(f: Fields): number {
  return (((daysFromCivil(f.year, f.month, f.day) + 4) % 7) + 7) % 7;
}

/**
 * Formats an ISO date or datetime string with a `strftime` pattern, e.g.
 * `formatDatetime('2024-01-05T09:30:00Z', '%Y-%m-%d')` → `'2024-01-05'`.
 * Throws `EvalFailure` for a value that is not an ISO date or an unsupported directive.
 */
export function formatDatetime(value: unknown, pattern: string): string {
  const fields = typeof value === 'string' ? parseIso(value) : value instanceof Date && !Number.isNaN(value.getTime()) ? parseIso(value.toISOString()) : undefined;
  if (!fields) {
    throw new EvalFailure(
      `fmt needs a date or datetime, got ${typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `a ${value === null ? 'null' : typeof value}`}`,
      'dates and datetimes are ISO-8601 strings such as "2024-01-31" or "2024-01-31T09:30:00Z"',
    );
  }
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const d = pattern[i + 1];
    if (d === undefined || !DIRECTIVES.includes(d)) {
      throw new EvalFailure(
        `fmt pattern ${JSON.stringify(pattern)} has an unsupported directive "%${d ?? ''}"`,
        `supported directives: ${[...DIRECTIVES].map((x) => `%${x}`).join(' ')}; write %% for a literal %`,
      );
    }
    out += directive(d, fields);
    i++;
  }
  return out;
}
