import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { WebhookConfig } from '@shared/config';
import type { ErrorCode } from '@shared/contract/errors';
import { parseSecretRef } from '@shared/domain/secret-ref';
import { AppError } from '../../kernel/errors';
import type { EventBus } from '../../kernel/event-bus';
import type { Clock, Logger, SecretStore } from '../../kernel/ports';
import type { TriggerQueue } from '../ports';
import { DeliveryStore } from './delivery-store';
import { GroupCommit } from './group-commit';
import { extractVariables, parseAllowList, type IpAllowList } from './ip-allow-list';
import { verifySignature } from './signatures';

export interface WebhookRequest {
  headers: Record<string, unknown>;
  /** The socket's address (Fastify with trustProxy off: never a forwarded header). */
  ip: string;
  raw_body: string;
}

export interface WebhookServiceOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  queue: TriggerQueue;
  secrets: Pick<SecretStore, 'get'>;
  webhooks(): readonly WebhookConfig[];
}

/** How long a secret read from a backend is reused (the keychain is slow; a rotation shows within this). */
const SECRET_TTL_MS = 30_000;

/**
 * Receives deliveries (SPEC section 6), checking in SPEC's order: unknown endpoint 404, IP not
 * allowed 403, body too large 413, bad or missing signature 401, replayed delivery 409, invalid
 * JSON 400; then the run is queued and the delivery recorded in one transaction (shared with the
 * deliveries that arrived in the same turn) before 202.
 */
export class WebhookService {
  readonly store: DeliveryStore;
  /** Deliveries that arrive together are queued in one transaction (one commit, not one each). */
  private readonly commits: GroupCommit;
  private readonly lists = new WeakMap<WebhookConfig, IpAllowList | null>();
  private readonly secretCache = new Map<string, { value: string | undefined; until: number }>();

  constructor(private readonly o: WebhookServiceOptions) {
    this.store = new DeliveryStore(o.db);
    this.commits = new GroupCommit(o.db);
  }

