import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src-shared/contract/runs';
import { startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * The guide's log checks (issue 14, item 8): `grep "Queue"`, `grep "RBAC"`, `grep "Secrets"` in
 * logs/desktop-agent.log, and the other components an operator troubleshoots (Scheduler, Webhook,
 * HITL), find the events of a real `serve`: how runs ended, permission denials,
 * secrets resolved or not found, a schedule firing, a webhook delivery refused, an approval asked
 * for and given. Secret values never reach the log. (Folder watchers are not built yet.)
 */

const SECRET = 'log-e2e-secret-value-7391';
const TICK = `dsl_version: "1.1"
name: "tick"
steps:
  - log: { message: "tick" }
`;
const SCHEDULES = `schedules:
  - id: "every_second"
    name: "every second"
    cron: "* * * * * *"
    template: "tick.yaml"
    overlap: skip
`;
const WEBHOOKS = `webhooks:
  - id: "deploy"
    name: "Deploy"
    endpoint: "/webhooks/deploy"
    template: "tick.yaml"
    secret: "whsec-e2e-0123456789abcdef"
    signature: github
`;

describe('log lines carry the components the guide greps for', { timeout: 120_000 }, () => {
  let agent: AgentServer;

  beforeAll(async () => {
    agent = await startAgentServer({
      env: { DESKTOP_AGENT_SECRET_API_KEY: SECRET },
      configFiles: { 'templates/tick.yaml': TICK, 'schedules.yaml': SCHEDULES, 'webhooks.yaml': WEBHOOKS },
    });
  }, 60_000);
  afterAll(async () => {
    await agent?.cleanup();
  });

  const records = () =>
    readFileSync(join(agent.dataDir, 'logs', 'desktop-agent.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ line, ...(JSON.parse(line) as { component: string; msg: string }) }));

  /** What `grep "<component>" logs/desktop-agent.log` shows of that component's own lines. */
  const grep = (component: string) => records().filter((r) => r.line.includes(component) && r.component === component).map((r) => r.msg);

  it('Queue, RBAC, Secrets, Scheduler, Webhook and HITL each log the events an operator looks for', async () => {
    // RBAC: a Viewer may not start runs.
    expect((await agent.api('POST', '/api/admin/users', { username: 'vic', password: 'viewer-password-1', role: 'Viewer' })).status).toBe(201);
    const denied = await fetch(`${agent.url}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('vic:viewer-password-1').toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ template_yaml: TICK }),
    });
    expect(denied.status).toBe(403);

    // Queue, Secrets and HITL: a run that reads a secret and waits for an approval; one whose secret is missing.
    const withApproval = await agent.enqueue(`dsl_version: "1.1"
name: "secret and approval"
steps:
  - log: { message: "key {{secrets://api_key}}" }
  - human_confirm: { message: "continue?", timeout_minutes: 5, auto_action: deny }
  - log: { message: "approved" }
`);
    const missing = await agent.enqueue(`dsl_version: "1.1"
name: "missing secret"
execution: { retry: { max_attempts: 1 } }
steps:
  - log: { message: "key {{secrets://missing_key}}" }
`);
    await agent.waitForRun(withApproval, (r: RunView) => r.status === 'waiting_approval');
    const approvals = await agent.api<{ items: { id: string; run_id: string }[] }>('GET', '/api/approvals');
    const approval = approvals.json.items.find((a) => a.run_id === withApproval)!;
    expect((await agent.api('POST', `/api/approvals/${approval.id}/approve`, { comment: 'ok' })).status).toBe(200);
    expect((await agent.waitForRun(withApproval)).status).toBe('succeeded');
    expect((await agent.waitForRun(missing)).status).toBe('failed');

    // Webhook: a delivery without its signature is refused.
    const hook = await fetch(`${agent.url}/webhooks/deploy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(hook.status).toBe(401);

    // Scheduler: the every-second schedule fires.
    const deadline = Date.now() + 30_000;
    while (!grep('Scheduler').some((m) => m.includes("Schedule 'every_second' fired")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    // At info a run that goes well writes one Queue line, how it ended (queued and started are debug: decision 0041).
    const queue = grep('Queue');
    expect(queue.filter((m) => m.startsWith(`Run ${withApproval} `))).toEqual([`Run ${withApproval} succeeded`]);
    expect(queue.find((m) => m.startsWith(`Run ${missing} failed: `))).toContain("Secret 'missing_key' not found");

    expect(grep('RBAC')).toContainEqual("RBAC denied runs.enqueue to vic (role Viewer): permission 'create_runs' required");

    const secrets = grep('Secrets');
    expect(secrets).toContainEqual("Secret 'api_key' resolved from the env backend");
    expect(secrets.some((m) => m.startsWith("Secret 'missing_key' not found"))).toBe(true);

    expect(grep('Scheduler')).toContainEqual("Schedule 'every_second' fired");
    // The log is written once per event-loop turn: the line may follow the 401 answer by a moment.
    await expect.poll(() => grep('Webhook').some((m) => m.startsWith("Webhook 'deploy' refused a delivery (401)")), { timeout: 10_000 }).toBe(true);
    const hitl = grep('HITL');
    expect(hitl).toContainEqual('Approval requested');
    expect(hitl).toContainEqual('Approval approved');

    // Secret values never reach the log.
    expect(readFileSync(join(agent.dataDir, 'logs', 'desktop-agent.log'), 'utf8')).not.toContain(SECRET);
  });
});
