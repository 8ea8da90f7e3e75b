// The default store: plain Maps in this process. Right for one instance; with several
// instances each would count alone, so use the Redis store there (docs/SERVER.md, Deploy).
import type { RateVerdict, RelayStore } from './types.ts';

export interface MemoryStoreOptions {
  /** Clock in ms, for tests. Default Date.now. */
  now?: () => number;
}

/** Expired entries are dropped at most this often, on the next call (no timers to leak). */
const SWEEP_EVERY_MS = 10_000;

export function createMemoryStore(options: MemoryStoreOptions = {}): RelayStore {
  const now = options.now ?? Date.now;
  const claims = new Map<string, number>(); // key → expiry
  const windows = new Map<string, { count: number; endsAt: number }>();
  const leases = new Map<string, Map<string, number>>(); // key → leaseId → expiry
  let lastSweep = now();

  function sweep(t: number): void {
    if (t - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = t;
    for (const [k, exp] of claims) if (exp <= t) claims.delete(k);
    for (const [k, w] of windows) if (w.endsAt <= t) windows.delete(k);
    for (const [k, held] of leases) {
      for (const [id, exp] of held) if (exp <= t) held.delete(id);
      if (held.size === 0) leases.delete(k);
    }
  }

  /** The live leases of `key`, lapsed ones dropped. */
  function liveLeases(key: string, t: number): Map<string, number> {
    const held = leases.get(key) ?? new Map<string, number>();
    for (const [id, exp] of held) if (exp <= t) held.delete(id);
    return held;
  }

  return {
    async claimOnce(key, ttlMs) {
      const t = now();
      sweep(t);
      const exp = claims.get(key);
      if (exp !== undefined && exp > t) return false;
      claims.set(key, t + ttlMs);
      return true;
    },
    async hit(key, limit, windowMs): Promise<RateVerdict> {
      const t = now();
      sweep(t);
      let w = windows.get(key);
      if (!w || w.endsAt <= t) windows.set(key, (w = { count: 0, endsAt: t + windowMs }));
      w.count++;
      return w.count > limit ? { allowed: false, retryAfterMs: w.endsAt - t } : { allowed: true, retryAfterMs: 0 };
    },
    async acquireLease(key, leaseId, limit, ttlMs) {
      const t = now();
      sweep(t);
      const held = liveLeases(key, t);
      if (!held.has(leaseId) && held.size >= limit) return false;
      held.set(leaseId, t + ttlMs);
      leases.set(key, held);
      return true;
    },
    async renewLease(key, leaseId, ttlMs) {
      const t = now();
      const held = liveLeases(key, t);
      if (held.has(leaseId)) held.set(leaseId, t + ttlMs);
    },
    async releaseLease(key, leaseId) {
      const held = leases.get(key);
      if (!held) return;
      held.delete(leaseId);
      if (held.size === 0) leases.delete(key);
    },
    async close() {
      claims.clear();
      windows.clear();
      leases.clear();
    },
  };
}
