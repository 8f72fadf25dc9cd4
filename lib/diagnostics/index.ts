export type { Diagnostic, Location, Severity } from './diagnostic.ts';
export { DiagnosticError, hasErrors } from './diagnostic.ts';
export { codes, type Code } from './codes.ts';
export { formatDiagnostic, formatDiagnostics, type FormatOptions } from './format-diagnostic.ts';
export { editDistance, closest, didYouMean, quoteList } from './did-you-mean.ts';
