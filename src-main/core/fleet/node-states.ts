/**
 * A node's state from the age of its last heartbeat (SPEC section 16): online while it beats,
 * stale after a few missed beats (busy, or its network hiccups), offline after long silence (its
 * runs are recovered by the others once their leases expire; that is the leases' clock, not this).
 */
export const HEARTBEAT_INTERVAL_MS = 10_000;
/** Three missed beats. */
export const NODE_STALE_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;
/** Two minutes of silence. */
export const NODE_OFFLINE_AFTER_MS = 120_000;

export type NodeState = 'online' | 'stale' | 'offline';

export function nodeStateOf(heartbeatAt: number, now: number): NodeState {
  const age = now - heartbeatAt;
  if (age >= NODE_OFFLINE_AFTER_MS) return 'offline';
  if (age >= NODE_STALE_AFTER_MS) return 'stale';
  return 'online';
}
