import type { RunView } from '../../src-shared/contract/runs';
import { isFinal } from '../../src-shared/domain/runs';

/** An answer of the served API, kept as text so a test can search everything it was told. */
export interface Answer {
  method: string;
  path: string;
  status: number;
  text: string;
}

/**
 * A client of `desktop-agent serve` that records every answer it receives (`answers`), for
 * tests that must show something never appears in what the API said.
 */
export class ApiSession {
  readonly answers: Answer[] = [];

  constructor(
    readonly url: string,
    readonly authorization: string,
  ) {}

  /** Signs in with Basic auth, creates an API token for that user and uses it from then on. */
  static async withToken(url: string, user: string, password: string, tokenName = 'e2e'): Promise<ApiSession> {
    const basic = new ApiSession(url, 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64'));
    const me = await basic.call<{ id: string }>('GET', '/api/auth/me');
    const created = await basic.call<{ token: string }>('POST', `/api/admin/users/${me.body.id}/tokens`, { name: tokenName });
    if (created.status !== 201) throw new Error(`creating an API token answered ${created.status}: ${created.text}`);
    const session = new ApiSession(url, `Bearer ${created.body.token}`);
    session.answers.push(...basic.answers);
    return session;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; text: string }> {
    const raw = typeof body === 'string';
    const r = await fetch(this.url + path, {
      method,
      headers: {
        authorization: this.authorization,
        ...(body === undefined ? {} : { 'content-type': raw ? 'text/plain; charset=utf-8' : 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
    const text = await r.text();
    this.answers.push({ method, path, status: r.status, text });
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (an artifact, a page): the text is the body
    }
    return { status: r.status, body: parsed as T, text };
  }

  /** Queues a template given as YAML; returns the run id. */
  async enqueue(yaml: string): Promise<string> {
    const r = await this.call<{ run_id: string }>('POST', '/api/runs', { template_yaml: yaml });
    if (r.status !== 201) throw new Error(`POST /api/runs answered ${r.status}: ${r.text}`);
    return r.body.run_id;
  }

  /** Polls GET /api/runs/{id} until the run is final (succeeded, failed, cancelled) or the deadline passes. */
  async waitForRun(id: string, timeoutMs = 120_000): Promise<RunView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.call<RunView>('GET', `/api/runs/${id}`);
      if (r.status === 200 && isFinal(r.body.status)) return r.body;
      if (Date.now() > deadline) throw new Error(`run ${id} did not finish within ${timeoutMs} ms (last answer ${r.status}: ${r.text.slice(0, 500)})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The raw text of `GET /api/events` (Server-Sent Events) from now until `close()`. */
export interface EventCapture {
  text(): string;
  close(): Promise<void>;
}

export async function captureEvents(session: ApiSession): Promise<EventCapture> {
  const controller = new AbortController();
  const r = await fetch(`${session.url}/api/events`, { headers: { authorization: session.authorization }, signal: controller.signal });
  if (r.status !== 200 || !r.body) throw new Error(`GET /api/events answered ${r.status}: ${await r.text()}`);
  let text = '';
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    text: () => text,
    async close() {
      controller.abort();
      await pump;
    },
  };
}
