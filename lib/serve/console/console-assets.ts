/**
 * The web console's files as the server sends them: the page, and the script and style sheet
 * read from `dist/console/` (built), or bundled in memory once when running from the sources.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CODE_ROOT, FROM_SOURCES } from '../../package-files.ts';
import { bundleConsole, type ConsoleBundle } from './bundle-console.ts';

/** Where the build puts the console's files, beside the compiled code. */
export const CONSOLE_DIST = join(CODE_ROOT, 'console');

let loading: Promise<ConsoleBundle> | undefined;

/** The bundled script and style sheet (cached; a failed load is tried again next time). */
export function consoleBundle(): Promise<ConsoleBundle> {
  loading ??= (FROM_SOURCES
    ? bundleConsole()
    : Promise.all([readFile(join(CONSOLE_DIST, 'console.js'), 'utf8'), readFile(join(CONSOLE_DIST, 'console.css'), 'utf8')]).then(([js, css]) => ({ js, css }))
  ).catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

/** The page every console address answers with; the script draws it. */
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wf console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
<div id="app"><p>Loading the console…</p></div>
<noscript>The wf console needs JavaScript.</noscript>
<script src="/console/assets/console.js"></script>
</body>
</html>
`;
