import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApprovalView } from '@shared/contract/approvals';
import { permissionsOf, type Role } from '@shared/rbac/roles';
import { event, fail, fakeClient, ok } from '../testing/fake-client';
import { connectStores, createAppStores } from './app-stores';
import { approvalOfRoute, createApprovalsStore, decisionBlock, riskTone } from './approvals-store';
import type { Me } from './auth-store';
import { createTemplatesStore, declaredVariables, issueLines, templateIssues, variablesOf, variableValue, type TemplateDetail, type TemplateSummary } from './templates-store';

const me = (username: string, role: Role): Me => ({ id: `usr_${username}`, username, role, permissions: permissionsOf(role), via: 'session', session_expires_at: '2026-12-01T00:00:00.000Z' });

const YAML = `dsl_version: "1.1"
name: "日報"
variables:
  customer: null
  count: 3
  greeting: "こんにちは"
  tags: [a, b]
steps:
  - log: { message: "{{greeting}} {{customer}}" }
`;

const summary = (name: string, extra: Partial<TemplateSummary> = {}): TemplateSummary => ({
  name,
  title: name,
  description: null,
  source: 'database',
  path: null,
  hash: `h-${name}`,
  updated_at: '2026-11-26T09:00:00.000Z',
  updated_by: 'hanako',
  valid: true,
  error_count: 0,
  steps: 1,
  shadows_file: false,
  ...extra,
});
const detail = (name: string, extra: Partial<TemplateDetail> = {}): TemplateDetail => ({ ...summary(name), yaml: YAML, errors: [], warnings: [], ...extra });

