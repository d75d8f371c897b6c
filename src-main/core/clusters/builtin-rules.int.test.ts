/**
 * The built-in rules against the errors our own actions really produce: each failure below is
 * made by running the real action (real files and PDFs, real sockets, Debian's Chromium, the
 * real queue) and its recorded error is classified as the app classifies it — by code and
 * message, and by message alone as `clusters analyze` does.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '../../../test-support/raw-http';
import { actionHarness, type Harness } from '../../../test-support/action-harness';
import { engineHarness, template, type EngineHarness } from '../../../test-support/engine';
import { q, tempDir } from '../../../test-support/files';
import { startTestSite, type TestSite } from '../../../test-support/web-test-site';
import { tempCore, asUser } from '../../../test-support/temp-core';
import { ActionError } from '../engine/action-types';
import { webActions } from '../engine/actions/web';
import { FailureClassifier } from './classifier';
import { RuleSet } from './rule-set';
import { TemplateMiner } from './template-miner';

let h: EngineHarness | undefined;
afterEach(() => {
  h?.cleanup();
  h = undefined;
});

/** Both ways the app sees a failure: with its code, and as a bare line of a log. */
function expectRule(error: { message: string; code?: string | null }, rule: string): void {
  const classify = (code?: string | null) => new FailureClassifier(new RuleSet(), new TemplateMiner()).classify(error.message, code).cluster;
  expect(classify(error.code), `${error.code}: ${error.message}`).toBe(rule);
  expect(classify(undefined), `message only: ${error.message}`).toBe(rule);
}

async function failedStep(yaml: string, options: Parameters<typeof engineHarness>[0] = {}) {
  h = engineHarness(options);
  const r = await h.run(yaml);
  const step = r.view.steps.find((s) => s.status === 'failed');
  expect(step, JSON.stringify(r.outcome)).toBeDefined();
  return { message: step!.error!, code: step!.error_code };
}

