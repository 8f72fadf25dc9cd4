/**
 * The id `WORKFLOW_CORE_STAGE_DEFAULT_ID=true` gives a stage written without one: its name in lower
 * case, every run of characters outside `[a-z0-9_-]` turned into one `-`, with `-` trimmed from
 * both ends (`"Process Data"` → `process-data`). Undefined when nothing is left.
 */
export function deriveStageId(name: string): string | undefined {
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  return id === '' ? undefined : id;
}
