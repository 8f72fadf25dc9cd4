/**
 * A run's timeline as a Gantt chart in SVG: one bar per job and per stage at each place it ran
 * (matrix combination, branch, foreach item, until iteration), on one time axis from the run's
 * start. Stages that ran at many places also get a summary line: how many, by status, and how
 * many are not drawn (the server draws the first places only: lib/serve/console/run-timeline.ts).
 */
import type { Timeline, TimelineSpan } from './api.ts';
import { duration, statusClass } from './format.ts';

const LABEL_WIDTH = 280;
const CHART_WIDTH = 640;
const ROW = 22;

function place(span: TimelineSpan): string {
  const parts: string[] = [];
  if (span.matrix) parts.push(span.matrix.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', '));
  if (span.branch !== undefined) parts.push(`branch ${span.branch}`);
  if (span.loop !== undefined) parts.push(`#${span.loop}`);
  return parts.length ? ` [${parts.join(' · ')}]` : '';
}

function clip(text: string, room: number): string {
  return text.length > room ? `${text.slice(0, room - 1)}…` : text;
}

/** Draws a run's timeline (see the file comment); `now` ends the bars still running. */
export function TimelineView(props: { timeline: Timeline; now: number }) {
  const { spans, summaries } = props.timeline;
  if (!spans.length) return <p>No job has started yet.</p>;
  // Jobs in the order they started, each followed by its stages.
  const jobs = spans.filter((s) => s.stage === undefined);
  const rows: TimelineSpan[] = [];
  for (const job of jobs) rows.push(job, ...spans.filter((s) => s.stage !== undefined && s.job === job.job));
  rows.push(...spans.filter((s) => s.stage !== undefined && !jobs.some((j) => j.job === s.job)));
  const start = Math.min(...spans.map((s) => s.start));
  const end = Math.max(...spans.map((s) => s.end ?? props.now), start + 1);
  const scale = CHART_WIDTH / (end - start);
  const height = rows.length * ROW + 24;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ x: LABEL_WIDTH + f * CHART_WIDTH, label: duration(f * (end - start)) }));
  return (
    <div class="timeline">
      <svg role="img" aria-label={`Timeline of ${jobs.length} jobs over ${duration(end - start)}`} width={LABEL_WIDTH + CHART_WIDTH + 40} height={height}>
        {ticks.map((t) => (
          <g key={t.x} class="tick">
            <line x1={t.x} x2={t.x} y1={0} y2={height - 18} />
            <text x={t.x} y={height - 4} text-anchor="middle">
              {t.label}
            </text>
          </g>
        ))}
        {rows.map((s, i) => {
          const x = LABEL_WIDTH + (s.start - start) * scale;
          const w = Math.max(2, ((s.end ?? props.now) - s.start) * scale);
          const label = s.stage === undefined ? `job ${s.job}` : `  ${s.stage}${place(s)}`;
          return (
            <g key={i} class={`bar ${s.stage === undefined ? 'bar-job' : 'bar-stage'} ${statusClass(s.status)}`}>
              <title>{`${s.stage === undefined ? `job ${s.job}` : `${s.job} › ${s.stage}${place(s)}`}: ${s.status}, ${duration((s.end ?? props.now) - s.start)}${s.end === undefined ? ' so far' : ''}`}</title>
              <text x={s.stage === undefined ? 4 : 16} y={i * ROW + 15}>
                {clip(label.trim(), 38)}
              </text>
              <rect x={x} y={i * ROW + 4} width={w} height={ROW - 8} rx={2} />
            </g>
          );
        })}
      </svg>
      {summaries.length > 0 && (
        <ul class="summaries">
          {summaries.map((s) => (
            <li key={`${s.job}/${s.stage}`}>
              <strong>
                {s.job} › {s.stage}
              </strong>
              : {s.count} places ({Object.entries(s.byStatus).map(([k, v]) => `${v} ${k}`).join(', ') || 'none ended'}), {duration((s.end ?? props.now) - s.start)}
              {s.hidden > 0 ? `; ${s.hidden} not drawn` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
