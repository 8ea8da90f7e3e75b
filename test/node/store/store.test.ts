// The store contract, run against both stores: the in-memory default and Redis (a real
// redis-server started for this file). Same answers from both is what lets a site move
// from one instance to several without changing behaviour.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore, createRedisStore, type RelayStore } from '../../../src/server/store/index.ts';
import { startRedis, type RedisServer } from './redis-server.ts';

/** Polls `check` (no fixed sleep decides the outcome); fails after `tries`. */
async function eventually(check: () => Promise<boolean>, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`never happened: ${what}`);
}

function contract(name: string, make: () => Promise<RelayStore>) {
  describe(`${name} store`, () => {
    let store: RelayStore;
    before(async () => (store = await make()));
    after(() => store.close());
    let n = 0;
    const fresh = (label: string) => `${label}:${process.pid}:${++n}`;

    it('claims a key once; another key is independent; the claim lapses after its ttl', async () => {
      const a = fresh('claim');
      assert.equal(await store.claimOnce(a, 60_000), true);
      assert.equal(await store.claimOnce(a, 60_000), false);
      assert.equal(await store.claimOnce(fresh('claim'), 60_000), true);
      const short = fresh('claim');
      assert.equal(await store.claimOnce(short, 40), true);
      await eventually(() => store.claimOnce(short, 60_000), 'a lapsed claim is claimable again');
    });

    it('hit: allows `limit` events per window, then refuses with the time left in the window', async () => {
      const k = fresh('rate');
      for (let i = 0; i < 3; i++) assert.deepEqual(await store.hit(k, 3, 60_000), { allowed: true, retryAfterMs: 0 });
      const refused = await store.hit(k, 3, 60_000);
      assert.equal(refused.allowed, false);
      assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 60_000, `retryAfterMs ${refused.retryAfterMs}`);
      assert.equal((await store.hit(fresh('rate'), 3, 60_000)).allowed, true, 'other keys count alone');
    });

    it('hit: a new window starts after the old one ends', async () => {
      const k = fresh('rate');
      assert.equal((await store.hit(k, 1, 40)).allowed, true);
      await eventually(async () => (await store.hit(k, 1, 40)).allowed, 'the window resets');
    });

    it('leases: at most `limit` holders; released slots and re-acquires by the same holder', async () => {
      const k = fresh('lease');
      assert.equal(await store.acquireLease(k, 'a', 2, 60_000), true);
      assert.equal(await store.acquireLease(k, 'b', 2, 60_000), true);
      assert.equal(await store.acquireLease(k, 'c', 2, 60_000), false);
      assert.equal(await store.acquireLease(k, 'a', 2, 60_000), true, 'a holder asking again keeps its slot');
      assert.equal(await store.acquireLease(k, 'c', 2, 60_000), false, '…and does not take a second one');
      await store.releaseLease(k, 'a');
      assert.equal(await store.acquireLease(k, 'c', 2, 60_000), true);
      await store.releaseLease(k, 'nobody'); // releasing what is not held is harmless
      assert.equal(await store.acquireLease(fresh('lease'), 'a', 1, 60_000), true, 'other keys count alone');
    });

    it('leases lapse without renewal (a crashed instance frees its slots); renewal keeps them', async () => {
      const k = fresh('lease');
      assert.equal(await store.acquireLease(k, 'crashed', 1, 40), true);
      await eventually(() => store.acquireLease(k, 'next', 1, 60_000), 'a lapsed lease frees its slot');
      const kept = fresh('lease');
      assert.equal(await store.acquireLease(kept, 'live', 1, 60_000), true);
      await store.renewLease(kept, 'live', 60_000);
      assert.equal(await store.acquireLease(kept, 'other', 1, 60_000), false);
    });
  });
}

contract('memory', async () => createMemoryStore());

let redis: RedisServer;
before(async () => (redis = await startRedis()));
after(() => redis?.stop());
contract('redis', async () => createRedisStore({ url: redis.url }));

describe('redis store failures', () => {
  it('an unreachable Redis rejects at creation with a clear message that never shows the password', async () => {
    await assert.rejects(createRedisStore({ url: 'redis://user:s3cret-pass@127.0.0.1:1' }), (e: Error) => {
      assert.match(e.message, /cannot connect to Redis/);
      assert.doesNotMatch(e.message, /s3cret/);
      return true;
    });
  });

  it('a Redis that goes away makes operations fail at once (never hang), and they work again when it is back', async () => {
    const own = await startRedis();
    const errors: Error[] = [];
    const store = await createRedisStore({ url: own.url, onError: (e) => errors.push(e) });
    try {
      assert.equal(await store.claimOnce('k', 60_000), true);
      await own.stop();
      await eventually(async () => store.claimOnce('k2', 60_000).then(() => false, () => true), 'operations reject while Redis is down');
      assert.ok(errors.length > 0, 'the connection loss is reported');
    } finally {
      await store.close();
    }
  });

  it('createRedisStore needs a url or a client', async () => {
    await assert.rejects(createRedisStore({}), /pass url or client/);
  });

  it('accepts any client with sendCommand (e.g. a wrapped ioredis), and never closes it', async () => {
    const { createClient } = await import('@redis/client');
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const store = await createRedisStore({ client: { sendCommand: (args) => client.sendCommand(args) }, prefix: 'custom:' });
      assert.equal(await store.claimOnce('x', 60_000), true);
      assert.equal(await client.sendCommand(['EXISTS', 'custom:x']), 1);
      await store.close();
      assert.equal(client.isOpen, true);
    } finally {
      await client.close();
    }
  });
});