  async receive(path: string, req: WebhookRequest): Promise<{ run_id: string }> {
    const endpoint = `/webhooks/${path.replace(/^\/+/, '')}`;
    const hook = this.o.webhooks().find((w) => w.endpoint === endpoint && w.enabled);
    if (!hook) throw new AppError('NOT_FOUND', `No webhook at ${endpoint}`);
    const now = this.o.clock.now();
    const headers = req.headers as Record<string, string | string[] | undefined>;
    let deliveryId: string | null = null;
    const refuse = (status: number, code: ErrorCode, message: string): never => {
      this.store.record({ webhook_id: hook.id, delivery_id: deliveryId, received_at: now, status, run_id: null, error: message, ip: req.ip });
      this.o.logger.warn(`Webhook '${hook.id}' refused a delivery (${status})`, { webhookId: hook.id, status, reason: message, ip: req.ip });
      this.o.bus.publish('webhook.received', { webhookId: hook.id, status });
      throw new AppError(code, message);
    };

    const list = this.allowList(hook);
    if (list && !list.allows(req.ip)) refuse(403, 'IP_NOT_ALLOWED', `${req.ip} is not in this webhook's allowed_ips`);
    if (Buffer.byteLength(req.raw_body, 'utf8') > hook.max_body_kb * 1024) refuse(413, 'PAYLOAD_TOO_LARGE', `The body is larger than this webhook's ${hook.max_body_kb} KB`);
    const secret = hook.signature === 'none' ? undefined : await this.secretOf(hook);
    if (hook.signature !== 'none' && secret === undefined) refuse(401, 'BAD_SIGNATURE', 'The signature cannot be checked: the webhook secret is not available on this machine');
    const verdict = verifySignature(hook.signature, secret, headers, req.raw_body, now);
    if (!verdict.ok) refuse(401, 'BAD_SIGNATURE', `Bad signature: ${verdict.reason}`);
    deliveryId = verdict.ok ? verdict.deliveryId : null;
    if (deliveryId !== null) {
      const earlier = this.store.acceptedRun(hook.id, deliveryId);
      if (earlier) refuse(409, 'REPLAYED', `Delivery ${deliveryId} was already accepted (run ${earlier.run_id})`);
    }
    let body: unknown;
    try {
      body = req.raw_body.trim() ? JSON.parse(req.raw_body) : {};
    } catch (e) {
      refuse(400, 'INVALID_JSON', `The body is not valid JSON: ${(e as Error).message}`);
    }

    const variables = { ...hook.variables, ...extractVariables(body, hook.extract_variables) };
    let outcome: { run_id: string } | { replayOf: string | null };
    try {
      outcome = await this.commits.run(() => {
        // The same delivery twice in one batch: the second sees the first's row (same connection).
        const earlier = deliveryId === null ? undefined : this.store.acceptedRun(hook.id, deliveryId);
        if (earlier) return { replayOf: earlier.run_id };
        const run = this.o.queue.enqueue(
          { template: hook.template, variables, queue: hook.queue, priority: hook.priority, idempotency_key: `webhook:${hook.id}:${deliveryId ?? randomUUID()}` },
          { trigger: `webhook:${hook.id}`, triggerData: { webhook_id: hook.id, delivery_id: deliveryId }, requestedBy: null },
        );
        this.store.record({ webhook_id: hook.id, delivery_id: deliveryId, received_at: now, status: 202, run_id: run.run_id, error: null, ip: req.ip });
        return { run_id: run.run_id };
      });
    } catch (e) {
      const code = e instanceof AppError ? e.code : 'INTERNAL';
      const status = code === 'QUEUE_FULL' ? 429 : code === 'UNAVAILABLE' ? 503 : 500;
      this.store.record({ webhook_id: hook.id, delivery_id: deliveryId, received_at: now, status, run_id: null, error: (e as Error).message, ip: req.ip });
      this.o.logger.error(`Webhook '${hook.id}' could not queue its run`, { webhookId: hook.id, error: (e as Error).message });
      this.o.bus.publish('webhook.received', { webhookId: hook.id, status });
      if (e instanceof AppError && (code === 'QUEUE_FULL' || code === 'UNAVAILABLE')) throw e;
      throw new AppError('INTERNAL', `Webhook '${hook.id}' could not queue its run`);
    }
    if ('replayOf' in outcome) refuse(409, 'REPLAYED', `Delivery ${deliveryId} was already accepted (run ${outcome.replayOf})`);
    const runId = (outcome as { run_id: string }).run_id;
    this.o.logger.info(`Webhook '${hook.id}' accepted a delivery`, { webhookId: hook.id, deliveryId, runId });
    this.o.bus.publish('webhook.received', { webhookId: hook.id, status: 202, runId });
    return { run_id: runId };
  }

  private allowList(hook: WebhookConfig): IpAllowList | null {
    if (!this.lists.has(hook)) {
      const parsed = parseAllowList(hook.allowed_ips);
      // A bad entry allows nobody rather than everybody.
      this.lists.set(hook, parsed.ok ? parsed.list : { allows: () => false });
    }
    return this.lists.get(hook)!;
  }

  private async secretOf(hook: WebhookConfig): Promise<string | undefined> {
    const text = hook.secret;
    if (!text || !text.startsWith('secrets://')) return text;
    const now = this.o.clock.now();
    const hit = this.secretCache.get(text);
    if (hit && hit.until > now) return hit.value;
    const ref = parseSecretRef(text);
    const value = ref.ok ? (await this.o.secrets.get(ref.ref, { source: `webhook:${hook.id}` }))?.value : undefined;
    if (value === undefined) this.o.logger.error(`Webhook '${hook.id}': its secret ${text} is in no secrets backend`, { webhookId: hook.id });
    this.secretCache.set(text, { value, until: now + SECRET_TTL_MS });
    return value;
  }

  /** Forget cached secrets (after a webhook's secret was changed through the API). */
  forgetSecrets(): void {
    this.secretCache.clear();
  }
}
