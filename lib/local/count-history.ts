/**
 * Counts, from a local run's engine events (runLocal's `onRawEvent`), the history events Step
 * Functions would record for each execution of the run: the same per-state model as the
 * compiler's estimate (`estimateHistoryEvents`), applied to what actually ran. Used to check the
 * estimate against real runs, and by the benchmarks.
 */
import type { CompiledWorkflow } from '../compiler/index.ts';
import type { Machine } from '../compiler/asl/types.ts';
import { isSyncTask } from '../compiler/asl/check-machine.ts';
import { taskStates } from './run-local.ts';

interface RawEvent {
  type: string;
  state?: { name: string; type?: string };
}

/** The names of a machine's `.sync` Task states (they record a submission too). */
function syncTasks(m: Machine): string[] {
  return taskStates(m).filter(([, st]) => isSyncTask(st)).map(([name]) => name);
}

/** History events per execution id, fed one engine event at a time. */
export class HistoryCounter {
  readonly byExecution = new Map<string, number>();
  private readonly sync: Set<string>;

  constructor(compiled: Pick<CompiledWorkflow, 'definition' | 'children'>) {
    this.sync = new Set([compiled.definition, ...compiled.children.map((c) => c.definition)].flatMap(syncTasks));
  }

  /** Takes one engine event of `execution`. */
  add(e: RawEvent, execution: string): void {
    this.byExecution.set(execution, (this.byExecution.get(execution) ?? 0) + this.eventsOf(e));
  }

  private eventsOf(e: RawEvent): number {
    switch (e.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        return 1;
      case 'StateEntered': {
        const type = e.state?.type;
        // A Task's entry, scheduling and start (and submission, for `.sync`); a Map's or Parallel's entry and start.
        if (type === 'Task') return this.sync.has(e.state!.name) ? 4 : 3;
        return type === 'Map' || type === 'Parallel' ? 2 : 1;
      }
      case 'StateExited': {
        const type = e.state?.type;
        if (type === 'Fail') return 0;
        return type === 'Task' || type === 'Map' || type === 'Parallel' ? 2 : 1;
      }
      case 'StateFailed':
      case 'StateRetried':
        return 1;
      default:
        return 0;
    }
  }

  /** The largest count of any one execution. */
  get max(): number {
    return Math.max(0, ...this.byExecution.values());
  }
}
