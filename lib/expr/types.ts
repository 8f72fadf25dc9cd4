/**
 * Shared types of the expression engine: the AST, errors with positions relative to the
 * expression text, and the evaluation context. The config layer maps positions into files.
 */
import type { Code } from '../diagnostics/index.ts';

/** A problem in an expression, positioned relative to the text that was parsed. */
export interface ExprProblem {
  code: Code;
  message: string;
  /** 0-based offset into the parsed text (template or expression source). */
  offset: number;
  length: number;
  note?: string;
}

/** A run-time evaluation failure (missing name, type error, bad filter argument, ...). */
export class EvalError extends Error {
  readonly code: Code;
  readonly offset?: number;
  readonly length?: number;
  readonly note?: string;
  constructor(code: Code, message: string, where?: { offset: number; length: number }, note?: string) {
    super(message);
    this.name = 'EvalError';
    this.code = code;
    this.offset = where?.offset;
    this.length = where?.length;
    this.note = note;
  }
}

/** Where a node sits in the expression source. */
export interface Span {
  offset: number;
  length: number;
}

/** Expression AST. */
export type Node =
  | ({ type: 'literal'; value: null | boolean | number | string } & Span)
  | ({ type: 'name'; name: string } & Span)
  | ({ type: 'member'; object: Node; property: string; optional: boolean } & Span)
  | ({ type: 'index'; object: Node; index: Node; optional: boolean } & Span)
  | ({ type: 'unary'; op: '!' | '-'; operand: Node } & Span)
  | ({ type: 'binary'; op: BinaryOp; left: Node; right: Node } & Span)
  | ({ type: 'call'; name: string; args: Node[] } & Span)
  | ({
      type: 'filter';
      input: Node;
      name: string;
      args: Node[];
      /** Offset of the filter's name (the span starts at its input). */
      nameOffset?: number;
    } & Span);

/** Binary operators, loosest first: `||`, `&&`, equality, comparison, additive, multiplicative. */
export type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '+' | '-' | '*' | '/' | '%';

/** Status facts the status functions (`success()`, `failure()`, `cancelled()`) read. */
export interface StatusFacts {
  /** Everything before (needed jobs for a job, earlier stages for a stage) succeeded or was skipped. */
  success: boolean;
  /** Something before failed. */
  failure: boolean;
  /** The run is being cancelled. */
  cancelled: boolean;
}

/** What an expression evaluates against. */
export interface EvalContext {
  /** Root names (`params`, `stages`, `matrix`, `item`, ...) and their values. */
  scope: Record<string, unknown>;
  /** @default {success: true, failure: false, cancelled: false} */
  status?: StatusFacts;
}

/** How a template embedded in text renders a non-string value. */
export type RenderMode = 'text' | 'python' | 'bash';

/**
 * One piece of a template string: literal text, or one `${{ expr }}`.
 * Every offset is relative to the whole template text, and so are the positions of `ast` nodes.
 */
export type TemplatePart =
  | { kind: 'text'; text: string; offset: number }
  | {
      kind: 'expr';
      /** The expression between `${{` and `}}`, untrimmed. */
      src: string;
      /** Absent when the expression has a syntax error (see the template's problems). */
      ast?: Node;
      /** Offset of `${{` in the template text. */
      offset: number;
      /** Length from `${{` to the end of `}}`. */
      length: number;
      /** Offset of `src` in the template text (`offset + 3`). */
      srcOffset: number;
    };

/** What the static checker knows about the place an expression is written. */
export interface StaticScope {
  /** Root names available here (`params`, `stages`, `matrix`, ...). */
  roots: ReadonlySet<string>;
  /** Jobs this job needs: `needs.<id>` must name one of them. */
  needs?: ReadonlySet<string>;
  /** Jobs of the workflow: `jobs.<id>` must name one of them. */
  jobs?: ReadonlySet<string>;
  /** Stage ids visible here: `stages.<id>` must name one of them. */
  stageIds?: ReadonlySet<string>;
  /** Declared params: `params.<name>` must name one of them. */
  params?: ReadonlySet<string>;
}

/** The four ways a condition (`if`, `until`) can be written. */
export type ConditionForm = 'literal' | 'template' | 'bare' | 'mixed';

/** Where a template of a mixed-form condition sits in the surrounding text. */
export type QuoteContext = 'none' | "'" | '"';

/** A condition parsed once, ready to be evaluated many times. */
export interface ParsedCondition {
  form: ConditionForm;
  /** `literal`: the YAML boolean. */
  value?: boolean;
  /** `template` and `bare`: the expression, positioned relative to the condition text. */
  ast?: Node;
  /** `template` and `mixed`: the template parts of the condition text. */
  parts?: TemplatePart[];
  /** `mixed`: for each expression part, whether it sits inside a quoted string of the surrounding text (`none` for text parts). */
  quotes?: QuoteContext[];
  problems: ExprProblem[];
}
