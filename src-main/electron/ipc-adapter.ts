import { endsSession, sessionEffect, withoutSessionToken } from '../core/api/session-binding';
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { Envelope, ErrorBody } from '@shared/contract/errors';
import { IPC_EVENTS, IPC_INVOKE, type EventsMessage } from '@shared/contract/ipc';
import type { Authentication } from '../core/kernel/authenticator';
import type { Dispatcher } from '../core/api/dispatcher';
import type { EventStreams, OpenStream } from '../core/api/event-streams';
import type { CredentialCheck } from '../core/kernel/authenticator';
import type { CallContext, UserPrincipal } from '../core/kernel/principal';
import type { EventBus } from '../core/kernel/event-bus';
import type { Logger } from '../core/kernel/ports';
import type { IpcSenderInfo } from './window-policy';

/**
 * The principal of a window: the users module answers from the session token the adapter keeps
 * for that window (undefined when it has none).
 */
export type PrincipalResolver = (windowSessionToken: string | undefined) => Promise<Authentication>;

export interface IpcAdapterOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler' | 'on' | 'removeListener'>;
  dispatcher: Pick<Dispatcher, 'dispatch' | 'authorize' | 'procedure'>;
  bus: Pick<EventBus, 'subscribe'>;
  resolvePrincipal: PrincipalResolver;
  /** What a window's subscription stays bound to (the users module's), and the core's open streams. */
  credentialOf(principal: UserPrincipal): CredentialCheck;
  streams: Pick<EventStreams, 'add' | 'count'>;
  /** Only our window's main frame showing our page may call (window-policy.ts createSenderCheck). */
  isTrustedSender(event: IpcSenderInfo): boolean;
  logger: Logger;
  /** A window signed in or out (the tray recounts what its user may decide). */
  onSessionChanged?(windowId: number): void;
}

export interface IpcAdapter {
  /** Windows whose events are being forwarded (live) — for diagnostics and tests. */
  liveWindows(): number[];
  /** The call context of a window's user: the tray and notifications act as that user, through the dispatcher. */
  contextFor(windowId: number): Promise<CallContext>;
  close(): void;
}

type Sender = Pick<WebContents, 'id' | 'send' | 'isDestroyed' | 'once'>;

const STREAM_ENDED = {
  too_many_streams: 'Too many open event streams for this user; this window stopped receiving live updates',
  shutdown: 'Desktop Agent is stopping',
} as const;

const failure = (code: string, message: string): Envelope<never> => ({ ok: false, error: { code, message } });

/**
 * The Electron transport of the one gate: two channels, sender checked, every call through the
 * dispatcher with the window's principal. A window's session token is captured from a
 * successful sign-in and kept here, never sent to the page; it is dropped on sign-out and when
 * the window goes away. Nothing a page sends can crash main: every failure is an envelope.
 */
