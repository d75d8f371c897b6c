import type { SecretRef } from '@shared/domain/secret-ref';
import { BackendRefusedError, type BackendEntry, type SecretBackend } from './backend';

export const ENV_PREFIX = 'DESKTOP_AGENT_SECRET_';
/** Separates service and key in a variable name: `external_api/api_key` → `…_EXTERNAL_API__API_KEY`. */
const SERVICE_SEPARATOR = '__';

const upper = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * The variable a reference reads (SPEC section 8: the environment backend upper-cases; `.` and
 * `-` become `_`). A service-scoped reference reads only its scoped variable, never the
 * unscoped one, so one reference names one secret in every backend.
 */
export function envVarName(ref: SecretRef): string {
  return ENV_PREFIX + (ref.service ? `${upper(ref.service)}${SERVICE_SEPARATOR}${upper(ref.key)}` : upper(ref.key));
}

/** Read-only secrets from `DESKTOP_AGENT_SECRET_*` variables. */
export function createEnvBackend(env: NodeJS.ProcessEnv): SecretBackend {
  const readOnly = () =>
    new BackendRefusedError('env', 'The environment backend is read-only: set DESKTOP_AGENT_SECRET_<KEY> in the environment of Desktop Agent instead');
  return {
    name: 'env',
    writable: false,
    availability: async () => ({ available: true }),
    async get(ref) {
      const value = env[envVarName(ref)];
      return value === undefined || value === '' ? undefined : value;
    },
    set: async () => {
      throw readOnly();
    },
    delete: async () => {
      throw readOnly();
    },
    async list() {
      const out: BackendEntry[] = [];
      for (const [name, value] of Object.entries(env)) {
        if (!name.startsWith(ENV_PREFIX) || name.length === ENV_PREFIX.length || !value) continue;
        // Names are shown lower-cased, as templates usually write them; lookups ignore case.
        const rest = name.slice(ENV_PREFIX.length).toLowerCase();
        const i = rest.indexOf(SERVICE_SEPARATOR);
        out.push(i > 0 && i < rest.length - SERVICE_SEPARATOR.length ? { service: rest.slice(0, i), key: rest.slice(i + SERVICE_SEPARATOR.length) } : { key: rest });
      }
      return out;
    },
  };
}