describe('built-in rules on real failures of our actions', () => {
  it('a missing file, a missing folder, a missing PDF → NO_FILES_FOUND', async () => {
    const dir = tempDir('rules');
    expectRule(await failedStep(template(`  - read_csv: { path: ${q(join(dir, 'nope.csv'))} }\n`)), 'NO_FILES_FOUND');
    expectRule(await failedStep(template(`  - pdf_merge: { inputs_from: ${q(join(dir, 'no-folder'))}, out: ${q(join(dir, 'o.pdf'))} }\n`)), 'NO_FILES_FOUND');
    expectRule(await failedStep(template(`  - pdf_merge: { inputs: [${q(join(dir, 'missing.pdf'))}], out: ${q(join(dir, 'o.pdf'))} }\n`)), 'NO_FILES_FOUND');
  });

  it('a file that is not a PDF → PDF_PARSE_ERROR', async () => {
    const dir = tempDir('rules');
    writeFileSync(join(dir, 'invoice.pdf'), 'Dear customer, this is a text file');
    const e = await failedStep(template(`  - pdf_merge: { inputs: [${q(join(dir, 'invoice.pdf'))}], out: ${q(join(dir, 'o.pdf'))} }\n`));
    expect(e.code).toBe('PDF_PARSE_ERROR');
    expectRule(e, 'PDF_PARSE_ERROR');
  });

  it('a refused connection → NETWORK_ERROR; a server that never answers → NETWORK_TIMEOUT', async () => {
    const port = await closedPort();
    const refused = await failedStep(template(`  - make_request: { url: "http://127.0.0.1:${port}/api", timeout_ms: 2000 }\n`));
    expect(refused.message).toContain('ECONNREFUSED');
    expectRule(refused, 'NETWORK_ERROR');
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const slow = await failedStep(template(`  - make_request: { url: "http://127.0.0.1:${(silent.address() as AddressInfo).port}/slow", timeout_ms: 150 }\n`));
      expect(slow.code).toBe('NETWORK_TIMEOUT');
      expectRule(slow, 'NETWORK_TIMEOUT');
    } finally {
      silent.close();
    }
  });

  it('a step that outlives its timeout → STEP_TIMEOUT', async () => {
    const e = await failedStep(template('  - wait: { ms: 5000, timeout_ms: 100 }\n'));
    expect(e.code).toBe('STEP_TIMEOUT');
    expectRule(e, 'STEP_TIMEOUT');
  });

  it('a missing secret → SECRET_NOT_FOUND', async () => {
    const e = await failedStep(template('  - log: { message: "token {{secrets://billing/api_token}}" }\n'));
    expect(e.code).toBe('SECRET_NOT_FOUND');
    expectRule(e, 'SECRET_NOT_FOUND');
  });

  it('a denied approval → HITL_DENIED; an unanswered one → HITL_TIMEOUT', async () => {
    const yaml = template('  - log: { message: before }\n  - human_confirm: { message: "Send the invoices?" }\n');
    h = engineHarness();
    const first = await h.run(yaml);
    h.db.prepare("update runs set status = 'waiting_approval' where id = ?").run(first.runId);
    h.runs.recordApprovalDecision(first.runId, { outcome: 'denied', by: 'bob', comment: 'amounts are wrong', at: new Date().toISOString() });
    const denied = await h.resume(first.runId);
    const step = denied.view.steps.find((s) => s.status === 'failed')!;
    expectRule({ message: step.error!, code: step.error_code }, 'HITL_DENIED');
    expectRule({ message: denied.outcome.error!, code: denied.outcome.errorCode }, 'HITL_DENIED');
    const second = await h.run(yaml);
    h.db.prepare("update runs set status = 'waiting_approval' where id = ?").run(second.runId);
    h.runs.recordApprovalDecision(second.runId, { outcome: 'timed_out', at: new Date().toISOString() });
    const timedOut = await h.resume(second.runId);
    expectRule({ message: timedOut.outcome.error!, code: timedOut.outcome.errorCode }, 'HITL_TIMEOUT');
  });

  it('a full queue → RESOURCE_EXHAUSTED', async () => {
    const dir = tempDir('rules-core');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'configs'), { recursive: true });
    writeFileSync(join(dir, 'configs', 'orchestrator.yaml'), 'queues:\n  default: { max_concurrent: 1, max_queued: 1 }\n');
    const t = await tempCore({ dir });
    try {
      const admin = asUser('Admin');
      await t.core.invoke('queues.pause', { name: 'default' }, admin);
      const yaml = template('  - log: { message: hi }\n');
      await t.core.invoke('runs.enqueue', { template_yaml: yaml }, admin);
      const refused = await t.core.invoke('runs.enqueue', { template_yaml: yaml }, admin).then(
        () => undefined,
        (e: { code: string; message: string }) => e,
      );
      expect(refused?.code).toBe('QUEUE_FULL');
      expectRule(refused!, 'RESOURCE_EXHAUSTED');
    } finally {
      await t.cleanup();
    }
  });
});

describe('WEB_ELEMENT_NOT_FOUND on a real page in Chromium', () => {
  let site: TestSite;
  let web: Harness;
  beforeAll(async () => {
    site = await startTestSite();
  });
  afterAll(async () => {
    await web?.cleanup();
    await site.close();
  });

  it('a label that is not on the page, a button that is not there', async () => {
    web = actionHarness();
    let stepNo = 0;
    const step = async (name: string, params: unknown) => {
      const action = webActions.find((a) => a.name === name)!;
      return action.run(action.params.parse(params), web.ctx(stepNo++));
    };
    await step('open_browser', { url: `${site.url}/contact` });
    for (const [name, params] of [
      ['fill_by_label', { label: '住所', text: '東京都', timeout_ms: 300 }],
      ['click_by_text', { text: 'Nonexistent button', timeout_ms: 300 }],
    ] as const) {
      const e = await step(name, params).then(
        () => undefined,
        (err: unknown) => err as ActionError,
      );
      expect(e).toBeInstanceOf(ActionError);
      expectRule({ message: e!.message, code: e!.code }, 'WEB_ELEMENT_NOT_FOUND');
    }
  }, 60_000);
});
