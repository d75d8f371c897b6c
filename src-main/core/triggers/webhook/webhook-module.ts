import { webhookSchema, type WebhookConfig } from '@shared/config';
import type { Issue } from '@shared/contract/errors';
import type { TriggerFigure } from '@shared/contract/metrics';
import type { WebhookView, webhooksContract } from '@shared/contract/webhooks';
import { isoAt } from '../../kernel/clock';
import { contractHandlers, type CoreModule, type Handler } from '../../kernel/module';
import { conflict, notFound } from '../../kernel/errors';
import type { SecretStore } from '../../kernel/ports';
import { configListWriter } from '../config-list-file';
import type { StagingQueue, TriggerModulePorts } from '../ports';
import { definedFields, pruneHourly, referenceIssues, rejectIssues } from '../trigger-checks';
import { DAY_MS } from '../../kernel/clock';
import { parseAllowList } from './ip-allow-list';
import { WebhookService, type WebhookRequest } from './webhook-service';

type Handlers = { [N in keyof typeof webhooksContract]: Handler<(typeof webhooksContract)[N]> };

export interface WebhookModuleOptions extends Omit<TriggerModulePorts, 'queue'> {
  /** Runs are staged and written in the deliveries' own group commit. */
  queue: StagingQueue;
  secrets: SecretStore;
}

export interface WebhookModule extends CoreModule {
  service: WebhookService;
  /** Per webhook from its stored deliveries: accepted, refused and not queued in 24 h, last accepted. */
  figures(now: number): TriggerFigure[];
}

/** Webhooks as a core module: the public receiver, webhooks.* procedures, write-back to webhooks.yaml. */
export function createWebhookModule(o: WebhookModuleOptions): WebhookModule {
  const webhooks = () => o.config.get('webhooks.yaml').webhooks;
  const service = new WebhookService({ db: o.db, clock: o.clock, logger: o.logger, bus: o.bus, queue: o.queue, secrets: o.secrets, webhooks });
  let stopPruning: (() => void) | undefined;

  const find = (id: string): WebhookConfig => {
    const w = webhooks().find((x) => x.id === id);
    if (!w) throw notFound(`Webhook '${id}'`);
    return w;
  };

  const view = (w: WebhookConfig, counts: Map<string, { accepted: number; refused: number }>): WebhookView => {
    const last = service.store.recent(w.id, 1)[0];
    const c = counts.get(w.id);
    const { secret, ...rest } = w;
    return {
      ...rest,
      path: w.endpoint,
      secret_stored: secret === undefined ? null : secret.startsWith('secrets://') ? 'backend' : 'file',
      last_delivery: last ? { received_at: isoAt(last.received_at), status: last.status, run_id: last.run_id } : null,
      accepted_24h: c?.accepted ?? 0,
      refused_24h: c?.refused ?? 0,
    };
  };
  /** The 24-hour counts of every webhook in one query (the list shows them all). */
  const countsNow = () => new Map(service.store.countsSince(o.clock.now() - DAY_MS).map((c) => [c.webhook_id, c]));

  const figures = (now: number): TriggerFigure[] => {
    const counts = new Map(service.store.countsSince(now - DAY_MS).map((c) => [c.webhook_id, c]));
    return webhooks().map((w) => {
      const last = service.store.lastAcceptedAt(w.id);
      const c = counts.get(w.id);
      return {
        kind: 'webhook',
        trigger: w.id,
        name: w.name,
        enabled: w.enabled,
        last_fire: last === undefined ? null : isoAt(last),
        fires_24h: c?.accepted ?? 0,
        failures_24h: c?.unqueued ?? 0,
        refused_24h: (c?.refused ?? 0) - (c?.unqueued ?? 0),
      };
    });
  };

  const check = (value: Record<string, unknown>, selfId?: string): void => {
    // A schema error is thrown as is: the dispatcher answers it 400, by field.
    const w = webhookSchema.parse(value);
    const issues: Issue[] = [];
    const ips = parseAllowList(w.allowed_ips);
    if (!ips.ok) for (const p of ips.problems) issues.push({ path: `allowed_ips[${p.index}]`, message: p.message });
    if (webhooks().some((x) => x.endpoint === w.endpoint && x.id !== selfId)) issues.push({ path: 'endpoint', message: `another webhook already answers at ${w.endpoint}` });
    rejectIssues('Webhook', w.id, [...issues, ...referenceIssues(o, w)]);
  };

  /** A plaintext secret from the API goes to the secrets backend; the file gets its reference. */
  const storeSecret = async (id: string, secret: string | undefined): Promise<string | undefined> => {
    if (secret === undefined || secret.startsWith('secrets://')) return secret;
    const key = `webhook_${id}`;
    await o.secrets.set({ key }, secret, { source: 'webhooks' });
    service.forgetSecrets();
    return `secrets://${key}`;
  };

  const write = configListWriter(o.config, 'webhooks.yaml', 'webhooks', 'Webhook');

  const handlers: Handlers = {
    'webhooks.receive': ({ path, request }) => service.receive(path, request as WebhookRequest),
    'webhooks.list': () => {
      const counts = countsNow();
      return { items: webhooks().map((w) => view(w, counts)) };
    },
    'webhooks.create': async (input) => {
      if (webhooks().some((w) => w.id === input.id)) throw conflict(`A webhook with id '${input.id}' already exists`);
      check({ ...input, secret: input.secret === undefined ? undefined : 'secrets://pending' });
      const secret = await storeSecret(input.id, input.secret);
      write({ op: 'add', item: definedFields({ ...input, secret }) });
      return view(find(input.id), countsNow());
    },
    'webhooks.update': async ({ id, ...patch }) => {
      const current = find(id);
      check({ ...current, ...patch, secret: patch.secret === undefined ? current.secret : 'secrets://pending' }, id);
      const secret = await storeSecret(id, patch.secret);
      write({ op: 'update', id, set: definedFields({ ...patch, secret }) });
      return view(find(id), countsNow());
    },
    'webhooks.delete': async ({ id }) => {
      const current = find(id);
      write({ op: 'remove', id });
      if (current.secret === `secrets://webhook_${id}`) await o.secrets.delete({ key: `webhook_${id}` }, { source: 'webhooks' }).catch(() => undefined);
      return { ok: true as const };
    },
    'webhooks.deliveries': ({ id, limit }) => {
      find(id);
      return {
        items: service.store.recent(id, limit).map((d) => ({ received_at: isoAt(d.received_at), status: d.status, delivery_id: d.delivery_id, run_id: d.run_id, error: d.error, ip: d.ip })),
      };
    },
  };

  return {
    name: 'webhooks',
    service,
    figures,
    handlers: contractHandlers(handlers),
    start: () => {
      stopPruning = pruneHourly(o.clock, (t) => service.store.pruneBefore(t));
    },
    stop: () => stopPruning?.(),
  };
}
