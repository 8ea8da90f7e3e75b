// Reconnect delays: exponential backoff with a cap and jitter; a full server starts from a
// longer base. Pure, so tests assert exact delays with an injected random().

export interface ReconnectOptions {
  /** First delay after an ordinary drop (default 500 ms). */
  baseDelayMs?: number;
  /** Largest delay (default 15 000 ms); server_full may reach serverFullDelayMs if larger. */
  maxDelayMs?: number;
  /** Consecutive failed attempts before a fatal `connection_lost` (default 8). */
  maxAttempts?: number;
  /** First delay after `server_full` / close 1013 (default 5000 ms). */
  serverFullDelayMs?: number;
}

export const RECONNECT_DEFAULTS: Required<ReconnectOptions> = {
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxAttempts: 8,
  serverFullDelayMs: 5_000,
};

/**
 * Delay before attempt `attempt` (1-based): min(cap, base · 2^(attempt−1)), then "equal
 * jitter": half of it fixed, half random, so clients spread out yet never retry at once.
 */
export function reconnectDelay(attempt: number, serverFull: boolean, options: Required<ReconnectOptions>, random: () => number): number {
  const base = serverFull ? options.serverFullDelayMs : options.baseDelayMs;
  const cap = serverFull ? Math.max(options.maxDelayMs, options.serverFullDelayMs) : options.maxDelayMs;
  const ceiling = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (r * ceiling) / 2);
}
