import { UsageError } from './usage-error.ts';

/** The date-time an option (`--at`, `--release-at`, `--from`) gives; a usage error unless it is an ISO date-time. */
export function parseIsoOption(flag: string, text: string): Date {
  const at = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(at.getTime())) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not an ISO date-time; write e.g. ${flag} 2024-01-01T09:00:00Z`);
  }
  return at;
}
