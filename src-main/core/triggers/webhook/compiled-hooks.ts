import type { WebhookConfig } from '@shared/config';
import { compileExtractor, parseAllowList, type IpAllowList } from './ip-allow-list';

/** What a delivery needs of its webhook, made once per webhook (a reload of webhooks.yaml makes new objects). */
export interface CompiledHook {
  hook: WebhookConfig;
  /** `webhook:<id>`, the runs' trigger. */
  trigger: string;
  /** Null: every address may deliver. A bad entry allows nobody rather than everybody. */
  allowList: IpAllowList | null;
  maxBodyBytes: number;
  /** The run's variables: the webhook's own, then `extract_variables` from the JSON body. */
  variables(body: unknown): Record<string, unknown>;
}

/** The enabled webhooks by endpoint, compiled once per list that webhooks.yaml gives (its object changes on reload). */
export class HookDirectory {
  private readonly byList = new WeakMap<readonly WebhookConfig[], Map<string, CompiledHook>>();

  constructor(private readonly list: () => readonly WebhookConfig[]) {}

  find(endpoint: string): CompiledHook | undefined {
    const list = this.list();
    let map = this.byList.get(list);
    if (!map) {
      map = new Map();
      // The first enabled webhook at an endpoint answers (the config checks keep endpoints unique).
      for (const hook of list) if (hook.enabled && !map.has(hook.endpoint)) map.set(hook.endpoint, compile(hook));
      this.byList.set(list, map);
    }
    return map.get(endpoint);
  }
}

function compile(hook: WebhookConfig): CompiledHook {
  const parsed = parseAllowList(hook.allowed_ips);
  const extract = compileExtractor(hook.extract_variables);
  return {
    hook,
    trigger: `webhook:${hook.id}`,
    allowList: parsed.ok ? parsed.list : { allows: () => false },
    maxBodyBytes: hook.max_body_kb * 1024,
    variables: (body) => ({ ...hook.variables, ...extract(body) }),
  };
}
