/** Options every process-running stage executor takes. */
export interface StageRunOptions {
  /** Cancels the stage: its processes are killed and it fails as CANCEL. */
  signal?: AbortSignal;
  /** Working directory of processes. @default process.cwd() */
  cwd?: string;
  /**
   * Receives what the stage's process prints as it comes, chunk by chunk (bash: its stdout and
   * stderr), for progress and logs; the outputs capture it as well. Unmasked: the caller masks.
   */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
}
