import { Option } from 'commander';

/** Options of every command that reads workflows. */
export interface ConfOptions {
  /** The config directory given with `--conf`; undefined = `WORKFLOW_CORE_CONF_PATH` or `conf/`. */
  conf?: string;
}

/** The `--conf DIR` option shared by every command that reads workflows. */
export function confOption(): Option {
  return new Option('--conf <dir>', 'config directory (default: $WORKFLOW_CORE_CONF_PATH, else conf/)');
}
