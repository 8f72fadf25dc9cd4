/**
 * What the web console knows of the endpoint's runs beyond their audit records: each run's
 * timeline and, while it runs, what its stages printed so far. When it ends, its timeline is
 * written to `<state dir>/timelines/<run id>.json` and read from there (its logs are kept by the run
 * itself, in `logs/`, for `wf logs`), so memory holds running runs only and the console still draws
 * a run after a restart.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readRunLogs, RunLogCollector, secretTexts, type RunEvent, type RunLogs } from '../../local/index.ts';
import type { RunWatch, WatchedRun } from '../local-executions.ts';
import { RunTimeline, type Timeline } from './run-timeline.ts';

const KEPT_FINISHED = 100;
const RUN_ID = /^[A-Za-z0-9_.-]+$/;

interface LiveRun {
  run: WatchedRun;
  timeline: RunTimeline;
  /** While it runs: what its stages printed so far (then they are read from `logs/`). */
  logs?: RunLogCollector;
  running: boolean;
}

/** The console's view of runs as they go (see the file comment). */
export class LiveRuns implements RunWatch {
  private readonly runs = new Map<string, LiveRun>();

  /** `dir`: the local state folder (its `logs/` and `timelines/`). */
  constructor(private readonly dir: string) {}

  private entry(run: WatchedRun): LiveRun {
    let live = this.runs.get(run.runId);
    if (!live || live.run.executionArn !== run.executionArn || !live.running) {
      live = { run, timeline: new RunTimeline(), logs: new RunLogCollector(secretTexts(run.workflow, run.params)), running: true };
      this.runs.set(run.runId, live);
    }
    return live;
  }

  /** {@inheritDoc RunWatch.event} */
  event(run: WatchedRun, e: RunEvent): void {
    const live = this.entry(run);
    live.timeline.add(e);
    live.logs?.add(e);
  }

  /** {@inheritDoc RunWatch.ended} */
  ended(run: WatchedRun): void {
    const live = this.runs.get(run.runId);
    if (!live) return;
    live.running = false;
    delete live.logs;
    if (RUN_ID.test(run.runId)) {
      try {
        const folder = resolve(this.dir, 'timelines');
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        const file = join(folder, `${run.runId}.json`);
        writeFileSync(`${file}.tmp`, JSON.stringify(live.timeline.timeline()), { mode: 0o600 });
        renameSync(`${file}.tmp`, file);
        // Kept: read from the file from now on.
        this.runs.delete(run.runId);
        return;
      } catch {
        // the timeline stays in memory (the last runs' only); after a restart the run has none
      }
    }
    for (const [id, r] of this.runs) {
      if (this.runs.size <= KEPT_FINISHED) break;
      if (!r.running) this.runs.delete(id);
    }
  }

  /** True while the run is going on in this server. */
  isRunning(runId: string): boolean {
    return this.runs.get(runId)?.running === true;
  }

  /** The run's timeline: live, or as kept when it ended; undefined for a run the console did not see. */
  timeline(runId: string): Timeline | undefined {
    const live = this.runs.get(runId);
    if (live) return live.timeline.timeline();
    if (!RUN_ID.test(runId)) return undefined;
    try {
      return JSON.parse(readFileSync(join(resolve(this.dir, 'timelines'), `${runId}.json`), 'utf8')) as Timeline;
    } catch {
      return undefined;
    }
  }

  /** What the run's stages printed: so far while it runs, else as kept in `logs/`. */
  logs(runId: string): RunLogs | undefined {
    const live = this.runs.get(runId);
    if (live?.logs) return live.logs.logs(runId, live.run.workflow.name);
    return readRunLogs(this.dir, runId);
  }
}
