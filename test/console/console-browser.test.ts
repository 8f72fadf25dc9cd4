/**
 * The web console of a real `wf serve` process, in headless Chromium (Debian's `chromium`, driven
 * by playwright-core): every workflow of a conf of several is listed once the scripts run; a run
 * started through the AWS SDK shows in the runs list with its status; a run started from the form
 * (a choice param and a secret one) finishes with the secret masked in its params and logs; a
 * stage's logs open; a long run stops with the Stop button; a waiting signal is approved; the
 * runs list filters and pages; buttons and links work from the keyboard.
 *
 * `UPDATE_SCREENSHOTS=1` also writes a screenshot of each page to docs/console/.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stopAuditServer } from '../helpers/audit-daemon.ts';
import { stopServe, whenListening, type ServeProcess } from '../helpers/serve-process.ts';

const CHROMIUM = process.env.WF_CHROMIUM || '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`skipping the web console's browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium, or set WF_CHROMIUM)`);

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;
const CONF = new URL('./fixtures/conf', import.meta.url).pathname;
const SHOTS = process.env.UPDATE_SCREENSHOTS ? new URL('../../docs/console/', import.meta.url).pathname : undefined;
const WORKFLOWS = ['fan', 'gate', 'greet', 'quick', 'slow'];
const SECRET = 'tok-9f8e7d6c5b';
const MACHINE = 'arn:aws:states:local:000000000000:stateMachine:';

let dir: string;
let server: ServeProcess;
let browser: Browser;
let page: Page;
let sfn: SFNClient;
/** Script errors and failed requests the page met: none is expected. */
const problems: string[] = [];

async function shot(name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function open(hash: string): Promise<void> {
  await page.goto(`${server.url}/${hash}`);
  await page.locator('main h1').first().waitFor();
}

/** The run status shown in the run page's heading, once it is `status`. */
async function runStatus(status: string, timeout = 30_000): Promise<void> {
  await page.locator('main h1 .status', { hasText: new RegExp(`^${status}$`) }).waitFor({ timeout });
}

async function sdkRun(workflow: string, input: unknown = {}): Promise<string> {
  const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}${workflow}`, input: JSON.stringify(input) }));
  return out.executionArn!;
}

async function settled(executionArn: string): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d.status!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${executionArn} did not end`);
}

