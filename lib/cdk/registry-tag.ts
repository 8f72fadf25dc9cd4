/**
 * What `sfn-workflow` is inside the stage-runner bundle. Registry modules `import { tag } from
 * 'sfn-workflow'`; the bundle aliases that import to this file, so that a registry module pulls in
 * the registration function only, not the loader, compiler and local engine of the package's main
 * entry. This file must not import aws-cdk-lib.
 */
export { tag, type TagOptions } from '../runtime/tag.ts';