export function createIpcAdapter(options: IpcAdapterOptions): IpcAdapter {
  const { dispatcher, logger: log } = options;
  const sessions = new Map<number, string>();
  const subscribers = new Map<number, { sender: Sender; live: boolean; stream?: OpenStream }>();
  const known = new Set<number>();

  const track = (sender: Sender) => {
    if (known.has(sender.id)) return;
    known.add(sender.id);
    const id = sender.id;
    sender.once('destroyed', () => {
      known.delete(id);
      sessions.delete(id);
      unsubscribe(id);
    });
  };

  const contextOf = async (windowId: number): Promise<CallContext> => {
    const auth = await options.resolvePrincipal(sessions.get(windowId));
    return { principal: auth.principal, authFailure: auth.failure, source: 'ipc' };
  };

  const post = (sender: Sender, message: EventsMessage) => {
    if (!sender.isDestroyed()) sender.send(IPC_EVENTS, message);
  };

  const unsubscribe = (windowId: number) => {
    subscribers.get(windowId)?.stream?.release();
    subscribers.delete(windowId);
  };

  // The stream needs the same permission as over HTTP; decided when a window subscribes, again
  // whenever its session starts or ends, and whenever the core ends the window's stream because
  // its credential stopped holding (signed out elsewhere, disabled, another role, expired).
  const authorizeEvents = async (windowId: number) => {
    const sub = subscribers.get(windowId);
    if (!sub) return;
    const ctx = await contextOf(windowId);
    if (subscribers.get(windowId) !== sub) return;
    const p = ctx.principal;
    sub.stream?.release();
    sub.stream = undefined;
    const denied: ErrorBody | undefined = dispatcher.authorize('events.subscribe', ctx, undefined, { auditGrant: p.kind !== 'user' || options.streams.count(p.id) === 0 });
    sub.live = !denied;
    if (!denied && p.kind === 'user') {
      sub.stream = options.streams.add({
        owner: p.id,
        credential: options.credentialOf(p),
        end: (reason) => {
          if (subscribers.get(windowId) !== sub) return;
          sub.live = false;
          sub.stream = undefined;
          if (reason === 'credentials_ended') refreshEvents(windowId);
          else post(sub.sender, { kind: 'status', live: false, error: { code: reason === 'shutdown' ? 'UNAVAILABLE' : 'RATE_LIMITED', message: STREAM_ENDED[reason] } });
        },
      });
    }
    post(sub.sender, denied ? { kind: 'status', live: false, error: denied } : { kind: 'status', live: true });
  };
  const refreshEvents = (windowId: number) =>
    void authorizeEvents(windowId).catch((e: unknown) => log.error('Could not authorize the event stream', { error: e instanceof Error ? e.message : String(e) }));

  const onInvoke = async (event: IpcMainInvokeEvent, name: unknown, input: unknown): Promise<Envelope<unknown>> => {
    try {
      if (!options.isTrustedSender(event)) {
        log.warn('Refused IPC from a frame that is not the app window', { url: event.senderFrame?.url ?? null });
        return failure('FORBIDDEN', 'IPC is accepted from the app window only');
      }
      if (typeof name !== 'string' || name.length === 0 || name.length > 200) return failure('VALIDATION_ERROR', 'The procedure name must be a non-empty string');
      const sender = event.sender;
      track(sender);
      const result = await dispatcher.dispatch(name, input, await contextOf(sender.id));
      const proc = dispatcher.procedure(name);
      if (!proc) return result;
      const effect = result.ok ? sessionEffect(proc, result.data) : undefined;
      if (effect?.kind === 'issue' && result.ok) {
        sessions.set(sender.id, effect.token);
        refreshEvents(sender.id);
        options.onSessionChanged?.(sender.id);
        return { ok: true, data: withoutSessionToken(proc, result.data) };
      }
      // A refused sign-out means the session is gone already; either way the window has none now.
      if (endsSession(proc, result)) {
        sessions.delete(sender.id);
        refreshEvents(sender.id);
        options.onSessionChanged?.(sender.id);
      }
      return result;
    } catch (e) {
      log.error('IPC call failed', { procedure: typeof name === 'string' ? name : null, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      return failure('INTERNAL', 'Internal error while handling the call');
    }
  };

  const onEvents = (event: IpcMainEvent, request: unknown) => {
    if (!options.isTrustedSender(event)) {
      log.warn('Refused an event subscription from a frame that is not the app window', { url: event.senderFrame?.url ?? null });
      return;
    }
    const sender = event.sender;
    const subscribe = (request as { subscribe?: unknown } | null)?.subscribe;
    if (subscribe === true) {
      track(sender);
      unsubscribe(sender.id);
      subscribers.set(sender.id, { sender, live: false });
      refreshEvents(sender.id);
    } else if (subscribe === false) {
      unsubscribe(sender.id);
    }
  };

  const unsubscribeBus = options.bus.subscribe((event) => {
    for (const sub of subscribers.values()) if (sub.live) post(sub.sender, { kind: 'event', event });
  });

  options.ipcMain.handle(IPC_INVOKE, onInvoke);
  options.ipcMain.on(IPC_EVENTS, onEvents);

  return {
    liveWindows: () => [...subscribers.entries()].filter(([, s]) => s.live).map(([id]) => id),
    contextFor: contextOf,
    close() {
      options.ipcMain.removeHandler(IPC_INVOKE);
      options.ipcMain.removeListener(IPC_EVENTS, onEvents);
      unsubscribeBus();
      for (const id of [...subscribers.keys()]) unsubscribe(id);
      sessions.clear();
    },
  };
}
