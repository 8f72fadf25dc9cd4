import { InvalidArgumentError, Option } from 'commander';
import { parameterize, parseParamAssignments, ParamError, type Param, type Workflow } from '../config/index.ts';
import { closest } from '../diagnostics/index.ts';
import { UsageError } from './usage-error.ts';

/**
 * `-p, --param name=value`: exactly one param per flag, repeated for more. It is not variadic, so
 * it may stand anywhere on the line (`wf run -p a=1 NAME` keeps NAME as the workflow). A value
 * without `=` is a usage error that shows the expected form.
 */
export function paramOption(): Option {
  return new Option('-p, --param <name=value>', 'a param value, one per -p (repeat -p for more)').argParser((value: string, previous: string[] | undefined) => {
    try {
      parseParamAssignments([value]);
    } catch (e) {
      if (e instanceof ParamError) throw new InvalidArgumentError(`a param is given as -p name=VALUE, one per -p; ${e.note ?? e.message}`);
      throw e;
    }
    return [...(previous ?? []), value];
  });
}

/** `--params JSON`: params as one JSON object (`-p` wins over it). */
export function paramsOption(): Option {
  return new Option('--params <json>', 'params as a JSON object');
}

/** How a param is given on the command line: `-p name=VALUE` for text, `-p size=<int>` for another type. */
export function paramForm(param: Pick<Param, 'name' | 'type' | 'options'>): string {
  if (param.type === 'str') return `-p ${param.name}=VALUE`;
  if (param.type === 'choice' && param.options?.length) {
    return `-p ${param.name}=<${param.options.map((o) => (typeof o === 'string' ? o : JSON.stringify(o))).join('|')}>`;
  }
  return `-p ${param.name}=<${param.type}>`;
}

/**
 * One line per problem of a param error, for the user. An undeclared param (WF7002) names the
 * closest declared param and the form it takes, or lists them all; any other problem is shown as
 * the command always showed it (`run`: with its code and fix; `started`: as the client words it).
 */
function explain(workflow: Pick<Workflow, 'name' | 'params'>, e: ParamError, verb: 'run' | 'started'): string {
  if (e.code !== 'WF7002') return verb === 'run' ? e.report() : e.message;
  const declared = Object.values(workflow.params);
  const near = closest(e.param, declared.map((p) => p.name));
  const forms = declared.length ? `its params are ${declared.map(paramForm).join(', ')}` : 'it declares no params';
  const line = `param "${e.param}" is not declared by workflow "${workflow.name}"${near !== undefined ? `; did you mean "${near}"? (${paramForm(workflow.params[near]!)})` : `: ${forms}`}`;
  return verb === 'run' ? `${line} [WF7002]` : line;
}

/**
 * Checks params against the workflow before anything runs or is sent, as the run itself would
 * ({@link parameterize}); every problem becomes one line of a {@link UsageError} (exit 2).
 * `verb` says what did not happen: `run` (wf run, release, rerun) or `started` (wf start).
 */
export function checkParams(workflow: Pick<Workflow, 'name' | 'params'>, params: Record<string, unknown>, verb: 'run' | 'started'): void {
  const { errors } = parameterize(workflow, params);
  if (!errors.length) return;
  throw new UsageError(`workflow "${workflow.name}" was not ${verb}: its params are wrong\n${errors.map((e) => `  ${explain(workflow, e, verb)}`).join('\n')}`);
}
