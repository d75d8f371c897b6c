import pg from 'pg';

export interface Listening {
  /** Connected and listening now (false while it reconnects). */
  readonly connected: boolean;
  close(): Promise<void>;
}

export interface ListenOptions {
  /**
   * Called after a lost connection is back and listening again. Notifications sent meanwhile are
   * lost (PostgreSQL queues them only for live sessions): re-read whatever they would have said.
   */
  onReconnected?: () => void;
  /** The connection failed or a reconnect attempt did; it keeps trying. */
  onError?: (e: Error) => void;
  /** First and longest wait between reconnect attempts (default 100 ms, doubling to 5 s). */
  retryMs?: { first: number; max: number };
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * LISTENs on one channel over a connection of its own (a pooled connection cannot hold a LISTEN)
 * and keeps listening across a dropped connection (server restart, failover, a terminated
 * backend): it reconnects with backoff and says so through `onReconnected`. Rejects when the
 * first connection fails, so a wrong URL is an error at start, not a silent retry loop.
 */
export async function listen(url: string, channel: string, onNotify: (payload: string) => void, o: ListenOptions = {}): Promise<Listening> {
  if (!CHANNEL.test(channel)) throw new Error(`LISTEN channel '${channel}' must be lower-case letters, digits and _ (at most 63)`);
  const retry = o.retryMs ?? { first: 100, max: 5_000 };
  let client: pg.Client | undefined;
  let closed = false;
  let connected = false;
  let wait = retry.first;
  let timer: NodeJS.Timeout | undefined;

  const open = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, keepAlive: true, application_name: `desktop-agent listen ${channel}` });
    c.on('notification', (m) => {
      if (m.channel === channel) onNotify(m.payload ?? '');
    });
    c.on('error', (e) => {
      o.onError?.(e);
      lost(c);
    });
    c.on('end', () => lost(c));
    await c.connect();
    try {
      await c.query(`listen ${channel}`);
    } catch (e) {
      await c.end().catch(() => undefined);
      throw e;
    }
    client = c;
    connected = true;
    wait = retry.first;
  };

  const lost = (c: pg.Client) => {
    if (c !== client || closed) return;
    client = undefined;
    connected = false;
    void c.end().catch(() => undefined);
    schedule();
  };

  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      open().then(
        () => (closed ? void client?.end().catch(() => undefined) : o.onReconnected?.()),
        (e: Error) => {
          o.onError?.(e);
          wait = Math.min(wait * 2, retry.max);
          schedule();
        },
      );
    }, wait);
  };

  await open();
  return {
    get connected() {
      return connected;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      connected = false;
      await c?.end().catch(() => undefined);
    },
  };
}
