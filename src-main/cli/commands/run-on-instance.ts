import type { AgentClient } from '@shared/client/agent-client';
import type { Output } from '@shared/contract';
import { envVarName } from '../../core/security/secrets/env-backend';
import { formatSecretRef, parseSecretRef, type SecretRef } from '@shared/domain/secret-ref';
import { isFinal } from '@shared/domain/runs';
import type { TemplateModel } from '@shared/dsl/template-model';
import { describeError, exitCodeOf } from '../client/cli-errors';
import { EXIT, type CliIo } from '../io';
import { progress, seconds } from '../run-progress';

type RunView = Output<'runs.get'>;

export interface HandOver {
  client: AgentClient;
  /** The instance's URL and pid, for messages. */
  url: string;
  pid?: number;
  file: string;
  text: string;
  model: TemplateModel;
  variables: Record<string, string>;
  dryRun: boolean;
  json: boolean;
}

/** Every `secrets://…` reference the template's text names. */
export function secretRefsIn(text: string): SecretRef[] {
  const refs = new Map<string, SecretRef>();
  for (const m of text.matchAll(/secrets:\/\/([A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)?)/g)) {
    const parsed = parseSecretRef(m[1]!);
    if (parsed.ok) refs.set(formatSecretRef(parsed.ref).toLowerCase(), parsed.ref);
  }
  return [...refs.values()];
}

/**
 * Secrets this shell gives through DESKTOP_AGENT_SECRET_* that the instance does not know: a run
 * handed over would not see them (the instance has its own environment), so it is refused.
 */
async function secretsOnlyHere(h: HandOver, env: NodeJS.ProcessEnv): Promise<{ missing: SecretRef[] } | { error: string }> {
  const fromEnv = secretRefsIn(h.text).filter((ref) => env[envVarName(ref)]);
  if (!fromEnv.length) return { missing: [] };
  const listed = await h.client.call('secrets.list', {});
  if (!listed.ok) return { error: describeError(listed.error) };
  const known = new Set(listed.data.items.map((i) => formatSecretRef(i.service ? { service: i.service, key: i.key } : { key: i.key }).toLowerCase()));
  return { missing: fromEnv.filter((ref) => !known.has(formatSecretRef(ref).toLowerCase())) };
}

/**
 * `desktop-agent run FILE` while an instance runs on the data dir: the run is queued there
 * (`runs.enqueue`), so it shows in its lists and its approvals at once, and this terminal follows
 * it to the end with the same lines as a local run. Ctrl-C cancels it on the instance.
 */
export async function runOnInstance(h: HandOver, io: CliIo): Promise<number> {
  const where = `the Desktop Agent running on this data dir (${h.pid ? `pid ${h.pid}, ` : ''}${h.url})`;
  const secrets = await secretsOnlyHere(h, io.env);
  if ('error' in secrets) {
    io.stderr(`${h.file}: cannot check that ${where} can read the template's secrets: ${secrets.error}\nNothing was run.\n`);
    return EXIT.failed;
  }
  if (secrets.missing.length) {
    const names = secrets.missing.map((r) => `secrets://${formatSecretRef(r)} (${envVarName(r)})`).join(', ');
    io.stderr(
      `${h.file}: the run would be executed by ${where}, which cannot see this shell's environment, and it does not know ${names}.\n` +
        `Store the secret where it can read it (desktop-agent secrets set KEY), give the variable to the instance, or stop it to run here. Nothing was run.\n`,
    );
    return EXIT.invalid;
  }
  const queued = await h.client.call('runs.enqueue', { template_yaml: h.text, variables: h.variables, dry_run: h.dryRun });
  if (!queued.ok) {
    io.stderr(`desktop-agent run: ${describeError(queued.error)}\n`);
    return exitCodeOf(queued.error);
  }
  const runId = queued.data.run_id;
  io.stderr(`Run ${runId}: ${h.model.name}${h.dryRun ? ' (dry run: nothing is changed)' : ''}, ${h.model.steps.length} step(s), on ${where}\n`);

  const view = await follow(h.client, runId, io, h.model.steps.length);
  if (!view.ok) {
    io.stderr(`desktop-agent run: lost the run ${runId} on the instance: ${describeError(view.error)}\n`);
    return EXIT.failed;
  }
  const run = view.data;
  if (run.status === 'waiting_approval') {
    const pending = await h.client.call('approvals.list', { status: 'pending' });
    const message = pending.ok ? (pending.data.items.find((a) => a.run_id === runId)?.message ?? '') : '';
    io.stderr(`Run ${runId} waits for approval: ${message}\nApprove it in Desktop Agent (Approvals, or ${h.url}/hitl/approve/${runId}); the app continues the run.\n`);
  } else {
    const counts = run.steps.reduce<Record<string, number>>((m, s) => ((m[s.status] = (m[s.status] ?? 0) + 1), m), {});
    const tally = Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ');
    const took = run.started_at && run.finished_at ? Date.parse(run.finished_at) - Date.parse(run.started_at) : 0;
    io.stderr(`Run ${runId} ${run.status} in ${seconds(took)} (${tally || 'no steps'})${run.error ? `: ${run.error}` : ''}\n`);
  }
  if (h.json) io.stdout(JSON.stringify(run) + '\n');
  return run.status === 'succeeded' ? EXIT.ok : EXIT.failed;
}

/**
 * Reads the run again on each of its events (and every second, in case the stream drops), prints
 * each step once as it finishes, and returns the run when it is final or waits for an approval.
 */
async function follow(client: AgentClient, runId: string, io: CliIo, total: number): Promise<{ ok: true; data: RunView } | { ok: false; error: { code: string; message: string } }> {
  const printer = progress(io, total);
  const printed = new Set<number>();
  let wake: () => void = () => {};
  const unsubscribe = client.subscribe({
    event: (e) => 'runId' in e.data && e.data.runId === runId && wake(),
    state: () => {},
  });
  let cancelling = false;
  const onSignal = () => {
    if (cancelling) return;
    cancelling = true;
    io.stderr('Cancelling at the next safe point…\n');
    void client.call('runs.cancel', { id: runId });
    wake();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (;;) {
      const answer = await client.call('runs.get', { id: runId });
      if (!answer.ok) return answer;
      for (const s of answer.data.steps) {
        if (printed.has(s.index) || !['succeeded', 'failed', 'skipped'].includes(s.status)) continue;
        printed.add(s.index);
        printer.stepFinished({ index: s.index, action: s.action, id: s.id ?? undefined, status: s.status, error: s.error ?? undefined, durationMs: s.duration_ms ?? 0, result: s.result });
      }
      if (isFinal(answer.data.status) || answer.data.status === 'waiting_approval') return answer;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    unsubscribe();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
