// The store for several relay instances: one Redis shared by all of them, so a token used
// on one instance is refused on the others and every limit adds up across instances.
// Each operation is one command or one Lua script, hence atomic without locks; lease
// expiry uses Redis's own clock (TIME), so instance clocks need not agree.
//
// Client: `@redis/client`, the core of node-redis maintained by Redis itself: no runtime
// dependencies, its own TypeScript types, Node >= 20, released monthly. The store only
// needs `sendCommand`, so it is an optional peer loaded on demand (and any client with
// `sendCommand` can be passed instead, e.g. a wrapped ioredis).
import type { RateVerdict, RelayStore } from './types.ts';

/**
 * What the store needs from a Redis client: one way to send a raw command. A node-redis
 * client (`@redis/client` or `redis`, v4 and later) fits as it is; wrap others, e.g.
 * ioredis: `{ sendCommand: (args) => ioredis.call(args[0], ...args.slice(1)) }`.
 */
export interface RedisCommandClient {
  sendCommand(args: string[]): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** redis:// or rediss:// URL; the store connects with `@redis/client` (install it). */
  url?: string;
  /** An already connected client instead of `url`; the store never closes it. */
  client?: RedisCommandClient;
  /** Prefix of every key. Default "hydra-voice:". */
  prefix?: string;
  /** Called when the connection drops or fails (messages never contain the URL). */
  onError?: (error: Error) => void;
}

// KEYS[1] = window key; ARGV = limit, windowMs. → {allowed 0|1, retryAfterMs}
const HIT = `
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
if n > tonumber(ARGV[1]) then return {0, ttl} end
return {1, 0}`;

// A lease set is a sorted set: member = lease id, score = expiry in ms (Redis clock).
const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS[1] = lease set; ARGV = leaseId, limit, ttlMs. → 1 taken, 0 full
const ACQUIRE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// KEYS[1] = lease set; ARGV = leaseId, ttlMs
const RENEW = `${NOW}
local exp = redis.call('ZSCORE', KEYS[1], ARGV[1])
if exp and tonumber(exp) > now then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/** Loads the optional `@redis/client` package only when a URL is given. */
async function connectByUrl(url: string, onError: (error: Error) => void): Promise<{ client: RedisCommandClient; close(): Promise<void> }> {
  let redis: typeof import('@redis/client');
  try {
    redis = await import('@redis/client');
  } catch {
    throw new Error('createRedisStore({ url }) needs the "@redis/client" package: npm install @redis/client');
  }
  let ready = false;
  const client = redis.createClient({
    url,
    // Fail at once while disconnected: a limit that cannot be checked must refuse, not wait.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5000,
      // At start a few quick tries (Redis may be starting too), then the store reports
      // the failure; once connected, reconnect forever with a capped backoff.
      reconnectStrategy: (retries: number) => (ready ? Math.min(100 * 2 ** retries, 2000) : retries < 5 ? 200 : false),
    },
  });
  client.on('error', (e: Error) => onError(e));
  try {
    await client.connect();
  } catch (e) {
    // Never echo the URL: it may carry a password.
    throw new Error(`cannot connect to Redis: ${(e as Error).message}`, { cause: e });
  }
  ready = true;
  return {
    client: { sendCommand: (args) => client.sendCommand(args) },
    close: async () => {
      if (client.isOpen) await client.close();
      else client.destroy();
    },
  };
}

/** Creates the Redis store; resolves once connected (rejects with a clear error if it cannot). */
export async function createRedisStore(options: RedisStoreOptions): Promise<RelayStore> {
  const prefix = options.prefix ?? 'hydra-voice:';
  const onError = options.onError ?? (() => {});
  let owned: { client: RedisCommandClient; close(): Promise<void> } | undefined;
  let client: RedisCommandClient;
  if (options.client) client = options.client;
  else if (options.url) client = (owned = await connectByUrl(options.url, onError)).client;
  else throw new TypeError('createRedisStore: pass url or client');

  const key = (k: string) => prefix + k;
  const evalScript = (script: string, k: string, ...args: (string | number)[]) =>
    client.sendCommand(['EVAL', script, '1', key(k), ...args.map(String)]);

  return {
    async claimOnce(k, ttlMs) {
      const reply = await client.sendCommand(['SET', key(k), '1', 'NX', 'PX', String(Math.max(1, Math.ceil(ttlMs)))]);
      return reply === 'OK';
    },
    async hit(k, limit, windowMs): Promise<RateVerdict> {
      const reply = (await evalScript(HIT, k, limit, Math.max(1, Math.ceil(windowMs)))) as [number, number];
      return { allowed: Number(reply[0]) === 1, retryAfterMs: Number(reply[1]) };
    },
    async acquireLease(k, leaseId, limit, ttlMs) {
      return Number(await evalScript(ACQUIRE, k, leaseId, limit, Math.ceil(ttlMs))) === 1;
    },
    async renewLease(k, leaseId, ttlMs) {
      await evalScript(RENEW, k, leaseId, Math.ceil(ttlMs));
    },
    async releaseLease(k, leaseId) {
      await client.sendCommand(['ZREM', key(k), leaseId]);
    },
    async close() {
      await owned?.close();
    },
  };
}