describe('the templates store', () => {
  it('lists the templates and the queue names for the run form', async () => {
    const { client, names } = fakeClient({
      'templates.list': () => ok({ items: [summary('daily_report'), summary('broken', { valid: false, error_count: 2 })] }),
      'queues.list': () => ok({ items: [{ name: 'default' }, { name: 'background' }] }),
    });
    const s = createTemplatesStore(client);
    expect(s.getState().list.status).toBe('loading');
    await s.getState().load();
    expect(s.getState().list).toMatchObject({ status: 'ready', items: [{ name: 'daily_report' }, { name: 'broken', error_count: 2 }] });
    expect(s.getState().queues).toEqual(['default', 'background']);
    expect(names().sort()).toEqual(['queues.list', 'templates.list']);
  });

  it('says what the core refused, and keeps an empty queue list when queues cannot be read', async () => {
    const { client } = fakeClient({ 'templates.list': () => fail('FORBIDDEN', "The permission 'read_runs' is required", { permission: 'read_runs' }), 'queues.list': () => fail('FORBIDDEN', 'no') });
    const s = createTemplatesStore(client);
    await s.getState().load();
    expect(s.getState().list).toMatchObject({ status: 'forbidden', items: [], error: { details: { permission: 'read_runs' } } });
    expect(s.getState().queues).toEqual([]);
  });

  it('opens a template; the last one opened wins over a slower earlier answer', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const { client } = fakeClient({
      'templates.get': async ({ name }) => {
        if (name === 'slow') await slow;
        return ok(detail(name as string));
      },
    });
    const s = createTemplatesStore(client);
    const first = s.getState().open('slow');
    expect(s.getState().opened).toEqual({ name: 'slow', status: 'loading' });
    await s.getState().open('daily_report');
    release();
    await first;
    expect(s.getState().opened).toMatchObject({ name: 'daily_report', status: 'ready', data: { yaml: YAML } });
  });

  it('shows a template that is gone as the core says (404)', async () => {
    const { client } = fakeClient({ 'templates.get': () => fail('NOT_FOUND', 'Template gone not found') });
    const s = createTemplatesStore(client);
    await s.getState().open('gone');
    expect(s.getState().opened).toMatchObject({ name: 'gone', status: 'error', error: { code: 'NOT_FOUND', message: 'Template gone not found' } });
  });

  it('saves, then reads the list and the saved template again (kept on screen meanwhile)', async () => {
    let version = 1;
    const { client, calls } = fakeClient({
      'templates.save': () => ok({ name: 'daily_report', hash: 'h2', created: false, warnings: [] }),
      'templates.list': () => ok({ items: [summary('daily_report', { hash: `h${version}` })] }),
      'templates.get': () => ok(detail('daily_report', { hash: `h${version}` })),
    });
    const s = createTemplatesStore(client);
    await s.getState().open('daily_report');
    version = 2;
    const saving = s.getState().save('changed: yaml\n', 'daily_report');
    expect(s.getState().opened?.status).toBe('ready');
    const r = await saving;
    expect(r).toEqual({ ok: true, data: { name: 'daily_report', hash: 'h2', created: false, warnings: [] } });
    expect(calls.find((c) => c[0] === 'templates.save')![1]).toEqual({ yaml: 'changed: yaml\n', name: 'daily_report' });
    expect(s.getState().opened?.data?.hash).toBe('h2');
    expect(s.getState().list.items[0]!.hash).toBe('h2');
  });

  it('sends a new template without a name when none is given (the core names it from the YAML)', async () => {
    const { client, calls } = fakeClient({ 'templates.save': () => ok({ name: 'ri_bao', hash: 'h', created: true, warnings: [] }), 'templates.list': () => ok({ items: [] }), 'templates.get': () => ok(detail('ri_bao')) });
    const s = createTemplatesStore(client);
    await s.getState().save(YAML);
    expect(calls[0]).toEqual(['templates.save', { yaml: YAML }]);
    expect(s.getState().opened?.name).toBe('ri_bao');
  });

  it('gives a refused save every problem with its line and column', async () => {
    const issues = [
      { path: 'steps[0].pdf_mrege', message: "unknown action 'pdf_mrege' (did you mean 'pdf_merge'?)", line: 4, column: 5 },
      { path: 'steps[1].log.message', message: "unknown variable 'nope'", line: 5, column: 24 },
      { path: 'name', message: 'a template name' },
      { nonsense: true },
    ];
    const { client, names } = fakeClient({ 'templates.save': () => fail('VALIDATION_ERROR', 'The template has 2 problems', { issues }), 'templates.list': () => ok({ items: [] }) });
    const s = createTemplatesStore(client);
    const r = await s.getState().save('bad');
    expect(r.ok).toBe(false);
    const found = templateIssues(r.ok ? undefined : r.error);
    expect(found).toEqual([issues[0], issues[1], { path: 'name', message: 'a template name' }]);
    expect([...issueLines(found)]).toEqual([4, 5]);
    // Nothing was saved: nothing is read again.
    expect(names()).toEqual(['templates.save']);
  });

  it('validates the text as typed', async () => {
    const result = { valid: false, errors: [{ path: 'steps', message: 'at least one step', line: 3, column: 1 }], warnings: [] };
    const { client, calls } = fakeClient({ 'templates.validate': () => ok(result) });
    const s = createTemplatesStore(client);
    expect(await s.getState().validate('dsl_version: "1.1"\nname: x\nsteps: []\n')).toEqual({ ok: true, data: result });
    expect(calls[0]).toEqual(['templates.validate', { yaml: 'dsl_version: "1.1"\nname: x\nsteps: []\n' }]);
  });

  it('deletes: closes the editor, or opens the file the deleted app template was hiding', async () => {
    let items = [summary('weekly_report', { source: 'database', shadows_file: true })];
    const { client } = fakeClient({
      'templates.get': () => ok(detail('weekly_report', { source: items[0]?.source ?? 'file' })),
      'templates.delete': () => {
        items = items[0]!.source === 'database' ? [summary('weekly_report', { source: 'file', path: '/t/weekly_report.yaml' })] : [];
        return ok({ deleted: true, name: 'weekly_report' });
      },
      'templates.list': () => ok({ items }),
    });
    const s = createTemplatesStore(client);
    await s.getState().open('weekly_report');
    expect((await s.getState().remove('weekly_report')).ok).toBe(true);
    expect(s.getState().opened).toMatchObject({ name: 'weekly_report', data: { source: 'file' } });
    await s.getState().remove('weekly_report');
    expect(s.getState().opened).toBeUndefined();
    expect(s.getState().list.items).toEqual([]);
  });

  it('keeps the editor open when a delete is refused', async () => {
    const { client } = fakeClient({ 'templates.get': () => ok(detail('x')), 'templates.delete': () => fail('FORBIDDEN', "The permission 'manage_templates' is required"), 'templates.list': () => ok({ items: [summary('x')] }) });
    const s = createTemplatesStore(client);
    await s.getState().open('x');
    const r = await s.getState().remove('x');
    expect(r).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(s.getState().opened?.name).toBe('x');
  });

  it('queues a run with what the form gives', async () => {
    const { client, calls } = fakeClient({ 'runs.enqueue': () => ok({ run_id: 'run_1', status: 'queued', queue: 'background', priority: 2, duplicate: false }) });
    const s = createTemplatesStore(client);
    const r = await s.getState().enqueue({ template: 'daily_report', variables: { customer: '山田' }, priority: 2, queue: 'background', dry_run: true });
    expect(r).toMatchObject({ ok: true, data: { run_id: 'run_1' } });
    expect(calls[0]).toEqual(['runs.enqueue', { template: 'daily_report', variables: { customer: '山田' }, priority: 2, queue: 'background', dry_run: true }]);
  });

  describe('reading the list again on template.changed', () => {
    beforeEach(() => void vi.useFakeTimers());
    afterEach(() => void vi.useRealTimers());

    it('at once, once more for the rest of a burst, and not for other events', async () => {
      const { client, names } = fakeClient({ 'templates.list': () => ok({ items: [] }) });
      const s = createTemplatesStore(client);
      s.getState().eventReceived(event('run.queued', { runId: 'r' }));
      for (let i = 0; i < 5; i++) s.getState().eventReceived(event('template.changed', { name: 'x' }));
      await vi.advanceTimersByTimeAsync(0);
      expect(names()).toEqual(['templates.list', 'templates.list']);
    });

    it('tells the editor when the open template was saved or deleted elsewhere, and not for another template', async () => {
      let answer = ok(detail('x', { hash: 'h1' }));
      const { client, names } = fakeClient({ 'templates.list': () => ok({ items: [] }), 'templates.get': () => answer });
      const s = createTemplatesStore(client);
      await s.getState().open('x');
      s.getState().eventReceived(event('template.changed', { name: 'other' }));
      await vi.advanceTimersByTimeAsync(300);
      expect(names()).toEqual(['templates.get', 'templates.list']);
      expect(s.getState().opened?.elsewhere).toBeUndefined();

      // The same version (this page's own save, already read back): nothing to say.
      s.getState().eventReceived(event('template.changed', { name: 'x' }));
      await vi.advanceTimersByTimeAsync(300);
      expect(s.getState().opened?.elsewhere).toBeUndefined();

      answer = ok(detail('x', { hash: 'h2' }));
      s.getState().eventReceived(event('template.changed', { name: 'x' }));
      await vi.advanceTimersByTimeAsync(300);
      expect(s.getState().opened).toMatchObject({ elsewhere: 'changed', data: { hash: 'h1' } });

      answer = fail('NOT_FOUND', 'Template x not found');
      s.getState().eventReceived(event('template.changed', { name: 'x' }));
      await vi.advanceTimersByTimeAsync(300);
      expect(s.getState().opened?.elsewhere).toBe('deleted');

      // Loading the saved version clears it.
      answer = ok(detail('x', { hash: 'h3' }));
      await s.getState().open('x');
      expect(s.getState().opened).toMatchObject({ status: 'ready', data: { hash: 'h3' } });
      expect(s.getState().opened?.elsewhere).toBeUndefined();
    });
  });
});

