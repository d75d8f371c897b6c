import type { AgentApi } from '@shared/contract/ipc';
import { createClient, type AgentClient } from '@shared/client/agent-client';
import { createHttpTransport } from './http-transport';
import { createIpcTransport } from './ipc-transport';

export { AgentError, type AgentClient, type LiveState } from '@shared/client/agent-client';

declare global {
  interface Window {
    /** Present in the Electron window only (src-main/preload/preload.ts). */
    agent?: AgentApi;
  }
}

/** The client for this page: IPC inside the desktop app, HTTP + SSE in a browser. */
export function connect(): AgentClient {
  if (window.agent) return createClient(createIpcTransport(window.agent));
  return createClient(
    createHttpTransport({
      fetch: window.fetch.bind(window),
      EventSource: window.EventSource,
      setTimeout: (fn, ms) => window.setTimeout(fn, ms),
      clearTimeout: (h) => window.clearTimeout(h as number),
    }),
  );
}
