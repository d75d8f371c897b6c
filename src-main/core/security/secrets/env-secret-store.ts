import type { SecretRef, SecretStore } from '../../app/ports';

/** `api_key` → `DESKTOP_AGENT_SECRET_API_KEY` (SPEC section 8: the environment backend upper-cases). */
export function envVarName(ref: SecretRef): string {
  const key = (ref.service ? `${ref.service}_${ref.key}` : ref.key).toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return `DESKTOP_AGENT_SECRET_${key}`;
}

/** Read-only secrets from environment variables. */
export function createEnvSecretStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
  return {
    async get(ref) {
      const value = env[envVarName(ref)] ?? (ref.service ? env[envVarName({ key: ref.key })] : undefined);
      return value === undefined ? undefined : { value, backend: 'env' };
    },
    async set() {
      throw new Error('The environment backend is read-only; set DESKTOP_AGENT_SECRET_<KEY> in the environment instead');
    },
    async delete() {
      return false;
    },
    async list() {
      return Object.keys(env)
        .filter((k) => k.startsWith('DESKTOP_AGENT_SECRET_') && k.length > 'DESKTOP_AGENT_SECRET_'.length)
        .map((k) => ({ key: k.slice('DESKTOP_AGENT_SECRET_'.length).toLowerCase(), backend: 'env' }));
    },
    async status() {
      return [{ name: 'env', available: true, writable: false }];
    },
  };
}