describe('the run form’s variables', () => {
  it('reads JSON values as such and everything else as text', () => {
    expect(variableValue('3')).toBe(3);
    expect(variableValue('-1.5')).toBe(-1.5);
    expect(variableValue('true')).toBe(true);
    expect(variableValue('null')).toBeNull();
    expect(variableValue('["a", 1]')).toEqual(['a', 1]);
    expect(variableValue('{"k": "v"}')).toEqual({ k: 'v' });
    expect(variableValue('"007"')).toBe('007');
    expect(variableValue('007')).toBe('007');
    expect(variableValue('山田 太郎')).toBe('山田 太郎');
    expect(variableValue('3 apples')).toBe('3 apples');
    expect(variableValue('[not json')).toBe('[not json');
    expect(variableValue('https://example.com/?a=1')).toBe('https://example.com/?a=1');
  });

  it('sends rows with a value, leaves out empty ones (the default applies), and names each problem', () => {
    expect(variablesOf([{ key: ' customer ', value: '山田' }, { key: 'count', value: '3' }, { key: 'note', value: '' }, { key: '', value: '' }])).toEqual({
      variables: { customer: '山田', count: 3 },
      problems: [],
    });
    expect(variablesOf([{ key: 'a', value: '1' }, { key: 'a', value: '2' }, { key: ' ', value: 'orphan' }]).problems).toEqual([
      { row: 1, kind: 'duplicate' },
      { row: 2, kind: 'no-key' },
    ]);
  });

  it('keeps the type the template declares: weekly_report’s summary_pages "1" is sent as the text "1" (issue 14, item 3)', async () => {
    const rows = await declaredVariables('variables:\n  summary_pages: "1"\n  count: 3\n  strict: false\n  any: null\n');
    const filled = rows.map((r) => (r.key === 'any' ? { ...r, value: '7' } : r));
    expect(variablesOf(filled).variables).toEqual({ summary_pages: '1', count: 3, strict: false, any: 7 });
    // A value that cannot be the declared type is sent as typed; the core refuses it with its reason.
    expect(variablesOf([{ key: 'count', value: 'three', type: 'number' }]).variables).toEqual({ count: 'three' });
  });

  it('fills in the variables a template declares, with their defaults', async () => {
    expect(await declaredVariables(YAML)).toEqual([
      { key: 'customer', value: '', type: 'any' },
      { key: 'count', value: '3', type: 'number' },
      { key: 'greeting', value: 'こんにちは', type: 'text' },
      { key: 'tags', value: '["a","b"]', type: 'list' },
    ]);
    expect(await declaredVariables('steps: [\n')).toEqual([]);
    expect(await declaredVariables('variables: [a, b]\n')).toEqual([]);
    expect(await declaredVariables('')).toEqual([]);
  });
});

