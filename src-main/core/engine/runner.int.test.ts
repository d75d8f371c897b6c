import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../kernel/clock';
import { AppError } from '../kernel/errors';
import { createDesktopActions } from './actions/desktop';
import { systemDesktop } from './desktop/preflight';
import { ACTION_FAMILIES, ActionRegistry } from './registry';
import { RUNNING_ROW_AFTER_MS } from './runner';
import { engineHarness, mapSecrets, template, type EngineHarness } from '../../../test-support/engine';
import { q, tempDir, writePdf, writeTree } from '../../../test-support/files';

let h: EngineHarness;
afterEach(() => h?.cleanup());

/** Lets the engine reach its next await point (no sleeping on time). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (check()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never happened: ${what}`);
}
/** Resolves once the engine has started step `index` (its row is written only when it ends or after 200 ms). */
function started(h: EngineHarness, index: number): () => boolean {
  let seen = false;
  h.bus.subscribe((e) => {
    if (e.type === 'step.started' && (e.data as { index: number }).index === index) seen = true;
  });
  return () => seen;
}
const stepStatus = (h: EngineHarness, runId: string, idx: number) => (h.db.prepare('select status from run_steps where run_id = ? and idx = ?').pluck().get(runId, idx) as string | undefined) ?? 'none';
const logged = (h: EngineHarness, text: string) => h.logs.records().filter((r) => r.component === 'Engine' && r.msg === text).length;

