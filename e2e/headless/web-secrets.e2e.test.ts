import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../src-shared/contract/runs';
import { filesContaining, listTree, secretForms } from '../../test-support/secrets-core';
import { startTestSite, type TestSite } from '../../test-support/web-test-site';
import { startAgentServer, type AgentServer } from '../support/serve-api';

/**
 * A secret typed into a web form by a template (issue 5, SPEC section 8): the page's server gets
 * the value; the API's step records, the database and its WAL, the log files, serve's output and
 * the artifacts and their metadata never hold it (nor its base64 or URL-encoded forms). The secret
 * comes from the environment backend of a real `serve`.
 */

const SECRET = 'Pw-7f3K9-ひみつ-2026';
const SLOW = { timeout: 150_000 };

let site: TestSite;
let agent: AgentServer;

beforeAll(async () => {
  site = await startTestSite();
  agent = await startAgentServer({
    env: { DESKTOP_AGENT_SECRET_LOGIN_PASSWORD: SECRET },
    // Debug logging: the most the engine ever writes about a step.
    orchestratorYaml: 'secrets:\n  backends: [env]\nlogging:\n  level: debug\n',
  });
}, 60_000);
afterAll(async () => {
  await agent?.cleanup();
  await site?.close();
});

const template = (steps: string) => `dsl_version: "1.1"
name: ログイン
variables:
  site: null
execution:
  retry: { max_attempts: 1 }
steps:
${steps}`;

function expectNoSecretIn(text: string, where: string): void {
  for (const form of secretForms(SECRET)) expect(text.includes(form), `${where} contains the secret (${form})`).toBe(false);
}

describe('a secret typed into a password field', SLOW, () => {
  const runs: RunView[] = [];

  it('reaches the site but none of the run records the API shows', async () => {
    const id = await agent.enqueue(
      template(`  - open_browser: { url: "{{site}}/login" }
  - fill_by_label: { label: ユーザー名, text: yamada }
  - fill_by_label: { label: パスワード, text: "{{secrets://login_password}}", screenshot: true }
  - capture_dom_schema: {}
  - click_by_text: { text: ログイン, role: button }
  - assert_text: { contains: ようこそ yamada さん }
`),
      { site: site.url },
    );
    const run = await agent.waitForRun(id);
    runs.push(run);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(site.submissions.at(-1)).toEqual({ path: '/login', fields: { user: 'yamada', password: SECRET } });

    const typed = run.steps[2]!;
    expect(typed.params).toMatchObject({ label: 'パスワード', text: '***' });
    expect(typed.result).toMatchObject({ filled: true, strategy: 'label', matched_label: 'パスワード', field: { type: 'password' }, chars: [...SECRET].length });
    // The screenshot the step asked for (the browser shows dots) and the DOM schema are artifacts.
    expect(typed.artifacts).toEqual([expect.objectContaining({ name: 'step-2.png', kind: 'screenshot' })]);
    expect(run.steps[3]!.artifacts).toEqual([expect.objectContaining({ kind: 'dom-schema' })]);
    const schema = await agent.artifact(run.id, run.steps[3]!.artifacts[0]!.name);
    expect(schema.status).toBe(200);
    expect(schema.body.toString('utf8')).toContain('パスワード');
    expectNoSecretIn(schema.body.toString('utf8'), 'the DOM schema artifact');
    expectNoSecretIn(JSON.stringify(run), `GET /api/runs/${run.id}`);
  });

  it('is masked in a failed step whose page echoes it back', async () => {
    // The welcome page shows what was typed as the user name: here, the secret.
    const id = await agent.enqueue(
      template(`  - open_browser: { url: "{{site}}/login" }
  - fill_by_label: { label: ユーザー名, text: "{{secrets://login_password}}" }
  - click_by_text: { text: ログイン, role: button }
  - assert_text: { contains: ようこそ yamada さん, timeout_ms: 1000 }
`),
      { site: site.url },
    );
    const run = await agent.waitForRun(id);
    runs.push(run);
    expect(run.status).toBe('failed');
    expect(site.submissions.at(-1)).toEqual({ path: '/login', fields: { user: SECRET, password: '' } });
    expect(run.steps[3]!.error).toContain("the page reads: 'ようこそ *** さん'");
    expect(run.error).toContain('ようこそ *** さん');
    expect(run.steps[3]!.artifacts).toEqual([expect.objectContaining({ name: 'step-3.png', kind: 'screenshot' })]);
    expectNoSecretIn(JSON.stringify(run), `GET /api/runs/${run.id}`);
  });

  it('is in no list, audit entry, database page, WAL frame, log line or artifact of the data dir', async () => {
    expect(runs).toHaveLength(2);
    const list = await agent.api('GET', '/api/runs?limit=100');
    expect(list.status).toBe(200);
    expectNoSecretIn(JSON.stringify(list.json), 'GET /api/runs');
    const audit = await agent.api<{ items: { action: string; resource: string; details: unknown }[] }>('GET', '/api/admin/audit?action=secrets.resolve');
    expect(audit.status).toBe(200);
    // Each lookup is audited (by key, never by value).
    expect(audit.json.items.filter((e) => e.action === 'secrets.resolve' && e.resource === 'login_password')).toHaveLength(2);
    expectNoSecretIn(JSON.stringify(audit.json), 'GET /api/admin/audit');

    // While serve runs, the WAL holds the latest writes.
    const db = join(agent.dataDir, 'desktop-agent.db');
    expect(existsSync(`${db}-wal`)).toBe(true);
    const files = listTree(agent.dataDir);
    expect(files).toEqual(expect.arrayContaining(['desktop-agent.db', 'desktop-agent.db-wal', 'logs/desktop-agent.log', `artifacts/${runs[0]!.id}/step-2.png`]));
    expect(filesContaining(agent.dataDir, SECRET)).toEqual([]);
    // The log did record the runs (so its silence about the secret means something).
    const log = readFileSync(join(agent.dataDir, 'logs', 'desktop-agent.log'), 'utf8');
    expect(log).toContain(runs[1]!.id);

    // And after a clean stop (the WAL checkpointed into the database file).
    await agent.stop();
    expect(filesContaining(agent.dataDir, SECRET)).toEqual([]);
    expectNoSecretIn(agent.stderr(), "serve's output");
  });
});
