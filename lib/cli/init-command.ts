import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../package-files.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { ExitCode } from './exit-codes.ts';
import { scaffoldFiles, type ScaffoldVersions } from './init-files.ts';
import { terminalText } from './terminal-text.ts';
import { UsageError } from './usage-error.ts';

interface InitOptions {
  force?: boolean;
}

/**
 * `wf init [DIR] [--force]`: scaffolds a project in DIR (default: the working directory): conf/
 * with a workflow, a registry module, cdk.json (the settings wf and cdk read), package.json,
 * tsconfig.json and an example test. Existing files are kept unless --force, except package.json,
 * which gets the scripts and dependencies it lacks (npm init's placeholder test script counts as
 * lacking); each file written, merged or kept is listed.
 */
export const initCommand: CliCommand = {
  name: 'init',
  register(program, ctx) {
    program
      .command('init')
      .description('scaffold a project: conf/, a registry module, cdk.json, package.json, tsconfig.json and an example test')
      .argument('[dir]', 'folder of the new project (created when missing)', '.')
      .option('--force', 'overwrite files that already exist')
      .action(commandAction(ctx, (dir: string, opts: InitOptions) => init(ctx, dir, opts)));
  },
};

function versions(): ScaffoldVersions {
  const own = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    version: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const pick = (name: string, fallback: string): string => own.devDependencies?.[name] ?? own.dependencies?.[name] ?? own.peerDependencies?.[name] ?? fallback;
  return {
    self: own.version,
    awsCdkLib: pick('aws-cdk-lib', '^2.276.0'),
    constructs: pick('constructs', '^10.0.0'),
    awsCdk: pick('aws-cdk', '^2.1000.0'),
    zod: pick('zod', '^4.0.0'),
  };
}

function init(ctx: CliContext, dir: string, opts: InitOptions): number {
  const root = resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory()) throw new UsageError(`${dir} is not a folder`);
  const name = basename(root).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'workflows';
  let kept = 0;
  for (const [path, text] of Object.entries(scaffoldFiles(name, versions()))) {
    const file = join(root, path);
    if (path === 'package.json' && existsSync(file) && !opts.force) {
      write(file, mergePackageJson(file, text));
      ctx.err(`merged   package.json (added the scripts and dependencies it lacked)\n`);
      continue;
    }
    if (existsSync(file) && !opts.force) {
      ctx.err(`kept     ${terminalText(path)} (exists; --force overwrites it)\n`);
      kept++;
      continue;
    }
    write(file, text);
    ctx.err(`created  ${terminalText(path)}\n`);
  }
  const cd = dir === '.' ? '' : `cd ${terminalText(dir)} && `;
  ctx.err(`\nnext: ${cd}npm install && npx wf run hello --progress${kept ? '\n(files that existed were kept: compare them with what wf init writes)' : ''}\n`);
  return ExitCode.ok;
}

function write(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

/** npm init's test script, which only fails: replaced like a missing one. */
const PLACEHOLDER_TEST = /^echo "Error: no test specified" && exit 1$/;

type Manifest = Record<string, unknown> & { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };

/** An existing package.json with the scaffold's scripts and dependencies it lacks added; nothing of its own changes. */
function mergePackageJson(file: string, scaffold: string): string {
  let own: Manifest;
  try {
    own = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON (${(e as Error).message}); fix it, or pass --force to replace it`);
  }
  const ours = JSON.parse(scaffold) as Manifest;
  const merged: Manifest = { ...own };
  for (const key of ['scripts', 'dependencies', 'devDependencies'] as const) {
    const mine = { ...(own[key] ?? {}) };
    for (const [name, value] of Object.entries(ours[key] ?? {})) {
      const current = mine[name];
      if (current === undefined || (key === 'scripts' && name === 'test' && PLACEHOLDER_TEST.test(current))) mine[name] = value;
    }
    merged[key] = mine;
  }
  return `${JSON.stringify(merged, null, 2)}\n`;
}