describe('when and step results', () => {
  it('runs or skips a step as the data says, and renders the real page count', async () => {
    h = engineHarness();
    const full = tempDir('when');
    await writePdf(join(full, 'a.pdf'), 2);
    await writePdf(join(full, 'b.pdf'), 3);
    const empty = tempDir('when-empty');
    const yaml = template(
      `  - find_files: { query: "kind:pdf", roots: ["{{inbox}}"] }
  - pdf_merge: { inputs: "{{steps[0].files}}", out: "{{inbox}}/merged.pdf", when: "steps[0].found > 0", id: merge }
  - log: { message: "merged {{steps.merge.page_count}} pages", when: "steps[0].found > 0" }
`,
      'variables: { inbox: null }\n',
    );
    const ran = await h.run(yaml, { variables: { inbox: full } });
    expect(ran.outcome.status).toBe('succeeded');
    expect(ran.view.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(ran.view.steps[2]!.result).toEqual({ message: 'merged 5 pages', level: 'info' });
    expect(existsSync(join(full, 'merged.pdf'))).toBe(true);

    const skipped = await h.run(yaml, { variables: { inbox: empty } });
    expect(skipped.outcome.status).toBe('succeeded');
    expect(skipped.view.steps.map((s) => s.status)).toEqual(['succeeded', 'skipped', 'skipped']);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('fails a step that reads a runtime value that is not there (never an empty string)', async () => {
    h = engineHarness();
    const dir = tempDir('undef');
    writeTree(dir, { 'a.txt': 'a' });
    const r = await h.run(template(`  - find_files: { roots: [${q(dir)}], id: find }\n  - log: { message: "second file: {{steps.find.files[1]}}" }\n`));
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'UNDEFINED_VARIABLE', retryable: false });
    expect(r.view.steps[1]!.error).toBe('steps.find.files[1] is undefined: steps.find.files has 1 item');
  });

  it('leaves a self-referencing variable and values containing {{x}} literal: no loop, no injection', async () => {
    const secrets = mapSecrets({ api_key: 'sk-should-not-leak' });
    h = engineHarness({ secrets });
    const dir = tempDir('inject');
    writeTree(dir, { '{{a}} {{ steps[0].message }}.txt': 'x' });
    const r = await h.run(
      template(
        `  - log: { message: "a={{a}} b={{b}}" }
  - find_files: { roots: [${q(dir)}], id: find }
  - copy_to: { dest: ${q(join(dir, 'out'))} }
  - log: { message: "{{steps.find.files[0] | basename}}" }
`,
        'variables: { a: "{{a}}", b: null }\n',
      ),
      { variables: { b: '{{secrets://api_key}}' } },
    );
    expect(r.outcome.status).toBe('succeeded');
    expect(r.view.steps[0]!.result).toEqual({ message: 'a={{a}} b={{secrets://api_key}}', level: 'info' });
    expect(r.view.steps[3]!.result).toEqual({ message: '{{a}} {{ steps[0].message }}.txt', level: 'info' });
    expect(readdirSync(join(dir, 'out'))).toEqual(['{{a}} {{ steps[0].message }}.txt']);
    expect(secrets.lookups).toEqual([]);
  });

  it('needs required variables before anything runs', async () => {
    h = engineHarness();
    const r = await h.run(template('  - log: { message: "{{csv}} {{to}}" }\n', 'variables: { csv: null, to: null }\n'));
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'VARIABLE_MISSING', error: 'Missing value for variables csv, to: give them with the run (--var csv=…)' });
    expect(r.view.steps).toEqual([]);
  });

  it('goes on after a failed step with continue_on_error, which later steps can see', async () => {
    h = engineHarness();
    const missing = join(tempDir(), 'x');
    const r = await h.run(template(`  - assert_file_exists: { path: ${q(missing)}, continue_on_error: true, id: check }\n  - log: { message: "after", when: "true" }\n`));
    expect(r.outcome.status).toBe('succeeded');
    expect(r.view.steps.map((s) => [s.status, s.error])).toEqual([
      ['failed', `File not found: ${missing}`],
      ['succeeded', null],
    ]);
  });

  it('refuses templates it cannot run: invalid content, or actions of a family this build lacks', async () => {
    h = engineHarness({ registry: new ActionRegistry(ACTION_FAMILIES.filter((f) => f[0]!.family !== 'web')) });
    const invalid = await h.run('dsl_version: "1.1"\nname: x\nsteps:\n  - log: { mesage: x }\n');
    expect(invalid.outcome).toMatchObject({ status: 'failed', errorCode: 'VALIDATION_ERROR' });
    expect(invalid.outcome.error).toMatch(/steps\[0\]\.log\.mesage \(line 4\): unknown param 'mesage'/);
    const web = await h.run(template('  - open_browser: { url: "https://example.com" }\n'));
    expect(web.outcome).toMatchObject({ status: 'failed', errorCode: 'ACTION_UNAVAILABLE', error: 'This build cannot run the action(s) open_browser (their family is not installed)' });
  });

  it('publishes step events and records durations and attempts', async () => {
    h = engineHarness();
    const events: string[] = [];
    h.bus.subscribe((e) => events.push(`${e.type}:${(e.data as { index?: number }).index}:${(e.data as { status?: string }).status ?? ''}`));
    const r = await h.run(template('  - log: { message: a }\n  - log: { message: b, when: "false" }\n'));
    expect(events).toEqual(['step.started:0:', 'step.finished:0:succeeded', 'step.started:1:', 'step.finished:1:skipped']);
    expect(r.view.steps[0]).toMatchObject({ duration_ms: expect.any(Number), started_at: expect.any(String), finished_at: expect.any(String) });
  });
});

