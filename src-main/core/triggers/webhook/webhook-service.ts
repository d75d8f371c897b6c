import type { Database } from 'better-sqlite3';
import type { WebhookConfig } from '@shared/config';
import type { ErrorCode } from '@shared/contract/errors';
import { MAX_INPUT_DEPTH, tooDeepAt } from '@shared/domain/input-depth';
import { parseSecretRef } from '@shared/domain/secret-ref';
import { AppError } from '../../kernel/errors';
import type { EventBus } from '../../kernel/event-bus';
import type { Clock, Logger, SecretStore } from '../../kernel/ports';
import type { StagedTriggerRun, StagingQueue } from '../ports';
import { HookDirectory, type CompiledHook } from './compiled-hooks';
import { DeliveryStore } from './delivery-store';
import { GroupCommit } from './group-commit';
import { verifySignature } from './signatures';

export interface WebhookRequest {
  headers: Record<string, unknown>;
  /** The socket's address (trustProxy off: never a forwarded header). */
  ip: string;
  /** The raw body as text (an in-process call, the dispatcher's route)… */
  raw_body?: string;
  /** …or the transport's reader: the body's bytes, or undefined as soon as more than `limit` bytes came (413). */
  readBody?(limit: number): Promise<Buffer | undefined>;
}

export interface WebhookServiceOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  queue: StagingQueue;
  secrets: Pick<SecretStore, 'get'>;
  webhooks(): readonly WebhookConfig[];
}

/** How long a secret read from a backend is reused (the keychain is slow; a rotation shows within this). */
const SECRET_TTL_MS = 30_000;

/**
 * Receives deliveries (SPEC section 6), checking in SPEC's order: unknown endpoint 404, IP not
 * allowed 403, body too large 413, bad or missing signature 401, replayed delivery 409, invalid
 * JSON 400; then the run is queued and the delivery recorded in one transaction (shared with the
 * deliveries that arrived in the same turn) before 202. The replay check of an accepted delivery is
 * its record's insert (the accepted ids are unique per webhook), inside that transaction.
 */
export class WebhookService {
  readonly store: DeliveryStore;
  /** Deliveries that arrive together are queued in one transaction (one commit, not one each). */
  private readonly commits: GroupCommit;
  private readonly hooks: HookDirectory;
  private readonly secretCache = new Map<string, { value: string | undefined; until: number }>();

  constructor(private readonly o: WebhookServiceOptions) {
    this.store = new DeliveryStore(o.db);
    this.commits = new GroupCommit(o.db);
    this.hooks = new HookDirectory(o.webhooks);
  }

