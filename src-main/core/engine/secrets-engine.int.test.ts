import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunView } from '@shared/contract/runs';
import type { QueueModule } from '../queue/queue-module';
import { filesContaining, secretsCore, type SecretsCore } from '../../../test-support/secrets-core';
import { asUser } from '../../../test-support/temp-core';

/** The engine on the core's real secret store: lookups audited per run and step, values nowhere on disk. */

let s: SecretsCore;
let server: Server;
let seen: string[];
let url: string;
beforeEach(async () => {
  seen = [];
  server = createServer((req, res) => {
    seen.push(String(req.headers.authorization));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ you_sent: req.headers.authorization }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/data`;
  s = await secretsCore({ secretsYaml: 'backends: [env]', env: { DESKTOP_AGENT_SECRET_API_KEY: 'sk-env-secret-9876' } });
});
afterEach(async () => {
  await s.cleanup();
  await new Promise<void>((r) => server.close(() => r()));
});

async function runToEnd(yaml: string): Promise<RunView> {
  const queue = (s.core.modules.find((m) => m.name === 'queue') as QueueModule).queue;
  const { run_id } = queue.enqueue({ template_yaml: yaml }, { trigger: 'api', requestedBy: 'alice' });
  await new Promise<void>((resolve) => {
    const off = s.core.bus.subscribe((e) => {
      if (e.type === 'run.finished' && (e.data as { runId: string }).runId === run_id) {
        off();
        resolve();
      }
    });
  });
  return s.core.invoke<RunView>('runs.get', { id: run_id }, asUser('Viewer'));
}

describe('secrets in runs', () => {
  it('resolves {{secrets://api_key}} from the store at step time, audits the lookup, and never stores the value', async () => {
    const run = await runToEnd(`dsl_version: "1.1"\nname: api\nsteps:\n  - make_request: { url: "${url}", headers: { Authorization: "Bearer {{secrets://api_key}}" } }\n`);
    expect(run.status).toBe('succeeded');
    expect(seen).toEqual(['Bearer sk-env-secret-9876']);
    expect(run.steps[0]).toMatchObject({ params: { headers: { Authorization: 'Bearer ***' } }, result: { json: { you_sent: 'Bearer ***' } } });
    const audit = s.core.audit.query({ action: 'secrets.resolve' });
    expect(audit).toEqual([expect.objectContaining({ user: 'alice', resource: 'api_key', result: 'ok', source: 'engine', details: expect.objectContaining({ run_id: run.id }) })]);
    expect(JSON.stringify(audit)).not.toContain('sk-env-secret-9876');
    await s.stop();
    expect(filesContaining(s.dir, 'sk-env-secret-9876')).toEqual([]);
  });

  it("fails the step with Secret 'KEY' not found, sending nothing", async () => {
    const run = await runToEnd(`dsl_version: "1.1"\nname: api\nsteps:\n  - make_request: { url: "${url}", headers: { X-Key: "{{secrets://external_api/missing_key}}" } }\n`);
    expect(run).toMatchObject({ status: 'failed', error_code: 'SECRET_NOT_FOUND', error: "steps[0] make_request: Secret 'external_api/missing_key' not found" });
    expect(seen).toEqual([]);
    expect(s.core.audit.query({ action: 'secrets.resolve' })[0]).toMatchObject({ result: 'error', resource: 'external_api/missing_key' });
  });
});
