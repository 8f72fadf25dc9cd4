/** Amazon States Language (JSONPath query language) types: only what the compiler emits. */

/** A Choice rule: a comparison on a variable, or a boolean combination of rules. */
export interface ChoiceRule {
  And?: ChoiceRule[];
  Or?: ChoiceRule[];
  Not?: ChoiceRule;
  Variable?: string;
  Next?: string;
  [comparison: string]: unknown;
}

/** A Retry entry. */
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
}

/** A Catch entry. */
export interface Catcher {
  ErrorEquals: string[];
  ResultPath?: string | null;
  Next: string;
}

/** Any state; fields follow the ASL spelling and are rendered in a fixed order. */
export interface State {
  Type: 'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';
  Comment?: string;
  InputPath?: string | null;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  ItemsPath?: string;
  ItemSelector?: Record<string, unknown>;
  ItemProcessor?: Machine & { ProcessorConfig?: Record<string, unknown> };
  /** Distributed Map: where the items come from (an S3 listing or manifest). */
  ItemReader?: { Resource: string; ReaderConfig?: Record<string, unknown>; Parameters?: Record<string, unknown> };
  /** Distributed Map: items per child execution, and the input every batch shares. */
  ItemBatcher?: { MaxItemsPerBatch?: number; BatchInput?: Record<string, unknown> };
  /** Distributed Map: where the child executions' results are written. */
  ResultWriter?: { Resource: string; Parameters?: Record<string, unknown> };
  ToleratedFailurePercentage?: number;
  ToleratedFailureCount?: number;
  MaxConcurrency?: number;
  Branches?: Machine[];
  Result?: unknown;
  ResultSelector?: Record<string, unknown>;
  ResultPath?: string | null;
  OutputPath?: string | null;
  Seconds?: number;
  SecondsPath?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Choices?: ChoiceRule[];
  Default?: string;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Error?: string;
  Cause?: string;
  ErrorPath?: string;
  CausePath?: string;
  Next?: string;
  End?: boolean;
}

/** A state machine or a Parallel branch / Map item processor. */
export interface Machine {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
}
