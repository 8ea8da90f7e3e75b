// Single-use tokens: the relay claims a token's id on first use; a replay (on this relay or
// another one sharing the store) is closed with 4001 and says so. A store that fails makes
// the relay refuse (1013) rather than let limits go unchecked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mintToken } from '../../../src/server/token/index.ts';
import { RELAY_CLOSE, type RelayLogEvent } from '../../../src/server/relay/index.ts';
import { createMemoryStore, createRedisStore } from '../../../src/server/store/index.ts';
import { startRedis } from '../store/redis-server.ts';
import { ORIGIN, SECRET, connect, json, startRelay, startUpstream } from './helpers.ts';

const token = () => mintToken({ secret: SECRET, origin: ORIGIN });

describe('single-use tokens', () => {
  it('a token opens one session; a replay, during or after it, is closed 4001 "already used"', async () => {
    const upstream = await startUpstream();
    const fx = await startRelay({ upstreamUrl: upstream.url });
    try {
      const t = token();
      const first = connect(fx.url, { api_key: t });
      await upstream.next();
      await first.opened;
      const during = connect(fx.url, { api_key: t });
      const body = json(await during.frame(1));
      assert.equal(body.error.code, 'invalid_request_error');
      assert.equal(body.error.param, 'api_key');
      assert.match(body.error.message, /^relay: token was already used/);
      const closed = await during.closed;
      assert.equal(closed.code, RELAY_CLOSE.UNAUTHORIZED);
      assert.match(closed.reason, /already used/);

      first.ws.close(1000);
      await first.closed;
      while (fx.relay.stats().active > 0) await new Promise((r) => setTimeout(r, 5));
      const after = connect(fx.url, { api_key: t });
      assert.equal((await after.closed).code, RELAY_CLOSE.UNAUTHORIZED, 'still used after the session ended');
      assert.equal(upstream.upgrades, 1, 'replays never reach upstream');
      const fresh = connect(fx.url, { api_key: token() });
      await upstream.next();
      fresh.ws.close();
      await fresh.closed;
    } finally {
      await fx.close();
      await upstream.close();
    }
  });

  it('two relays sharing one store: a token used on one is refused on the other', async () => {
    const upstream = await startUpstream();
    const store = createMemoryStore();
    const a = await startRelay({ upstreamUrl: upstream.url, store });
    const b = await startRelay({ upstreamUrl: upstream.url, store });
    try {
      const t = token();
      const first = connect(a.url, { api_key: t });
      await upstream.next();
      await first.opened;
      const replay = connect(b.url, { api_key: t });
      const closed = await replay.closed;
      assert.equal(closed.code, RELAY_CLOSE.UNAUTHORIZED);
      assert.match(closed.reason, /already used/);
      first.ws.close();
      await first.closed;
    } finally {
      await a.close();
      await b.close();
      await upstream.close();
    }
  });

  it('frames the page sends while the relay checks its store reach upstream, in order', async () => {
    const upstream = await startUpstream();
    const fx = await startRelay({ upstreamUrl: upstream.url });
    try {
      const client = connect(fx.url, { api_key: token() });
      await client.opened;
      for (let i = 0; i < 5; i++) client.ws.send(`{"n":${i}}`);
      const conn = await upstream.next();
      while (conn.frames.length < 5) await new Promise((r) => setImmediate(r));
      assert.deepEqual(conn.frames.map((f) => f.data.toString()), [0, 1, 2, 3, 4].map((i) => `{"n":${i}}`));
      client.ws.close();
      await client.closed;
    } finally {
      await fx.close();
      await upstream.close();
    }
  });

  it('when the store fails, the relay refuses with 1013 (try again later) and logs it without secrets', async () => {
    const redis = await startRedis();
    const upstream = await startUpstream();
    const store = await createRedisStore({ url: redis.url });
    const events: RelayLogEvent[] = [];
    const fx = await startRelay({ upstreamUrl: upstream.url, store, log: (e) => events.push(e) });
    try {
      await redis.stop();
      const t = token();
      const client = connect(fx.url, { api_key: t });
      const body = json(await client.frame(1));
      assert.equal(body.error.code, 'server_full');
      assert.match(body.error.message, /session limits are unavailable/);
      assert.equal((await client.closed).code, 1013);
      assert.equal(upstream.upgrades, 0);
      assert.ok(events.some((e) => e.type === 'store-error'));
      const logged = JSON.stringify(events);
      assert.ok(!logged.includes(t) && !logged.includes('sk-real-upstream-key'), 'no token or key in the log');
    } finally {
      await fx.close();
      await store.close();
      await upstream.close();
    }
  });
});