describe.skipIf(!HAVE_CHROMIUM)('web console in a browser', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wf-console-'));
    const env = { ...process.env, NO_COLOR: '1', WORKFLOW_CORE_AUDIT_PATH: join(dir, '.wf'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    [server, browser] = await Promise.all([
      whenListening(spawn(process.execPath, [wf, 'serve', '--port', '0', '--conf', CONF], { cwd: dir, env })),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
    ]);
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
    page.on('console', (m) => {
      // Wrong params are a 400 on purpose; a request cut short by leaving the page is no fault.
      if (m.type() === 'error' && !/status of 400|ERR_ABORTED/.test(m.text())) problems.push(`console: ${m.text()} (${m.location().url})`);
    });
    sfn = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });

  afterEach(() => {
    const met = problems.splice(0);
    if (met.length) throw new Error(`the page met problems: ${met.join(' | ')}`);
  });

  afterAll(async () => {
    await browser?.close();
    if (server) await stopServe(server.child);
    if (dir) {
      stopAuditServer(join(dir, '.wf'));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists every workflow of the conf once the scripts run, with params, schedules and a drawn graph', async () => {
    await open('');
    for (const name of WORKFLOWS) await page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
    const quick = page.locator('article', { has: page.getByRole('heading', { name: 'quick', exact: true }) });
    expect(await quick.getByText('30 6 * * 1-5').textContent()).toContain('30 6 * * 1-5');
    expect(await quick.locator('section[aria-label="Schedules of quick"] li').textContent()).toMatch(/Europe\/Paris\): next .+; .+; .+/);
    // The graph is an SVG laid out by dagre: a box per stage, a cluster per job, an edge per need.
    const fan = page.locator('article', { has: page.getByRole('heading', { name: 'fan', exact: true }) });
    expect(await fan.locator('svg.graph g.node').count()).toBe(5);
    expect(await fan.locator('svg.graph g.cluster-job').count()).toBe(3);
    expect(await fan.locator('svg.graph .edge-needs').count()).toBeGreaterThanOrEqual(2);
    const box = await fan.locator('svg.graph g[data-node="ship/1"] rect').boundingBox();
    const first = await fan.locator('svg.graph g[data-node="build/1"] rect').boundingBox();
    expect(box!.y).toBeGreaterThan(first!.y);
    await shot('workflows');
  });

  it('shows a run started through the AWS SDK in the runs list, with its status', async () => {
    const arn = await sdkRun('quick', { params: { n: 7 } });
    expect(await settled(arn)).toBe('SUCCEEDED');
    const name = arn.split(':').pop()!;
    // An address without a hash routes by its path.
    await open('runs');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Runs');
    const row = page.locator(`tr[data-run="${name}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('td').first().textContent()).toBe('quick');
    await row.locator('.status', { hasText: 'SUCCESS' }).waitFor({ timeout: 10_000 });
    expect(await row.locator('td').nth(1).textContent()).toBe('SUCCESS execution SUCCEEDED');
  });

  it('starts a run from the form (a choice and a secret), shows it finish with the secret masked, and opens a stage\'s logs', async () => {
    await open('#/start/greet');
    await page.getByLabel('who').fill('bob');
    const colour = page.getByLabel('colour');
    expect(await colour.locator('option').allTextContents()).toEqual(['red', 'green', 'blue']);
    await colour.selectOption('green');
    const token = page.getByLabel('token');
    expect(await token.getAttribute('type')).toBe('password');
    expect(await token.getAttribute('required')).not.toBeNull();
    await shot('start-form');
    await token.fill(SECRET);
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\/\d{17}-[0-9a-f]{8}$/);
    await runStatus('SUCCESS');
    const params = page.locator('table.params');
    expect(await params.locator('tr', { hasText: 'colour' }).locator('td').textContent()).toBe('green');
    expect(await params.locator('tr', { hasText: 'token' }).locator('td').textContent()).toBe('***');
    await page.getByRole('button', { name: 'Logs of Say hello' }).click();
    const logs = page.locator('section.logs');
    await logs.getByText('hello bob in green').waitFor();
    expect(await logs.locator('pre').textContent()).toBe('hello bob in green\ntoken is ***\n');
    await page.locator('svg.graph g.status-success').first().waitFor();
    expect(await page.locator('svg.timeline, .timeline svg rect').count()).toBeGreaterThanOrEqual(4);
    expect(await page.content()).not.toContain(SECRET);
    await shot('run');
  });

  it('draws each matrix combination, branch and foreach item on the timeline, and colours the graph', async () => {
    const arn = await sdkRun('fan');
    expect(await settled(arn)).toBe('SUCCEEDED');
    await open(`#/runs/${arn.split(':').pop()}`);
    await runStatus('SUCCESS');
    const labels = await page.locator('.timeline svg g.bar > text').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['job build', 'Compile [linux, x64]', 'Compile [mac, arm]', 'Lint [branch lint]', 'Unit [branch unit]', 'Item [#0]', 'Item [#2]', 'job ship', 'Ship']));
    expect(await page.locator('.summaries li', { hasText: 'build › Compile' }).textContent()).toContain('4 places (4 SUCCESS)');
    expect(await page.locator('svg.graph g.status-success').count()).toBe(3 + 2 + 5);
    await page.getByText('4 matrix combinations').click();
    await page.getByText('os-mac_arch-arm').waitFor();
    await shot('run-matrix');
  });

  it('refuses wrong params with every problem at once', async () => {
    await open('#/start/greet');
    await page.getByLabel('who').fill('bob');
    await page.getByLabel('token').fill(SECRET);
    await page.getByLabel('colour').evaluate((el) => {
      const option = document.createElement('option');
      option.value = 'pink';
      option.textContent = 'pink';
      el.appendChild(option);
    });
    await page.getByLabel('colour').selectOption('pink');
    await page.getByRole('button', { name: 'Start run' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('param "colour": expected one of "red", "green", "blue", got "pink" [WF7001]');
  });

  it('stops a long run with the Stop button', async () => {
    await open('#/start/slow');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\/.+/);
    await runStatus('RUNNING');
    await page.locator('.tree .status', { hasText: 'RUNNING' }).first().waitFor({ timeout: 15_000 });
    await shot('run-running');
    const started = Date.now();
    await page.getByRole('button', { name: 'Stop' }).click();
    await runStatus('CANCEL', 15_000);
    expect(Date.now() - started).toBeLessThan(15_000);
    // Rerun starts a new run of it (type rerun, naming its parent), which stops the same way.
    const first = page.url().split('/').pop()!;
    await page.getByRole('button', { name: 'Rerun' }).click();
    await page.waitForURL((u) => /#\/runs\/.+/.test(u.hash) && !u.hash.endsWith(first));
    await runStatus('RUNNING');
    expect(await page.locator('main p').first().textContent()).toContain(`(rerun)`);
    expect(await page.getByRole('link', { name: first }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Stop' }).click();
    await runStatus('CANCEL', 15_000);
  });

  it('approves a signal a run waits for', async () => {
    await open('#/start/gate');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\/.+/);
    await page.locator('section[aria-label="Signals"] .status', { hasText: 'WAIT' }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Approve approve' }).click();
    await runStatus('SUCCESS');
    expect(await page.locator('section[aria-label="Signals"] li').textContent()).toContain('by web console');
  });

  it('filters the runs list by workflow and status, and pages through it', async () => {
    const arns = await Promise.all(Array.from({ length: 22 }, (_, n) => sdkRun('quick', { params: { n } })));
    await Promise.all(arns.map(settled));
    await open('#/runs');
    await page.getByLabel('Workflow').selectOption('quick');
    await page.waitForURL(/workflow=quick/);
    await page.getByText('Page 1 of 2 (23 runs)').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(20);
    const firstPage = await page.locator('tbody tr').first().getAttribute('data-run');
    await shot('runs');
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2 of 2 (23 runs)').waitFor();
    expect(await page.locator('tbody tr').count()).toBe(3);
    // Newest first: the last page holds the oldest run, the one the SDK test started.
    const runs = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
    expect(runs).not.toContain(firstPage);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByLabel('Status').selectOption('FAILED');
    await page.getByText('No runs match the filters.').waitFor();
    await page.getByLabel('Workflow').selectOption('');
    await page.getByLabel('Status').selectOption('CANCEL');
    await page.getByText('Page 1 of 1 (2 runs)').waitFor();
    // The stopped run and its stopped rerun.
    expect(await page.locator('tbody tr td:first-of-type').allTextContents()).toEqual(['slow', 'slow']);
    expect(await page.locator('tbody tr td:nth-of-type(2)').allTextContents()).toEqual(['CANCEL execution ABORTED', 'CANCEL execution ABORTED']);
  });

  it('works from the keyboard: links and buttons take Tab and Enter', async () => {
    await open('');
    await page.getByRole('heading', { level: 2, name: 'greet', exact: true }).waitFor();
    let focused = '';
    for (let i = 0; i < 40 && focused !== 'Start a run of greet'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText.replace(/\s+/g, ' ').trim() ?? '');
    }
    expect(focused).toBe('Start a run of greet');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/start\/greet$/);
    await page.getByLabel('token').focus();
    await page.keyboard.type(SECRET);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Start run');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/runs\/.+/);
    await runStatus('SUCCESS');
    await page.getByRole('button', { name: 'Logs of Report' }).focus();
    await page.keyboard.press('Space');
    await page.locator('section.logs').getByText('hello finished with success').waitFor();
  });
});
