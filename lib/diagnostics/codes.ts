/**
 * The catalogue of every user-facing problem, each with a stable code.
 * Ranges: WF1xxx YAML, WF2xxx schema, WF3xxx expression syntax, WF4xxx expression meaning,
 * WF5xxx job/stage graph, WF6xxx Step Functions limits, WF7xxx run-time input (params, registry).
 * Codes never change meaning once published; add new ones instead.
 */
export const codes = {
  // YAML
  WF1001: 'YAML syntax error',
  WF1002: 'duplicate key',
  WF1003: 'file cannot be read',
  WF1004: 'workflow defined twice',
  WF1005: 'no workflow found',
  WF1006: 'file is not valid UTF-8',
  WF1007: 'map or list used as a key',
  WF1008: 'project settings cannot be read',
  // schema
  WF2001: 'unknown key',
  WF2002: 'missing required key',
  WF2003: 'wrong value type',
  WF2004: 'value out of range',
  WF2005: 'stage has no kind',
  WF2006: 'stage has two kinds',
  WF2007: 'invalid name',
  WF2008: 'invalid value',
  WF2009: 'invalid param',
  WF2010: 'invalid schedule',
  // expression syntax
  WF3001: 'expression syntax error',
  WF3002: 'unterminated template',
  WF3003: 'unterminated string',
  WF3004: 'unexpected character',
  WF3005: 'py code does not parse',
  // expression meaning
  WF4001: 'unknown name',
  WF4002: 'unknown function',
  WF4003: 'unknown filter',
  WF4004: 'wrong number of arguments',
  WF4005: 'name not in scope',
  WF4006: 'evaluation error',
  WF4007: 'condition is not boolean',
  WF4008: 'template in bash where no reference to its value can stand',
  WF4009: 'template in py code where no value can be written safely',
  // graph
  WF5001: 'duplicate id',
  WF5002: 'unknown job in needs',
  WF5003: 'dependency cycle',
  WF5004: 'unknown workflow in trigger',
  WF5005: 'trigger cycle',
  WF5006: 'matrix key matches no axis',
  WF5007: 'unknown registry function',
  WF5008: 'trigger target not known when compiling',
  // limits
  WF6001: 'state name too long',
  WF6002: 'definition too large',
  WF6003: 'history event estimate over limit',
  WF6004: 'concurrency over limit',
  WF6005: 'value rounded',
  WF6006: 'feature not available in Express workflows',
  WF6007: 'value must be fixed at deploy time',
  WF6008: 'workflow split into child state machines',
  WF6009: 'foreach batched into child executions',
  WF6010: 'stage timeout longer than Lambda runs',
  WF6011: 'stack past CloudFormation limits',
  WF6012: 'secret param given to a docker stage',
  // run-time input
  WF7001: 'invalid param value',
  WF7002: 'unknown param',
  WF7003: 'missing required param',
  WF7004: 'malformed param assignment',
  WF7005: 'param value nested too deeply',
  WF7006: 'no such run',
  WF7007: 'no such job or stage in the run',
} as const;

/** A stable diagnostic code from the catalogue. */
export type Code = keyof typeof codes;
