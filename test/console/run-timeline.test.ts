/**
 * The timeline the console draws: a bar per job and per stage at each place, and past
 * PLACES_SHOWN places of one stage, a summary that still counts every place by status.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../lib/local/index.ts';
import { PLACES_SHOWN, RunTimeline } from '../../lib/serve/console/run-timeline.ts';

const base = { workflow: 'w' } as const;

describe('RunTimeline', () => {
  it('draws jobs and stages with their places, statuses and times', () => {
    const t = new RunTimeline();
    const events: RunEvent[] = [
      { ...base, type: 'job-start', job: 'build', at: 100 },
      { ...base, type: 'stage-start', job: 'build', stage: 'Compile', matrix: ['linux'], at: 110 },
      { ...base, type: 'stage-start', job: 'build', stage: 'Compile', matrix: ['mac'], at: 112 },
      { ...base, type: 'stage-line', job: 'build', stage: 'Compile', line: 'ignored', at: 115 },
      { ...base, type: 'stage-failed', job: 'build', stage: 'Compile', matrix: ['mac'], at: 150 },
      { ...base, type: 'stage-end', job: 'build', stage: 'Compile', matrix: ['linux'], at: 160 },
      { ...base, type: 'stage-end', job: 'build', stage: 'Lint', status: 'SKIP', skipped: true, at: 161 },
      { ...base, type: 'stage-start', job: 'build', stage: 'Pack', branch: 'zip', at: 162 },
      { ...base, type: 'job-end', job: 'build', status: 'FAILED', at: 170 },
    ];
    for (const e of events) t.add(e);
    expect(t.timeline()).toEqual({
      spans: [
        { job: 'build', start: 100, end: 170, status: 'FAILED' },
        { job: 'build', stage: 'Compile', matrix: ['linux'], start: 110, end: 160, status: 'SUCCESS' },
        { job: 'build', stage: 'Compile', matrix: ['mac'], start: 112, end: 150, status: 'FAILED' },
        { job: 'build', stage: 'Lint', start: 161, end: 161, status: 'SKIP' },
        { job: 'build', stage: 'Pack', branch: 'zip', start: 162, status: 'RUNNING' },
      ],
      summaries: [{ job: 'build', stage: 'Compile', count: 2, hidden: 0, byStatus: { SUCCESS: 1, FAILED: 1 }, start: 110, end: 160 }],
    });
  });

  it('draws the first places of a stage that runs thousands of times and counts the rest', () => {
    const t = new RunTimeline();
    t.add({ ...base, type: 'job-start', job: 'j', at: 0 });
    for (let i = 0; i < 5000; i++) {
      t.add({ ...base, type: 'stage-start', job: 'j', stage: 'Item', loop: i, at: 10 + i });
      t.add({ ...base, type: i % 1000 === 7 ? 'stage-failed' : 'stage-end', job: 'j', stage: 'Item', loop: i, at: 20 + i });
    }
    const { spans, summaries } = t.timeline();
    expect(spans).toHaveLength(1 + PLACES_SHOWN);
    expect(spans.at(-1)).toEqual({ job: 'j', stage: 'Item', loop: PLACES_SHOWN - 1, start: 10 + PLACES_SHOWN - 1, end: 20 + PLACES_SHOWN - 1, status: 'SUCCESS' });
    expect(summaries).toEqual([{ job: 'j', stage: 'Item', count: 5000, hidden: 5000 - PLACES_SHOWN, byStatus: { SUCCESS: 4995, FAILED: 5 }, start: 10, end: 5019 }]);
  });
});
