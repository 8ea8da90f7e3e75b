// State shared by the token endpoint and relay instances (see types.ts).
export { createMemoryStore, type MemoryStoreOptions } from './memory.ts';
export { createRedisStore, type RedisStoreOptions, type RedisCommandClient } from './redis.ts';
export { StoreUnavailableError, type RelayStore, type RateVerdict } from './types.ts';
