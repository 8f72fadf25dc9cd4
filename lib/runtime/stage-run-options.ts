/** Options every process-running stage executor takes. */
export interface StageRunOptions {
  /** Cancels the stage: its processes are killed and it fails as CANCEL. */
  signal?: AbortSignal;
  /** Working directory of processes. @default process.cwd() */
  cwd?: string;
}
