/**
 * Reads `on` in either form — the list form (`- cron: ...` or `- cronjob: ...`, `timezone`, `- manual: true`) and the
 * reference engine's map form (`schedule: [{cronjob, timezone}]`) — into one `Triggers`. Each cron
 * must have an exact EventBridge Scheduler form and each time zone must be a known IANA zone (WF2010).
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { didYouMean, type Location } from '../diagnostics/index.ts';
import { isTimeZone, validateCron } from './cron.ts';
import { onItemSchema, onMapSchema, scheduleItemSchema } from './dialect-schemas.ts';
import { describeValue } from './describe-value.ts';
import type { Schedule, Triggers } from './model.ts';
import { report, type ReadContext } from './read-context.ts';
import { readObject, type Fields } from './read-object.ts';

const LIST_HINTS: Record<string, string> = {
  schedule: '"schedule" belongs to the map form of "on" (on: {schedule: [...]}), not to a list item',
};
const MAP_ITEM_HINTS: Record<string, string> = {
  cron: 'the map form of "on" writes "cronjob"; "cron" belongs to the list form (on: [{cron: ...}])',
  interval: 'interval schedules are not supported; write the cron: cronjob: "30 1 * * *" runs daily at 01:30',
  time: 'interval schedules are not supported; the time goes in the cron: cronjob: "30 1 * * *" runs at 01:30',
};
const MAP_HINTS: Record<string, string> = {
  release: 'starting on another workflow\'s release is not supported; that workflow can start this one with a trigger stage',
};

/** Reads the `on` block; absent → no schedules, not manual. */
export function readTriggers(ctx: ReadContext, node: Node | null, anchor: Location): Triggers {
  const out: Triggers = { schedules: [], manual: false };
  if (node === null || (isScalar(node) && node.value === null)) return out;
  if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const itemNode = item as Node;
      if (isScalar(itemNode) && typeof itemNode.value === 'string') {
        report(
          ctx,
          'WF2003',
          `"on" item ${i + 1} is the text "${itemNode.value}"; named schedules are not supported`,
          ctx.source.locate(itemNode),
          'write the schedule itself: - cron: "*/5 * * * *" (with timezone: if it is not UTC)',
        );
        return;
      }
      const fields = readObject(ctx, itemNode, onItemSchema, {
        what: `"on" item ${i + 1}`,
        anchor: ctx.source.locate(itemNode),
        hints: LIST_HINTS,
      });
      if (!fields) return;
      // "cronjob" (the reference engine's key) is an alias of "cron" in the list form too.
      const cronKey = fields.has('cron') ? 'cron' : 'cronjob';
      if (fields.has('cron') && fields.has('cronjob')) {
        report(ctx, 'WF2008', '"cron" and "cronjob" are the same field; write only "cron"', fields.get('cronjob')!.loc);
      }
      const hasCron = fields.has(cronKey);
      const manual = fields.get('manual');
      if (!hasCron && !manual) {
        report(ctx, 'WF2002', `"on" item ${i + 1} needs "cron" or "manual"`, ctx.source.locate(itemNode), 'write - cron: "0 9 * * *" or - manual: true');
        return;
      }
      if (hasCron && manual) {
        report(ctx, 'WF2008', `"on" item ${i + 1} has both "cron" and "manual"`, manual.loc, 'write them as two items of the list');
      }
      if (!hasCron && fields.has('timezone')) {
        report(ctx, 'WF2008', '"timezone" applies only to a "cron" item', fields.get('timezone')!.loc);
      }
      if (fields.value<boolean>('manual')) out.manual = true;
      if (hasCron) pushSchedule(ctx, out, fields, cronKey);
    });
    return out;
  }
  if (isMap(node)) {
    const fields = readObject(ctx, node, onMapSchema, { what: '"on"', anchor, nested: ['schedule'], hints: MAP_HINTS });
    if (!fields) return out;
    if (fields.value<boolean>('manual')) out.manual = true;
    const schedule = fields.get('schedule');
    if (schedule && !isSeq(schedule.node)) {
      if (!(isScalar(schedule.node) && schedule.node.value === null)) {
        report(ctx, 'WF2003', `"on.schedule" must be a list, got ${describeValue(ctx.source.toJS(schedule.node))}`, schedule.loc);
      }
    } else if (schedule && isSeq(schedule.node)) {
      schedule.node.items.forEach((item, i) => {
        const itemNode = item as Node;
        const itemFields = readObject(ctx, itemNode, scheduleItemSchema, {
          what: `"on.schedule" item ${i + 1}`,
          anchor: ctx.source.locate(itemNode),
          hints: MAP_ITEM_HINTS,
        });
        if (itemFields?.has('cronjob')) pushSchedule(ctx, out, itemFields, 'cronjob');
      });
    }
    return out;
  }
  report(
    ctx,
    'WF2003',
    `"on" must be a list of schedules (- cron: ...) or a map (schedule: [...]), got ${describeValue(ctx.source.toJS(node))}`,
    ctx.source.locate(node),
  );
  return out;
}

function pushSchedule(ctx: ReadContext, out: Triggers, fields: Fields, cronKey: string): void {
  const cronField = fields.get(cronKey)!;
  const cron = fields.value<string>(cronKey);
  const timezone = fields.value<string>('timezone') ?? 'UTC';
  let ok = cron !== undefined && (!fields.has('timezone') || fields.get('timezone')!.ok);
  if (cron !== undefined) {
    const check = validateCron(cron);
    if (!check.ok) {
      report(ctx, 'WF2010', `cron "${cron}" cannot be scheduled: ${check.message}`, cronField.loc, check.note);
      ok = false;
    }
  }
  const tzField = fields.get('timezone');
  if (tzField?.ok && !isTimeZone(timezone)) {
    report(ctx, 'WF2010', `unknown time zone "${timezone}"`, tzField.loc, didYouMean(timezone, knownTimeZones()) ?? 'use an IANA name such as "Europe/Paris" or "UTC"');
    ok = false;
  }
  if (ok && cron !== undefined) out.schedules.push({ cron, timezone, loc: cronField.loc } satisfies Schedule);
}

let zones: string[] | undefined;
function knownTimeZones(): string[] {
  zones ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  return zones;
}
