// The state that single-use tokens, rate limits and concurrency limits need. One store is
// shared by the token endpoint and every relay instance of a site: in memory for a single
// process (memory.ts), Redis when several instances sit behind one load balancer (redis.ts).
// Every method is atomic on its own; keys are opaque strings chosen by the callers.

/** The answer of a rate-limit hit. */
export interface RateVerdict {
  allowed: boolean;
  /** When refused: ms until the current window ends (for Retry-After). 0 when allowed. */
  retryAfterMs: number;
}

export interface RelayStore {
  /**
   * Records `key` for `ttlMs`. True the first time; false while it is already recorded
   * (single-use tokens: the relay claims a token's id on first use).
   */
  claimOnce(key: string, ttlMs: number): Promise<boolean>;
  /**
   * Counts one event for `key` in a fixed window of `windowMs` starting at the first
   * event; refused once more than `limit` events fall in the window.
   */
  hit(key: string, limit: number, windowMs: number): Promise<RateVerdict>;
  /**
   * Takes one of `limit` concurrent slots under `key` for `leaseId`. The slot is held until
   * released, or until `ttlMs` passes without a renewal, so a crashed instance cannot hold
   * slots forever. True when taken (or already held by this lease).
   */
  acquireLease(key: string, leaseId: string, limit: number, ttlMs: number): Promise<boolean>;
  /** Extends a held lease by `ttlMs` from now; a lease that already lapsed is not revived. */
  renewLease(key: string, leaseId: string, ttlMs: number): Promise<void>;
  releaseLease(key: string, leaseId: string): Promise<void>;
  /** Releases connections or timers the store owns (not a client passed in by the caller). */
  close(): Promise<void>;
}

/** Thrown by callers when the store failed: limits cannot be checked, so nothing is allowed. */
export class StoreUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`state store unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'StoreUnavailableError';
  }
}