describe('timeouts, retries, cancellation, pause and shutdown', () => {
  it('fails a step that outlives its timeout_ms', async () => {
    const clock = new FakeClock();
    h = engineHarness({ clock });
    const id = h.insert(template('  - wait: { ms: 60000, timeout_ms: 1000 }\n  - log: { message: never }\n'));
    const isRunning = started(h, 0);
    const done = h.engine.executeRun(id);
    await until(isRunning, 'step 0 running');
    await clock.advanceAsync(1000);
    const outcome = await done;
    expect(outcome).toMatchObject({ status: 'failed', errorCode: 'STEP_TIMEOUT', error: 'steps[0] wait: the step timed out after 1000 ms', retryable: true });
    expect(stepStatus(h, id, 1)).toBe('none');
  });

  it('shows a step that takes a while as running, and writes a quick one once', async () => {
    const clock = new FakeClock();
    h = engineHarness({ clock });
    const id = h.insert(template('  - wait: { ms: 1000 }\n'));
    const isRunning = started(h, 0);
    const done = h.engine.executeRun(id);
    await until(isRunning, 'started');
    expect(stepStatus(h, id, 0)).toBe('none');
    await clock.advanceAsync(RUNNING_ROW_AFTER_MS);
    expect(stepStatus(h, id, 0)).toBe('running');
    await clock.advanceAsync(1000);
    expect((await done).status).toBe('succeeded');
    expect(stepStatus(h, id, 0)).toBe('succeeded');
  });

  it('fails the run at its run timeout', async () => {
    const clock = new FakeClock();
    h = engineHarness({ clock });
    const id = h.insert(template('  - wait: { ms: 60000 }\n'));
    const isRunning = started(h, 0);
    const done = h.engine.executeRun(id, { timeoutMs: 5000 });
    await until(isRunning, 'running');
    await clock.advanceAsync(5000);
    expect(await done).toMatchObject({ status: 'failed', errorCode: 'RUN_TIMEOUT', error: 'the run timed out after 5000 ms' });
  });

  it('retries a step on retryable failures as its retry says', async () => {
    let calls = 0;
    const server: Server = createServer((_req, res) => {
      calls++;
      res.writeHead(calls < 3 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(calls < 3 ? 'busy' : '{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    h = engineHarness();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const r = await h.run(template(`  - make_request: { url: "${url}", retry: { max_attempts: 3, backoff_ms: 5 } }\n`));
    await new Promise<void>((res) => server.close(() => res()));
    expect(r.outcome.status).toBe('succeeded');
    expect(calls).toBe(3);
    expect(r.view.steps[0]).toMatchObject({ status: 'succeeded', result: { json: { ok: true } } });
    expect(h.db.prepare('select attempt from run_steps where run_id = ?').pluck().get(r.runId)).toBe(3);
  });

  it('reports a failure before the step did anything as safe to repeat, so only_idempotent retry policies retry it', async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(503);
      res.end('busy');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const noDisplay = createDesktopActions(systemDesktop({}, 'linux'));
    h = engineHarness({
      registry: new ActionRegistry([...ACTION_FAMILIES.filter((f) => f[0]!.family !== 'desktop'), noDisplay]),
      secrets: {
        resolve: async () => {
          throw new Error('the keychain did not answer');
        },
      },
    });
    // Typing is not idempotent, but with no display nothing was typed.
    const typed = await h.run(template('  - type_text: { text: hello }\n'));
    expect(typed.outcome).toMatchObject({ status: 'failed', errorCode: 'DESKTOP_UNAVAILABLE', retryable: true, failedStepIdempotent: true });
    // A POST whose secret could not be read was never sent.
    const unsent = await h.run(template(`  - make_request: { url: "${url}", method: POST, headers: { X-Key: "{{secrets://api_key}}" } }\n`));
    expect(unsent.outcome).toMatchObject({ status: 'failed', errorCode: 'SECRET_BACKEND_ERROR', retryable: true, failedStepIdempotent: true });
    // A POST the server answered 503 may have done something: not safe to repeat.
    const sent = await h.run(template(`  - make_request: { url: "${url}", method: POST }\n`));
    await new Promise<void>((res) => server.close(() => res()));
    expect(sent.outcome).toMatchObject({ status: 'failed', errorCode: 'HTTP_STATUS', retryable: true, failedStepIdempotent: false });
  });

  it('stops at once on cancel; the running step fails as cancelled and nothing after it runs', async () => {
    const clock = new FakeClock();
    h = engineHarness({ clock });
    const id = h.insert(template('  - log: { message: first }\n  - wait: { ms: 60000 }\n  - log: { message: never }\n'));
    const stop = new AbortController();
    const isRunning = started(h, 1);
    const done = h.engine.executeRun(id, { signal: stop.signal });
    await until(isRunning, 'wait running');
    stop.abort('cancel');
    expect(await done).toMatchObject({ status: 'cancelled', errorCode: 'CANCELLED' });
    expect(h.db.prepare('select status, error from run_steps where run_id = ? order by idx').all(id)).toEqual([
      { status: 'succeeded', error: null },
      { status: 'failed', error: 'cancelled' },
    ]);
  });

  it('pauses after the running step and resumes with the next one, never repeating finished steps', async () => {
    const clock = new FakeClock();
    h = engineHarness({ clock });
    const id = h.insert(template('  - log: { message: one }\n  - wait: { ms: 1000 }\n  - log: { message: three }\n'));
    const pause = new AbortController();
    const isRunning = started(h, 1);
    const done = h.engine.executeRun(id, { signal: pause.signal });
    await until(isRunning, 'wait running');
    pause.abort('pause');
    await clock.advanceAsync(1000);
    expect(await done).toEqual({ status: 'paused' });
    expect(h.db.prepare('select next_step from runs where id = ?').pluck().get(id)).toBe(2);
    const resumed = await h.resume(id);
    expect(resumed.outcome.status).toBe('succeeded');
    expect(resumed.view.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(logged(h, 'one')).toBe(1);
    expect(logged(h, 'three')).toBe(1);
  });

  it('is interrupted by a shutdown and runs the interrupted step again on resume', async () => {
    const clock = new FakeClock();
    h = engineHarness({ clock });
    const id = h.insert(template('  - log: { message: one }\n  - wait: { ms: 1000 }\n'));
    const stop = new AbortController();
    const isRunning = started(h, 1);
    const done = h.engine.executeRun(id, { signal: stop.signal });
    await until(isRunning, 'wait running');
    stop.abort('shutdown');
    expect(await done).toMatchObject({ status: 'interrupted', retryable: true });
    // The journal has no started mark for an idempotent step: recovery would re-queue it.
    expect(h.runs.interruptedStep(id)?.idempotent ?? true).toBe(true);
    const resumed = h.resume(id);
    await until(() => clock.pendingTimers() > 0, 'wait armed again');
    await clock.advanceAsync(1000);
    expect((await resumed).outcome.status).toBe('succeeded');
    expect(logged(h, 'one')).toBe(1);
  });
});

describe('human_confirm', () => {
  const yaml = (extra = '') =>
    template(`  - log: { message: before }
  - human_confirm: { message: "本番環境へのデプロイを実行しますか？", risk_level: high, required_role: editor${extra} }
  - log: { message: "approved by {{steps[1].decided_by | default:'nobody'}}" }
`);

  it('suspends the run with the request, and continues with the next step once approved', async () => {
    const clock = new FakeClock('2026-01-15T09:00:00Z');
    h = engineHarness({ clock });
    const first = await h.run(yaml());
    expect(first.outcome).toEqual({
      status: 'waiting_approval',
      approval: {
        step: 1,
        message: '本番環境へのデプロイを実行しますか？',
        risk_level: 'high',
        required_role: 'Editor',
        auto_action: 'deny',
        timeout_ms: 30 * 60_000,
        requested_at: '2026-01-15T09:00:00.000Z',
        expires_at: '2026-01-15T09:30:00.000Z',
      },
    });
    expect(first.view.steps.map((s) => s.status)).toEqual(['succeeded', 'running']);
    expect(h.runs.pendingApproval(first.runId)).toEqual(first.outcome.approval);

    // Resumed without a decision (e.g. after a restart): still waiting, same request.
    h.db.prepare("update runs set status = 'waiting_approval' where id = ?").run(first.runId);
    expect(() => h.runs.recordApprovalDecision('run_nope', { outcome: 'approved', at: 'now' })).toThrow(AppError);
    h.runs.recordApprovalDecision(first.runId, { outcome: 'approved', by: 'alice', comment: 'ok', at: '2026-01-15T09:05:00.000Z' });
    expect(() => h.runs.recordApprovalDecision(first.runId, { outcome: 'denied', by: 'bob', at: 'x' })).toThrow(/already decided/);
    const resumed = await h.resume(first.runId);
    expect(resumed.outcome.status).toBe('succeeded');
    expect(resumed.view.steps[1]).toMatchObject({ status: 'succeeded', result: { approved: true, decided_by: 'alice', comment: 'ok' } });
    expect(resumed.view.steps[2]!.result).toEqual({ message: 'approved by alice', level: 'info' });
    expect(logged(h, 'before')).toBe(1);
  });

  it('fails the step and the run with "denied by <user>" when denied', async () => {
    h = engineHarness();
    const first = await h.run(yaml());
    h.db.prepare("update runs set status = 'waiting_approval' where id = ?").run(first.runId);
    h.runs.recordApprovalDecision(first.runId, { outcome: 'denied', by: 'bob', comment: 'not today', at: new Date().toISOString() });
    const r = await h.resume(first.runId);
    expect(r.outcome).toMatchObject({ status: 'failed', errorCode: 'HITL_DENIED', error: 'steps[1] human_confirm: denied by bob: not today', retryable: false });
    expect(r.view.steps.map((s) => s.status)).toEqual(['succeeded', 'failed']);
  });

  it('applies auto_action on a timeout; approve only when written', async () => {
    const cases: [string, string, string | undefined][] = [
      ['', 'failed', 'approval timed out: no decision within 30 minutes; denied automatically (auto_action: deny)'],
      [', auto_action: fail, timeout_minutes: 5', 'failed', 'approval timed out after 5 minutes (auto_action: fail)'],
      [', auto_action: approve', 'succeeded', undefined],
    ];
    h = engineHarness({ config: { hitl: { default_auto_action: 'approve' } } });
    for (const [extra, status, error] of cases) {
      const first = await h.run(yaml(extra));
      expect(first.outcome.approval?.auto_action, extra).toBe(extra.includes('approve') ? 'approve' : extra.includes('fail') ? 'fail' : 'deny');
      h.db.prepare("update runs set status = 'waiting_approval' where id = ?").run(first.runId);
      h.runs.recordApprovalDecision(first.runId, { outcome: 'timed_out', at: new Date().toISOString() });
      const r = await h.resume(first.runId);
      expect(r.outcome.status, extra).toBe(status);
      expect(r.view.steps[1]!.error, extra).toBe(error ?? null);
      if (error) expect(r.outcome.errorCode).toBe('HITL_TIMEOUT');
    }
  });

  it('does not stop a dry run', async () => {
    h = engineHarness();
    const r = await h.run(yaml(), { dryRun: true });
    expect(r.outcome.status).toBe('succeeded');
    expect(r.view.steps[1]!.result).toEqual({ would_ask: { message: '本番環境へのデプロイを実行しますか？', risk_level: 'high', required_role: 'Editor' } });
    expect(r.view.steps[2]!.result).toEqual({ message: 'approved by nobody', level: 'info' });
  });
});

describe('for_each over CSV rows', () => {
  it('runs the nested steps once per row with row.* and loop.*', async () => {
    h = engineHarness();
    const dir = tempDir('csv');
    writeTree(dir, { 'people.csv': '氏名,メール,部署\n山田 太郎,taro@example.com,営業\n佐藤 花子,hanako@example.com,経理\n', 'template.txt': 'x' });
    const r = await h.run(
      template(`  - read_csv: { path: ${q(join(dir, 'people.csv'))}, id: csv }
  - for_each:
      items: "{{steps.csv.rows}}"
      steps:
        - copy_to: { paths: [${q(join(dir, 'template.txt'))}], dest: ${q(join(dir, 'out'))}, id: copy }
        - rename: { paths: "{{steps.copy.out_paths}}", rule: "{{row.部署}}_{index}.txt" }
        - move_to: { dest: "${join(dir, 'out')}/{{row.氏名}}" }
        - log: { message: "{{loop.number}}/{{loop.count}} {{row.氏名}} <{{row.メール}}>" }
`),
    );
    expect(r.outcome.status).toBe('succeeded');
    expect(r.view.steps[1]!.result).toMatchObject({ count: 2, succeeded: 2, failed: 0 });
    expect(readdirSync(join(dir, 'out', '山田 太郎'))).toEqual(['営業_1.txt']);
    expect(readdirSync(join(dir, 'out', '佐藤 花子'))).toEqual(['経理_1.txt']);
    expect(logged(h, '1/2 山田 太郎 <taro@example.com>')).toBe(1);
    expect(logged(h, '2/2 佐藤 花子 <hanako@example.com>')).toBe(1);
  });

  it('stops at the first failing item, or goes on with on_item_error: continue, and fails the step either way', async () => {
    h = engineHarness();
    const items = '[{ n: 1 }, { m: 2 }, { n: 3 }]';
    const stop = await h.run(template(`  - for_each:\n      items: ${items}\n      steps:\n        - log: { message: "n={{row.n}}" }\n`));
    expect(stop.outcome).toMatchObject({ status: 'failed', errorCode: 'ITEM_FAILED' });
    expect(stop.view.steps[0]!.error).toBe("for_each stopped at item 2 of 3: steps[0] log: row.n is undefined: row has no field 'n'; fields: m");
    expect(stop.view.steps[0]!.result).toMatchObject({ count: 3, succeeded: 1, failed: 1 });
    const go = await h.run(template(`  - for_each:\n      items: ${items}\n      on_item_error: continue\n      steps:\n        - log: { message: "n={{row.n}}" }\n`));
    expect(go.view.steps[0]!.result).toMatchObject({ count: 3, succeeded: 2, failed: 1 });
    expect(go.view.steps[0]!.error).toMatch(/^for_each: 1 of 3 item\(s\) failed; first: item 2 of 3/);
    expect(logged(h, 'n=3')).toBe(1);
  });

  it('runs only the items that did not succeed when the run is retried', async () => {
    h = engineHarness();
    const dir = tempDir('loop-retry');
    writeTree(dir, { 'a.txt': 'a', 'c.txt': 'c' });
    const id = h.insert(
      template(`  - for_each:
      items: [a, b, c]
      on_item_error: continue
      steps:
        - log: { message: "item {{row}}" }
        - assert_file_exists: { path: "${dir}/{{row}}.txt" }
  - log: { message: after }
`),
    );
    const first = await h.engine.executeRun(id);
    expect(first).toMatchObject({ status: 'failed', errorCode: 'ITEM_FAILED' });
    expect(first.error).toBe(`steps[0] for_each: 1 of 3 item(s) failed; first: item 2 of 3: steps[1] assert_file_exists: File not found: ${dir}/b.txt`);
    writeTree(dir, { 'b.txt': 'b' });
    const retried = await h.resume(id);
    expect(retried.outcome.status).toBe('succeeded');
    expect(['a', 'b', 'c'].map((x) => logged(h, `item ${x}`))).toEqual([1, 2, 1]);
    expect(retried.view.steps[0]!.result).toMatchObject({ count: 3, succeeded: 3, failed: 0 });
    expect(logged(h, 'after')).toBe(1);
  });

  it('resumes an interrupted loop with the next item, never redoing finished ones', async () => {
    const clock = new FakeClock();
    h = engineHarness({ clock });
    const id = h.insert(template('  - for_each:\n      items: [a, b, c]\n      steps:\n        - log: { message: "item {{row}}" }\n        - wait: { ms: 100 }\n'));
    const stop = new AbortController();
    const done = h.engine.executeRun(id, { signal: stop.signal });
    for (const _ of [0, 1]) {
      await until(() => clock.pendingTimers() > 0, 'wait armed');
      await clock.advanceAsync(100);
    }
    await until(() => logged(h, 'item c') === 1, 'third item started');
    stop.abort('shutdown');
    expect((await done).status).toBe('interrupted');
    const resumed = h.resume(id);
    await until(() => clock.pendingTimers() > 0, 'wait armed after resume');
    await clock.advanceAsync(100);
    const r = await resumed;
    expect(r.outcome.status).toBe('succeeded');
    expect(['a', 'b', 'c'].map((x) => logged(h, `item ${x}`))).toEqual([1, 1, 2]);
    expect(r.view.steps[0]!.result).toMatchObject({ count: 3, succeeded: 3 });
  });
});
