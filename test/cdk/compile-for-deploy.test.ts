import { describe, expect, it } from 'vitest';
import { compileForDeploy } from '../../lib/cdk/compile-for-deploy.ts';
import { WorkflowSynthError } from '../../lib/cdk/workflow-synth-error.ts';
import { loadWorkflows } from '../../lib/config/index.ts';
import { formatDiagnostics } from '../../lib/diagnostics/index.ts';

const CONF = 'test/cdk/fixtures/conf';

describe('compileForDeploy', () => {
  it('orders every workflow after the workflows it triggers', () => {
    const { workflows } = compileForDeploy({ conf: CONF, env: {} });
    const order = workflows.map((w) => w.workflow.name);
    expect([...order].sort()).toEqual(['container', 'nightly', 'publish', 'quick']);
    expect(order.indexOf('publish')).toBeLessThan(order.indexOf('nightly'));
  });

  it('returns warnings formatted as wf validate prints them', () => {
    const { warnings } = compileForDeploy({ conf: CONF, env: {} });
    expect(warnings.map((w) => w.diagnostic.code)).toEqual(['WF2009']);
    expect(warnings[0]!.text).toMatch(/^test\/cdk\/fixtures\/conf\/nightly\.yml:8:53: warning WF2009: /);
  });

  it('throws the formatted diagnostics, file:line:col and source line, for an inexpressible cron', () => {
    const loaded = loadWorkflows({ conf: 'test/cdk/fixtures/bad-cron', env: {} });
    const expected = formatDiagnostics(loaded.diagnostics, { sources: loaded.sources });
    expect(expected).toContain('test/cdk/fixtures/bad-cron/report.yml:4:13: error WF2010: cron "30 6 1-15 * MON-FRI" cannot be scheduled');
    expect(expected).toContain('   4 |     - cron: "30 6 1-15 * MON-FRI"');
    expect(() => compileForDeploy({ conf: 'test/cdk/fixtures/bad-cron', env: {} })).toThrow(expected);
    expect(() => compileForDeploy({ conf: 'test/cdk/fixtures/bad-cron', env: {} })).toThrow(WorkflowSynthError);
  });

  it('throws when the config directory holds no workflow', () => {
    expect(() => compileForDeploy({ conf: 'test/cdk/fixtures/registry', env: {} })).toThrow('error WF1005: no workflow found in "test/cdk/fixtures/registry"');
    expect(() => compileForDeploy({ workflows: new Map() })).toThrow('error WF1005: no workflow to deploy');
  });
});