const approval = (id: string, extra: Partial<ApprovalView> = {}): ApprovalView => ({
  id,
  run_id: `run_${id}`,
  step: 1,
  template: 'deploy',
  message: '本番環境へのデプロイを実行しますか？',
  details: '**金額**: 1,000,000 円\n<script>alert(1)</script>',
  risk_level: 'high',
  required_role: 'Editor',
  auto_action: 'deny',
  requested_by: 'rina',
  requested_at: '2026-11-26T10:00:00.000Z',
  expires_at: '2026-11-26T10:30:00.000Z',
  status: 'pending',
  decided_by: null,
  decided_at: null,
  comment: null,
  ...extra,
});

describe('the approvals store', () => {
  it('reads the pending requests, and all of them when decided ones are shown', async () => {
    const { client, calls } = fakeClient({ 'approvals.list': ({ status }) => ok({ items: status === 'all' ? [approval('a'), approval('b', { status: 'approved' })] : [approval('a')] }) });
    const s = createApprovalsStore(client);
    await s.getState().load();
    expect(s.getState()).toMatchObject({ status: 'ready', showDecided: false, items: [{ id: 'a' }] });
    await s.getState().showDecidedChanged(true);
    expect(s.getState().items.map((a) => a.status)).toEqual(['pending', 'approved']);
    expect(calls.map((c) => c[1].status)).toEqual(['pending', 'all']);
  });

  it('approves with the comment, denies without one, and reads the list again', async () => {
    let pending = [approval('a'), approval('b')];
    const decide = (status: 'approved' | 'denied') => (input: Record<string, unknown>) => {
      pending = pending.filter((a) => a.id !== input.id);
      return ok(approval(input.id as string, { status, decided_by: 'hanako', comment: (input.comment as string | undefined) ?? null }));
    };
    const { client, calls } = fakeClient({ 'approvals.list': () => ok({ items: pending }), 'approvals.approve': decide('approved'), 'approvals.deny': decide('denied') });
    const s = createApprovalsStore(client);
    await s.getState().load();
    const r = await s.getState().decide('a', 'approve', '  確認しました  ');
    expect(r).toMatchObject({ ok: true, data: { status: 'approved', comment: '確認しました' } });
    expect(s.getState().items.map((a) => a.id)).toEqual(['b']);
    await s.getState().decide('b', 'deny', '   ');
    expect(calls.filter((c) => c[0] !== 'approvals.list')).toEqual([
      ['approvals.approve', { id: 'a', comment: '確認しました' }],
      ['approvals.deny', { id: 'b' }],
    ]);
    expect(s.getState()).toMatchObject({ items: [], busyId: undefined, actionError: undefined });
  });

  it('keeps the core’s 409 for a request decided elsewhere, and shows what happened', async () => {
    const message = 'Approval a was already decided (approved by taro)';
    const { client } = fakeClient({ 'approvals.list': () => ok({ items: [] }), 'approvals.approve': () => fail('ALREADY_DECIDED', message) });
    const s = createApprovalsStore(client);
    const r = await s.getState().decide('a', 'approve', '');
    expect(r.ok).toBe(false);
    expect(s.getState().actionError).toEqual({ id: 'a', error: { code: 'ALREADY_DECIDED', message } });
    expect(s.getState().items).toEqual([]);
  });

  describe('live updates', () => {
    beforeEach(() => void vi.useFakeTimers());
    afterEach(() => void vi.useRealTimers());

    it('reads the list again at once when a request is made or decided, and once more for the rest of a burst', async () => {
      const { client, names } = fakeClient({ 'approvals.list': () => ok({ items: [] }) });
      const s = createApprovalsStore(client);
      s.getState().eventReceived(event('step.finished', { runId: 'r', index: 0, action: 'log', status: 'succeeded' }));
      await vi.advanceTimersByTimeAsync(500);
      expect(names()).toEqual([]);
      s.getState().eventReceived(event('approval.requested', { approvalId: 'a', runId: 'r' }));
      await vi.advanceTimersByTimeAsync(0);
      expect(names()).toEqual(['approvals.list']);
      for (let i = 0; i < 5; i++) s.getState().eventReceived(event('approval.decided', { approvalId: `b${i}`, runId: 'r2', decision: 'timed_out' }));
      await vi.advanceTimersByTimeAsync(0);
      expect(names()).toEqual(['approvals.list', 'approvals.list', 'approvals.list']);
    });

    it('hears the events through the app’s one subscription, and forgets everything at sign-out', async () => {
      let signedIn = true;
      const { client, subscriptions, names } = fakeClient({
        'auth.me': () => (signedIn ? ok(me('hanako', 'Editor')) : fail('UNAUTHENTICATED', 'Authentication required')),
        'auth.firstRunStatus': () => fail('UNAUTHENTICATED', 'Authentication required'),
        'auth.logout': () => {
          signedIn = false;
          return ok({ ok: true, ended: true });
        },
        'approvals.list': () => ok({ items: [approval('a')] }),
        'templates.list': () => ok({ items: [summary('x')] }),
      });
      const stores = createAppStores(client, { languages: ['ja'] });
      connectStores(client, stores);
      await vi.advanceTimersByTimeAsync(0);
      expect(stores.auth.getState().phase).toBe('signed-in');
      // Read at sign-in (the navigation counts the waiting requests), before any view opens.
      expect(names()).toEqual(['auth.me', 'approvals.list']);
      subscriptions.at(-1)!.handlers.event(event('approval.requested', { approvalId: 'a', runId: 'run_a' }));
      subscriptions.at(-1)!.handlers.event(event('template.changed', { name: 'x' }));
      await vi.advanceTimersByTimeAsync(500);
      expect(names()).toEqual(expect.arrayContaining(['approvals.list', 'templates.list']));
      expect(stores.approvals.getState().items).toHaveLength(1);
      expect(stores.templates.getState().list.items).toHaveLength(1);

      await stores.auth.getState().logout();
      expect(stores.approvals.getState()).toMatchObject({ status: 'loading', items: [] });
      expect(stores.templates.getState()).toMatchObject({ list: { items: [] }, opened: undefined });
    });
  });
});