  async receive(path: string, req: WebhookRequest): Promise<{ run_id: string }> {
    const endpoint = `/webhooks/${path.replace(/^\/+/, '')}`;
    const compiled = this.hooks.find(endpoint);
    if (!compiled) throw new AppError('NOT_FOUND', `No webhook at ${endpoint}`);
    const hook = compiled.hook;
    const now = this.o.clock.now();
    const headers = req.headers as Record<string, string | string[] | undefined>;
    let deliveryId: string | null = null;
    const refuse = (status: number, code: ErrorCode, message: string): never => {
      this.store.record({ webhook_id: hook.id, delivery_id: deliveryId, received_at: now, status, run_id: null, error: message, ip: req.ip });
      this.o.logger.warn(`Webhook '${hook.id}' refused a delivery (${status})`, { webhookId: hook.id, status, reason: message, ip: req.ip });
      this.o.bus.publish('webhook.received', { webhookId: hook.id, status });
      throw new AppError(code, message);
    };
    const replayed = () => {
      const earlier = deliveryId === null ? undefined : this.store.acceptedRun(hook.id, deliveryId);
      if (earlier) refuse(409, 'REPLAYED', `Delivery ${deliveryId} was already accepted (run ${earlier.run_id})`);
    };

    if (compiled.allowList && !compiled.allowList.allows(req.ip)) refuse(403, 'IP_NOT_ALLOWED', `${req.ip} is not in this webhook's allowed_ips`);
    const body = req.readBody ? await req.readBody(compiled.maxBodyBytes) : (req.raw_body ?? '');
    if (body === undefined || Buffer.byteLength(body) > compiled.maxBodyBytes) refuse(413, 'PAYLOAD_TOO_LARGE', `The body is larger than this webhook's ${hook.max_body_kb} KB`);
    const secret = hook.signature === 'none' ? undefined : (this.cachedSecret(hook, now) ?? (await this.secretOf(hook)));
    if (hook.signature !== 'none' && secret === undefined) refuse(401, 'BAD_SIGNATURE', 'The signature cannot be checked: the webhook secret is not available on this machine');
    const verdict = verifySignature(hook.signature, secret, headers, body!, now);
    if (!verdict.ok) refuse(401, 'BAD_SIGNATURE', `Bad signature: ${verdict.reason}`);
    deliveryId = verdict.ok ? verdict.deliveryId : null;
    let parsed: unknown;
    try {
      const text = typeof body === 'string' ? body : body!.toString('utf8');
      parsed = text.trim() ? JSON.parse(text) : {};
    } catch (e) {
      // A replay is answered 409 even when its body is not JSON (SPEC's order); a valid body's replay is found by its record's insert.
      replayed();
      refuse(400, 'INVALID_JSON', `The body is not valid JSON: ${(e as Error).message}`);
    }

    const variables = compiled.variables(parsed);
    // Every later walk (masking, storing) may assume input's bound; the body itself is only parsed, never walked.
    const deep = tooDeepAt(variables);
    if (deep) {
      replayed();
      refuse(400, 'VALIDATION_ERROR', `The body's value for ${String(deep[0])} (extract_variables) is nested more than ${MAX_INPUT_DEPTH} levels deep`);
    }

    let staged: StagedTriggerRun;
    try {
      staged = this.stage(compiled, variables, deliveryId);
    } catch (e) {
      replayed();
      return this.notQueued(hook, deliveryId, now, req.ip, e);
    }
    let accepted: boolean;
    try {
      accepted = await this.commits.run(() => {
        // Nothing recorded when this id was accepted before (a replay, maybe earlier in this very batch).
        if (!this.store.recordAccepted({ webhook_id: hook.id, delivery_id: deliveryId, received_at: now, run_id: staged.run_id, ip: req.ip })) return false;
        staged.write();
        return true;
      });
    } catch (e) {
      staged.release();
      return this.notQueued(hook, deliveryId, now, req.ip, e);
    }
    if (!accepted) {
      staged.release();
      replayed();
      refuse(409, 'REPLAYED', `Delivery ${deliveryId} was already accepted`);
    }
    staged.announce();
    // The Queue's "Run … queued" line is the one info line of an accepted delivery; its history is in webhook_deliveries.
    this.o.logger.debug(`Webhook '${hook.id}' accepted a delivery`, { webhookId: hook.id, deliveryId, runId: staged.run_id });
    this.o.bus.publish('webhook.received', { webhookId: hook.id, status: 202, runId: staged.run_id });
    return { run_id: staged.run_id };
  }

  private stage(c: CompiledHook, variables: Record<string, unknown>, deliveryId: string | null): StagedTriggerRun {
    const hook = c.hook;
    // No idempotency key: the delivery's record, unique per accepted id and committed with the run, is the replay guard.
    return this.o.queue.stage(
      { template: hook.template, variables, queue: hook.queue, priority: hook.priority },
      { trigger: c.trigger, triggerData: { webhook_id: hook.id, delivery_id: deliveryId }, requestedBy: null },
    );
  }

  /** The run could not be queued (queue full 429, not accepting 503, else 500): recorded, logged, thrown. */
  private notQueued(hook: WebhookConfig, deliveryId: string | null, now: number, ip: string, e: unknown): never {
    const code = e instanceof AppError ? e.code : 'INTERNAL';
    const status = code === 'QUEUE_FULL' ? 429 : code === 'UNAVAILABLE' ? 503 : 500;
    this.store.record({ webhook_id: hook.id, delivery_id: deliveryId, received_at: now, status, run_id: null, error: (e as Error).message, ip });
    this.o.logger.error(`Webhook '${hook.id}' could not queue its run`, { webhookId: hook.id, error: (e as Error).message });
    this.o.bus.publish('webhook.received', { webhookId: hook.id, status });
    if (e instanceof AppError && (code === 'QUEUE_FULL' || code === 'UNAVAILABLE')) throw e;
    throw new AppError('INTERNAL', `Webhook '${hook.id}' could not queue its run`);
  }

  /** The secret without waiting: a plaintext one, or a backend's still in the cache. */
  private cachedSecret(hook: WebhookConfig, now: number): string | undefined {
    const text = hook.secret;
    if (!text || !text.startsWith('secrets://')) return text;
    const hit = this.secretCache.get(text);
    return hit && hit.until > now ? hit.value : undefined;
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
