/** Types for `asl-validator` 4 (the package ships none): `validator(definition, options)`. */
declare module 'asl-validator' {
  interface ValidationError {
    'Error code': string;
    Message: string;
  }
  interface ValidationResult {
    isValid: boolean;
    errors: ValidationError[];
    errorsText(separator?: string): string;
  }
  /** Validates a definition; it writes a default `QueryLanguage` into the states it is given. */
  export default function aslValidator(definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }): ValidationResult;
}