describe('who may decide a request', () => {
  const now = Date.parse('2026-11-26T10:10:00.000Z');

  it('lets an Editor decide an Editor request before its deadline', () => {
    expect(decisionBlock(approval('a'), me('hanako', 'Editor'), now)).toBeUndefined();
    expect(decisionBlock(approval('a', { required_role: 'admin' }), me('root', 'Admin'), now)).toBeUndefined();
  });

  it('offers no decision to a Viewer or Runner (no respond_hitl), or below the required role', () => {
    expect(decisionBlock(approval('a'), me('taro', 'Viewer'), now)).toEqual({ kind: 'permission' });
    expect(decisionBlock(approval('a'), me('rina', 'Runner'), now)).toEqual({ kind: 'permission' });
    expect(decisionBlock(approval('a', { required_role: 'Admin' }), me('hanako', 'Editor'), now)).toEqual({ kind: 'role', required: 'Admin' });
    // A role the core does not know counts as the highest, as the core treats it.
    expect(decisionBlock(approval('a', { required_role: 'Boss' }), me('hanako', 'Editor'), now)).toEqual({ kind: 'role', required: 'Admin' });
    expect(decisionBlock(approval('a'), undefined, now)).toEqual({ kind: 'permission' });
  });

  it('offers no decision on a decided request or after the deadline', () => {
    expect(decisionBlock(approval('a', { status: 'timed_out' }), me('root', 'Admin'), now)).toEqual({ kind: 'decided' });
    expect(decisionBlock(approval('a'), me('root', 'Admin'), Date.parse('2026-11-26T10:30:00.000Z'))).toEqual({ kind: 'expired' });
  });

  it('finds the request a route names by its ID, or by its run (the pending one first)', () => {
    const items = [approval('a', { run_id: 'run_x', status: 'denied' }), approval('b', { run_id: 'run_x' }), approval('c')];
    expect(approvalOfRoute(items, 'c')?.id).toBe('c');
    expect(approvalOfRoute(items, 'run_x')?.id).toBe('b');
    expect(approvalOfRoute([items[0]!], 'run_x')?.id).toBe('a');
    expect(approvalOfRoute(items, 'run_nothing')).toBeUndefined();
  });

  it('colours each risk level, an unknown one as the highest', () => {
    expect(['low', 'medium', 'high', 'critical', 'extreme'].map(riskTone)).toEqual(['low', 'medium', 'high', 'critical', 'critical']);
  });
});
