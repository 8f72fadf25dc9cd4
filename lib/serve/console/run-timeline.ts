/**
 * A run's timeline for the web console's Gantt chart: when each job and each stage started and
 * ended, at each place it ran (a matrix combination, a parallel branch, a foreach item, an until
 * iteration), built from the run's progress events as they come.
 *
 * A stage that runs at many places (a foreach over thousands of items) would drown the chart and
 * the page: past {@link PLACES_SHOWN} places of one stage, further places are only counted in the
 * stage's summary (how many ran, by status, from the first start to the last end).
 */
import type { RunEvent } from '../../local/index.ts';

/** Places of one stage drawn one bar each; past it, the stage's summary counts them. */
export const PLACES_SHOWN = 40;

/** One bar: a job, or a stage at one place. Times in epoch milliseconds. */
export interface TimelineSpan {
  job: string;
  /** The stage's name as progress shows it; absent for the job's own bar. */
  stage?: string;
  matrix?: unknown[];
  branch?: string;
  loop?: number;
  start: number;
  /** Absent while it runs. */
  end?: number;
  /** `RUNNING` until it ends; then `SUCCESS`, `FAILED`, `SKIP` or the job's status. */
  status: string;
}

/** All the places of one stage, counted: what the chart shows past {@link PLACES_SHOWN}. */
export interface TimelineSummary {
  job: string;
  stage: string;
  /** Places seen (drawn and not). */
  count: number;
  /** Places not drawn. */
  hidden: number;
  byStatus: Record<string, number>;
  start: number;
  end?: number;
}

/** A run's timeline, as the console's run endpoint returns it. */
export interface Timeline {
  spans: TimelineSpan[];
  summaries: TimelineSummary[];
}

/** Where a stage ran: its matrix combination, branch and foreach item or until iteration. */
function placeOf(e: RunEvent): Pick<TimelineSpan, 'matrix' | 'branch' | 'loop'> {
  return { ...(e.matrix ? { matrix: e.matrix } : {}), ...(e.branch !== undefined ? { branch: e.branch } : {}), ...(e.loop !== undefined ? { loop: e.loop } : {}) };
}

interface Group {
  summary: TimelineSummary;
  open: Map<string, TimelineSpan | number>;
}

/** Collects a run's timeline from its events (see the file comment). */
export class RunTimeline {
  private readonly spans: TimelineSpan[] = [];
  private readonly jobs = new Map<string, TimelineSpan>();
  private readonly groups = new Map<string, Group>();

  /** Takes one event; lines and failed attempts are ignored. */
  add(e: RunEvent): void {
    if (e.job === undefined) return;
    if (e.type === 'job-start') {
      const span: TimelineSpan = { job: e.job, start: e.at, status: 'RUNNING' };
      this.jobs.set(e.job, span);
      this.spans.push(span);
      return;
    }
    if (e.type === 'job-end') {
      const span = this.jobs.get(e.job);
      if (span) Object.assign(span, { end: e.at, status: e.status ?? 'SUCCESS' });
      return;
    }
    if (e.type !== 'stage-start' && e.type !== 'stage-end' && e.type !== 'stage-failed') return;
    const stage = String(e.stage ?? '');
    const groupKey = JSON.stringify([e.job, stage]);
    let group = this.groups.get(groupKey);
    if (!group) {
      group = { summary: { job: e.job, stage, count: 0, hidden: 0, byStatus: {}, start: e.at }, open: new Map() };
      this.groups.set(groupKey, group);
    }
    const place = JSON.stringify([e.matrix ?? null, e.branch ?? null, e.loop ?? null, e.index ?? null]);
    const summary = group.summary;
    if (e.type === 'stage-start') {
      summary.count += 1;
      summary.start = Math.min(summary.start, e.at);
      if (summary.count <= PLACES_SHOWN) {
        const span: TimelineSpan = { job: e.job, stage, start: e.at, status: 'RUNNING', ...placeOf(e) };
        this.spans.push(span);
        group.open.set(place, span);
      } else {
        summary.hidden += 1;
        group.open.set(place, e.at);
      }
      return;
    }
    const status = e.type === 'stage-failed' ? 'FAILED' : e.status ?? 'SUCCESS';
    summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
    summary.end = Math.max(summary.end ?? e.at, e.at);
    const open = group.open.get(place);
    group.open.delete(place);
    if (open === undefined) {
      // A skipped stage ends without starting: one instant.
      summary.count += 1;
      if (summary.count <= PLACES_SHOWN) this.spans.push({ job: e.job, stage, start: e.at, end: e.at, status, ...placeOf(e) });
      else summary.hidden += 1;
    } else if (typeof open !== 'number') {
      open.end = e.at;
      open.status = status;
    }
  }

  /** The timeline so far: the bars, and the summaries of stages that ran at more than one place. */
  timeline(): Timeline {
    const summaries = [...this.groups.values()].map((g) => g.summary).filter((s) => s.count > 1);
    return { spans: this.spans.map((s) => ({ ...s })), summaries: summaries.map((s) => ({ ...s, byStatus: { ...s.byStatus } })) };
  }
}
